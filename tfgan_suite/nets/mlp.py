"""MLP generator and discriminator of Goodfellow et al. 2014.

G: rectifier hidden layers, noise only at the bottom layer. D: maxout hidden
layers with dropout. Used for toy 2-D data and flattened images.
"""

import math

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="tfgan_suite")
class Maxout(layers.Layer):
    """max over `pieces` affine maps: h_i = max_j (x W_ij + b_ij)
    (Goodfellow et al. 2013, "Maxout Networks")."""

    def __init__(self, units, pieces=5, **kwargs):
        super().__init__(**kwargs)
        self.units, self.pieces = int(units), int(pieces)
        self.dense = layers.Dense(self.units * self.pieces)

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
                "pieces": self.pieces}


def build_generator(data_shape, latent_dim=100, hidden=(256, 256),
                    output_activation="tanh", name="generator"):
    """z (latent_dim,) -> x `data_shape`, ReLU hidden layers."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i, units in enumerate(hidden):
        x = layers.Dense(units, activation="relu", name=f"hidden{i}")(x)
    x = layers.Dense(math.prod(data_shape), name="to_data")(x)
    x = layers.Activation(output_activation or "linear", dtype="float32")(x)
    x = layers.Reshape(tuple(data_shape), name="data")(x)
    return keras.Model(z, x, name=name)


def build_discriminator(data_shape, hidden=(256, 256), pieces=5, dropout=0.2,
                        name="discriminator"):
    """x `data_shape` -> one logit; maxout hidden layers with dropout."""
    x_in = keras.Input(tuple(data_shape), name="data")
    x = layers.Flatten()(x_in)
    for i, units in enumerate(hidden):
        x = Maxout(units, pieces, name=f"maxout{i}")(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    logits = layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(x_in, logits, name=name)
