"""tfgan_suite: GANs as Keras models (Goodfellow 2014, DCGAN, SAGAN, pix2pix,
WGAN-GP, ...).

Layers, bottom-up (each imports only those below it): `errors` (the
library's exception types) and `files`; `nets`, `losses`,
`augment` (DiffAugment, ADA) and `data`; `models` (one file per GAN: its
defaults, train_step and presets); `metrics` (FID, KID, precision / recall,
the domain classifier, ...); `serving` (export for TF Serving,
verification, client); `runs` (a run folder's life: its config,
checkpoints, loading a run, `.keras` file or SavedModel); `training` (the
runner behind `train.py`, callbacks); `commands` (the command-line
programs and their flags). `tests/test_layers.py` checks the order.

Importing the package imports every layer, so the model classes are
registered with Keras' serialization and `keras.models.load_model` finds
them after a bare `import tfgan_suite`.
"""

__version__ = "0.3.0"

# Bottom-up, as the layers above.
from tfgan_suite import errors, files, nets, losses, augment, data, plots  # noqa
from tfgan_suite import models, metrics, serving, runs, training  # noqa
from tfgan_suite import commands  # noqa

__all__ = ["__version__", "augment", "commands", "data", "errors", "files",
           "losses", "metrics", "models", "nets", "plots", "runs", "serving",
           "training"]
