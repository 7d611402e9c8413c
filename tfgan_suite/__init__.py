"""tfgan_suite: GANs as Keras models (Goodfellow 2014, DCGAN, SAGAN, pix2pix,
WGAN-GP, ...).

Layout: `models` (one file per GAN: its defaults, train_step and presets),
`nets` (reusable architectures), `losses`, `data`, `training` (runner,
callbacks, flags), `evaluation` (metrics, sampling), `serving` (export for
TF Serving, verification, client).
"""

__version__ = "0.2.0"

from tfgan_suite import (data, evaluation, files, losses, models, nets,
                         plots, serving, training)
from tfgan_suite.evaluation import sampling, theory
from tfgan_suite.models import presets
from tfgan_suite.training import callbacks, cli
from tfgan_suite.training import runner as experiment

#: Short public names: `tgs.metrics`, `tgs.export`.
metrics = evaluation
export = serving

__all__ = ["__version__", "callbacks", "cli", "data", "evaluation",
           "experiment", "export", "files", "losses", "metrics", "models",
           "nets", "plots", "presets", "sampling", "serving", "theory",
           "training"]
