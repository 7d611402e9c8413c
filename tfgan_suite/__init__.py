"""tfgan_suite: GANs as Keras models (Goodfellow 2014, DCGAN, SAGAN, pix2pix,
WGAN-GP, ...).

Layers, bottom-up (each imports only those below it): `nets`, `losses`,
`augment` (DiffAugment, ADA) and `data`; `models` (one file per GAN: its
defaults, train_step and presets); `metrics` (FID, KID, precision / recall,
the domain classifier, ...); `serving` (export for TF Serving,
verification, client); `runs` (a run folder's life: its config,
checkpoints, loading a run, `.keras` file or SavedModel); `training` (the
runner behind `train.py`, callbacks); `commands` (the command-line
programs and their flags). `tests/test_layers.py` checks the order.

Sub-packages load on first use (`tgs.models`, `tgs.data`, ...), so a
command can answer `--help` before TensorFlow loads. The model classes
register with Keras as soon as Keras is loaded, so
`keras.models.load_model` finds them after a bare `import tfgan_suite`.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

__version__ = "0.3.0"

#: Public sub-packages and modules, by the name `tgs.<name>` gives them.
_NAMES = ("augment", "commands", "data", "files", "losses", "metrics",
          "models", "nets", "plots", "runs", "serving", "training")

#: Old spellings: {name: (module, what to write instead)}.
_DEPRECATED = {
    "callbacks": ("tfgan_suite.training.callbacks", "tgs.training.callbacks"),
    "cli": ("tfgan_suite.commands.cli", "tgs.commands.cli"),
    "evaluation": ("tfgan_suite.metrics", "tgs.metrics"),
    "experiment": ("tfgan_suite.training.runner", "tgs.training and tgs.runs"),
    "export": ("tfgan_suite.serving", "tgs.serving"),
    "presets": ("tfgan_suite.models.presets", "tgs.models.presets"),
    "sampling": ("tfgan_suite.runs.deprecated_sampling", "tgs.runs.load, "
                 "tgs.runs.translate_files, tgs.metrics.discriminator_filtered"),
    "theory": ("tfgan_suite.metrics.theory", "tgs.metrics.theory"),
}


def __getattr__(name):
    if name in _DEPRECATED:
        module, instead = _DEPRECATED[name]
        warnings.warn(f"tgs.{name} is deprecated; use {instead}",
                      DeprecationWarning, stacklevel=2)
        return importlib.import_module(module)
    if name not in _NAMES:
        raise AttributeError(f"module 'tfgan_suite' has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{name}")
    globals()[name] = module
    return module


def __dir__():
    return sorted([*globals(), *_NAMES])


class _RegisterWithKeras(importlib.abc.MetaPathFinder):
    """Imports `tfgan_suite.models` (which registers its classes with
    Keras' serialization) right after the `keras` package finishes
    loading; finds nothing itself."""

    def find_spec(self, name, path=None, target=None):
        if name != "keras":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            _register_models()
        spec.loader.exec_module = exec_then_register
        return spec


def _register_models():
    if "tfgan_suite.models" not in sys.modules:
        importlib.import_module("tfgan_suite.models")


if "keras" in sys.modules:
    _register_models()
elif not any(isinstance(f, _RegisterWithKeras) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterWithKeras())

__all__ = ["__version__", *_NAMES]
