"""WGAN-GP (Gulrajani et al. 2017): a Wasserstein critic kept 1-Lipschitz by
a gradient penalty, trained with the paper's Algorithm 1."""

import math
import numbers

import keras
import tensorflow as tf

from tfgan_suite import losses
from tfgan_suite.models import arguments
from tfgan_suite.models.base import AdversarialModel
from tfgan_suite.nets import dcgan

# Adam as in the authors' MNIST and CIFAR-10 code (Algorithm 1 lists
# beta_1 = 0; their released experiments use 0.5).
_ADAM = {"learning_rate": 1e-4, "beta_1": 0.5, "beta_2": 0.9}


@keras.saving.register_keras_serializable(package="tfgan_suite")
class WGANGP(AdversarialModel):
    """WGAN with gradient penalty, Algorithm 1 of Gulrajani et al. 2017.

    Per generator step, `d_steps` critic steps, each on its own minibatch
    of m real examples x and m samples G(z), minimising

        L = E[D(G(z))] - E[D(x)] + gp_weight * E[(||grad D(x_hat)||_2 - 1)^2]

    with x_hat = eps * x + (1 - eps) * G(z), eps ~ U(0, 1) per example (eq.
    3; `tgs.losses.gradient_penalty`); then one generator step on
    -E[D(G(z))]. D is a critic: its scores are not probabilities. Its nets
    are DCGAN's, the critic with layer norm instead of batch norm (the
    penalty is per example; see `tfgan_suite.nets.dcgan.NORMS`).

    Args:
      generator, discriminator: your own nets (z -> image, image -> score),
        or None for the DCGAN generator and a layer-norm DCGAN critic. A
        critic of your own must not use batch norm.
      image_shape: (H, W, C) of the built-in nets, e.g. (28, 28, 1)
        (default) or (32, 32, 3); read from the nets when they are handed in.
      latent_dim: length of z (default 100; read from the nets too).
      filters: width of the critic's first layer (G mirrors it).
      d_steps: critic steps per generator step (the paper's n_critic),
        each on its own minibatch
        of m examples: `fit` takes batches of d_steps * m (a run makes
        them from its `batch_size` m).
      gp_weight: weight of the gradient penalty (lambda of Algorithm 1).
      seed: seed of the training noise: z, and the penalty's
        interpolation points eps ~ U[0, 1] (`losses.gradient_penalty` draws
        them from the model's `noise` seed generator, so a resumed run
        draws the same ones).
    """

    cli_name = "wgan_gp"
    presets = {
        # Gulrajani et al.'s MNIST setting (n_critic = d_steps = 5,
        # lambda 10, batch 64)
        # on Fashion-MNIST, at the DCGAN preset's width.
        "fashion_mnist_wgan_gp": {
            "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100,
                           "filters": 32, "d_steps": 5, "gp_weight": 10.0},
            "compile": {"loss": "wasserstein_gp"},
            "data": {"dataset": "fashion_mnist", "batch_size": 64},
            "train": {"epochs": 50, "fid_every_n_steps": 1000},
        },
    }
    default_preset = "fashion_mnist_wgan_gp"
    default_loss = "wasserstein_gp"
    # train_step adds the penalty itself, with gp_weight.
    supported_losses = ("wasserstein_gp",)
    default_g_optimizer = _ADAM
    default_d_optimizer = _ADAM
    tracked = ("d_loss", "g_loss", "gp")

    def __init__(self, generator=None, discriminator=None, image_shape=None,
                 latent_dim=None, filters=64, d_steps=5, gp_weight=10.0,
                 seed=None, **kwargs):
        if isinstance(gp_weight, bool) or not (
                isinstance(gp_weight, numbers.Real) and gp_weight > 0
                and math.isfinite(gp_weight)):
            raise ValueError(f"gp_weight: expected a positive number (the "
                             f"paper's lambda, 10), got {gp_weight!r}")
        self.filters = arguments.integer("filters", filters)
        self.gp_weight = float(gp_weight)
        super().__init__(generator, discriminator, latent_dim=latent_dim,
                         d_steps=d_steps, seed=seed, data_shape=image_shape,
                         **kwargs)

    def build_nets(self):
        return (dcgan.build_generator(self.data_shape, self.latent_dim,
                                      self.filters),
                dcgan.build_discriminator(self.d_input_shape, self.filters,
                                          norm="layer"))

    def train_step(self, data):
        images, _ = self.unpack(data)
        critic = self.d_logits  # D in training, augmented if asked.
        for real, _ in self.d_minibatches(images):
            m = tf.shape(real)[0]
            with tf.GradientTape() as tape:
                fake = self.generator(self.sample_latent(m), training=True)
                real_scores = critic(real)
                d_loss = self.adversarial_loss.discriminator(real_scores,
                                                             critic(fake))
                gp = losses.gradient_penalty(critic, real, fake,
                                             seed=self.noise, pack=self.pack)
                d_loss += self.gp_weight * gp
            self.augmenter.observe(real_scores)
            self.minimize(self.d_optimizer, tape, d_loss,
                          self.discriminator.trainable_variables)
        with tf.GradientTape() as tape:
            fake = self.generator(self.sample_latent(m), training=True)
            g_loss = self.generator_loss(critic(fake))
        self.minimize(self.g_optimizer, tape, g_loss,
                      self.generator.trainable_variables)
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss, gp=gp)
