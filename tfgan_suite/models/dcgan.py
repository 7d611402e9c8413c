"""DCGAN (Radford et al. 2016): the seed paper's Fashion-MNIST / CIFAR-10 model."""

import keras

from tfgan_suite.models.gan import GAN
from tfgan_suite.nets import dcgan


@keras.saving.register_keras_serializable(package="tfgan_suite")
class DCGAN(GAN):
    """DCGAN nets trained with Algorithm 1 (`GAN.train_step`).

    Defaults follow Radford et al.: Adam(2e-4, beta_1=0.5) for both nets and
    the non-saturating loss; see `tfgan_suite.nets.dcgan` for the nets.

    Args:
      image_shape: (H, W, C), e.g. (28, 28, 1), (32, 32, 3), (64, 64, 3).
      latent_dim: length of z.
      filters: width of D's first layer (G mirrors it).
    """

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, filters=64,
                 d_steps=1, seed=None, **kwargs):
        self.image_shape = tuple(image_shape)
        self.filters = int(filters)
        super().__init__(data_shape=image_shape, latent_dim=latent_dim,
                         d_steps=d_steps, seed=seed, **kwargs)

    def build_nets(self):
        return (dcgan.build_generator(self.image_shape, self.latent_dim,
                                      self.filters),
                dcgan.build_discriminator(self.image_shape, self.filters))

    def get_config(self):
        config = super().get_config()
        for key in ("data_shape", "hidden", "output_activation"):
            config.pop(key)
        return {**config, "image_shape": self.image_shape,
                "filters": self.filters}
