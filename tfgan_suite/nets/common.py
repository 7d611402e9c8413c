"""What the nets share: the GAN weight initialisation and batch norm that
stays exact under `tf.distribute`."""

import keras
import tensorflow as tf
from keras import layers


def init():
    """N(0, 0.02), the initialisation of DCGAN, SAGAN and pix2pix."""
    return keras.initializers.RandomNormal(stddev=0.02)


def batch_norm(name=None, **kwargs):
    """`BatchNormalization`, synchronized across replicas when built under a
    multi-replica strategy: each replica then normalizes with the statistics
    of the global batch, so a step on N devices equals a step on one."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return layers.BatchNormalization(synchronized=replicas > 1, name=name,
                                     **kwargs)


def packed_shape(shape, m):
    """The shape of one pack of m examples of `shape` (PacGAN, Lin et al.
    2018): vectors concatenated, (d,) -> (m * d,); images stacked on the
    channels, (H, W, C) -> (H, W, m * C)."""
    shape = tuple(shape)
    return (*shape[:-1], m * shape[-1])


def pack(x, m):
    """A batch of n examples as n / m packs of m consecutive examples, each
    pack one input of `packed_shape` for a packed discriminator (PacGAN,
    Lin et al. 2018, Sec. 3: D sees m samples of one distribution jointly).
    Pack j holds examples j*m .. j*m + m - 1; example i of a pack fills
    features (channels) i*d .. (i+1)*d - 1. m = 1 returns x unchanged.

    Raises ValueError (or, for a batch size known only when it runs,
    InvalidArgumentError) when n is not a multiple of m.
    """
    if m == 1:
        return x
    n = x.shape[0]
    message = (f"batch_size: {{}} examples do not split into packs of "
               f"pack={m} (the packed D takes {m} samples at once); use a "
               f"batch size that is a multiple of {m}")
    if n is not None and n % m:
        raise ValueError(message.format(n))
    if n is None:
        with tf.control_dependencies([tf.debugging.assert_equal(
                tf.shape(x)[0] % m, 0, message=message.format("the"))]):
            x = tf.identity(x)
    shape = tuple(x.shape[1:])  # the examples' shape is known statically.
    x = tf.reshape(x, (-1, m, *shape))
    # (n/m, m, ..., C) -> (n/m, ..., m, C): sample i's channels side by side.
    rank = len(shape)
    x = tf.transpose(x, [0, *range(2, rank + 1), 1, rank + 1])
    return tf.reshape(x, (-1, *packed_shape(shape, m)))
