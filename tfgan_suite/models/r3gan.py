"""R3GAN (Huang, Gokaslan, Kuleshov & Tompkin 2024, "The GAN is dead; long
live the GAN! A Modern GAN Baseline"): the relativistic pairing loss with
zero-centred R1 and R2 penalties, on a plain modern ResNet."""

import keras
import tensorflow as tf

from tfgan_suite.models import arguments
from tfgan_suite.models.base import AdversarialModel
from tfgan_suite.nets import common as nets_common
from tfgan_suite.nets import r3gan

# The official code's Adam for both nets: beta_1 = 0, beta_2 = 0.99.
_ADAM = {"learning_rate": 2e-4, "beta_1": 0.0, "beta_2": 0.99}


@keras.saving.register_keras_serializable(package="tfgan_suite")
class R3GAN(AdversarialModel):
    """RpGAN + R1 + R2 on a normalization-free ResNet (R3GAN, eq. 5).

    Each step, one D update on a minibatch of m real examples x and m
    samples G(z), minimising

        E[softplus(-(D(x_i) - D(G(z_i))))] + gamma/2 * (R1 + R2),

    R1 = E[||grad_x D(x)||^2] on the reals, R2 the same on the samples
    (`tgs.losses.r1_penalty`, `r2_penalty`); then one G update on
    E[softplus(-(D(G(z_i)) - D(x_i)))], the same real minibatch paired
    with fresh samples (made for its labels when conditional). D's logits
    are scores, not probabilities. The nets are R3GAN's
    (`tfgan_suite.nets.r3gan`): inverted-bottleneck residual blocks with
    grouped convolutions, no normalization, fix-up style initialization.
    Training logs d_loss (the whole objective), g_loss, r1 and r2.

    Args:
      generator, discriminator: your own nets (z or [z, label] -> image,
        image or [image, label] -> logit), or None for R3GAN's nets. A D of
        your own must judge each example on its own (no batch norm): the
        penalties are per example.
      image_shape: (H, W, C) of the built-in nets, e.g. (28, 28, 1)
        (default) or (32, 32, 3); read from the nets when handed in.
      latent_dim: length of z (64 as in the official CIFAR-10 setting), and
        of the label embeddings of the class-conditional nets.
      num_classes: None, or the number of classes of a class-conditional
        R3GAN (label embeddings in G and a projection D); it then trains on
        (images, labels) and `generate(n, labels=...)` picks the classes.
      filters: width of the nets' stage at the image's resolution; widths
        double per stage below it.
      blocks: residual blocks per stage, in each net.
      expansion: width of a block's inner (grouped) conv, as a multiple of
        the stage's width (the inverted bottleneck).
      group_size: channels per group of the blocks' grouped 3x3 convs.
      r1_gamma, r2_gamma: the paper's gamma, the weights of the
        penalties, r1_gamma/2 * R1 + r2_gamma/2 * R2 in D's loss (one gamma
        for both in the paper).
      seed: seed of the training noise.
    """

    cli_name = "r3gan"
    default_latent_dim = 64
    presets = {
        # Fashion-MNIST at stages 7, 14, 28 (widths 64, 32, 16), one block
        # each: a step (batch 32) costs 1.29x the CPU time of a
        # fashion_mnist_dcgan step (batch 128), single-threaded
        # (results/r3gan_step_cost.json). gamma is this preset's choice,
        # not tuned; the EMA's half-life is StyleGAN2-ADA's for batch 32
        # (batch * 10 / 32 kimg), with its ramp-up.
        "fashion_mnist_r3gan": {
            "model_args": {"image_shape": (28, 28, 1), "latent_dim": 64,
                           "filters": 16, "blocks": 1, "expansion": 2,
                           "group_size": 16, "r1_gamma": 0.1,
                           "r2_gamma": 0.1, "ema_kimg": 10},
            "compile": {"loss": "relativistic"},
            "data": {"dataset": "fashion_mnist", "batch_size": 32},
            "train": {"steps": 10000, "steps_per_epoch": 1000,
                      "fid_every_n_steps": 1000, "fid_num_images": 5000},
        },
    }
    default_preset = "fashion_mnist_r3gan"
    default_loss = "relativistic"
    # The penalties are R3GAN's own (train_step adds them).
    supported_losses = ("relativistic",)
    default_g_optimizer = _ADAM
    default_d_optimizer = _ADAM
    tracked = ("d_loss", "g_loss", "r1", "r2")

    def __init__(self, generator=None, discriminator=None, image_shape=None,
                 latent_dim=None, num_classes=None, filters=32, blocks=2,
                 expansion=2, group_size=16, r1_gamma=0.05, r2_gamma=0.05,
                 seed=None, **kwargs):
        if num_classes is not None and arguments.integer(
                "num_classes", num_classes) < 2:
            raise ValueError(f"num_classes: expected None or at least 2, got "
                             f"{num_classes}")
        self.num_classes = int(num_classes) if num_classes else None
        self.filters = arguments.integer("filters", filters)
        self.blocks = arguments.integer("blocks", blocks)
        self.expansion = arguments.integer("expansion", expansion)
        self.group_size = arguments.integer("group_size", group_size)
        super().__init__(generator, discriminator, latent_dim=latent_dim,
                         d_steps=1, seed=seed, data_shape=image_shape,
                         r1_gamma=r1_gamma, r2_gamma=r2_gamma, **kwargs)

    def build_nets(self):
        sizes = dict(filters=self.filters, blocks=self.blocks,
                     expansion=self.expansion, group_size=self.group_size,
                     num_classes=self.num_classes)
        return (r3gan.build_generator(self.data_shape, self.latent_dim,
                                      **sizes),
                r3gan.build_discriminator(self.d_input_shape,
                                          latent_dim=self.latent_dim, **sizes))

    def train_step(self, data):
        real, labels = self.unpack(data)
        m = tf.shape(real)[0]
        critic = lambda x: self.d_logits(x, labels)  # augmented if asked.
        with tf.GradientTape() as tape:
            fake = self.generator(self.conditioned(self.sample_latent(m),
                                                   labels), training=True)
            real_logits, r1 = self.logits_and_penalty(critic, real,
                                                      self.r1_gamma)
            fake_logits, r2 = self.logits_and_penalty(
                critic, tf.stop_gradient(fake), self.r2_gamma)
            d_loss = (self.adversarial_loss.discriminator(real_logits,
                                                          fake_logits)
                      + self.r1_gamma / 2 * r1 + self.r2_gamma / 2 * r2)
        self.augmenter.observe(real_logits)
        self.minimize(self.d_optimizer, tape, d_loss, self.d_variables)
        with tf.GradientTape() as tape:
            fake = self.generator(self.conditioned(self.sample_latent(m),
                                                   labels), training=True)
            g_loss = self.adversarial_loss.generator(critic(fake),
                                                     critic(real))
        self.minimize(self.g_optimizer, tape, g_loss, self.g_variables)
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss, r1=r1,
                                    r2=r2)

    def generator_objective(self, data, fake, fake_logits):
        """G's RpGAN loss on D's logits for the generated batch and for the
        batch's real examples (the health monitor's G loss), in inference
        mode as `health_forward` scores."""
        images, labels = self.unpack(data)
        n = tf.shape(fake_logits)[0] * self.pack  # whole packs, as D saw.
        real_logits = self.discriminator(self.conditioned(
            nets_common.pack(images[:n], self.pack), labels), training=False)
        return self.adversarial_loss.generator(fake_logits, real_logits)
