"""pix2pix (Isola et al. 2017): image-to-image translation with a cGAN."""

import keras
import tensorflow as tf

from tfgan_suite.models import arguments, sampling
from tfgan_suite.models.base import AdversarialModel
from tfgan_suite.models.inputs import check_floats
from tfgan_suite.nets import patchgan, unet
from tfgan_suite.nets.common import as_in_training


def l1_loss(targets, fake):
    """||y - G(x)||_1 averaged over pixels (eq. 3 of the paper), float32."""
    return tf.reduce_mean(tf.abs(tf.cast(targets, tf.float32)
                                 - tf.cast(fake, tf.float32)))


@keras.saving.register_keras_serializable(package="tfgan_suite")
class Pix2Pix(AdversarialModel):
    """U-Net G(x) and PatchGAN D(x, y), trained on (input, target) pairs.

    The objective of the paper (eq. 4): G minimises `gan_weight` times the
    conditional GAN loss plus `l1_lambda` * ||y - G(x)||_1; D tells (x, y)
    from (x, G(x)) patch by patch. As in the paper, D's objective is halved
    (so both `d_loss` and `g_gan_loss` read against log 2 = 0.69 at
    chance), there is no z (dropout is the noise), and the defaults are
    Adam(2e-4, beta_1=0.5) with the non-saturating loss.

    Args:
      generator, discriminator: your own nets (image -> image, and
        [input, target] -> patch logits), or None for the U-Net and
        PatchGAN.
      image_shape: (H, W, 3) of the built-in nets, a square power-of-two
        side (256 default, 128, 64); read from the nets when handed in.
      l1_lambda: weight of the L1 term (lambda = 100 in the paper).
      gan_weight: weight of the GAN term in G's loss (1 in the paper); 0
        trains G on L1 alone, the paper's "L1" ablation (Table 1, Fig. 4),
        while D still trains and logs its loss.
      filters: width of the first layer of both nets.
      norm: "batch" (the paper) or "instance".
      seed: unused (dropout is the noise); kept for a uniform signature.
    """

    cli_name = "pix2pix"
    tracked = ("d_loss", "g_loss", "g_gan_loss", "g_l1_loss")
    # g_loss (GAN + 100 L1) would flatten the others in the plot.
    plotted = ("d_loss", "g_gan_loss", "g_l1_loss")
    default_data_shape = (256, 256, 3)
    presets = {
        # Seed paper Figs. 12-13: pix2pix on facades (labels -> photos), 400
        # training pairs, batch 1, 150 epochs; lambda = 100.
        "facades_pix2pix": {
            "model_args": {"image_shape": (256, 256, 3), "l1_lambda": 100.0,
                           "filters": 64, "norm": "batch"},
            "compile": {"loss": "non_saturating"},
            "data": {"dataset": "facades", "batch_size": 1,
                     "image_size": 256},
            "train": {"epochs": 150},
        },
        # The same recipe on generated label maps -> renderings at 64x64: no
        # download, minutes on a CPU.
        "synthetic_pix2pix": {
            "model_args": {"image_shape": (64, 64, 3), "l1_lambda": 100.0,
                           "filters": 32, "norm": "batch"},
            "compile": {"loss": "non_saturating"},
            "data": {"dataset": "synthetic_pairs", "batch_size": 4,
                     "image_size": 64},
            "train": {"epochs": 10},
        },
    }
    default_preset = "facades_pix2pix"
    # The D loss is called without the examples a gradient penalty needs.
    supported_losses = ("non_saturating", "minimax", "least_squares", "hinge")

    def __init__(self, generator=None, discriminator=None, image_shape=None,
                 l1_lambda=100.0, gan_weight=1.0, filters=64, norm="batch",
                 seed=None, **kwargs):
        self.l1_lambda = float(l1_lambda)
        self.gan_weight = float(gan_weight)
        self.filters = arguments.integer("filters", filters)
        self.norm = norm
        arguments.refuse_other_value_range(
            type(self).__name__,
            kwargs.get("value_range", arguments.DATA_RANGE))
        super().__init__(generator, discriminator, latent_dim=None,
                         seed=seed, data_shape=image_shape, **kwargs)

    @classmethod
    def data_kind(cls, args=None):
        return "pairs"

    def shapes_of_nets(self, generator, discriminator, latent_dim=None,
                       data_shape=None):
        """(None, image shape): G maps an image to an image of its shape;
        D takes [input, target]."""
        found = tuple(generator.outputs[0].shape[1:])
        g_input = tuple(generator.inputs[0].shape[1:])
        d_inputs = [tuple(x.shape[1:]) for x in discriminator.inputs]
        if len(generator.inputs) != 1 or g_input != found:
            raise ValueError(f"generator: expected one image input of the "
                             f"output's shape {found}, got inputs "
                             f"{[tuple(x.shape) for x in generator.inputs]}")
        if d_inputs != [found, found]:
            raise ValueError(f"generator, discriminator: G makes images of "
                             f"shape {found} but D takes {d_inputs} (expected "
                             f"[input, target] of that shape)")
        if data_shape is not None and tuple(data_shape) != found:
            raise ValueError(f"image_shape: given as {tuple(data_shape)}, "
                             f"but the generator's is {found}")
        return None, found

    def build_nets(self):
        return (unet.build_generator(self.data_shape, self.filters,
                                     self.norm),
                patchgan.build_discriminator(self.data_shape, self.filters,
                                             self.norm))

    def train_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("dataset: Pix2Pix trains on (input, target) "
                             "batches, e.g. tgs.data.load('facades', ...)")
        inputs, targets = check_floats(self, data[0]), data[1]
        # D sees (input, output) pairs, both halves through one draw of the
        # augmentation when the model augments.
        critic = self.d_logits
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator(inputs, training=True)
            real_logits = critic([inputs, targets])
            fake_logits = critic([inputs, fake])
            self.augmenter.observe(real_logits)
            g_gan_loss = self.generator_loss(fake_logits)
            g_l1_loss = l1_loss(targets, fake)
            g_loss = (self.gan_weight * g_gan_loss
                      + self.l1_lambda * g_l1_loss)
            d_loss = 0.5 * self.discriminator_loss(real_logits, fake_logits)
        self.minimize(self.d_optimizer, d_tape, d_loss,
                      self.discriminator.trainable_variables)
        self.minimize(self.g_optimizer, g_tape, g_loss,
                      self.generator.trainable_variables)
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss,
                                    g_gan_loss=g_gan_loss, g_l1_loss=g_l1_loss)

    def health_forward(self, data):
        """D's logits on the real and the translated pairs, each batch in
        training mode as D's step judges it (`as_in_training`: its batch
        norm on the batch's own statistics), and G's inference-mode
        translations (those users see)."""
        inputs, targets = data
        fake = self.generator(inputs, training=False)
        return (as_in_training(self.discriminator, [inputs, targets]),
                as_in_training(self.discriminator, [inputs, fake]), fake)

    def generator_objective(self, data, fake, fake_logits):
        return (self.gan_weight * self.generator_loss(fake_logits)
                + self.l1_lambda * l1_loss(data[1], fake))

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def translate(self, inputs, batch_size=32):
        """G(inputs) in inference mode, float32 numpy in [-1, 1].

        `inputs`: (N, H, W, 3) float in [-1, 1], or uint8 [0, 255].

        Keras' inference mode (dropout off, batch norm's moving averages),
        as in every translation of the suite (sample grids, exports,
        `translate_files`), not the paper's test-time mode (sec. 3.3:
        dropout on, the test batch's statistics): on edges -> Fashion-MNIST
        the paper's mode had twice the domain FID, and a worse L1
        (the `pix2pix_inference` experiment of `benchmarks/reproduce.py`).
        """
        return sampling.translated(self.output_net(), inputs,
                                   self.data_shape, batch_size)

    def generate(self, *args, **kwargs):
        raise ValueError("generate: Pix2Pix translates images; use "
                         "translate(inputs)")

