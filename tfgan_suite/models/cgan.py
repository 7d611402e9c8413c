"""Conditional GAN (Mirza & Osindero 2014) with DCGAN nets."""

import keras

from tfgan_suite.models.dcgan import DCGAN
from tfgan_suite.nets import dcgan


@keras.saving.register_keras_serializable(package="tfgan_suite")
class CGAN(DCGAN):
    """G(z, y) and D(x, y): the class label y is an input of both nets.

    Trains on (images, int labels) batches with Algorithm 1
    (`GAN.train_step`): the D step scores real images with their labels and
    generated images made for the same labels; the G step draws labels
    uniformly. `generate(n, labels=[...])` makes images of chosen classes.
    """

    def __init__(self, image_shape=(28, 28, 1), num_classes=10,
                 latent_dim=100, filters=64, d_steps=1, seed=None, **kwargs):
        if int(num_classes) < 2:
            raise ValueError(f"num_classes: expected at least 2, got "
                             f"{num_classes}")
        self.num_classes = int(num_classes)
        super().__init__(image_shape=image_shape, latent_dim=latent_dim,
                         filters=filters, d_steps=d_steps, seed=seed, **kwargs)

    def build_nets(self):
        return (dcgan.build_conditional_generator(
                    self.image_shape, self.num_classes, self.latent_dim,
                    self.filters),
                dcgan.build_conditional_discriminator(
                    self.image_shape, self.num_classes, self.filters))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
