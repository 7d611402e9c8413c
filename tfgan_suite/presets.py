"""The seed papers' configurations by name, as plain data.

Each preset gives the model (`model`, `model_args`), how it is compiled
(`compile`), its data (`data`) and how long it trains (`train`). Callers
override any field; `scripts/train.py --preset=NAME` applies one.
"""

import copy

PRESETS = {
    # Seed paper Fig. 8: DCGAN on the full Fashion-MNIST training set.
    "fashion_mnist_dcgan": {
        "model": "dcgan",
        "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100},
        "compile": {"loss": "non_saturating"},
        "data": {"dataset": "fashion_mnist", "batch_size": 128},
        "train": {"epochs": 20},
    },
    # Seed paper Fig. 9: DCGAN on one CIFAR-10 class at a time.
    "cifar10_dcgan": {
        "model": "dcgan",
        "model_args": {"image_shape": (32, 32, 3), "latent_dim": 100},
        "compile": {"loss": "non_saturating"},
        "data": {"dataset": "cifar10", "classes": ["horse"], "batch_size": 64},
        "train": {"epochs": 100},
    },
}


#: The preset `scripts/train.py --model=NAME` starts from when none is given.
DEFAULT_FOR_MODEL = {"dcgan": "fashion_mnist_dcgan"}


def default_for(model):
    """Name of the default preset of `model` (None if it has none)."""
    return DEFAULT_FOR_MODEL.get(model)


def get(name):
    """A deep copy of preset `name`."""
    if name not in PRESETS:
        raise ValueError(f"preset: expected one of {sorted(PRESETS)}, got "
                         f"{name!r}")
    return copy.deepcopy(PRESETS[name])
