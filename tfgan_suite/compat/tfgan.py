"""The one place that imports TF-GAN.

`import tensorflow_gan` fails on TensorFlow >= 2.16 because its top-level
`__init__` imports `tf.estimator`, which was removed (tensorflow/gan issue 55).
The pure-TensorFlow modules we need -- `losses/losses_impl.py` and
`eval/classifier_metrics.py` -- do not use the estimator. We register the
parent packages as empty modules that keep their real `__path__`, so Python
finds the submodules on disk without running the parents' `__init__` files,
and import just those two submodules.

Usage::

    from tfgan_suite.compat.tfgan import losses_impl, classifier_metrics
"""

import importlib
import importlib.util
import os
import sys
import types

_PARENTS = ("", "python", "python/losses", "python/eval")


def _register_empty_parents():
    if "tensorflow_gan" in sys.modules:
        return
    spec = importlib.util.find_spec("tensorflow_gan")
    if spec is None or spec.origin is None:
        raise ImportError(
            "tensorflow-gan is not installed: `pip install tensorflow-gan` "
            "(tfgan_suite uses its losses and classifier metrics).")
    root = os.path.dirname(spec.origin)
    for relative in _PARENTS:
        name = ".".join(["tensorflow_gan", *filter(None, relative.split("/"))])
        module = sys.modules.get(name)
        if module is None:
            module = types.ModuleType(name)
            module.__path__ = [os.path.join(root, relative)]
            sys.modules[name] = module


def _load(name):
    _register_empty_parents()
    return importlib.import_module(name)


_MODULES = {
    "losses_impl": "tensorflow_gan.python.losses.losses_impl",
    # Imports tensorflow_probability (slow): loaded only when first used.
    "classifier_metrics": "tensorflow_gan.python.eval.classifier_metrics",
}

__all__ = list(_MODULES)


def __getattr__(attr):
    if attr not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
    module = _load(_MODULES[attr])
    globals()[attr] = module
    return module
