"""tfgan_suite: GANs as Keras models (Goodfellow 2014, DCGAN, SAGAN, pix2pix, ...)."""

__version__ = "0.1.0"

from tfgan_suite import (callbacks, data, export, losses, metrics, models,
                         nets, presets)

__all__ = ["__version__", "callbacks", "data", "export", "losses", "metrics",
           "models", "nets", "presets"]
