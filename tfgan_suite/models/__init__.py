"""GAN models: `keras.Model` subclasses that override `train_step`."""

from tfgan_suite.models.base import AdversarialModel
from tfgan_suite.models.cgan import CGAN
from tfgan_suite.models.dcgan import DCGAN
from tfgan_suite.models.gan import GAN
from tfgan_suite.models.pix2pix import Pix2Pix
from tfgan_suite.models.sagan import SAGAN

#: Models by the name `scripts/train.py --model` takes.
MODELS = {"gan": GAN, "dcgan": DCGAN, "cgan": CGAN, "sagan": SAGAN,
          "pix2pix": Pix2Pix}
#: Models that always train on (images, labels); SAGAN does with num_classes.
CONDITIONAL = ("cgan",)
#: Models that train on (input, target) image pairs.
PAIRED = ("pix2pix",)


def get(name):
    if name not in MODELS:
        raise ValueError(f"model: expected one of {sorted(MODELS)}, got {name!r}")
    return MODELS[name]


__all__ = ["AdversarialModel", "CGAN", "CONDITIONAL", "DCGAN", "GAN", "MODELS", "PAIRED",
           "Pix2Pix", "SAGAN", "get"]
