"""GAN models: `keras.Model` subclasses that override `train_step`.

Every module of this package is imported here, and every model class in it
that sets `cli_name` is registered by that name: a new GAN is one file in
this folder. `get` also takes `"module:NAME"`, importable from the working
directory or PYTHONPATH: a user's own subclass of `AdversarialModel`, or
any other Keras GAN class or a function that returns one (`wrapped`).
"""

import importlib
import pkgutil

from tfgan_suite.models.base import AdversarialModel

#: Models by the name `get` (and a run's `model`) takes.
MODELS = {}
#: The model a run trains when its config names neither a model nor a
#: preset.
DEFAULT_MODEL = "dcgan"

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("base", "presets", "wrapped"):
        _loaded = importlib.import_module(f"{__name__}.{_module.name}")
        for _value in vars(_loaded).values():
            if (isinstance(_value, type) and issubclass(_value, AdversarialModel)
                    and "cli_name" in vars(_value) and _value.cli_name):
                MODELS[_value.cli_name] = _value
                globals()[_value.__name__] = _value

from tfgan_suite.models import presets  # noqa: E402  (reads MODELS)
from tfgan_suite.models.wrapped import (  # noqa: E402
    Factory, Wrapped, import_object)


def get(name):
    """The model class `name`: a registered name (`sorted(MODELS)`) or
    `"module:NAME"` in an importable module (the working directory is
    searched first): a subclass of `AdversarialModel`, or any Keras GAN
    class or function returning one, as a `Factory` of `Wrapped` models."""
    if isinstance(name, Factory) or (
            isinstance(name, type) and issubclass(name, AdversarialModel)):
        return name
    if name in MODELS:
        return MODELS[name]
    if not isinstance(name, str) or ":" not in name:
        raise ValueError(f"model: expected one of {sorted(MODELS)} or "
                         f"module:NAME, got {name!r}")
    found = import_object(name)
    if isinstance(found, type) and issubclass(found, AdversarialModel):
        return found
    return Factory(name, found)


def name_of(cls):
    """The name `get` takes for `cls`: its `cli_name`, module:Class, or a
    factory's module:NAME."""
    if isinstance(cls, Factory):
        return cls.name
    if MODELS.get(cls.cli_name) is cls:
        return cls.cli_name
    return f"{cls.__module__}:{cls.__qualname__}"


__all__ = ["AdversarialModel", "DEFAULT_MODEL", "Factory", "MODELS", "Wrapped",
           "get", "name_of", "presets",
           *sorted(cls.__name__ for cls in MODELS.values())]
