"""Presets: the seed papers' configurations by name, as plain data.

Each model keeps its presets beside it (its class attribute `presets`); this
module lists them all. A preset gives the model's constructor arguments
(`model_args`), how it is compiled (`compile`), its data (`data`) and how
long it trains (`train`). A run's config applies one
(`tgs.runs.make_config(NAME)`); `Model.from_preset(NAME)` builds and
compiles its model.
"""

import copy

from tfgan_suite.models import MODELS


def _all():
    found = {}
    for name, cls in MODELS.items():
        for preset, value in cls.presets.items():
            found[preset] = {"model": name, **value}
    return found


#: {preset name: preset}, with the name of its model under "model".
PRESETS = _all()


def names():
    return sorted(PRESETS)


def default_for(model):
    """Name of the default preset of the model called `model` (None if it
    has none, e.g. a user's own model)."""
    from tfgan_suite import models
    return models.get(model).default_preset


def get(name):
    """A deep copy of preset `name`, its model class under "model_class"."""
    if name not in PRESETS:
        raise ValueError(f"preset: expected one of {names()}, got {name!r}")
    preset = copy.deepcopy(PRESETS[name])
    preset.setdefault("model_args", {})
    preset.setdefault("compile", {})
    preset["model_class"] = MODELS[preset["model"]]
    return preset
