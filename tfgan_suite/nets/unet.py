"""The pix2pix U-Net generator (Isola et al. 2017, appendix 6.1.1).

An encoder of stride-2 convolutions halves the image down to 1x1 (8 blocks
for 256x256: C64-C128-C256-C512-C512-C512-C512-C512); a decoder of stride-2
transposed convolutions doubles it back, each block concatenated with the
encoder block of the same size (the skip connections that carry the
low-level structure shared by input and output). Dropout 0.5 in the first
three decoder blocks is the generator's only noise. No norm in the first
encoder block, tanh output, weights N(0, 0.02). `downsample` / `upsample`
are the TF pix2pix tutorial's helpers.
"""

import math

import keras
from keras import layers

from tfgan_suite.nets.common import batch_norm, init

KERNEL_SIZE = 4
NORMS = ("batch", "instance")



def normalization(norm, name=None):
    """Batch norm, or instance norm (one group per channel)."""
    if norm not in NORMS:
        raise ValueError(f"norm: expected one of {NORMS}, got {norm!r}")
    if norm == "batch":
        return batch_norm(name=name)
    return layers.GroupNormalization(groups=-1, name=name)


def downsample(filters, norm="batch", apply_norm=True, name=None):
    """Conv(stride 2) -> norm -> LeakyReLU(0.2): halves H and W."""
    block = keras.Sequential(name=name)
    block.add(layers.Conv2D(filters, KERNEL_SIZE, strides=2, padding="same",
                            kernel_initializer=init(), use_bias=False))
    if apply_norm:
        block.add(normalization(norm))
    block.add(layers.LeakyReLU(0.2))
    return block


def upsample(filters, norm="batch", apply_dropout=False, name=None):
    """ConvTranspose(stride 2) -> norm -> (dropout 0.5) -> ReLU: doubles H, W."""
    block = keras.Sequential(name=name)
    block.add(layers.Conv2DTranspose(filters, KERNEL_SIZE, strides=2,
                                     padding="same",
                                     kernel_initializer=init(),
                                     use_bias=False))
    block.add(normalization(norm))
    if apply_dropout:
        block.add(layers.Dropout(0.5))
    block.add(layers.ReLU())
    return block


def depth(image_shape):
    """Encoder blocks for `image_shape`: log2 of its shorter side (8 for
    256x256 and for 256x512): the U-Net halves both sides that often."""
    if len(image_shape) != 3:
        raise ValueError(f"image_shape: expected (height, width, channels), "
                         f"got {image_shape}")
    height, width, _ = image_shape
    side = min(height, width)
    n = int(math.log2(max(side, 1)))
    if 2 ** n != side or side < 16 or max(height, width) % side:
        raise ValueError(f"image_shape: the U-Net needs a power-of-two shorter"
                         f" side >= 16 and a longer side that is a multiple "
                         f"of it (e.g. 64x64, 256x256, 256x512), got "
                         f"{image_shape}")
    return n


def build_generator(image_shape=(256, 256, 3), filters=64, norm="batch",
                    output_channels=None, name="generator"):
    """input image in [-1, 1] -> translated image in [-1, 1], same size."""
    n = depth(image_shape)
    widths = [filters * min(2 ** i, 8) for i in range(n)]
    inputs = keras.Input(image_shape, name="image")
    x, skips = inputs, []
    for i, width in enumerate(widths):
        x = downsample(width, norm, apply_norm=i > 0, name=f"down{i + 1}")(x)
        skips.append(x)
    for i, (width, skip) in enumerate(zip(widths[-2::-1], skips[-2::-1])):
        x = upsample(width, norm, apply_dropout=i < 3, name=f"up{i + 1}")(x)
        x = layers.Concatenate(name=f"skip{i + 1}")([x, skip])
    x = layers.Conv2DTranspose(output_channels or image_shape[-1], KERNEL_SIZE,
                               strides=2, padding="same",
                               kernel_initializer=init(), name="to_image")(x)
    outputs = layers.Activation("tanh", dtype="float32", name="translated")(x)
    return keras.Model(inputs, outputs, name=name)
