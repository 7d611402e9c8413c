"""What every model does with a trained generator: samples from seeds
(`generate`, reproducible) and discriminator scores. The TF Serving
signatures built from them are `tgs.serving.signatures`.

`Sampling` is a base of `AdversarialModel`; it reads the model's
`sampler` (G, or its EMA average), `latent_dim`, `num_classes`, `pack`,
`check_labels` and `conditioned`.
"""

import numpy as np
import tensorflow as tf

from tfgan_suite.data.pipeline import to_float, to_uint8
from tfgan_suite.models import ema as ema_lib


class Sampling:
    """Samples and scores of a trained model."""

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def latent_from_seeds(self, seeds):
        """One z per int64 seed, stateless: the same seed gives the same z."""
        seeds = tf.cast(tf.convert_to_tensor(seeds), tf.int64)
        return tf.map_fn(
            lambda s: tf.random.stateless_normal(
                [self.latent_dim], seed=tf.stack([s, tf.zeros_like(s)])),
            seeds, fn_output_signature=tf.float32)

    def generate(self, n, seed=None, labels=None, batch_size=256):
        """`n` samples as float32 numpy in [-1, 1].

        With an integer `seed`, image i comes from seed + i: reproducible, and
        equal to the `sample` signature of the exported SavedModel.
        Conditional models make images of classes `labels` (one int or n
        ints; default 0, 1, ... cycling).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n: expected a positive number of samples, got "
                             f"{n!r}")
        labels = self.check_labels(labels, n)
        if seed is None:
            seed = np.random.randint(0, 2**62)
        seeds = np.arange(seed, seed + n, dtype=np.int64)
        out = [self.generate_from_latent(
                   self.latent_from_seeds(seeds[i:i + batch_size]),
                   None if labels is None else labels[i:i + batch_size])
               for i in range(0, n, batch_size)]
        return np.concatenate([np.asarray(o, np.float32) for o in out])

    def generate_from_latent(self, z, labels=None):
        """G(z) (or G(z, labels)) in inference mode."""
        ema_lib.refresh_statistics(self)  # eager only; when stale.
        if labels is not None:
            labels = tf.convert_to_tensor(labels, tf.int32)
        return self.from_value_range(
            self.sampler(self.conditioned(z, labels), training=False))

    def generate_uint8(self, n, seed=None, labels=None):
        """`generate`, converted to uint8 exactly as the SavedModel does."""
        return to_uint8(self.generate(n, seed, labels)).numpy()

    def discriminator_scores(self, images, labels=None):
        """sigmoid(D(x)): the probability D gives to "x is real".

        Only meaningful for the `minimax` and `non_saturating` losses, and
        for a D that judges single samples: a packed D (pack > 1, PacGAN)
        scores packs, and is refused.
        """
        if self.pack > 1:
            raise ValueError(
                f"pack: discriminator scores are per sample, and this "
                f"model's D judges packs of {self.pack} samples (PacGAN); "
                f"train with pack=1 for D-filtered sampling")
        if self.adversarial_loss and not self.adversarial_loss.probabilistic:
            raise ValueError(
                f"loss: discriminator scores are probabilities only for the "
                f"minimax and non_saturating losses, this model uses "
                f"{self.adversarial_loss.name!r}")
        labels = self.check_labels(labels, len(images))
        logits = self.discriminator(self.conditioned(images, labels),
                                    training=False)
        return tf.reshape(tf.sigmoid(tf.cast(logits, tf.float32)), [-1]).numpy()

    def picture_rows(self, examples):
        """The training picture's rows from fixed held-out `examples` of a
        model that translates (`training.callbacks.TranslationGrid`): a
        tuple of uint8 image arrays as the model's data kind gives them,
        (inputs, targets) for pairs; uint8 (rows, columns, H, W, C). This
        one: input / target / translation (`translate_uint8`) rows, the
        seed paper's Fig. 12."""
        inputs, targets = examples
        return np.stack([inputs, targets, self.translate_uint8(inputs)],
                        axis=1)

    def attention_maps(self, n, seed=0, labels=None):
        """Where G's self-attention looks (models with attention only)."""
        raise ValueError(f"attention_maps: {type(self).__name__} has no "
                         f"self-attention layers")


def translated(net, inputs, image_shape, batch_size=32):
    """`net(inputs)` in inference mode, float32 numpy in [-1, 1], in
    batches of `batch_size`; `inputs`: (N, *image_shape) float in [-1, 1]
    or uint8 [0, 255], else a ValueError."""
    inputs = np.asarray(inputs)
    if inputs.ndim != 4 or tuple(inputs.shape[1:]) != tuple(image_shape):
        raise ValueError(f"inputs: expected images of shape (N, "
                         f"{', '.join(map(str, image_shape))}), got "
                         f"{inputs.shape}")
    if inputs.dtype == np.uint8:
        inputs = to_float(inputs).numpy()
    return np.concatenate([
        np.asarray(net(inputs[i:i + batch_size], training=False), np.float32)
        for i in range(0, len(inputs), batch_size)])


def round_trips(model, examples):
    """The training picture of a model that translates both ways: rows A
    -> G(A) -> F(G(A)) on the fixed `a` images, then B -> F(B) -> G(F(B))
    on the `b` images (uint8 (rows, 3, H, W, C)), by the model's
    `translate_uint8` in its `directions`."""
    rows = []
    for images, there, back in zip(examples, model.directions,
                                   reversed(list(model.directions))):
        translated = model.translate_uint8(images, there)
        rows.append(tf.stack([images, translated,
                              model.translate_uint8(translated, back)],
                             axis=1))
    return tf.concat(rows, axis=0).numpy()
