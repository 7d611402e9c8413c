"""GAN models: `keras.Model` subclasses that override `train_step`."""

from tfgan_suite.models.base import AdversarialModel
from tfgan_suite.models.cgan import CGAN
from tfgan_suite.models.dcgan import DCGAN
from tfgan_suite.models.gan import GAN

#: Models by the name `scripts/train.py --model` takes.
MODELS = {"gan": GAN, "dcgan": DCGAN, "cgan": CGAN}
#: Models that train on (images, labels).
CONDITIONAL = ("cgan",)


def get(name):
    if name not in MODELS:
        raise ValueError(f"model: expected one of {sorted(MODELS)}, got {name!r}")
    return MODELS[name]


__all__ = ["AdversarialModel", "CGAN", "CONDITIONAL", "DCGAN", "GAN", "MODELS", "get"]
