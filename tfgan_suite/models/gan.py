"""The GAN of Goodfellow et al. 2014, trained with their Algorithm 1."""

import keras
import tensorflow as tf

from tfgan_suite.models.base import AdversarialModel
from tfgan_suite.nets import mlp


@keras.saving.register_keras_serializable(package="tfgan_suite")
class GAN(AdversarialModel):
    """Unconditional GAN with MLP nets (Goodfellow et al. 2014).

    `train_step` is Algorithm 1: k = `d_steps` discriminator updates, each on
    m real and m generated examples, then one generator update on m noise
    samples. The generator loss is `non_saturating` by default (the paper's
    practical choice) or `minimax` (its eq. 1).

    Subclasses (DCGAN) change only the networks, through `build_nets`.
    """

    def __init__(self, data_shape=(2,), latent_dim=100, d_steps=1,
                 hidden=(256, 256), output_activation=None, seed=None,
                 **kwargs):
        super().__init__(latent_dim=latent_dim, d_steps=d_steps, seed=seed,
                         **kwargs)
        self.data_shape = tuple(data_shape)
        self.hidden = tuple(hidden)
        self.output_activation = output_activation
        self.generator, self.discriminator = self.build_nets()
        self.built = True  # both nets are built with known input shapes.

    def build_nets(self):
        return (mlp.build_generator(self.data_shape, self.latent_dim,
                                    self.hidden, self.output_activation),
                mlp.build_discriminator(self.data_shape, self.hidden))

    def train_step(self, data):
        real_batch = data[0] if isinstance(data, (tuple, list)) else data
        for real in self.d_minibatches(real_batch):
            # Ascend the value V(D, G) in D's parameters.
            z = self.sample_latent(tf.shape(real)[0])
            with tf.GradientTape() as tape:
                fake = self.generator(z, training=True)
                real_logits = self.discriminator(real, training=True)
                fake_logits = self.discriminator(fake, training=True)
                d_loss = self.discriminator_loss(real_logits, fake_logits,
                                                 real, fake)
            self.minimize(self.d_optimizer, tape, d_loss,
                          self.discriminator.trainable_variables)
        # Descend in G's parameters on a fresh minibatch of m noise samples.
        z = self.sample_latent(tf.shape(real)[0])
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(self.generator(z, training=True),
                                             training=True)
            g_loss = self.generator_loss(fake_logits)
        self.minimize(self.g_optimizer, tape, g_loss,
                      self.generator.trainable_variables)
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss)

    def get_config(self):
        return {**super().get_config(), "data_shape": self.data_shape,
                "hidden": self.hidden,
                "output_activation": self.output_activation}
