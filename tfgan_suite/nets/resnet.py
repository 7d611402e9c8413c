"""The CycleGAN ResNet generator (Zhu et al. 2017, appendix 7.2; Johnson
et al. 2016), as the reference code builds it (`ResnetGenerator` of
junyanz/pytorch-CycleGAN-and-pix2pix).

c7s1-64, d128, d256, R256 x n_blocks, u128, u64, c7s1-3: a 7x7
convolution on the reflection-padded image, two stride-2 3x3
convolutions down, `n_blocks` residual blocks (two reflection-padded 3x3
convolutions each, added to their input), two stride-2 transposed
convolutions up and a 7x7 convolution to the image, tanh. Every
convolution but the last is followed by instance norm and ReLU (none in
the second half of a residual block). 6 blocks for 128x128 images and
smaller, 9 for 256x256. Weights N(0, 0.02).
"""

import keras
from keras import layers

from tfgan_suite.nets.common import init
from tfgan_suite.nets.unet import normalization


@keras.saving.register_keras_serializable(package="tfgan_suite")
class ReflectionPadding2D(layers.Layer):
    """Pads H and W by `padding` pixels on each side with their mirror
    image (the reference's `nn.ReflectionPad2d`): no dark frame for the
    convolutions to learn around."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        p = self.padding
        return keras.ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]],
                             mode="reflect")

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        grow = lambda side: None if side is None else side + 2 * self.padding
        return (n, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


def default_blocks(image_shape):
    """Residual blocks of the reference for `image_shape`: 9 when the
    shorter side is over 128 pixels (resnet_9blocks, 256x256), else 6
    (resnet_6blocks, 128x128)."""
    return 9 if min(image_shape[:2]) > 128 else 6


def _conv(filters, kernel, strides=1, padding="valid", name=None):
    return layers.Conv2D(filters, kernel, strides=strides, padding=padding,
                         kernel_initializer=init(), name=name)


def residual_block(x, filters, norm, name):
    """x + (pad, conv3x3, norm, ReLU, pad, conv3x3, norm)(x)."""
    y = ReflectionPadding2D(1, name=f"{name}_pad1")(x)
    y = _conv(filters, 3, name=f"{name}_conv1")(y)
    y = normalization(norm, name=f"{name}_norm1")(y)
    y = layers.ReLU(name=f"{name}_relu")(y)
    y = ReflectionPadding2D(1, name=f"{name}_pad2")(y)
    y = _conv(filters, 3, name=f"{name}_conv2")(y)
    y = normalization(norm, name=f"{name}_norm2")(y)
    return layers.Add(name=f"{name}_add")([x, y])


def build_generator(image_shape=(256, 256, 3), filters=64, n_blocks=None,
                    norm="instance", output_channels=None, name="generator"):
    """image in [-1, 1] -> translated image in [-1, 1] of the same size
    (`output_channels`: of another number of channels)."""
    if len(image_shape) != 3 or any(s % 4 for s in image_shape[:2]):
        raise ValueError(f"image_shape: the ResNet generator needs (height, "
                         f"width, channels) with sides that are multiples "
                         f"of 4 (two stride-2 steps down and up), got "
                         f"{tuple(image_shape)}")
    n_blocks = default_blocks(image_shape) if n_blocks is None else n_blocks
    inputs = keras.Input(image_shape, name="image")
    x = ReflectionPadding2D(3, name="in_pad")(inputs)
    x = _conv(filters, 7, name="in_conv")(x)
    x = normalization(norm, name="in_norm")(x)
    x = layers.ReLU()(x)
    for i in (1, 2):
        x = _conv(filters * 2 ** i, 3, strides=2, padding="same",
                  name=f"down{i}")(x)
        x = normalization(norm, name=f"down{i}_norm")(x)
        x = layers.ReLU()(x)
    for i in range(n_blocks):
        x = residual_block(x, filters * 4, norm, name=f"block{i + 1}")
    for i in (1, 2):
        x = layers.Conv2DTranspose(filters * 2 ** (2 - i), 3, strides=2,
                                   padding="same", kernel_initializer=init(),
                                   name=f"up{i}")(x)
        x = normalization(norm, name=f"up{i}_norm")(x)
        x = layers.ReLU()(x)
    x = ReflectionPadding2D(3, name="out_pad")(x)
    x = _conv(output_channels or image_shape[-1], 7, name="to_image")(x)
    outputs = layers.Activation("tanh", dtype="float32", name="translated")(x)
    return keras.Model(inputs, outputs, name=name)
