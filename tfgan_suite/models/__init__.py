"""GAN models: `keras.Model` subclasses that override `train_step`.

Every module of this package is imported here, and every model class in it
that sets `cli_name` is registered by that name: a new GAN is one file in
this folder. `get` also takes `"module:Class"`, a user's own subclass of
`AdversarialModel` importable from the working directory or PYTHONPATH.
"""

import importlib
import os
import pkgutil
import sys

from tfgan_suite.models.base import AdversarialModel

#: Models by the name `scripts/train.py --model` takes.
MODELS = {}
#: The model `scripts/train.py` trains when given neither --model nor --preset.
DEFAULT_MODEL = "dcgan"

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("base", "presets"):
        _loaded = importlib.import_module(f"{__name__}.{_module.name}")
        for _value in vars(_loaded).values():
            if (isinstance(_value, type) and issubclass(_value, AdversarialModel)
                    and "cli_name" in vars(_value) and _value.cli_name):
                MODELS[_value.cli_name] = _value
                globals()[_value.__name__] = _value

from tfgan_suite.models import presets  # noqa: E402  (reads MODELS)


def get(name):
    """The model class `name`: a registered name (`sorted(MODELS)`) or
    `"module:Class"`, a subclass of `AdversarialModel` in an importable
    module (the working directory is searched first)."""
    if isinstance(name, type) and issubclass(name, AdversarialModel):
        return name
    if name in MODELS:
        return MODELS[name]
    if not isinstance(name, str) or ":" not in name:
        raise ValueError(f"model: expected one of {sorted(MODELS)} or "
                         f"module:Class, got {name!r}")
    module_name, _, class_name = name.partition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ValueError(f"model: cannot import module {module_name!r} of "
                         f"{name!r} from the working directory or PYTHONPATH"
                         f" ({e})") from None
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, AdversarialModel)):
        raise ValueError(f"model: {name!r} is not a subclass of "
                         f"tfgan_suite.models.AdversarialModel (found "
                         f"{type(cls).__name__ if cls is not None else 'nothing'})")
    return cls


def name_of(cls):
    """The name `get` takes for `cls`: its `cli_name`, or module:Class."""
    if MODELS.get(cls.cli_name) is cls:
        return cls.cli_name
    return f"{cls.__module__}:{cls.__qualname__}"


__all__ = ["AdversarialModel", "DEFAULT_MODEL", "MODELS", "get", "name_of", "presets",
           *sorted(cls.__name__ for cls in MODELS.values())]
