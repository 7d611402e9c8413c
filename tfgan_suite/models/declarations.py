"""What a model declares for the rest of the suite, and its arguments:
the registry name, presets, the data it trains on, its constructor
arguments (`init_args`, `arguments_for`, `from_data`, `from_preset`),
handed-in nets checked against each other, and what a `.keras` file keeps
of it (`get_config` / `from_config`, `get_compile_config` /
`compile_from_config`).

`Declarations` is a base of `AdversarialModel`; the training core itself
is in `models.base`.
"""

import functools
import inspect

import keras
import numpy as np

from tfgan_suite.models import arguments
from tfgan_suite.nets import common as nets_common


class _ClassOrModel:
    """A classmethod of constructor `args` that, called on a model, passes
    the model's own arguments that decide it (`num_classes`)."""

    def __init__(self, method):
        self.method = method
        functools.update_wrapper(self, method)

    def __get__(self, model, cls):
        if model is None:
            return functools.partial(self.method, cls)
        return functools.partial(self.method, cls,
                                 {"num_classes": model.num_classes})


class Declarations:
    """A model's declarations and arguments (see the module docstring)."""

    #: Constructor arguments that hand in nets (never set by name in a
    #: run's config), each kept as the attribute of its name (a model with
    #: more nets, as CycleGAN's four, lists them all).
    NET_ARGS = ("generator", "discriminator")
    #: The name `models.get` (a run's `model`) knows the model by (None:
    #: reachable only as "module:Class").
    cli_name = None
    #: {name: {"model_args", "compile", "data", "train"}}: configurations
    #: of the model by name (`from_preset`, a run's `preset`).
    presets = {}
    #: The preset a run of the model starts from when given none
    #: (`presets.default_for`).
    default_preset = None
    #: Constructor arguments that describe the data (read from the data or
    #: the nets, never chosen freely).
    DATA_ARGS = ("image_shape", "data_shape")
    #: Whether a handed-in G may come without a D (a wrapped model's D is
    #: its own business).
    discriminator_optional = False
    #: Default data shape of the built-in nets.
    default_data_shape = (28, 28, 1)
    #: Default latent length of the built-in nets.
    default_latent_dim = 100
    #: Number of classes of a class-conditional model (None: unconditional).
    num_classes = None
    #: The losses drawn in the run's `losses.png` (None: every tracked one).
    plotted = None

    @property
    def d_input_shape(self):
        """The shape of one input of D: one example, or one pack of `pack`
        examples (`nets.common.packed_shape`)."""
        return nets_common.packed_shape(self.data_shape, self.pack)

    def nets(self, generator, discriminator, latent_dim, data_shape):
        """(generator, discriminator) of the model: the handed-in nets,
        checked, with `latent_dim` and `data_shape` read from them; or,
        with none handed in, the model's own (`build_nets`) for the given
        shapes or the defaults. Sets `own_nets`, `latent_dim` and
        `data_shape`."""
        if (generator is None) != (discriminator is None) and not (
                generator is not None and self.discriminator_optional):
            raise ValueError("generator, discriminator: hand in both nets or "
                             "neither (None builds the model's own)")
        self.own_nets = generator is not None
        if self.own_nets:
            generator = as_net(generator, "generator")
            if discriminator is not None:
                discriminator = as_net(discriminator, "discriminator")
            self.latent_dim, self.data_shape = self.shapes_of_nets(
                generator, discriminator, latent_dim, data_shape)
        else:
            self.latent_dim = (self.default_latent_dim if latent_dim is None
                               else latent_dim)
            self.data_shape = tuple(data_shape or self.default_data_shape)
        if self.latent_dim is not None:
            self.latent_dim = arguments.integer("latent_dim", self.latent_dim)
        if not self.own_nets:
            generator, discriminator = self.built_nets()
        return generator, discriminator

    def built_nets(self, *args):
        """`build_nets(*args)` under the model's own dtype policy: the
        global one when the model is made, the saved one when it is loaded
        (`from_config`), so that a model trained under mixed precision
        loads as it trained."""
        with nets_common.dtype_policy(self.dtype_policy):
            return self.build_nets(*args)

    def build_nets(self):
        """(generator, discriminator): the model's own nets, built from its
        hyperparameters when none are handed in."""
        raise ValueError(f"{type(self).__name__}: has no built-in nets; hand "
                         f"in generator= and discriminator=")

    def shapes_of_nets(self, generator, discriminator, latent_dim=None,
                       data_shape=None):
        """(latent_dim, data_shape) read from handed-in nets; raises a
        ValueError naming both shapes when they do not fit together."""
        g_inputs = [tuple(x.shape) for x in generator.inputs]
        d_inputs = [tuple(x.shape) for x in discriminator.inputs]
        wanted = 2 if self.num_classes else 1
        for net, inputs in (("generator", g_inputs),
                            ("discriminator", d_inputs)):
            if len(inputs) != wanted:
                raise ValueError(
                    f"{net}: {type(self).__name__}"
                    f"{f' with num_classes={self.num_classes}' if self.num_classes else ''}"
                    f" needs a net with {wanted} input"
                    f"{'s ([x, label])' if wanted == 2 else ''}, got one "
                    f"with inputs {inputs}")
        found_latent = g_inputs[0][-1]
        found_shape = tuple(generator.outputs[0].shape[1:])
        wanted_d = nets_common.packed_shape(found_shape, self.pack)
        if tuple(d_inputs[0][1:]) != wanted_d:
            raise ValueError(
                f"generator, discriminator: G makes examples of shape "
                f"{found_shape}, so D must take "
                f"{f'packs of {self.pack}, ' if self.pack > 1 else ''}"
                f"{wanted_d}, but it takes {tuple(d_inputs[0][1:])}")
        for name, given, found in (("latent_dim", latent_dim, found_latent),
                                   ("data shape", data_shape, found_shape)):
            if given is not None and tuple(np.atleast_1d(given)) != tuple(
                    np.atleast_1d(found)):
                raise ValueError(f"{name}: given as {given}, but the "
                                 f"generator's is {found}")
        return found_latent, found_shape

    @classmethod
    def init_args(cls):
        """{name: default} of the keywords `cls(...)` takes, the nets
        excepted (`models.arguments.init_args`)."""
        base = next(k for k in cls.__mro__ if "COMMON_ARGS" in vars(k))
        return arguments.init_args(cls, base)

    @_ClassOrModel
    def data_kind(cls, args=None):
        """What the model (of constructor `args`, on the class) trains on:
        "images" (or any unlabelled examples), "labelled" ((examples, int
        labels)) or "pairs" ((input, target) images). Override it as a
        classmethod."""
        args = args or {}
        num_classes = args.get("num_classes",
                               cls.init_args().get("num_classes"))
        return "labelled" if num_classes else "images"

    @classmethod
    def arguments_for(cls, source, **args):
        """The constructor arguments of the model for `source` (a
        `tgs.data.Source`): `args`, with its data shape (and classes) read
        from the data. Raises ValueError where `args` contradict the data
        or name no argument of the model."""
        return arguments.for_data(cls, source, args)

    @classmethod
    def from_data(cls, source, **args):
        """The model for `source`: `cls(**cls.arguments_for(source, **args))`."""
        return cls(**cls.arguments_for(source, **args))

    @classmethod
    def from_preset(cls, name, **args):
        """The model of preset `name`, built and compiled with the preset's
        settings; `args` override its constructor arguments.

            gan = tgs.models.SAGAN.from_preset("cifar10_horse_sagan")
        """
        from tfgan_suite.models import presets
        preset = presets.get(name)
        model_cls = preset["model_class"]
        if not issubclass(model_cls, cls):
            raise ValueError(f"preset: {name} is a preset of "
                             f"{model_cls.__name__}, not of {cls.__name__}")
        model = model_cls(**{**preset["model_args"], **args})
        model.compile(**preset["compile"])
        return model

    def get_config(self):
        """The constructor arguments: every hyperparameter is stored as an
        attribute of its own name, the data argument (`DATA_ARGS`: the
        image models' `image_shape`) as `data_shape`, and the nets when
        handed in."""
        config = super().get_config()
        for name in self.init_args():
            kept = "data_shape" if name in self.DATA_ARGS else name
            if hasattr(self, kept):
                config[name] = getattr(self, kept)
        if self.own_nets:
            config.update({key: keras.saving.serialize_keras_object(
                getattr(self, key)) for key in self.NET_ARGS})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if not any(p.kind == p.VAR_KEYWORD for p in inspect.signature(
                cls.__init__).parameters.values()):
            # A constructor without **kwargs takes no Keras base arguments
            # (name, trainable, dtype).
            accepted = {*cls.init_args(), *cls.NET_ARGS}
            config = {k: v for k, v in config.items() if k in accepted}
        for key in cls.NET_ARGS:
            if isinstance(config.get(key), dict):
                config[key] = keras.saving.deserialize_keras_object(
                    config[key])
        return cls(**config)

    def get_compile_config(self):
        """The arguments of `compile`, for a `.keras` file."""
        if not self.compiled:
            return {}
        return {
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "loss": self._adversarial_loss.name,
            "jit_compile": self._jit_compile_arg,
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)


def as_net(net, name):
    """`net` if it is a keras.Model with known inputs, else a ValueError."""
    if not isinstance(net, keras.Model):
        raise ValueError(f"{name}: expected a keras.Model, got "
                         f"{type(net).__name__}")
    try:
        net.inputs and net.outputs
    except (AttributeError, ValueError):
        net = None
    if net is None or not net.inputs:
        raise ValueError(
            f"{name}: expected a net with known input shapes (a functional "
            f"model, or a Sequential that starts with keras.Input)")
    return net
