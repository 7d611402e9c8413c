"""SAGAN nets (Zhang et al. 2019): self-attention and spectral normalization.

Both nets follow the authors' DCGAN-like SAGAN: G goes from a projection of z
up by stride-2 transposed convolutions (batch norm, ReLU, tanh output), D
down by stride-2 convolutions (LeakyReLU 0.1). Every convolution and dense
layer of **both** nets is wrapped in `keras.layers.SpectralNormalization`
(Miyato et al. 2018), and a `SelfAttention` block sits where the feature
maps are `attention_resolution` wide (default: half the image width, 16 for
32x32 images as in the paper).

Class-conditional nets (`num_classes`): G replaces its batch norms by
`ConditionalBatchNormalization` (per-class scale and shift) and D adds the
projection term <embed(y), phi(x)> to its logit (Miyato & Koyama 2018).
Keras' `SpectralNormalization` writes W / sigma(W) into the kernel in
training mode (one power iteration per call) rather than differentiating
through sigma; the projection embedding is not normalized (see below).

Sizes come from `dcgan.upsampling_levels`: 32x32 is reached from 4x4 by
three upsamplings, 64x64 by four, 128x128 by five.
"""

import keras
from keras import layers, ops

from tfgan_suite.nets.common import batch_norm, init

from tfgan_suite.nets.dcgan import KERNEL_SIZE, upsampling_levels



def sn(layer):
    """`layer` with spectral normalization of its kernel.

    The wrapper itself runs in float32, so its power iteration reads the
    float32 kernel and u under a mixed policy too (the wrapped layer still
    computes in float16/bfloat16; the wrapper returns float32). Under the
    mixed policy's float16, u W^T of N(0, 0.02) values underflows to 0 and
    normalizing it gives NaN, and the normalized kernel written back to the
    float32 variable would be rounded to float16 every step.
    """
    return layers.SpectralNormalization(layer, name=f"{layer.name}_sn",
                                        dtype="float32")


@keras.saving.register_keras_serializable(package="tfgan_suite")
class SelfAttention(layers.Layer):
    """Self-attention over all positions of a feature map (SAGAN, eq. 1-3).

    With f, g, h 1x1 convolutions (f, g to C/8 channels), the attention
    beta[i, j] = softmax_j(f(x_i) . g(x_j)) says how much output position i
    attends to position j; o_i = v(sum_j beta[i, j] h(x_j)) and the layer
    returns y = gamma * o + x, where the learned scalar gamma starts at 0, so
    the block starts as the identity and learns to lean on non-local cues.
    As in the authors' code, h has C/2 channels and v maps back to C.

    Args:
      spectral_norm: wrap f, g, h, v in `SpectralNormalization`.
      return_attention: also return beta, shape (N, H*W, H*W), rows summing
        to 1 (row i: query position i, in row-major order).
    """

    def __init__(self, spectral_norm=True, return_attention=False, **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = spectral_norm
        self.return_attention = return_attention

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels < 8:
            raise ValueError(f"{self.name}: expected at least 8 channels "
                             f"(queries use C/8), got {channels}")
        wrap = sn if self.spectral_norm else (lambda layer: layer)

        def conv(units, name):
            return wrap(layers.Conv2D(units, 1, use_bias=False,
                                      kernel_initializer=init(),
                                      dtype=self.dtype_policy, name=name))

        self.query = conv(channels // 8, "query")
        self.key = conv(channels // 8, "key")
        self.value = conv(channels // 2, "value")
        self.out = conv(channels, "out")
        for block, shape in ((self.query, input_shape),
                             (self.key, input_shape),
                             (self.value, input_shape),
                             (self.out, (*input_shape[:-1], channels // 2))):
            block.build(shape)
        self.gamma = self.add_weight(shape=(), initializer="zeros",
                                     name="gamma")

    def attention(self, x, training=False):
        """(beta, h(x)) of SAGAN eq. 1, beta in float32."""
        n = ops.shape(x)[0]
        positions = ops.shape(x)[1] * ops.shape(x)[2]
        q = ops.reshape(self.query(x, training=training), (n, positions, -1))
        k = ops.reshape(self.key(x, training=training), (n, positions, -1))
        v = ops.reshape(self.value(x, training=training), (n, positions, -1))
        # float32 softmax: float16 logits over H*W positions overflow.
        logits = ops.matmul(ops.cast(q, "float32"),
                            ops.transpose(ops.cast(k, "float32"), (0, 2, 1)))
        return ops.softmax(logits, axis=-1), v

    def call(self, x, training=False):
        beta, v = self.attention(x, training)
        o = ops.matmul(ops.cast(beta, v.dtype), v)
        o = ops.reshape(o, (*ops.shape(x)[:-1], -1))
        o = ops.cast(self.out(o, training=training), x.dtype)
        y = ops.cast(self.gamma, x.dtype) * o + x
        return (y, beta) if self.return_attention else y

    def compute_output_shape(self, input_shape):
        if not self.return_attention:
            return input_shape
        positions = input_shape[1] * input_shape[2]
        return input_shape, (input_shape[0], positions, positions)

    def get_config(self):
        return {**super().get_config(), "spectral_norm": self.spectral_norm,
                "return_attention": self.return_attention}


@keras.saving.register_keras_serializable(package="tfgan_suite")
class ConditionalBatchNormalization(layers.Layer):
    """Batch norm whose scale and shift are looked up by class label
    (de Vries et al. 2017; SAGAN's conditional G). Called on [x, labels]."""

    def __init__(self, num_classes, momentum=0.99, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)
        self.momentum = momentum
        self.epsilon = epsilon
        self.norm = batch_norm(
            name="norm", momentum=momentum, epsilon=epsilon, center=False,
            scale=False, dtype=self.dtype_policy)

    def build(self, input_shape):
        x_shape, _ = input_shape
        channels = x_shape[-1]
        self.norm.build(x_shape)
        self.scale = layers.Embedding(self.num_classes, channels,
                                      embeddings_initializer="ones",
                                      name="scale")
        self.shift = layers.Embedding(self.num_classes, channels,
                                      embeddings_initializer="zeros",
                                      name="shift")
        self.scale.build((None,))
        self.shift.build((None,))

    def call(self, inputs, training=False):
        x, labels = inputs
        x = self.norm(x, training=training)
        scale = ops.cast(self.scale(labels), x.dtype)[:, None, None, :]
        shift = ops.cast(self.shift(labels), x.dtype)[:, None, None, :]
        return x * scale + shift

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "momentum": self.momentum, "epsilon": self.epsilon}


def attention_width(image_shape, attention_resolution="auto"):
    """The width of the feature maps that get self-attention (None: none).

    "auto" is half the image width (16 for 32x32, 14 for 28x28), the
    largest map below the image itself; raises a ValueError if
    `attention_resolution` is not a width both nets pass through.
    """
    n, (_, s_w) = upsampling_levels(image_shape)
    widths = [s_w * 2 ** level for level in range(1, n)]
    if attention_resolution == "auto":
        return widths[-1]
    if attention_resolution is not None and attention_resolution not in widths:
        raise ValueError(f"attention_resolution: expected one of the feature "
                         f"map widths {widths} of a {image_shape} SAGAN, "
                         f"\"auto\" or None, got {attention_resolution}")
    return attention_resolution


def build_generator(image_shape, latent_dim=128, filters=64,
                    attention_resolution="auto", num_classes=None,
                    name="generator"):
    """z (or [z, label]) -> image in [-1, 1], spectrally normalized."""
    attention_resolution = attention_width(image_shape, attention_resolution)
    n, (s_h, s_w) = upsampling_levels(image_shape)
    z = keras.Input((latent_dim,), name="z")
    inputs = z
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        inputs = [z, label]

    def normalize(x, name):
        if num_classes:
            return ConditionalBatchNormalization(num_classes, name=name)(
                [x, label])
        return batch_norm(name=name)(x)

    x = sn(layers.Dense(s_h * s_w * filters * 2 ** n, use_bias=False,
                        kernel_initializer=init(), name="project"))(z)
    x = layers.Reshape((s_h, s_w, filters * 2 ** n))(x)
    x = layers.ReLU()(normalize(x, "project_bn"))
    for level in range(n - 1, 0, -1):
        x = sn(layers.Conv2DTranspose(
            filters * 2 ** level, KERNEL_SIZE, strides=2, padding="same",
            use_bias=False, kernel_initializer=init(), name=f"up{level}"))(x)
        x = layers.ReLU()(normalize(x, f"up{level}_bn"))
        if x.shape[2] == attention_resolution:
            x = SelfAttention(name="attention")(x)
    x = sn(layers.Conv2DTranspose(
        image_shape[-1], KERNEL_SIZE, strides=2, padding="same",
        kernel_initializer=init(), name="to_image"))(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(inputs, images, name=name)


def build_discriminator(image_shape, filters=64, attention_resolution="auto",
                        num_classes=None, name="discriminator"):
    """image (or [image, label]) -> one logit, spectrally normalized; with
    labels, logit = dense(phi(x)) + <embed(label), phi(x)>."""
    attention_resolution = attention_width(image_shape, attention_resolution)
    n, _ = upsampling_levels(image_shape, any_channels=True)
    images = keras.Input(image_shape, name="images")
    x = images
    for level in range(n):
        x = sn(layers.Conv2D(filters * 2 ** level, KERNEL_SIZE, strides=2,
                             padding="same", kernel_initializer=init(),
                             name=f"down{level}"))(x)
        x = layers.LeakyReLU(0.1)(x)
        if x.shape[2] == attention_resolution:
            x = SelfAttention(name="attention")(x)
    features = layers.Flatten(name="features")(x)
    logit = sn(layers.Dense(1, kernel_initializer=init(), name="logit"))(
        features)
    # The wrapper returns its input's dtype; the loss wants float32.
    logit = layers.Activation("linear", dtype="float32", name="logit_f32")(
        logit)
    if not num_classes:
        return keras.Model(images, logit, name=name)
    # Not spectrally normalized: the Keras wrapper casts an Embedding's
    # output to its int input dtype.
    label = keras.Input((), dtype="int32", name="label")
    embedded = layers.Embedding(num_classes, features.shape[-1],
                                embeddings_initializer=init(),
                                name="projection")(label)
    projection = layers.Dot(axes=1, dtype="float32")([embedded, features])
    logit = layers.Add(dtype="float32", name="logit_projected")(
        [logit, projection])
    return keras.Model([images, label], logit, name=name)
