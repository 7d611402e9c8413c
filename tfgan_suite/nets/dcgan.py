"""DCGAN generator and discriminator (Radford et al. 2016).

The architecture guidelines of the paper, one line each:
  * no pooling: strided convolutions in D, fractional-strided (transposed)
    convolutions in G;
  * batch norm in both nets, except G's output layer and D's input layer;
  * no fully connected hidden layers (only the projection of z and D's logit);
  * ReLU in G with a tanh output, LeakyReLU(0.2) in D;
  * weights initialised from N(0, 0.02).

Sizes: an image of H x W is reached from a s_h x s_w projection of z by n
stride-2 upsamplings, where n is the largest with 4 <= min(H, W) / 2^n, so
28x28 -> 7x7 (n=2), 32x32 -> 4x4 (n=3), 64x64 -> 4x4 (n=4). Channel widths
double per level away from the image: `filters * 2^level`.

D may end with `final_convs` stride-1 3x3 convolutions at its last
resolution, before the logit, each as wide as the last strided one and
normalized like it (SNGAN's standard CNN D ends with one such layer, Miyato
et al. 2018): all-convolutional still, a layer deeper where D judges the
whole image.
"""

import keras
from keras import layers

from tfgan_suite.nets.common import batch_norm, init

KERNEL_SIZE = 4
#: Normalizations of D's hidden layers. "batch" is DCGAN's. A WGAN-GP critic
#: must not use it (Gulrajani et al. 2017, sec. 4): the gradient penalty is
#: taken per example, and batch norm makes D(x_i) depend on the other
#: examples of the batch. "layer" normalizes each example on its own (the
#: paper's recommended replacement); None has no normalization.
NORMS = ("batch", "layer", None)


def checked_norm(name, norm):
    """`norm` if it is one of `NORMS`, else a ValueError naming `name`."""
    if norm not in NORMS:
        raise ValueError(f"{name}: expected one of {NORMS}, got {norm!r}")
    return norm


def upsampling_levels(image_shape, any_channels=False):
    """Returns (n, (s_h, s_w)) for `image_shape`, or raises a ValueError.
    `any_channels`: D's input, which may stack a pack of images on the
    channels (PacGAN), takes any number of channels."""
    if len(image_shape) != 3:
        raise ValueError(
            f"image_shape: expected (height, width, channels), got {image_shape}")
    height, width, channels = image_shape
    if channels not in (1, 3, 4) and not any_channels:
        raise ValueError(
            f"image_shape: expected 1, 3 or 4 channels, got {channels}")
    n = 0
    while (height % 2 ** (n + 1) == 0 and width % 2 ** (n + 1) == 0
           and min(height, width) // 2 ** (n + 1) >= 4):
        n += 1
    base = (height // 2 ** n, width // 2 ** n)
    if n < 2 or max(base) > 8:
        raise ValueError(
            f"image_shape: the DCGAN-style nets need height and width = s * 2^n with "
            f"4 <= s <= 8 and n >= 2 (e.g. 28, 32, 64, 128), got {image_shape}")
    return n, base


def generator_body(x, image_shape, filters=64):
    """The DCGAN generator from a flat input tensor x (z, or z with a label
    embedding) to images in [-1, 1]."""
    n, (s_h, s_w) = upsampling_levels(image_shape)
    x = layers.Dense(s_h * s_w * filters * 2 ** n, use_bias=False,
                     kernel_initializer=init(), name="project")(x)
    x = layers.Reshape((s_h, s_w, filters * 2 ** n))(x)
    x = batch_norm(name="project_bn")(x)
    x = layers.ReLU()(x)
    for level in range(n - 1, 0, -1):
        x = layers.Conv2DTranspose(
            filters * 2 ** level, KERNEL_SIZE, strides=2, padding="same",
            use_bias=False, kernel_initializer=init(), name=f"up{level}")(x)
        x = batch_norm(name=f"up{level}_bn")(x)
        x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(
        image_shape[-1], KERNEL_SIZE, strides=2, padding="same",
        kernel_initializer=init(), name="to_image")(x)
    # float32 output keeps tanh and the loss numerically safe under mixed precision.
    return layers.Activation("tanh", dtype="float32", name="images")(x)


def discriminator_body(x, image_shape, filters=64, norm="batch",
                       final_convs=0):
    """The DCGAN discriminator from an image tensor x (possibly with extra
    label channels) to one logit; `norm` is one of `NORMS`, `final_convs`
    the stride-1 convolutions after the last strided one."""
    checked_norm("norm", norm)
    n, _ = upsampling_levels(image_shape, any_channels=True)
    for level in range(n):
        normalized = level > 0 and norm is not None
        x = layers.Conv2D(
            filters * 2 ** level, KERNEL_SIZE, strides=2, padding="same",
            use_bias=not normalized, kernel_initializer=init(),
            name=f"down{level}")(x)
        if normalized:
            x = normalization(norm, name=f"down{level}_{norm[0]}n")(x)
        x = layers.LeakyReLU(0.2)(x)
    for i in range(final_convs):
        x = layers.Conv2D(
            x.shape[-1], 3, padding="same", use_bias=norm is None,
            kernel_initializer=init(), name=f"final{i}")(x)
        if norm is not None:
            x = normalization(norm, name=f"final{i}_{norm[0]}n")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    return layers.Dense(1, kernel_initializer=init(), dtype="float32",
                        name="logit")(x)


def normalization(norm, name=None):
    """Batch norm, or layer norm over each example's (H, W, C)."""
    if norm == "batch":
        return batch_norm(name=name)
    return layers.LayerNormalization(axis=(-3, -2, -1), name=name)


def build_generator(image_shape, latent_dim=100, filters=64, name="generator"):
    """z (latent_dim,) -> image `image_shape` in [-1, 1]."""
    z = keras.Input((latent_dim,), name="z")
    return keras.Model(z, generator_body(z, image_shape, filters), name=name)


def build_discriminator(image_shape, filters=64, name="discriminator",
                        norm="batch", final_convs=0):
    """image `image_shape` -> one real/fake logit (a critic's score with
    `norm="layer"` or None; see `NORMS`)."""
    images = keras.Input(image_shape, name="images")
    return keras.Model(images, discriminator_body(
        images, image_shape, filters, norm, final_convs), name=name)


def build_conditional_generator(image_shape, num_classes, latent_dim=100,
                                filters=64, embedding_dim=50,
                                name="generator"):
    """[z, label] -> image: the label's embedding is concatenated to z
    (Mirza & Osindero 2014)."""
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    embedded = layers.Embedding(num_classes, embedding_dim,
                                name="label_embedding")(label)
    x = layers.Concatenate()([z, embedded])
    return keras.Model([z, label], generator_body(x, image_shape, filters),
                       name=name)


def build_conditional_discriminator(image_shape, num_classes, filters=64,
                                    name="discriminator", norm="batch",
                                    final_convs=0):
    """[image, label] -> logit: the label's embedding, shaped as one extra
    image channel, is concatenated to the image (Mirza & Osindero 2014)."""
    height, width = image_shape[:2]
    images = keras.Input(image_shape, name="images")
    label = keras.Input((), dtype="int32", name="label")
    plane = layers.Embedding(num_classes, height * width,
                             name="label_embedding")(label)
    plane = layers.Reshape((height, width, 1))(plane)
    x = layers.Concatenate()([images, plane])
    return keras.Model([images, label],
                       discriminator_body(x, image_shape, filters, norm,
                                          final_convs),
                       name=name)
