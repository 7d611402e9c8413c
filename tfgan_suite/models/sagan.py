"""SAGAN (Zhang et al. 2019): self-attention GAN with spectral normalization."""

import keras
import numpy as np

from tfgan_suite.models import arguments
from tfgan_suite.models.gan import GAN
from tfgan_suite.nets import sagan


@keras.saving.register_keras_serializable(package="tfgan_suite")
class SAGAN(GAN):
    """Self-attention GAN, trained 1:1 with the hinge loss and TTUR.

    The paper's recipe as defaults: spectral normalization in both nets,
    self-attention at `attention_resolution`, the hinge loss, and the two
    time-scale update rule (Heusel et al. 2017): G Adam(1e-4), D Adam(4e-4),
    beta_1 = 0, beta_2 = 0.9, one D step per G step (`GAN.train_step`).

    Args:
      generator, discriminator: your own nets, or None for the SAGAN nets.
      image_shape: (H, W, C) of the built-in nets: 32x32 (default; attention
        at 16), 64x64, 128x128 ...; read from the nets when handed in.
      latent_dim: length of z (128 as in the paper).
      num_classes: None, or the number of classes for the class-conditional
        SAGAN (conditional batch norm in G, projection D); it then trains on
        (images, labels) and `generate(n, labels=...)` picks the classes.
      filters: width of D's first layer (G mirrors it).
      attention_resolution: width of the feature maps that get attention:
        "auto" (half the image width: 16 for 32x32), a width, or None.
      update: "alternating" (Algorithm 1, default) or "simultaneous".
      seed: seed of the training noise.
    """

    cli_name = "sagan"
    default_data_shape = (32, 32, 3)
    default_latent_dim = 128
    presets = {
        # Seed paper Fig. 10: SAGAN on CIFAR-10 horses, 10 000 steps of
        # batch 64, FID every 1 000 steps on 5 000 samples (hinge, TTUR:
        # the model's defaults).
        "cifar10_horse_sagan": {
            "model_args": {"image_shape": (32, 32, 3), "latent_dim": 128,
                           "filters": 64, "attention_resolution": 16},
            "compile": {"loss": "hinge"},
            "data": {"dataset": "cifar10", "classes": ["horse"],
                     "batch_size": 64},
            "train": {"steps": 10000, "steps_per_epoch": 1000,
                      "fid_every_n_steps": 1000, "fid_num_images": 5000},
        },
        # The same SAGAN recipe on Fashion-MNIST (attention at 14x14), the
        # data this machine has offline; filters=32 as the DCGAN preset.
        "fashion_mnist_sagan": {
            "model_args": {"image_shape": (28, 28, 1), "latent_dim": 128,
                           "filters": 32},
            "compile": {"loss": "hinge"},
            "data": {"dataset": "fashion_mnist", "batch_size": 64},
            "train": {"steps": 10000, "steps_per_epoch": 1000,
                      "fid_every_n_steps": 1000, "fid_num_images": 5000},
        },
    }
    default_preset = "cifar10_horse_sagan"

    default_loss = "hinge"
    default_g_optimizer = {"learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9}
    default_d_optimizer = {"learning_rate": 4e-4, "beta_1": 0.0, "beta_2": 0.9}

    def __init__(self, generator=None, discriminator=None, image_shape=None,
                 latent_dim=None, num_classes=None, filters=64,
                 attention_resolution="auto", update="alternating", seed=None,
                 **kwargs):
        if num_classes is not None and arguments.integer(
                "num_classes", num_classes) < 2:
            raise ValueError(f"num_classes: expected None or at least 2, got "
                             f"{num_classes}")
        self.num_classes = int(num_classes) if num_classes else None
        self.filters = arguments.integer("filters", filters)
        self.attention_resolution = attention_resolution
        super().__init__(generator, discriminator, data_shape=image_shape,
                         latent_dim=latent_dim, d_steps=1, update=update,
                         seed=seed, **kwargs)

    def build_nets(self):
        self.attention_resolution = sagan.attention_width(
            self.data_shape, self.attention_resolution)
        return (sagan.build_generator(
                    self.data_shape, self.latent_dim, self.filters,
                    self.attention_resolution, self.num_classes),
                sagan.build_discriminator(
                    self.d_input_shape, self.filters, self.attention_resolution,
                    self.num_classes))

    def attention_layers(self):
        """{"generator": layer, "discriminator": layer} (`SelfAttention`)."""
        return {net.name: net.get_layer("attention")
                for net in (self.generator, self.discriminator)
                if "attention" in [layer.name for layer in net.layers]}

    def attention_maps(self, n, seed=0, labels=None):
        """Generated images and G's attention over them (SAGAN Fig. 1).

        Returns (images float32 [n, H, W, C], attention [n, h*w, h*w]) where
        row q of the attention is where feature-map position q (row-major in
        the h x w map) looks.
        """
        if "generator" not in self.attention_layers():
            raise ValueError("attention_maps: this SAGAN has no attention "
                             "(attention_resolution=None)")
        layer = self.generator.get_layer("attention")
        features = keras.Model(self.generator.inputs, layer.input)
        labels = self.check_labels(labels, n)
        z = self.latent_from_seeds(np.arange(seed, seed + n))
        x = features(self.conditioned(z, labels), training=False)
        attention, _ = layer.attention(x)
        images = self.generate(n, seed, None if labels is None else labels)
        return images, np.asarray(attention)

    def health_values(self):
        """The attention gammas (`gamma_generator`, `gamma_discriminator`):
        how much each net uses its attention."""
        return {f"gamma_{net}": float(layer.gamma.numpy())
                for net, layer in self.attention_layers().items()}
