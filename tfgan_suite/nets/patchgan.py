"""The pix2pix PatchGAN discriminator (Isola et al. 2017, appendix 6.1.2).

D sees the input image and a candidate output side by side (concatenated
channels) and classifies each 70x70 patch as real or fake (CycleGAN's D,
`conditional=False`, sees the candidate alone):
C64-C128-C256 stride 2, then C512 stride 1 and a 1-channel convolution, so a
256x256 pair gives 30x30 logits, each with a 70x70 receptive field.
"""

import keras
from keras import layers

from tfgan_suite.nets.common import init
from tfgan_suite.nets.unet import KERNEL_SIZE, depth, downsample, normalization


def build_discriminator(image_shape=(256, 256, 3), filters=64, norm="batch",
                        target_channels=None, conditional=True,
                        name="discriminator"):
    """[input image, target image] -> patch logits (N, H/8 - 2, W/8 - 2, 1);
    with `conditional=False`, image -> patch logits."""
    depth(image_shape)  # validates the size
    image = keras.Input(image_shape, name="image")
    if conditional:
        target = keras.Input((*image_shape[:2],
                              target_channels or image_shape[-1]),
                             name="target")
        inputs = [image, target]
        x = layers.Concatenate()(inputs)
    else:
        inputs, x = image, image
    x = downsample(filters, norm, apply_norm=False, name="down1")(x)
    x = downsample(filters * 2, norm, name="down2")(x)
    x = downsample(filters * 4, norm, name="down3")(x)
    x = layers.ZeroPadding2D()(x)
    x = layers.Conv2D(filters * 8, KERNEL_SIZE, kernel_initializer=init(),
                      use_bias=False, name="conv4")(x)
    x = normalization(norm, name="conv4_norm")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.ZeroPadding2D()(x)
    logits = layers.Conv2D(1, KERNEL_SIZE, kernel_initializer=init(),
                           dtype="float32", name="patch_logits")(x)
    return keras.Model(inputs, logits, name=name)
