"""What every model does with a trained generator: samples from seeds
(`generate`, reproducible) and discriminator scores, and the conversions
of its `value_range` both ways. The TF Serving signatures built from them
are `tgs.serving.signatures`.

`Sampling` is a base of `AdversarialModel`; it reads the model's
`output_net()` (G, or its EMA average), `latent_dim`, `num_classes`,
`class_names`, `value_range`, `pack` and `conditioned`.
"""

import numpy as np
import tensorflow as tf

from tfgan_suite.data.pipeline import to_float, to_uint8
from tfgan_suite.models import arguments
from tfgan_suite.models import ema as ema_lib
from tfgan_suite.models import latents


class Sampling:
    """Samples and scores of a trained model."""

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def output_net(self, direction=None):
        """The net that makes the model's outputs: the EMA generator, if
        any, else G. `direction` is for models that translate both ways;
        this model makes its outputs one way and takes none."""
        if direction is not None:
            raise ValueError(f"direction: {arguments.shown_name(self)} makes "
                             f"its outputs one way (no direction), got "
                             f"{direction!r}")
        return self.ema_generator or self.generator

    def latent_from_seeds(self, seeds, truncation=None,
                          truncation_method="mean"):
        """One z per int64 seed, stateless: the same seed gives the same z;
        with `truncation` (psi: a scalar, [1] or one per seed), truncated
        by `truncation_method` (`latents.truncate`)."""
        seeds = tf.cast(tf.convert_to_tensor(seeds), tf.int64)
        z = tf.map_fn(
            lambda s: tf.random.stateless_normal(
                [self.latent_dim], seed=tf.stack([s, tf.zeros_like(s)])),
            seeds, fn_output_signature=tf.float32)
        if truncation is None:
            return z
        return latents.truncate(z, truncation, truncation_method)

    def generate(self, n, seed=None, labels=None, batch_size=256,
                 truncation=None, truncation_method="mean"):
        """`n` samples as float32 numpy in [-1, 1].

        With an integer `seed`, image i comes from seed + i: reproducible, and
        equal to the `sample` signature of the exported SavedModel (with
        `truncation`, to `sample_truncated`). Conditional models make
        images of classes `labels` (one int or n ints; default 0, 1, ...
        cycling). `truncation`: psi, one or n values (`models.latents`:
        "mean" pulls z toward the mean latent, "truncated_normal" draws z
        within [-psi, psi]).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n: expected a positive number of samples, got "
                             f"{n!r}")
        labels = self.check_labels(labels, n)
        psi = latents.check_truncation(truncation, truncation_method, n)
        if seed is None:
            seed = np.random.randint(0, 2**62)
        seeds = np.arange(seed, seed + n, dtype=np.int64)
        out = [self.generate_from_latent(
                   self.latent_from_seeds(
                       seeds[i:i + batch_size],
                       None if psi is None else psi[i:i + batch_size],
                       truncation_method),
                   None if labels is None else labels[i:i + batch_size])
               for i in range(0, n, batch_size)]
        return np.concatenate([np.asarray(o, np.float32) for o in out])

    def interpolate(self, seed_a, seed_b, frames, labels=None,
                    truncation=None, truncation_method="mean"):
        """A latent walk: `frames` images (float32 [frames, ...] in
        [-1, 1]) from the latent of `seed_a` to that of `seed_b` by
        spherical interpolation (`latents.slerp`); the first and last are
        the seeds' own images (as `generate(1, seed)`). A conditional
        model walks within class `labels` (one class; default 0) or, with
        two classes (a, b), also from class a to b (`latents.class_between`;
        with seed_a == seed_b: between the classes at one z).
        """
        if isinstance(frames, bool) or not isinstance(
                frames, (int, np.integer)) or frames < 2:
            raise ValueError(f"frames: expected an integer >= 2, got "
                             f"{frames!r}")
        pair = (labels if isinstance(labels, (list, tuple, np.ndarray))
                else [0 if labels is None else labels])
        if not self.num_classes:
            pair = [None]
        if len(pair) not in (1, 2):
            raise ValueError(f"labels: expected one class or two to walk "
                             f"between, got {labels!r}")
        truncation = latents.check_truncation(truncation, truncation_method,
                                              n=1)
        classes = (None if pair[0] is None
                   else self.check_labels(list(pair), len(pair)))
        t = np.linspace(0.0, 1.0, frames)
        z = tf.constant(latents.slerp(*self.latent_from_seeds(
            [seed_a, seed_b], truncation, truncation_method).numpy(), t))
        if classes is None or len(classes) == 1 or classes[0] == classes[1]:
            label = None if classes is None else np.repeat(classes[:1], frames)
            return np.asarray(self.generate_from_latent(z, label), np.float32)
        images = []
        for i in range(frames):
            with latents.class_between(self.output_net(), self.num_classes,
                                       classes[0], classes[1], t[i]):
                images.append(self.generate_from_latent(z[i:i + 1],
                                                        classes[:1]))
        return np.concatenate([np.asarray(x, np.float32) for x in images])

    def check_labels(self, labels, n):
        """`labels` (one class, or n classes, by index or by name; None:
        0, 1, ... cycling) as an int32 array of length n, or None for an
        unconditional model."""
        if not self.num_classes:
            if labels is not None:
                raise ValueError(f"labels: {arguments.shown_name(self)} is "
                                 f"not class-conditional (num_classes=None)")
            return None
        return arguments.label_indices(labels, n, self.num_classes,
                                       self.class_names)

    def in_value_range(self, x):
        """Data in [-1, 1] (what `tgs.data` gives) in the model's
        `value_range`: what G learns to make."""
        self._tgs_used.add("value_range")  # for `training.contract`.
        low, high = self.value_range
        if (low, high) == arguments.DATA_RANGE:
            return x
        return (x + 1.0) * ((high - low) / 2.0) + low

    def from_value_range(self, x):
        """G's output in the model's `value_range`, in [-1, 1] (what
        samples, FID and exports read)."""
        low, high = self.value_range
        if (low, high) == arguments.DATA_RANGE:
            return x
        return (x - low) * (2.0 / (high - low)) - 1.0

    def uint8_translation(self, direction=None):
        """uint8 images -> uint8 images by `output_net(direction)` (None:
        the model's first direction, if it has `directions`), through its
        `value_range` both ways: one `tf.function` per direction, what
        `tgs.serving.signatures` exports and `translate_uint8` runs. Run
        eagerly, a convolution's bias and activation are separate ops while
        a graph fuses them, and a pixel could round the other way."""
        if self.data_kind() not in arguments.TRANSLATION_KINDS:
            raise ValueError(f"uint8_translation: "
                             f"{arguments.shown_name(self)} makes samples "
                             f"from noise; it translates no images")
        if direction is None and getattr(self, "directions", None):
            direction = self.directions[0]
        net = self.output_net(direction)  # refuses a direction.
        cache = self.__dict__.setdefault("_tgs_uint8_translations", {})
        if direction not in cache:  # a plain dict, not a tracked attribute.
            cache[direction] = tf.function(
                lambda images: to_uint8(self.from_value_range(net(
                    self.in_value_range(to_float(images)), training=False))),
                input_signature=[tf.TensorSpec([None, *self.data_shape],
                                               tf.uint8)])
        return cache[direction]

    def translate_uint8(self, images, direction=None, batch_size=32):
        """uint8 images -> uint8 images, exactly as the signature of
        `direction` serves them (`uint8_translation`), in batches."""
        return translated_uint8(self, images, direction, batch_size)

    def generate_from_latent(self, z, labels=None):
        """G(z) (or G(z, labels)) in inference mode."""
        ema_lib.refresh_statistics(self)  # eager only; when stale.
        if labels is not None:
            labels = tf.convert_to_tensor(labels, tf.int32)
        return self.from_value_range(
            self.output_net()(self.conditioned(z, labels), training=False))

    def generate_uint8(self, n, seed=None, labels=None, truncation=None,
                       truncation_method="mean"):
        """`generate`, converted to uint8 exactly as the SavedModel does."""
        return to_uint8(self.generate(
            n, seed, labels, truncation=truncation,
            truncation_method=truncation_method)).numpy()

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
        raise ValueError(f"attention_maps: {arguments.shown_name(self)} has "
                         f"no self-attention layers")


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


def translated_uint8(model, images, direction, batch_size=32):
    """uint8 `images` (N, *model.data_shape) translated by the model's
    `uint8_translation(direction)` in batches of `batch_size`: exactly what
    its signature of that direction serves; other shapes are a
    ValueError."""
    images = np.asarray(images, np.uint8)
    if images.ndim != 4 or images.shape[1:] != tuple(model.data_shape):
        raise ValueError(f"images: expected uint8 images of shape (N, "
                         f"{', '.join(map(str, model.data_shape))}), got "
                         f"{images.shape}")
    translate = model.uint8_translation(direction)
    return np.concatenate([
        translate(tf.constant(images[i:i + batch_size])).numpy()
        for i in range(0, len(images), batch_size)])
