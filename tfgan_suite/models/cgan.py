"""Conditional GAN (Mirza & Osindero 2014) with DCGAN nets."""

import keras

from tfgan_suite.models import arguments
from tfgan_suite.models.dcgan import ADAM_8E4, DCGAN
from tfgan_suite.nets import dcgan


@keras.saving.register_keras_serializable(package="tfgan_suite")
class CGAN(DCGAN):
    """G(z, y) and D(x, y): the class label y is an input of both nets.

    Trains on (images, int labels) batches with Algorithm 1
    (`GAN.train_step`): the D step scores real images with their labels and
    generated images made for the same labels; the G step draws labels
    uniformly. `generate(n, labels=[...])` makes images of chosen classes.

    Args:
      generator, discriminator: your own nets taking [x, label] (int32
        labels of shape (N,)), or None for DCGAN nets with label embeddings.
      image_shape: (H, W, C) of the built-in nets (default (28, 28, 1)).
      num_classes: number of classes (labels 0 .. num_classes - 1).
      latent_dim: length of z (default 100).
      filters: width of D's first layer (G mirrors it).
      d_norm: normalization of D's hidden layers ("batch", "layer" or
        None; DCGAN's).
      d_final_convs: stride-1 3x3 convolutions at the end of D (DCGAN's).
      d_steps: discriminator steps per generator step (k of Algorithm 1).
      update: "alternating" (Algorithm 1) or "simultaneous".
      seed: seed of the training noise.
    """

    cli_name = "cgan"
    presets = {
        # Conditional GAN (Mirza & Osindero 2014) on Fashion-MNIST labels,
        # with the fashion_mnist_dcgan preset's recipe (32 filters, D's
        # final stride-1 convolution, the EMA, batch 64, the hinge loss,
        # Adam 8e-4 with betas 0 / 0.99): domain FID 0.87 mean of three
        # seeds after 3 epochs against 5.64 with Radford et al.'s (64
        # filters, batch 128, the non-saturating loss, Adam 2e-4), lower
        # on each, at 0.46x the CPU time of an epoch
        # (results/cgan_recipe.json). Mixed precision where the CPU has
        # bfloat16 instructions ("auto"), as the DCGAN preset: 0.53x the
        # CPU time of an epoch on one with AMX, domain FID lower after 3
        # epochs on each of three seeds (0.81 vs 0.87 mean), level after
        # 20 (0.401 vs 0.402), 15 % lower at equal CPU time (0.40 vs
        # 0.47), lower on each seed
        # (results/cgan_recipe_preset_preset_bf16_20_epochs.json).
        "fashion_mnist_cgan": {
            "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100,
                           "num_classes": 10, "filters": 32,
                           "d_final_convs": 1, "ema_kimg": 20},
            "compile": {"loss": "hinge", "g_optimizer": ADAM_8E4,
                        "d_optimizer": ADAM_8E4},
            "data": {"dataset": "fashion_mnist", "batch_size": 64},
            "train": {"epochs": 20, "mixed_precision": "auto"},
        },
    }
    default_preset = "fashion_mnist_cgan"

    def __init__(self, generator=None, discriminator=None, image_shape=None,
                 num_classes=10, latent_dim=None, filters=64, d_norm="batch",
                 d_final_convs=0, d_steps=1, update="alternating", seed=None,
                 **kwargs):
        if arguments.integer("num_classes", num_classes) < 2:
            raise ValueError(f"num_classes: expected at least 2, got "
                             f"{num_classes}")
        self.num_classes = int(num_classes)
        super().__init__(generator, discriminator, image_shape=image_shape,
                         latent_dim=latent_dim, filters=filters,
                         d_norm=d_norm, d_final_convs=d_final_convs,
                         d_steps=d_steps, update=update, seed=seed, **kwargs)

    def build_nets(self):
        return (dcgan.build_conditional_generator(
                    self.data_shape, self.num_classes, self.latent_dim,
                    self.filters),
                dcgan.build_conditional_discriminator(
                    self.data_shape, self.num_classes, self.filters,
                    norm=self.d_norm, final_convs=self.d_final_convs))
