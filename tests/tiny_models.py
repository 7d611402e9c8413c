"""Tiny instances of every registered model, and tiny data of their kind.

`tiny(name)` builds the model registered as `name` with its smallest
practical arguments: an entry of `TINY` where the model has one, else a
generic guess from its constructor (`generic_args`), so a new model file
is covered by the tests that loop over `tgs.models.MODELS` (the model
harness, `tests/models/test_harness.py`) with no change here. `VARIANTS`
names other settings of a model those tests also run.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite import models
from tfgan_suite.models.arguments import TRANSLATION_KINDS

#: Smallest practical constructor arguments by `cli_name`.
TINY = {
    # Two D steps per G step (Algorithm 1's k).
    "gan": {"data_shape": (2,), "latent_dim": 2, "hidden": (16, 16),
            "d_steps": 2},
    "dcgan": {"image_shape": (28, 28, 1), "latent_dim": 8, "filters": 4},
    "cgan": {"image_shape": (28, 28, 1), "num_classes": 3, "latent_dim": 8,
             "filters": 4},
    "wgan_gp": {"image_shape": (28, 28, 1), "latent_dim": 8, "filters": 4,
                "d_steps": 2},
    "sagan": {"image_shape": (32, 32, 3), "latent_dim": 8, "filters": 8},
    "r3gan": {"image_shape": (28, 28, 1), "latent_dim": 8, "filters": 4,
              "blocks": 1},
    "pix2pix": {"image_shape": (32, 32, 3), "filters": 4},
    "cyclegan": {"image_shape": (32, 32, 3), "filters": 4, "n_blocks": 0,
                 "pool_size": 3},
}

#: Other settings of a model, by a name of their own: (`cli_name`,
#: arguments over its tiny ones).
VARIANTS = {
    # Conditional batch norm in G, a projection D.
    "sagan_conditional": ("sagan", {"num_classes": 3}),
    # Label embeddings in G, a projection D.
    "r3gan_conditional": ("r3gan", {"num_classes": 3}),
}

#: A data shape other than the tiny one that the built-in nets also take
#: (for mismatched-net tests), by `cli_name`.
OTHER_SHAPE = {"gan": (3,), "sagan": (28, 28, 1), "pix2pix": (64, 64, 3),
               "cyclegan": (32, 64, 3)}

#: Generic small values for constructor arguments of models without an
#: entry in `TINY`.
_GENERIC = {"latent_dim": 8, "filters": 8, "hidden": (16, 16),
            "num_classes": 3}


def generic_args(cls):
    """Small constructor arguments for a model class without a `TINY` entry:
    small widths and latent size, 28x28x1 images (64x64x3 for models that
    translate)."""
    accepted = cls.init_args()
    args = {k: v for k, v in _GENERIC.items() if k in accepted
            and (k != "num_classes" or accepted[k] is not None)}
    shape = ((64, 64, 3) if cls.data_kind(args) in TRANSLATION_KINDS
             else (28, 28, 1))
    for key in cls.DATA_ARGS:
        if key in accepted:
            args[key] = shape
            break
    return args


def model_name(name):
    """The `cli_name` of a model or of a variant's model."""
    return VARIANTS[name][0] if name in VARIANTS else name


def tiny_args(name, **overrides):
    """The tiny constructor arguments of a model or variant `name`, with
    `overrides`."""
    if name in VARIANTS:
        name, variant = VARIANTS[name]
        overrides = {**variant, **overrides}
    base = TINY[name] if name in TINY else generic_args(models.get(name))
    return {**base, **overrides}


def tiny(name, **overrides):
    """The tiny model `name` (a model's or a variant's; not compiled)."""
    return models.get(model_name(name))(**tiny_args(name, **overrides))


def eager(name, **overrides):
    """The tiny model `name`, compiled with its defaults to run eagerly
    (its steps cost no tracing; the harness checks compiled steps equal
    eager ones)."""
    model = tiny(name, **overrides)
    model.compile(run_eagerly=True)
    return model


def other_shape(name):
    """A data shape other than `tiny(name)`'s that its nets also take."""
    if name in OTHER_SHAPE:
        return OTHER_SHAPE[name]
    shape = tuple(tiny(name).data_shape)
    return (32, 32, 3) if shape == (28, 28, 1) else (28, 28, 1)


def shape_args(model, shape):
    """The constructor argument that sets `model`'s data shape to `shape`."""
    accepted = type(model).init_args()
    key = next(k for k in type(model).DATA_ARGS if k in accepted)
    return {key: shape}


def examples(model, n, seed=0):
    """n random examples of the model's `kind`, float32 in [-1, 1]: images,
    (images, labels), (inputs, targets) or unpaired (a, b)."""
    rng = np.random.default_rng(seed)
    shape = tuple(model.data_shape)
    x = rng.uniform(-1, 1, (n, *shape)).astype("float32")
    if model.data_kind() == "pairs":
        return x, -x
    if model.data_kind() == "unpaired":
        return x, rng.uniform(-1, 1, (n, *shape)).astype("float32")
    if model.data_kind() == "labelled":
        return x, (np.arange(n) % model.num_classes).astype("int32")
    return x


def batches(model, n=8, steps=3, seed=0):
    """A `tf.data.Dataset` of `steps` batches of n examples (n * d_steps for
    models that take k D steps per G step)."""
    size = n * getattr(model, "d_steps", 1)
    return tf.data.Dataset.from_tensor_slices(
        examples(model, size * steps, seed)).batch(size)


def rewrap(net, name):
    """`net` inside a new functional model of the user's (nested)."""
    inputs = [keras.Input(shape=tuple(x.shape[1:]), dtype=x.dtype,
                          name=f"{name}_in{i}")
              for i, x in enumerate(net.inputs)]
    outputs = net(inputs if len(inputs) > 1 else inputs[0])
    return keras.Model(inputs, outputs, name=name)


def user_nets(name, **overrides):
    """{net argument: net} (generator, discriminator, and a model's other
    `NET_ARGS`): the nets of a tiny built-in `name`, re-wrapped as a
    user's own functional models."""
    model = tiny(name, **overrides)
    return {key: rewrap(getattr(model, key), f"user_{key}")
            for key in model.NET_ARGS}


def net_free_args(name, **overrides):
    """`tiny_args` without the arguments the nets determine (data shape,
    latent size) nor those of the built-in nets only."""
    drop = set(models.get(model_name(name)).DATA_ARGS) | {"latent_dim", "filters",
                                              "hidden", "attention_resolution",
                                              "norm", "output_activation",
                                              "n_blocks"}
    return {k: v for k, v in tiny_args(name, **overrides).items()
            if k not in drop}
