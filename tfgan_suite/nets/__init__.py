"""Network architectures: functions that return plain `keras.Model`s."""

from tfgan_suite.nets import dcgan

__all__ = ["dcgan"]
