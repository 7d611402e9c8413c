"""Differentiable augmentation of what the discriminator sees.

DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for
Data-Efficient GAN Training"): the same random, differentiable transforms
are applied to real and generated images every time D sees them, in the D
step and in the G step, so D cannot memorise a small training set and G's
gradients pass through the transforms. The three policies of the paper,
on NHWC images in [-1, 1]:

- `color`: brightness + U(-0.5, 0.5); saturation x U(0, 2) around the
  per-pixel channel mean; contrast x U(0.5, 1.5) around the image mean;
- `translation`: a shift of up to 1/8 of the height and width, with zero
  padding;
- `cutout`: a zero square of half the height and width at a random place.

ADA (Karras et al. 2020, "Training Generative Adversarial Networks with
Limited Data") applies each transform to each image with probability p and
adapts p so that the overfitting heuristic r_t = E[sign(D(real))] (their
eq. 1, `sign_mean`) tracks a target (0.6): every `interval` steps p moves by
sign(r_t - target) times the batch images of those steps over the images it
takes to go from 0 to 1 (`ada_kimg` thousand: 500k by default, their
adjustment speed; 100k reacts five times faster, the value their code sets
when training resumes from a trained network). Here ADA drives the
differentiable transforms above (ADA's own pipeline has more geometric
ones).

`Augment` is what a model that augments holds (`model.augmenter`; one
that does not holds `NoAugment`): `model.d_logits(x)` applies it, and a
step tells ADA what D made of real data with `model.augmenter.observe`.
Its seed generator is tracked by the model, so the draws are part of the
training state (checkpoints, exact resume).
"""

import numbers

import keras
import tensorflow as tf
from keras import ops

#: The DiffAugment transforms by name.
POLICIES = ("color", "translation", "cutout")
#: ADA's settings (Karras et al. 2020): r_t target, adjustment interval in
#: steps, thousands of images for p to go from 0 to 1 by default.
ADA_TARGET, ADA_INTERVAL, ADA_KIMG = 0.6, 4, 500
#: The default's images for p to go from 0 to 1.
ADA_SPEED_IMAGES = ADA_KIMG * 1000


def parse(augment):
    """The transforms of `augment` (None, "ada", or a comma list of
    `POLICIES` in any order) as a tuple; raises ValueError otherwise."""
    if augment is None or augment == "":
        return ()
    if augment == "ada":
        return POLICIES
    names = tuple(name.strip() for name in str(augment).split(","))
    unknown = [name for name in names if name not in POLICIES]
    if unknown or len(set(names)) != len(names):
        raise ValueError(f"augment: expected None, 'ada' or a comma list of "
                         f"{', '.join(POLICIES)} (each once), got {augment!r}")
    return names


def sign_mean(logits):
    """r_t = E[sign(D(x))] of D's `logits` (N, ...) for a batch (Karras et
    al. 2020, eq. 1): the mean over the batch of `image_signs`; 1 when D
    calls every image real, -1 when it calls every one fake."""
    return ops.mean(image_signs(logits))


def image_signs(logits):
    """Each image's mean sign(D(x)) (a patch D's map averaged), (N,)."""
    logits = ops.cast(ops.reshape(logits, (ops.shape(logits)[0], -1)),
                      "float32")
    return ops.mean(ops.sign(logits), axis=1)


def _uniform(shape, low, high, seed):
    return keras.random.uniform(shape, low, high, seed=seed)


def color(x, seed, apply, channels=None):
    """Brightness, saturation and contrast (DiffAugment's `color`); with
    `channels` (the channels of each image stacked in x, e.g. (3, 3) for a
    pair) every image gets the same draw around its own means."""
    n = ops.shape(x)[0]
    brightness = _uniform((n, 1, 1, 1), -0.5, 0.5, seed)
    saturation = _uniform((n, 1, 1, 1), 0.0, 2.0, seed)
    contrast = _uniform((n, 1, 1, 1), 0.5, 1.5, seed)

    def one(part):
        y = part + brightness
        mean = ops.mean(y, axis=-1, keepdims=True)
        y = (y - mean) * saturation + mean
        mean = ops.mean(y, axis=(1, 2, 3), keepdims=True)
        return (y - mean) * contrast + mean

    parts = (ops.split(x, _offsets(channels), axis=-1) if channels
             and len(channels) > 1 else [x])
    y = ops.concatenate([one(p) for p in parts], axis=-1) if len(
        parts) > 1 else one(x)
    return ops.where(apply, y, x)


def translation(x, seed, apply, ratio=0.125):
    """A random shift of up to `ratio` of each side, zero padded."""
    n, height, width = ops.shape(x)[0], x.shape[1], x.shape[2]
    shift_y = int(height * ratio + 0.5)
    shift_x = int(width * ratio + 0.5)
    dy = keras.random.randint((n, 1), -shift_y, shift_y + 1, seed=seed)
    dx = keras.random.randint((n, 1), -shift_x, shift_x + 1, seed=seed)
    rows = ops.clip(ops.arange(height)[None] + dy + 1, 0, height + 1)
    cols = ops.clip(ops.arange(width)[None] + dx + 1, 0, width + 1)
    padded = ops.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    y = tf.gather(padded, rows, axis=1, batch_dims=1)
    y = tf.gather(y, cols, axis=2, batch_dims=1)
    return ops.where(apply, y, x)


def cutout(x, seed, apply, ratio=0.5):
    """A zero square of `ratio` of each side at a random place."""
    n, height, width = ops.shape(x)[0], x.shape[1], x.shape[2]
    size_y, size_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    cy = keras.random.randint((n, 1, 1), 0, height + (1 - size_y % 2),
                              seed=seed)
    cx = keras.random.randint((n, 1, 1), 0, width + (1 - size_x % 2),
                              seed=seed)
    rows = ops.arange(height)[None, :, None]
    cols = ops.arange(width)[None, None, :]
    inside = ((rows >= cy - size_y // 2) & (rows < cy - size_y // 2 + size_y)
              & (cols >= cx - size_x // 2) & (cols < cx - size_x // 2 + size_x))
    mask = ops.cast(~inside, x.dtype)[..., None]
    return ops.where(apply, x * mask, x)


TRANSFORMS = {"color": color, "translation": translation, "cutout": cutout}


def diff_augment(images, policies, seed, probability=None):
    """`images` (a tensor, or a list of tensors that get the same draw, e.g.
    the input and target of a pair) through `policies`; with
    `probability` (ADA's p) each transform applies to each image with that
    probability, else always."""
    single = not isinstance(images, (list, tuple))
    parts = [images] if single else list(images)
    if not policies or not parts[0].shape[1:3].is_fully_defined() or len(
            parts[0].shape) != 4:
        return images
    channels = [p.shape[-1] for p in parts]
    x = ops.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0]
    n = ops.shape(x)[0]
    for name in policies:
        if probability is None:
            apply = ops.ones((n, 1, 1, 1), "bool")
        else:
            apply = _uniform((n, 1, 1, 1), 0.0, 1.0, seed) < ops.cast(
                probability, "float32")
        if name == "color":
            x = color(x, seed, apply, channels)
        else:
            x = TRANSFORMS[name](x, seed, apply)
    if single:
        return x
    return ops.split(x, _offsets(channels), axis=-1)


def _offsets(channels):
    offsets, total = [], 0
    for c in channels[:-1]:
        total += c
        offsets.append(total)
    return offsets


def for_model(augment, ada_kimg=ADA_KIMG, seed=None):
    """A model's (augment, ada_kimg, `Augment` layer or `NoAugment`) from
    its arguments: `augment` None, a comma string or list of `POLICIES`,
    or "ada"; `ada_kimg` only with "ada"."""
    if isinstance(augment, (list, tuple)):  # from a flag: a,b,c
        augment = ",".join(augment)
    augment = augment or None
    if augment != "ada" and ada_kimg != ADA_KIMG:
        raise ValueError(f"ada_kimg: sets ADA's speed, used with "
                         f"augment='ada' only, got augment={augment!r}")
    layer = (Augment(augment, seed, ada_kimg, name="augment")
             if augment else NoAugment())
    return augment, ada_kimg, layer


class NoAugment:
    """The `augmenter` of a model that does not augment: D sees x itself,
    and ADA has nothing to observe. No layer: it adds no state to the
    model."""

    adaptive = False

    def __call__(self, x):
        return x

    def observe(self, real_logits):
        """Nothing to adapt. (A body of its own: AutoGraph cannot convert
        a function that is only a docstring, and warns in every step.)"""
        del real_logits


@keras.saving.register_keras_serializable(package="tfgan_suite")
class Augment(keras.layers.Layer):
    """DiffAugment or ADA for a model (see the module docstring); a layer
    so that its seed generator and ADA's p are saved with the model.

    Args:
      augment: None, a comma list of `POLICIES` ("color,translation,cutout"),
        or "ada".
      seed: seed of the augmentation draws (None: Keras' global seed).
      ada_kimg: ADA's adjustment speed: thousands of images for p to go
        from 0 to 1 (500, the paper's; 100 reacts five times faster).
    """

    def __init__(self, augment=None, seed=None, ada_kimg=ADA_KIMG, **kwargs):
        # float32 under any policy: the draws are float32, and a mixed
        # policy would hand in bfloat16 / float16 images to add them to.
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.augment = augment
        self.augment_seed = seed
        self.policies = parse(augment)
        self.adaptive = augment == "ada"
        if (isinstance(ada_kimg, bool)
                or not isinstance(ada_kimg, numbers.Real) or ada_kimg <= 0):
            raise ValueError(f"ada_kimg: expected thousands of images for "
                             f"ADA's p to go from 0 to 1, a positive number "
                             f"(e.g. 500 or 100), got {ada_kimg!r}")
        self.ada_kimg = ada_kimg
        self.seed_generator = keras.random.SeedGenerator(seed, name="augment")
        #: ADA's p (1.0 for DiffAugment: always applied).
        self.p = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(
                0.0 if self.adaptive else 1.0),
            trainable=False, name="p")
        self.sign_sum = self.add_weight(shape=(), initializer="zeros",
                                        trainable=False, name="sign_sum")
        self.images = self.add_weight(shape=(), initializer="zeros",
                                      trainable=False, name="images")
        self.calls = self.add_weight(shape=(), initializer="zeros",
                                     trainable=False, name="calls")
        self.built = True

    def call(self, images):
        return diff_augment(images, self.policies, self.seed_generator,
                            self.p if self.adaptive else None)

    def observe(self, real_logits):
        """ADA: accumulates sign(D(real)) and, every `ADA_INTERVAL` calls,
        moves p by sign(r_t - `ADA_TARGET`) x images / (`ada_kimg` x 1000)
        (a no-op for DiffAugment)."""
        if not self.adaptive:
            return
        self.sign_sum.assign_add(ops.sum(image_signs(real_logits)))
        self.images.assign_add(ops.cast(ops.shape(real_logits)[0], "float32"))
        self.calls.assign_add(1.0)

        def adjust():
            step = (ops.sign(self.sign_sum / self.images - ADA_TARGET)
                    * self.images / (float(self.ada_kimg) * 1000))
            self.p.assign(ops.clip(self.p + step, 0.0, 1.0))
            for v in (self.sign_sum, self.images, self.calls):
                v.assign(0.0)
            return 0

        tf.cond(self.calls >= ADA_INTERVAL, adjust, lambda: 0)

    def get_config(self):
        return {**super().get_config(), "augment": self.augment,
                "seed": self.augment_seed, "ada_kimg": self.ada_kimg}
