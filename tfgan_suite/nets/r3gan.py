"""R3GAN nets (Huang et al. 2024, "The GAN is dead; long live the GAN!",
Sec. 4 and Fig. 3): a plain modern ResNet for both G and D.

  * Stages of residual blocks, one stage per resolution; widths double per
    stage away from the image (`filters * 2^level`). Each block is an
    inverted bottleneck: 1x1 conv up to `expansion` x the width, a grouped
    3x3 conv (groups of `group_size` channels), 1x1 conv back, a bias and
    LeakyReLU(0.2) after the first two, added to the input.
  * No normalization. Instead the fix-up style initialization of the
    official code: weights N(0, gain^2 / fan_in), the first two convs of a
    block with gain = LeakyReLU's gain * L^(-1/4) (L residual blocks in the
    net, 3 linear layers per block: L^(-1/(2*3-2))), the last conv of each
    residual branch zero, so every block starts as the identity.
  * Resolution changes outside the residual branches: G a 1x1 conv where
    the width changes, then bilinear upsampling; D a low-pass [1, 3, 3, 1]
    downsampling (bilinear with antialiasing), then the 1x1 conv.
  * G starts from a learned basis of the base resolution scaled per
    channel by a linear map of z and ends in a 1x1 conv (no output
    activation); D starts with a 1x1 conv and ends in a depthwise conv over
    the whole base map and a linear layer to the logit.
  * Class-conditional nets: G appends an embedding of the label to z; D
    ends in `latent_dim` features whose dot product with an embedding of the
    label is the logit (projection), as the official code does.

Sizes come from `dcgan.upsampling_levels`: 28x28 is reached from 7x7 by two
upsamplings (stages 7, 14, 28), 32x32 from 4x4 by three.
"""

import math

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from tfgan_suite.nets.dcgan import upsampling_levels

#: LeakyReLU's slope, and the gain that keeps the variance of its output
#: that of its input for N(0, 1) inputs (He et al. 2015).
SLOPE = 0.2
ACTIVATION_GAIN = math.sqrt(2 / (1 + SLOPE ** 2))
#: The low-pass filter of the resamplers (bilinear interpolation).
RESAMPLING_FILTER = (1.0, 3.0, 3.0, 1.0)


def msr_init(gain=1.0):
    """N(0, gain^2 / fan_in) (He et al. 2015), zeros for gain 0."""
    if gain == 0:
        return keras.initializers.Zeros()
    return keras.initializers.VarianceScaling(
        gain ** 2, mode="fan_in", distribution="untruncated_normal")


@keras.saving.register_keras_serializable(package="tfgan_suite")
class Downsample(layers.Layer):
    """Halves H and W: the [1, 3, 3, 1] x [1, 3, 3, 1] / 64 low-pass filter
    (bilinear downsampling with antialiasing) at stride 2, on each channel,
    borders repeated. A fixed convolution rather than `tf.image.resize`,
    whose gradient has no gradient of its own (R1 and R2 differentiate
    through D twice)."""

    def call(self, x):
        taps = np.array(RESAMPLING_FILTER)
        kernel = np.outer(taps, taps) / np.sum(taps) ** 2
        channels = x.shape[-1]
        kernel = tf.constant(np.tile(kernel[:, :, None, None],
                                     [1, 1, channels, 1]), x.dtype)
        x = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="SYMMETRIC")
        return tf.nn.depthwise_conv2d(x, kernel, [1, 2, 2, 1], "VALID")

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return (n, None if h is None else h // 2,
                None if w is None else w // 2, c)


@keras.saving.register_keras_serializable(package="tfgan_suite")
class GenerativeBasis(layers.Layer):
    """G's first feature map: a learned basis of shape (H, W, C), N(0, 1) at
    the start, with channel c scaled by v_c, v a linear map of z."""

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.size = tuple(size)

    def build(self, input_shape):
        self.basis = self.add_weight(
            shape=(*self.size, input_shape[-1]), name="basis",
            initializer=keras.initializers.RandomNormal(stddev=1.0))

    def call(self, v):
        return (tf.cast(self.basis, v.dtype)[None]
                * v[:, None, None, :])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self.size, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


def grouped_conv(x, groups, initializer, name):
    """A 3x3 convolution in `groups` groups of channels (ResNeXt): one
    `Conv2D` per group on its slice of the channels, concatenated. Keras'
    own `groups=` runs through XLA on CPU, and its second derivative (R1,
    R2) there is some twenty times slower than this."""
    if groups == 1:
        return layers.Conv2D(x.shape[-1], 3, padding="same",
                             kernel_initializer=initializer, name=name)(x)
    parts = keras.ops.split(x, groups, axis=-1)
    return layers.Concatenate(name=name)([
        layers.Conv2D(part.shape[-1], 3, padding="same",
                      kernel_initializer=initializer,
                      name=f"{name}{i}")(part)
        for i, part in enumerate(parts)])


def residual_block(x, blocks_in_net, expansion=2, group_size=16, name=None):
    """x + branch(x), the branch an inverted bottleneck with a grouped 3x3
    conv, its last conv zero at the start (R3GAN Fig. 3)."""
    width = x.shape[-1]
    expanded = width * expansion
    groups = max(1, expanded // group_size)
    if expanded % groups:
        raise ValueError(
            f"group_size: the {expanded} channels of a block's grouped conv "
            f"(width {width} x expansion {expansion}) must split into groups "
            f"of {group_size}")
    gain = ACTIVATION_GAIN * blocks_in_net ** -0.25
    y = layers.Conv2D(expanded, 1, kernel_initializer=msr_init(gain),
                      name=f"{name}_expand")(x)
    y = layers.LeakyReLU(SLOPE)(y)
    y = grouped_conv(y, groups, msr_init(gain), name=f"{name}_grouped")
    y = layers.LeakyReLU(SLOPE)(y)
    y = layers.Conv2D(width, 1, use_bias=False, kernel_initializer=msr_init(0),
                      name=f"{name}_project")(y)
    return layers.Add(name=name)([x, y])


def stage_widths(image_shape, filters):
    """(n, base size, widths): widths[level], level 0 the image's
    resolution, n + 1 stages from the base size up."""
    n, base = upsampling_levels(image_shape, any_channels=True)
    return n, base, [filters * 2 ** level for level in range(n + 1)]


def _width_change(x, width, name):
    if x.shape[-1] == width:
        return x
    return layers.Conv2D(width, 1, use_bias=False, kernel_initializer=msr_init(),
                         name=name)(x)


def build_generator(image_shape, latent_dim=64, filters=32, blocks=2,
                    expansion=2, group_size=16, num_classes=None,
                    name="generator"):
    """z (or [z, label]) -> image (linear output, trained toward [-1, 1])."""
    n, base, widths = stage_widths(image_shape, filters)
    blocks_in_net = blocks * (n + 1)
    z = keras.Input((latent_dim,), name="z")
    inputs, x = z, z
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        inputs = [z, label]
        # A linear map of the one-hot label (MSR init, fan-in num_classes).
        embedded = layers.Embedding(
            num_classes, latent_dim, name="embedding",
            embeddings_initializer=keras.initializers.RandomNormal(
                stddev=1 / math.sqrt(num_classes)))(label)
        x = layers.Concatenate()([z, embedded])
    x = layers.Dense(widths[n], use_bias=False, kernel_initializer=msr_init(),
                     name="basis_scale")(x)
    x = GenerativeBasis(base, name="basis")(x)
    for level in range(n, -1, -1):
        if level < n:
            x = _width_change(x, widths[level], f"stage{level}_width")
            x = layers.UpSampling2D(interpolation="bilinear",
                                    name=f"stage{level}_up")(x)
        for i in range(blocks):
            x = residual_block(x, blocks_in_net, expansion, group_size,
                               name=f"stage{level}_block{i}")
    x = layers.Conv2D(image_shape[-1], 1, use_bias=False,
                      kernel_initializer=msr_init(), name="to_image")(x)
    images = layers.Activation("linear", dtype="float32", name="images")(x)
    return keras.Model(inputs, images, name=name)


def build_discriminator(image_shape, filters=32, blocks=2, expansion=2,
                        group_size=16, num_classes=None, latent_dim=64,
                        name="discriminator"):
    """image (or [image, label]) -> one logit; with labels the logit is the
    dot product of D's `latent_dim` features with the label's embedding."""
    n, (s_h, s_w), widths = stage_widths(image_shape, filters)
    blocks_in_net = blocks * (n + 1)
    images = keras.Input(image_shape, name="images")
    x = layers.Conv2D(widths[0], 1, use_bias=False,
                      kernel_initializer=msr_init(), name="from_image")(images)
    for level in range(n + 1):
        for i in range(blocks):
            x = residual_block(x, blocks_in_net, expansion, group_size,
                               name=f"stage{level}_block{i}")
        if level < n:
            x = Downsample(name=f"stage{level}_down")(x)
            x = _width_change(x, widths[level + 1], f"stage{level}_width")
    # The depthwise kernel's fan-in is its own area, not Keras' area x C.
    x = layers.DepthwiseConv2D(
        (s_h, s_w), use_bias=False, name="basis",
        depthwise_initializer=keras.initializers.RandomNormal(
            stddev=1 / math.sqrt(s_h * s_w)))(x)
    x = layers.Flatten()(x)
    outputs = latent_dim if num_classes else 1
    x = layers.Dense(outputs, use_bias=False, kernel_initializer=msr_init(),
                     name="features" if num_classes else "logit")(x)
    if not num_classes:
        logit = layers.Activation("linear", dtype="float32", name="logit_f32")(x)
        return keras.Model(images, logit, name=name)
    label = keras.Input((), dtype="int32", name="label")
    embedded = layers.Embedding(
        num_classes, outputs, name="projection",
        embeddings_initializer=keras.initializers.RandomNormal(
            stddev=1 / math.sqrt(outputs * num_classes)))(label)
    logit = layers.Dot(axes=1, dtype="float32", name="logit")([x, embedded])
    return keras.Model([images, label], logit, name=name)
