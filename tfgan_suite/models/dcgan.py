"""DCGAN (Radford et al. 2016): the seed paper's Fashion-MNIST / CIFAR-10 model."""

import keras

from tfgan_suite.models import arguments
from tfgan_suite.models.gan import GAN
from tfgan_suite.nets import dcgan

# Adam at four times Radford et al.'s 2e-4, with StyleGAN2's and R3GAN's
# betas 0 and 0.99 (Radford et al.: 0.5 and 0.999).
ADAM_8E4 = {"class_name": "Adam",
            "config": {"learning_rate": 8e-4, "beta_1": 0.0,
                       "beta_2": 0.99}}


@keras.saving.register_keras_serializable(package="tfgan_suite")
class DCGAN(GAN):
    """DCGAN nets trained with Algorithm 1 (`GAN.train_step`).

    Defaults follow Radford et al.: Adam(2e-4, beta_1=0.5) for both nets and
    the non-saturating loss; see `tfgan_suite.nets.dcgan` for the nets.

    Args:
      generator, discriminator: your own nets (z -> image, image -> logit),
        or None for the DCGAN nets.
      image_shape: (H, W, C) of the built-in nets, H and W = s * 2^n with
        4 <= s <= 8 and n >= 2: (28, 28, 1) (default), (32, 32, 3),
        (64, 64, 3), ...; read from the nets when they are handed in.
      latent_dim: length of z (default 100; read from the nets too).
      filters: width of D's first layer (G mirrors it).
      d_norm: normalization of D's hidden layers, one of
        `tfgan_suite.nets.dcgan.NORMS`: "batch" (DCGAN's), "layer" or None.
        R1 / R2 are taken per example, which batch norm in D couples (see
        `NORMS`).
      d_final_convs: stride-1 3x3 convolutions at the end of D, each as
        wide as its last strided layer (0: Radford et al.'s D; see
        `tfgan_suite.nets.dcgan`).
      d_steps: discriminator steps per generator step (k of Algorithm 1).
      update: "alternating" (Algorithm 1, default) or "simultaneous" (the
        TF tutorial's step).
      seed: seed of the training noise.
    """

    cli_name = "dcgan"
    default_data_shape = (28, 28, 1)
    presets = {
        # Seed paper Fig. 8: DCGAN on the full Fashion-MNIST training set.
        # filters=32: at 5 CPU-minutes it reached domain FID 39.5 vs 62.7
        # for filters=64 (results/quality_race_5min_cpu.json). Adam 8e-4:
        # domain FID 46 % lower than at 2e-4 after 3 epochs and 32 % lower
        # after 20, on each of three seeds, at the same cost per step
        # (results/ema_ramp_screen*.json). Batch 64 and the hinge loss:
        # raw G's domain FID 26 % lower than at batch 128 with the
        # non-saturating loss after 3 epochs and 9 % lower after 20 (mean
        # of three seeds, lower on each), at 1.01x the CPU time of an epoch
        # (results/ema_ramp_screen_batch_loss*.json,
        # results/ema_ramp_screen_cost.json). Adam's betas 0 and 0.99
        # instead of 0.5 and 0.999: raw G's domain FID 13 % lower after 3
        # epochs and 7 % lower after 20 (mean of three seeds, lower on
        # each), the EMA generator's 14 % and 9 % lower, with the same
        # arithmetic per step (results/ema_ramp_screen_batch_64_hinge_
        # beta_0_0.99*.json). Mixed precision where the CPU has bfloat16
        # instructions ("auto"): 0.54x the CPU time of an epoch on one with
        # AMX; per epoch domain FID level after 3 epochs and 5-9 % higher
        # after 20, at equal CPU time lower on every seed of three
        # (results/ema_ramp_screen_batch_64_hinge_beta_0_0.99_bf16*.json).
        # d_final_convs=1, D ending with a stride-1 3x3 convolution: in
        # bfloat16, raw G's domain FID 46 % lower after 3 epochs (4.28 vs
        # 7.99) and 57 % lower after 20 (1.54 vs 3.57), mean of three
        # seeds, lower on each
        # (results/ema_ramp_screen_*_d_final_convs_1*.json).
        # ema_kimg=20 (StyleGAN2-ADA's batch * 10 / 32, ramp-up 0.05): the
        # EMA generator, which is the one sampled and exported, 15 % below
        # raw G after 3 epochs (3.65 vs 4.28) and after 20 (1.31 vs 1.54),
        # below it on each seed at both, in the same runs; 1.05x the
        # epoch (results/ema_ramp_screen_cost_ema*.json).
        "fashion_mnist_dcgan": {
            "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100,
                           "filters": 32, "d_final_convs": 1,
                           "ema_kimg": 20},
            "compile": {"loss": "hinge", "g_optimizer": ADAM_8E4,
                        "d_optimizer": ADAM_8E4},
            "data": {"dataset": "fashion_mnist", "batch_size": 64},
            "train": {"epochs": 20, "fid_every_n_steps": 1000,
                      "mixed_precision": "auto"},
        },
        # Seed paper Fig. 9: DCGAN on one CIFAR-10 class at a time.
        "cifar10_dcgan": {
            "model_args": {"image_shape": (32, 32, 3), "latent_dim": 100},
            "compile": {"loss": "non_saturating"},
            "data": {"dataset": "cifar10", "classes": ["horse"],
                     "batch_size": 64},
            "train": {"epochs": 100, "fid_every_n_steps": 1000},
        },
    }
    default_preset = "fashion_mnist_dcgan"

    def __init__(self, generator=None, discriminator=None, image_shape=None,
                 latent_dim=None, filters=64, d_norm="batch", d_final_convs=0,
                 d_steps=1, update="alternating", seed=None, **kwargs):
        self.filters = arguments.integer("filters", filters)
        self.d_norm = dcgan.checked_norm("d_norm", d_norm)
        self.d_final_convs = arguments.integer("d_final_convs", d_final_convs,
                                               minimum=0)
        super().__init__(generator, discriminator, data_shape=image_shape,
                         latent_dim=latent_dim, d_steps=d_steps,
                         update=update, seed=seed, **kwargs)

    def build_nets(self):
        return (dcgan.build_generator(self.data_shape, self.latent_dim,
                                      self.filters),
                dcgan.build_discriminator(self.d_input_shape, self.filters,
                                          norm=self.d_norm,
                                          final_convs=self.d_final_convs))
