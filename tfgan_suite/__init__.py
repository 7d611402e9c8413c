"""tfgan_suite: GANs as Keras models (Goodfellow 2014, DCGAN, SAGAN, pix2pix,
WGAN-GP, ...).

Layout: `models` (one file per GAN: its defaults, train_step and presets),
`nets` (reusable architectures), `losses`, `data`, `training` (runner,
callbacks, flags), `evaluation` (metrics, sampling), `serving` (export for
TF Serving, verification, client), `commands` (the command-line programs).

Sub-packages load on first use (`tgs.models`, `tgs.data`, ...), so a
command can answer `--help` or set up its logging before TensorFlow loads.
"""

import importlib

__version__ = "0.2.0"

#: Public names: sub-packages, and the short names of a few modules in them.
_NAMES = {
    "commands": "tfgan_suite.commands",
    "data": "tfgan_suite.data",
    "evaluation": "tfgan_suite.evaluation",
    "files": "tfgan_suite.files",
    "losses": "tfgan_suite.losses",
    "models": "tfgan_suite.models",
    "nets": "tfgan_suite.nets",
    "plots": "tfgan_suite.plots",
    "serving": "tfgan_suite.serving",
    "training": "tfgan_suite.training",
    "callbacks": "tfgan_suite.training.callbacks",
    "cli": "tfgan_suite.training.cli",
    "experiment": "tfgan_suite.training.runner",
    "export": "tfgan_suite.serving",
    "metrics": "tfgan_suite.evaluation",
    "presets": "tfgan_suite.models.presets",
    "sampling": "tfgan_suite.evaluation.sampling",
    "theory": "tfgan_suite.evaluation.theory",
}


def __getattr__(name):
    if name not in _NAMES:
        raise AttributeError(f"module 'tfgan_suite' has no attribute {name!r}")
    module = importlib.import_module(_NAMES[name])
    globals()[name] = module
    return module


def __dir__():
    return sorted([*globals(), *_NAMES])


__all__ = ["__version__", *sorted(_NAMES)]
