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


#: Top-level packages whose import must be over before the models load.
_WATCHED = ("keras", "tensorflow", "tfgan_suite")


class _RegisterWithKeras(importlib.abc.MetaPathFinder):
    """Registers the suite's model classes with Keras' serialization
    (imports `tfgan_suite.models`) as soon as Keras has loaded and no import
    of Keras, TensorFlow or the suite is under way: loading the models from
    inside one of those would meet half-made modules. It wraps the loading
    of those packages' modules to check after each; it finds nothing
    itself."""

    def __init__(self):
        self._searching = set()

    def find_spec(self, name, path=None, target=None):
        if name in self._searching or not (
                name in _WATCHED or name.startswith("tfgan_suite.")):
            return None
        self._searching.add(name)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self._searching.discard(name)
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            _register_when_ready(done=name)
        spec.loader.exec_module = exec_then_register
        return spec


def _initializing(module):
    return getattr(getattr(module, "__spec__", None), "_initializing", False)


def _register_when_ready(done):
    """Imports `tfgan_suite.models` if Keras is loaded and, `done` (whose
    loading just ended) aside, no watched import is under way."""
    if "keras" not in sys.modules or "tfgan_suite.models" in sys.modules:
        return
    if any(_initializing(module) for name, module in list(sys.modules.items())
           if name != done and (name in _WATCHED or
                                name.startswith("tfgan_suite."))):
        return
    for finder in [f for f in sys.meta_path
                   if isinstance(f, _RegisterWithKeras)]:
        sys.meta_path.remove(finder)
    importlib.import_module("tfgan_suite.models")


if "keras" in sys.modules and not any(
        _initializing(sys.modules.get(name)) for name in _WATCHED[:2]):
    importlib.import_module("tfgan_suite.models")
elif not any(isinstance(f, _RegisterWithKeras) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterWithKeras())

__all__ = ["__version__", *_NAMES]
