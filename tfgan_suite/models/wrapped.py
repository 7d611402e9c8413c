"""Any Keras GAN, as it is: a `keras.Model` whose `train_step` returns a
dict of scalars and which has a `generator`, trained, sampled, evaluated
and exported by the suite.

A run's `model="module:NAME"` names a class or a function that returns
such a model (built, compiled or not; keras-io's GAN classes are of this
kind). `models.get` turns it into a `Factory`, and the factory's models are
`Wrapped`: a model of the suite whose step is the user's, untouched, and
whose other parts are the suite's (the step count and the EMA after every
step, samples and serving signatures from `generator`). A run records the
factory's name and arguments; every command rebuilds the model by calling
the factory again and restores the checkpoint, so a class without
`get_config` still resumes, samples, evaluates and exports.
"""

import importlib
import inspect
import os
import sys

import keras
import tensorflow as tf

from tfgan_suite.data.paired import DIRECTIONS
from tfgan_suite.models import arguments, ema, sampling
from tfgan_suite.models.base import AdversarialModel

#: The suite's own arguments of a wrapped model (the factory gets the rest).
SUITE_ARGS = {"value_range": arguments.DATA_RANGE, "ema_kimg": None,
              "ema_rampup": ema.RAMPUP, "ema_start": 0, "seed": None,
              "class_names": None}


def import_object(name):
    """The object `module:attr` names, its module imported from the working
    directory or PYTHONPATH; a ValueError naming what failed."""
    module_name, _, attr = name.partition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ValueError(f"model: cannot import module {module_name!r} of "
                         f"{name!r} from the working directory or PYTHONPATH"
                         f" ({e})") from None
    found = getattr(module, attr, None)
    if found is None:
        raise ValueError(f"model: module {module_name!r} has no {attr!r}")
    return found


def _parameters(fn):
    params = inspect.signature(fn).parameters.values()
    named = {p.name: (None if p.default is p.empty else p.default)
             for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD,
                                           p.KEYWORD_ONLY)}
    named.pop("self", None)
    return named, any(p.kind == p.VAR_KEYWORD for p in params)


class Factory:
    """A class or function `module:NAME` that returns a Keras GAN, as the
    runner and the commands use a model class: `init_args`,
    `arguments_for`, `data_kind`, calling it makes the (`Wrapped`) model."""

    DATA_ARGS = ("image_shape", "data_shape")
    NET_ARGS = ()
    presets = {}
    default_preset = None

    def __init__(self, name, make=None):
        self.name = name
        self.make = make or import_object(name)
        if not callable(self.make):
            raise ValueError(f"model: {name!r} is not a class or function "
                             f"(found {type(self.make).__name__})")
        self.__name__ = Wrapped.__name__
        self._kinds = {}  # data_kind's cache: {args: kind}

    def init_args(self):
        """{name: default}: the factory's arguments, and the suite's."""
        named, _ = _parameters(self.make)
        return {**named, **SUITE_ARGS}

    def data_kind(self, args=None):
        """"unpaired" for a model that translates both ways (its
        `translators`), "labelled" for one with `num_classes` (an argument,
        or an attribute of the model the factory makes), else "images"."""
        args = args or {}
        if args.get("num_classes"):
            return "labelled"
        key = repr(sorted(args.items()))
        if key not in self._kinds:
            made = build_inner(self.name, {
                k: v for k, v in args.items() if k not in SUITE_ARGS})
            self._kinds[key] = kind_of(made)
        return self._kinds[key]

    def arguments_for(self, source, **args):
        named, takes_any = _parameters(self.make)
        accepted = self.init_args()
        for key in args:
            if key not in accepted and not takes_any:
                raise ValueError(
                    f"{key}: not an argument of {self.name} (it takes "
                    f"{', '.join(named) or 'none'}; the suite adds "
                    f"{', '.join(SUITE_ARGS)}). Options such as augment, pack"
                    f" or a loss by name need a model of the suite's "
                    f"(tgs.models.AdversarialModel), whose train_step calls "
                    f"its helpers")
        return arguments.for_data(self, source, args)

    def __call__(self, **args):
        suite = {k: args.pop(k) for k in list(args) if k in SUITE_ARGS}
        return Wrapped(factory=self.name, factory_args=args, **suite)

    def from_config(self, config):
        config = dict(config)
        return Wrapped(**config)


def build_inner(factory, factory_args):
    """The user's model: `factory(**factory_args)`, checked against the
    contract (a keras.Model with a `generator` net of known inputs)."""
    make = import_object(factory)
    try:
        model = make(**factory_args)
    except TypeError as e:
        raise ValueError(f"model: {factory}({', '.join(factory_args)}) "
                         f"failed: {e}") from None
    if not isinstance(model, keras.Model):
        raise ValueError(f"model: {factory} returned a "
                         f"{type(model).__name__}, expected a keras.Model")
    nets = translators(model)
    if nets is not None and (set(nets) != set(DIRECTIONS) or not all(
            isinstance(net, keras.Model) for net in nets.values())):
        raise ValueError(
            f"model: {type(model).__name__}.translators must be "
            f"{{'a_to_b': net, 'b_to_a': net}} (keras.Models, images -> "
            f"images), got {nets!r}")
    if nets is None and not isinstance(generator_of(model), keras.Model):
        raise ValueError(
            f"model: {type(model).__name__} (from {factory}) has no "
            f"`generator` attribute holding a keras.Model (z -> images) "
            f"and no `translators`; set model.generator in your factory")
    return model


def translators(model):
    """{"a_to_b": net, "b_to_a": net} of a model that translates both ways
    between two domains (its `translators`), else None."""
    found = getattr(model, "translators", None)
    return dict(found) if isinstance(found, dict) else None


def kind_of(model):
    """What a user's model trains on: "unpaired" images of two domains for
    one that translates both ways (`translators`), "labelled" for one with
    `num_classes`, else "images"."""
    return ("unpaired" if translators(model) else
            "labelled" if getattr(model, "num_classes", None) else "images")


def generator_of(model):
    """The generator of a user's model, as the suite samples from it: the
    model's `sampler` (z, or [z, label] -> example, where its step's G
    takes other inputs), else its `generator`."""
    sampler = getattr(model, "sampler", None)
    return sampler if isinstance(sampler, keras.Model) else getattr(
        model, "generator", None)


@keras.saving.register_keras_serializable(package="tfgan_suite")
class Wrapped(AdversarialModel):
    """A Keras GAN of the user's, trained by its own `train_step`.

    The suite samples from the user's `generator` (z -> example), or from
    its `sampler` where the step's G takes other inputs (keras-io's
    conditional G takes z and a one-hot label concatenated); a model with
    `num_classes` samples by class from a `[z, label]` net.

    Args:
      factory: "module:NAME", a class or function returning the model.
      factory_args: its keyword arguments.
      value_range: what the model's G makes and its step takes, e.g.
        (0, 1) for keras-io's sigmoid G; data is given to `train_step` in
        it, samples are read from it.
      ema_kimg, ema_rampup, ema_start: an EMA of G, updated by the suite
        after every step (see `AdversarialModel`).
      seed: seed of the suite's own noise (the EMA's standing statistics).
      class_names: the names of a conditional model's classes (read from
        the data).
    """

    discriminator_optional = True
    tracked = ()

    def __init__(self, factory, factory_args=None,
                 value_range=arguments.DATA_RANGE, ema_kimg=None,
                 ema_rampup=ema.RAMPUP, ema_start=0,
                 seed=None, class_names=None, **kwargs):
        factory_args = dict(factory_args or {})
        inner = build_inner(factory, factory_args)
        discriminator = getattr(inner, "discriminator", None)
        # Class-conditional: the user's model says how many classes (its
        # `num_classes`), and its sampling net takes [z, label].
        object.__setattr__(self, "num_classes",
                           getattr(inner, "num_classes", None))
        nets = translators(inner)
        # What it trains on, known before the base's checks read it.
        object.__setattr__(self, "_tgs_kind", kind_of(inner))
        object.__setattr__(self, "_tgs_translators", nets)
        object.__setattr__(self, "directions", DIRECTIONS if nets else None)
        if nets and ema_kimg is not None:
            raise ValueError(
                f"ema_kimg: the suite averages a generator of noise, and "
                f"{type(inner).__name__} translates (its translators); drop "
                f"ema_kimg")
        super().__init__(
            generator=nets["a_to_b"] if nets else generator_of(inner),
            discriminator=(discriminator if isinstance(discriminator,
                                                       keras.Model) else None),
            seed=seed, value_range=value_range, ema_kimg=ema_kimg,
            ema_rampup=ema_rampup, ema_start=ema_start,
            class_names=class_names, **kwargs)
        self.factory = factory
        self.factory_args = factory_args
        self.inner = inner

    def shapes_of_nets(self, generator, discriminator, latent_dim=None,
                       data_shape=None):
        """(latent_dim, data shape) read from G alone: z -> example."""
        inputs = generator.inputs
        if self._tgs_translators:  # images -> images.
            return None, tuple(generator.outputs[0].shape[1:])
        wanted = 2 if self.num_classes else 1
        if len(inputs) != wanted:
            raise ValueError(
                f"generator: the suite samples a model with "
                f"num_classes={self.num_classes} from a net with {wanted} "
                f"input{'s ([z, label])' if wanted == 2 else ' (z)'}, got "
                f"one with inputs {[tuple(x.shape) for x in inputs]}; give "
                f"the model a `sampler` net of that signature")
        return (int(inputs[0].shape[-1]),
                tuple(generator.outputs[0].shape[1:]))

    @classmethod
    def init_args(cls):
        return {"factory": None, "factory_args": None, **SUITE_ARGS}

    def get_config(self):
        return {"factory": self.factory, "factory_args": self.factory_args,
                "value_range": self.value_range, "ema_kimg": self.ema_kimg,
                "ema_rampup": self.ema_rampup, "ema_start": self.ema_start,
                "seed": self.seed,
                "class_names": self.class_names, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # ----------------------------------------------------------- compile
    def compile(self, jit_compile="auto", steps_per_execution=1,
                run_eagerly=False, **inner_args):
        """Compiles the user's model with `inner_args` when given (or when
        it is not compiled yet), then this wrapper, and builds the user's
        optimizers (`build_optimizers`), so that a checkpoint or a `.keras`
        file restores their state into a model rebuilt by its factory."""
        inner_args = {k: v for k, v in inner_args.items() if v is not None}
        if inner_args or not self.inner.compiled:
            named, takes_any = _parameters(self.inner.compile)
            unknown = [k for k in inner_args if k not in named]
            if unknown and not takes_any:
                raise ValueError(
                    f"{unknown[0]}: {type(self.inner).__name__}.compile takes "
                    f"{', '.join(named) or 'no arguments'}; compile the model "
                    f"in {self.factory} or drop {', '.join(unknown)}")
            try:
                self.inner.compile(**inner_args)
            except TypeError as e:
                raise ValueError(
                    f"compile: {type(self.inner).__name__}.compile() needs "
                    f"arguments ({e}); compile the model in {self.factory}, "
                    f"which then returns it compiled") from None
        keras.Model.compile(self, jit_compile=jit_compile,
                            steps_per_execution=steps_per_execution,
                            run_eagerly=run_eagerly)
        self._jit_compile_arg = jit_compile
        self.build_optimizers()

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {"jit_compile": self._jit_compile_arg,
                "steps_per_execution": self.steps_per_execution}

    def compile_from_config(self, config):
        """Compiles (Keras' own skips a custom `compile`)."""
        self.compile(**config)

    def build_optimizers(self):
        """Traces `train_step` once on batches of the model's examples
        (nothing runs): the user's optimizers create their variables."""
        images = tf.TensorSpec([None, *self.data_shape], tf.float32)
        spec = ((images, images) if self._tgs_translators else
                (images, tf.TensorSpec([None], tf.int32)) if self.num_classes
                else images)
        tf.function(self.train_step).get_concrete_function(spec)

    def optimizers(self):
        """Every optimizer the user's model holds as an attribute."""
        return [value for value in vars(self.inner).values()
                if isinstance(value, keras.optimizers.Optimizer)]

    # -------------------------------------------------------------- step
    @property
    def metrics(self):
        return self.inner.metrics

    def data_kind(self, args=None):
        """What the user's model trains on (`kind_of`)."""
        return self._tgs_kind

    def train_step(self, data):
        """The user's `train_step`, on images in its `value_range`: the
        data Keras gives a step (`train_on_batch(x)`'s `(x, None, None)`
        too), its float tensors converted."""
        data = tf.nest.map_structure(
            lambda x: self.in_value_range(x)
            if x is not None and tf.as_dtype(x.dtype).is_floating else x,
            data)
        logs = self.inner.train_step(data)
        if not isinstance(logs, dict) or not logs:
            raise ValueError(
                f"train_step: {type(self.inner).__name__}.train_step must "
                f"return a dict of scalars (its logs), got "
                f"{type(logs).__name__}")
        for key, value in logs.items():
            if tf.convert_to_tensor(value).shape.rank not in (0, None):
                raise ValueError(
                    f"train_step: {type(self.inner).__name__}.train_step "
                    f"returned {key!r} of shape {value.shape}, expected a "
                    f"scalar")
        return logs

    # --------------------------------------------------------- translation
    def output_net(self, direction=None):
        """The user's net of `direction` (one of its `translators`) for a
        model that translates both ways, else the base's: G, or its EMA
        average."""
        if not self._tgs_translators:
            return super().output_net(direction)
        if direction not in DIRECTIONS:
            raise ValueError(f"direction: expected one of {DIRECTIONS}, got "
                             f"{direction!r}")
        return self._tgs_translators[direction]

    def picture_rows(self, examples):
        """Round trips A -> B -> A and B -> A -> B (`sampling.round_trips`)."""
        return sampling.round_trips(self, examples)

    def generate(self, *args, **kwargs):
        if self._tgs_translators:
            raise ValueError(f"generate: {type(self.inner).__name__} "
                             f"translates images; use translate_uint8(images,"
                             f" direction='a_to_b' or 'b_to_a')")
        return super().generate(*args, **kwargs)
