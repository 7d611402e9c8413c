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

    `update="simultaneous"` trains as the TensorFlow DCGAN tutorial does
    instead: one generator forward pass per step, both nets' gradients taken
    from it and both applied at once (k must be 1). It does about two thirds
    of Algorithm 1's work per step (no second G forward pass, no second D
    pass on generated data); Algorithm 1 stays the default.

    With `num_classes` set (CGAN, conditional SAGAN) both nets also take the
    label: D scores real images with their labels and generated images made
    for the same labels; the G step draws labels uniformly.

    Subclasses (DCGAN, CGAN, SAGAN) change only the networks, through
    `build_nets`, and their defaults.
    """

    #: The values of `update`.
    UPDATES = ("alternating", "simultaneous")

    def __init__(self, data_shape=(2,), latent_dim=100, d_steps=1,
                 hidden=(256, 256), output_activation=None, seed=None,
                 update="alternating", **kwargs):
        super().__init__(latent_dim=latent_dim, d_steps=d_steps, seed=seed,
                         **kwargs)
        if update not in self.UPDATES:
            raise ValueError(f"update: expected one of {self.UPDATES}, got "
                             f"{update!r}")
        if update == "simultaneous" and self.d_steps != 1:
            raise ValueError(f"update: 'simultaneous' takes one D step per G "
                             f"step, got d_steps={self.d_steps}")
        self.update = update
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
        images, labels = self.unpack(data)
        if self.update == "simultaneous":
            return self.simultaneous_step(images, labels)
        for real, y in self.d_minibatches(images, labels):
            # Ascend the value V(D, G) in D's parameters.
            with tf.GradientTape() as tape:
                d_loss, _ = self.discriminator_pass(real, y)
            self.minimize(self.d_optimizer, tape, d_loss,
                          self.discriminator.trainable_variables)
        # Descend in G's parameters on a fresh minibatch of m noise samples
        # (and uniformly drawn labels for a conditional model).
        m = tf.shape(real)[0]
        z, y = self.sample_latent(m), self.sample_labels(m)
        with tf.GradientTape() as tape:
            fake = self.generator(self.conditioned(z, y), training=True)
            g_loss = self.generator_loss(self.discriminator(
                self.conditioned(fake, y), training=True))
        self.minimize(self.g_optimizer, tape, g_loss,
                      self.generator.trainable_variables)
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss)

    def discriminator_pass(self, real, labels):
        """(D's loss, D's logits on G(z)) for a minibatch of real examples
        and as many noise samples (made for the same labels); call it inside
        the tape."""
        z = self.sample_latent(tf.shape(real)[0])
        critic = lambda x: self.discriminator(self.conditioned(x, labels),
                                              training=True)
        fake = self.generator(self.conditioned(z, labels), training=True)
        real_logits, fake_logits = critic(real), critic(fake)
        return (self.discriminator_loss(real_logits, fake_logits, real, fake,
                                        critic), fake_logits)

    def simultaneous_step(self, real, labels):
        """The tutorial's step: G(z) once, D on real and G(z), both nets'
        gradients from that one forward pass, both applied."""
        with tf.GradientTape(persistent=True) as tape:
            d_loss, fake_logits = self.discriminator_pass(real, labels)
            g_loss = self.generator_loss(fake_logits)
        self.minimize(self.d_optimizer, tape, d_loss,
                      self.discriminator.trainable_variables)
        self.minimize(self.g_optimizer, tape, g_loss,
                      self.generator.trainable_variables)
        del tape
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss)

    def get_config(self):
        return {**super().get_config(), "data_shape": self.data_shape,
                "hidden": self.hidden,
                "output_activation": self.output_activation,
                "update": self.update}
