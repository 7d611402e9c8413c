"""What the nets share: the GAN weight initialisation and batch norm that
stays exact under `tf.distribute` and runs on half-precision activations
under a mixed precision policy."""

import contextlib

import keras
import tensorflow as tf
from keras import layers


@contextlib.contextmanager
def dtype_policy(policy):
    """Keras' global dtype policy set to `policy` (a name or a
    `keras.DTypePolicy`) inside, the one before it restored after: layers
    made inside compute in `policy`."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def init():
    """N(0, 0.02), the initialisation of DCGAN, SAGAN and pix2pix."""
    return keras.initializers.RandomNormal(stddev=0.02)


@keras.saving.register_keras_serializable(package="tfgan_suite")
class BatchNormalization(layers.BatchNormalization):
    """Keras' batch normalization (Ioffe & Szegedy 2015, Algorithm 1), with
    the same weights, statistics and results; in training under a mixed
    precision policy it normalizes with TensorFlow's fused kernel.

    y = gamma (x - mu_B) / sqrt(sigma_B^2 + epsilon) + beta, mu_B and
    sigma_B^2 the batch's mean and (biased) variance per channel; the
    moving statistics follow m <- momentum m + (1 - momentum) s_B. Keras
    casts bfloat16 / float16 activations to float32 and computes this in
    about ten separate float32 ops (and as many in the gradient); the fused
    kernel (`FusedBatchNormV3`, one op each way) reads the half-precision
    activations and accumulates the statistics in float32 itself. float32
    policies, inference, masks, renormalization and synchronized statistics
    take Keras' own path.
    """

    def call(self, inputs, training=None, mask=None):
        if not (training and self.trainable and mask is None
                and not self.renorm and not self.synchronized
                and inputs.dtype in (tf.bfloat16, tf.float16)
                and self.axis in (-1, len(inputs.shape) - 1)):
            return super().call(inputs, training=training, mask=mask)
        channels = inputs.shape[-1]
        # The fused kernel takes NHWC: other ranks as N' x 1 x 1 x C.
        x = (inputs if len(inputs.shape) == 4
             else tf.reshape(inputs, (-1, 1, 1, channels)))
        y, mean, variance, *_ = tf.raw_ops.FusedBatchNormV3(
            x=x,
            scale=self.gamma if self.scale else tf.ones([channels]),
            offset=self.beta if self.center else tf.zeros([channels]),
            mean=tf.constant([], tf.float32),
            variance=tf.constant([], tf.float32), epsilon=self.epsilon,
            exponential_avg_factor=1.0, data_format="NHWC",
            is_training=True)
        # The kernel returns the unbiased variance; Keras averages the
        # biased one, the variance it normalized with.
        n = tf.cast(tf.size(x) // channels, tf.float32)
        variance = variance * ((n - 1.0) / n)
        self.moving_mean.assign(self.moving_mean * self.momentum
                                + mean * (1.0 - self.momentum))
        self.moving_variance.assign(self.moving_variance * self.momentum
                                    + variance * (1.0 - self.momentum))
        if x is not inputs:
            y = tf.reshape(y, tf.shape(inputs))
            y.set_shape(inputs.shape)
        return y


def batch_norm(name=None, **kwargs):
    """`BatchNormalization`, synchronized across replicas when built under a
    multi-replica strategy: each replica then normalizes with the statistics
    of the global batch, so a step on N devices equals a step on one."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return BatchNormalization(synchronized=replicas > 1, name=name, **kwargs)


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


def as_in_training(net, inputs):
    """`net(inputs)` in training mode -- as a training step computes it:
    batch normalization on the batch's own statistics -- with the net's
    state (moving statistics, spectral-norm vectors, dropout seeds) left
    as it was: a measurement does not train."""
    state = [v.numpy() for v in net.non_trainable_variables]
    try:
        return net(inputs, training=True)
    finally:
        for variable, value in zip(net.non_trainable_variables, state):
            variable.assign(value)
