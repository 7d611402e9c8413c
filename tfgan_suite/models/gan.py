"""The GAN of Goodfellow et al. 2014, trained with their Algorithm 1."""

import keras
import tensorflow as tf

from tfgan_suite.models import arguments
from tfgan_suite.models.base import AdversarialModel
from tfgan_suite.nets import mlp

# Cosine decay to 0 over the run: the late small steps put samples within
# 3 std (0.03 on the ring) of the modes.
_ADAM_1E3 = {"class_name": "Adam", "config": {
    "learning_rate": {"module": "keras.optimizers.schedules",
                      "class_name": "CosineDecay", "config": {
                          "initial_learning_rate": 1e-3, "decay_steps": 5000}},
    "beta_1": 0.5}}
_TOY = {
    "model_args": {"latent_dim": 2, "hidden": (128, 128)},
    "compile": {"loss": "non_saturating", "g_optimizer": _ADAM_1E3,
                "d_optimizer": _ADAM_1E3},
    "train": {"steps": 5000, "steps_per_epoch": 1000},
}
# PacGAN's 2D-grid recipe (Lin et al. 2018; fjxmlzn/PacGAN,
# synthetic_data_experiments/2DGrid_GAN&PacGAN/config.py and pacgan_task.py):
# z ~ N(0, I_2); G 4 x 400 linear -> batch norm -> ReLU; D 3 x 200 maxout
# of 5 pieces, no dropout; N(0, 0.02) weights; Adam(1e-4, beta_1 = 0.8)
# for both; D and G stepped at once from one forward pass (ALI's
# `ali_algorithm`, which PacGAN's code trains with); 400 epochs of 1 000
# batches of 100 packs. PacGAN's batch counts packs (m points each), so
# the batch of m = 4 is 400 points.
_PACGAN_ADAM = {"class_name": "Adam",
                "config": {"learning_rate": 1e-4, "beta_1": 0.8}}


def _grid_pacgan(pack):
    return {
        "model_args": {"latent_dim": 2, "hidden": (400,) * 4,
                       "d_hidden": (200,) * 3, "batch_norm": True,
                       "dropout": 0.0, "weight_std": 0.02,
                       "update": "simultaneous", "pack": pack},
        "compile": {"loss": "non_saturating", "g_optimizer": _PACGAN_ADAM,
                    "d_optimizer": _PACGAN_ADAM},
        "data": {"dataset": "grid", "batch_size": 100 * pack},
        "train": {"steps": 400_000, "steps_per_epoch": 1000},
    }


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

    Subclasses change only the networks, through `build_nets`, and their
    defaults.

    Args:
      generator, discriminator: your own nets, or None for MLPs.
      data_shape: shape of one example, e.g. (2,) for points (default);
        read from the nets when handed in.
      latent_dim: length of z (default 100).
      d_steps: discriminator steps per generator step (k).
      hidden: widths of the MLPs' hidden layers (G's and D's).
      d_hidden: widths of D's hidden layers when they differ from G's
        (None: `hidden`).
      batch_norm: batch norm in G's hidden layers (PacGAN's 2-D G).
      dropout: D's dropout after each maxout layer (0: none, as PacGAN's
        2-D D).
      weight_std: N(0, weight_std) initial weights (0.02 in PacGAN); None:
        Keras' Glorot uniform.
      output_activation: G's output activation (None: linear; "tanh" for
        images in [-1, 1]).
      update: "alternating" (Algorithm 1) or "simultaneous" (the TF
        tutorial's step; d_steps must be 1).
      seed: seed of the training noise.
      **kwargs: the arguments every model takes (`AdversarialModel`).
    """

    cli_name = "gan"
    default_data_shape = (2,)
    #: The values of `update`.
    UPDATES = ("alternating", "simultaneous")
    presets = {
        # Goodfellow et al. 2014 MLP GAN on the mode-collapse benchmarks of
        # VEEGAN / PacGAN (8 Gaussians on a ring, 25 on a grid).
        "ring_gan": {**_TOY, "data": {"dataset": "ring", "batch_size": 256}},
        "grid_gan": {**_TOY, "data": {"dataset": "grid", "batch_size": 256}},
        # PacGAN4 on the 25-Gaussian grid, PacGAN's recipe (Lin et al.
        # 2018, Table 1), and its plain GAN: the same recipe unpacked.
        "grid_pacgan": _grid_pacgan(pack=4),
        "grid_pacgan_plain": _grid_pacgan(pack=1),
    }
    default_preset = "ring_gan"

    def __init__(self, generator=None, discriminator=None, data_shape=None,
                 latent_dim=None, d_steps=1, hidden=(256, 256), d_hidden=None,
                 batch_norm=False, dropout=0.2, weight_std=None,
                 output_activation=None, update="alternating", seed=None,
                 **kwargs):
        if update not in self.UPDATES:
            raise ValueError(f"update: expected one of {self.UPDATES}, got "
                             f"{update!r}")
        if update == "simultaneous" and arguments.integer(
                "d_steps", d_steps) != 1:
            raise ValueError(f"update: 'simultaneous' takes one D step per G "
                             f"step, got d_steps={d_steps}")
        self.update = update
        self.hidden = tuple(hidden)
        self.d_hidden = None if d_hidden is None else tuple(d_hidden)
        self.batch_norm = bool(batch_norm)
        self.dropout = float(dropout)
        self.weight_std = None if weight_std is None else float(weight_std)
        self.output_activation = output_activation
        super().__init__(generator, discriminator, latent_dim=latent_dim,
                         d_steps=d_steps, seed=seed, data_shape=data_shape,
                         **kwargs)

    @classmethod
    def arguments_for(cls, source, **args):
        # Images are scaled to [-1, 1]: a tanh output, as DCGAN's.
        if (len(source.data_shape) == 3 and "output_activation" in
                cls.init_args()):
            args.setdefault("output_activation", "tanh")
        return super().arguments_for(source, **args)

    def build_nets(self):
        return (mlp.build_generator(self.data_shape, self.latent_dim,
                                    self.hidden, self.output_activation,
                                    self.batch_norm, self.weight_std),
                mlp.build_discriminator(
                    self.d_input_shape, self.d_hidden or self.hidden,
                    dropout=self.dropout, weight_std=self.weight_std))

    def train_step(self, data):
        images, labels = self.unpack(data)
        if self.update == "simultaneous":
            return self.simultaneous_step(images, labels)
        for real, y in self.d_minibatches(images, labels):
            # Ascend the value V(D, G) in D's parameters.
            with tf.GradientTape() as tape:
                d_loss, _, _ = self.discriminator_pass(real, y)
            self.minimize(self.d_optimizer, tape, d_loss,
                          self.discriminator.trainable_variables)
        # Descend in G's parameters on a fresh minibatch of m noise samples
        # (and uniformly drawn labels for a conditional model; a
        # relativistic loss pairs them with the last real minibatch, so
        # they take its labels).
        m = tf.shape(real)[0]
        relativistic = self.adversarial_loss.relativistic
        z, y = self.sample_latent(m), (y if relativistic
                                       else self.sample_labels(m))
        with tf.GradientTape() as tape:
            fake = self.generator(self.conditioned(z, y), training=True)
            g_loss = self.generator_loss(
                self.d_logits(fake, y),
                self.d_logits(real, y) if relativistic else None)
        self.minimize(self.g_optimizer, tape, g_loss,
                      self.generator.trainable_variables)
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss)

    def discriminator_pass(self, real, labels):
        """(D's loss, D's logits on G(z), D's logits on the reals) for a
        minibatch of real examples and as many noise samples (made for the
        same labels), with the R1 / R2 penalties the model has; call it
        inside the tape."""
        z = self.sample_latent(tf.shape(real)[0])
        critic = lambda x: self.d_logits(x, labels)
        fake = self.generator(self.conditioned(z, labels), training=True)
        # R1 / R2 (0 unless r1_gamma / r2_gamma) from the same passes of D.
        real_logits, r1 = self.logits_and_penalty(critic, real, self.r1_gamma)
        fake_logits, r2 = self.logits_and_penalty(critic, fake, self.r2_gamma)
        self.augmenter.observe(real_logits)
        d_loss = (self.discriminator_loss(real_logits, fake_logits, real,
                                          fake, critic)
                  + self.r1_gamma / 2 * r1 + self.r2_gamma / 2 * r2)
        return d_loss, fake_logits, real_logits

    def simultaneous_step(self, real, labels):
        """The tutorial's step: G(z) once, D on real and G(z), both nets'
        gradients from that one forward pass, both applied."""
        with tf.GradientTape(persistent=True) as tape:
            d_loss, fake_logits, real_logits = self.discriminator_pass(
                real, labels)
            g_loss = self.generator_loss(fake_logits, real_logits)
        self.minimize(self.d_optimizer, tape, d_loss,
                      self.discriminator.trainable_variables)
        self.minimize(self.g_optimizer, tape, g_loss,
                      self.generator.trainable_variables)
        del tape
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss)
