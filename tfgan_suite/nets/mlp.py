"""MLP generator and discriminator of Goodfellow et al. 2014.

G: rectifier hidden layers, noise only at the bottom layer. D: maxout hidden
layers with dropout. Used for toy 2-D data and flattened images. Options
for PacGAN's 2-D nets (Lin et al. 2018): batch norm in G, no dropout in D,
N(0, 0.02) weights.
"""

import math

import keras
from keras import layers, ops

from tfgan_suite.nets import common


@keras.saving.register_keras_serializable(package="tfgan_suite")
class Maxout(layers.Layer):
    """max over `pieces` affine maps: h_i = max_j (x W_ij + b_ij)
    (Goodfellow et al. 2013, "Maxout Networks")."""

    def __init__(self, units, pieces=5, kernel_initializer="glorot_uniform",
                 **kwargs):
        super().__init__(**kwargs)
        self.units, self.pieces = int(units), int(pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.dense = layers.Dense(self.units * self.pieces,
                                  kernel_initializer=self.kernel_initializer)

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, x):
        h = self.dense(x)
        h = ops.reshape(h, (-1, self.units, self.pieces))
        return ops.max(h, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "pieces": self.pieces, "kernel_initializer":
                    keras.initializers.serialize(self.kernel_initializer)}


def _kernel(weight_std):
    """Keras' default initialisation, or N(0, weight_std)."""
    return ("glorot_uniform" if weight_std is None else
            keras.initializers.RandomNormal(stddev=weight_std))


def build_generator(data_shape, latent_dim=100, hidden=(256, 256),
                    output_activation="tanh", batch_norm=False,
                    weight_std=None, name="generator"):
    """z (latent_dim,) -> x `data_shape`, ReLU hidden layers; with
    `batch_norm`, each hidden layer is linear (no bias) -> batch norm ->
    ReLU, as PacGAN's 2-D generator (its population statistics averaged
    with momentum 0.95, as its code does). `weight_std`: N(0, std) weights
    (None: Glorot uniform)."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i, units in enumerate(hidden):
        if batch_norm:
            x = layers.Dense(units, use_bias=False, name=f"hidden{i}",
                             kernel_initializer=_kernel(weight_std))(x)
            x = common.batch_norm(momentum=0.95, name=f"norm{i}")(x)
            x = layers.ReLU(name=f"relu{i}")(x)
        else:
            x = layers.Dense(units, activation="relu", name=f"hidden{i}",
                             kernel_initializer=_kernel(weight_std))(x)
    x = layers.Dense(math.prod(data_shape), name="to_data",
                     kernel_initializer=_kernel(weight_std))(x)
    x = layers.Activation(output_activation or "linear", dtype="float32")(x)
    x = layers.Reshape(tuple(data_shape), name="data")(x)
    return keras.Model(z, x, name=name)


def build_discriminator(data_shape, hidden=(256, 256), pieces=5, dropout=0.2,
                        weight_std=None, name="discriminator"):
    """x `data_shape` (one example, or one pack of a packed D) -> one
    logit; maxout hidden layers, each followed by dropout unless 0."""
    x_in = keras.Input(tuple(data_shape), name="data")
    x = layers.Flatten()(x_in)
    for i, units in enumerate(hidden):
        x = Maxout(units, pieces, kernel_initializer=_kernel(weight_std),
                   name=f"maxout{i}")(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    logits = layers.Dense(1, dtype="float32", name="logit",
                          kernel_initializer=_kernel(weight_std))(x)
    return keras.Model(x_in, logits, name=name)
