"""A run's config: which model, its arguments, how it compiles, its data,
how long it trains and what it writes along the way, as a frozen
dataclass (`RunConfig`) with one section per concern (`Compile`, `Data`,
`Train`); `config.json` of a run folder is its `to_json`.

    config = tgs.runs.make_config("fashion_mnist_dcgan", epochs=1)
    config.train.epochs, config.data.batch_size, config.model_args
    config = tgs.runs.resume_config("runs/x", steps=2000)

A config is never changed in place: `make_config`, `resume_config` and
`with_fields(config, epochs=3)` return a new one. `FIELDS` is the one
list of the sections' fields: `make_config` routes a flat override to its
section by it, the command line makes one flag of each, and `RESUMABLE`
names those a resumed run may change.
"""

import contextlib
import dataclasses
import json
import math
import os
from typing import Any

import tensorflow as tf
from absl import logging

from tfgan_suite import files, models
from tfgan_suite.errors import ArgumentError, FileError
from tfgan_suite.models import presets
from tfgan_suite.nets import common as nets_common
from tfgan_suite.runs import layout


@dataclasses.dataclass(frozen=True)
class Compile:
    """How the model is compiled: `Model.compile`'s arguments (None: the
    model's default), and optimizer settings put into its optimizers
    (`OPTIMIZER_SETTINGS`)."""

    loss: str | None = None
    g_optimizer: Any = None  # a Keras optimizer, its config dict or name.
    d_optimizer: Any = None
    g_learning_rate: float | None = None
    d_learning_rate: float | None = None
    beta_1: float | None = None
    beta_2: float | None = None
    jit_compile: bool | None = None
    steps_per_execution: int | None = None


@dataclasses.dataclass(frozen=True)
class Data:
    """What the run trains on: a data source by name (`tgs.data.SOURCES`),
    its options (None: the source's default), the batch size and an
    optional seeded subset of `max_images` examples."""

    dataset: str = "fashion_mnist"
    batch_size: int = 128
    split: str = "train"
    classes: Any = None
    data_dir: str | None = None
    image_size: Any = None
    channels: int | None = None
    holdout: float | None = None
    direction: str | None = None
    resize: str | None = None
    skip_bad_files: bool | None = None
    max_images: int | None = None

    def source_options(self):
        """{option: value} of the source options that are set, besides the
        dataset, split, batch size and subset: what the run's data, its
        test split and its domain classifier are read with."""
        return {field.name: getattr(self, field.name)
                for field in dataclasses.fields(self)
                if getattr(self, field.name) is not None and field.name not in
                ("dataset", "batch_size", "split", "max_images")}


@dataclasses.dataclass(frozen=True)
class Train:
    """How long the run trains (`steps`, else `epochs`), its seed, and what
    it writes and measures along the way."""

    epochs: int = 1
    steps: int | None = None
    steps_per_epoch: int | None = None
    sample_every_n_steps: int | None = None
    #: Seeds TensorFlow and the data's shuffle, and makes ops deterministic
    #: for the run unless its step compiles with XLA; None: unseeded.
    seed: int | None = None
    verbose: Any = "auto"  # fit's verbose; "auto": a bar on a terminal.
    fid_every_n_steps: int = 0
    fid_num_images: int = 5000
    fid_metrics: Any = ("fid",)
    fid_features: str | None = None
    classifier_path: str | None = None
    #: True, False or "auto" (`precision_policy`).
    mixed_precision: Any = False
    strategy: str | None = None
    keep_checkpoints: int = 3


#: The sections of a config, by name.
SECTIONS = {"compile": Compile, "data": Data, "train": Train}


#: The directions as pix2pix names them, as `config.json` of earlier runs
#: holds them: read as the suite's names, so that those runs resume.
PIX2PIX_DIRECTIONS = {"AtoB": "a_to_b", "BtoA": "b_to_a"}


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """A run's configuration: the model (by the name `tgs.models.get`
    takes), its constructor arguments, the three sections, where the
    trained generator is exported (None: not exported) and the preset it
    started from."""

    model: str = models.DEFAULT_MODEL
    model_args: dict = dataclasses.field(default_factory=dict)
    compile: Compile = Compile()
    data: Data = Data()
    train: Train = Train()
    export: str | None = None
    preset: str | None = None

    def to_dict(self):
        """The config as plain data (sections as dicts; a copy)."""
        return dataclasses.asdict(self)

    def to_json(self):
        """The config as `config.json` holds it."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, values):
        """The config of `to_dict`'s plain data. A section may leave fields
        out (their defaults), as `config.json` of runs made before every
        field was written does; a direction named as pix2pix names it
        ("AtoB", `PIX2PIX_DIRECTIONS`) is read as the suite's ("a_to_b").

        Raises:
          ArgumentError: naming a field that is not one of the config's.
        """
        top = {field.name for field in dataclasses.fields(cls)}
        values = dict(values)
        data = values.get("data")
        if isinstance(data, dict) and data.get("direction") in (
                PIX2PIX_DIRECTIONS):
            values["data"] = {**data, "direction": PIX2PIX_DIRECTIONS[
                data["direction"]]}
        for key in values:
            if key not in top:
                raise ArgumentError(key, "not a config field (expected "
                                         f"{', '.join(sorted(top))})")
        for name, section in SECTIONS.items():
            given = dict(values.get(name) or {})
            known = [field.name for field in dataclasses.fields(section)]
            for key in given:
                if key not in known:
                    raise ArgumentError(
                        f"{name}.{key}",
                        f"not a field of the {name} section (expected one of "
                        f"{', '.join(known)})")
            values[name] = section(**given)
        values["model_args"] = dict(values.get("model_args") or {})
        return cls(**values)

    @classmethod
    def from_json(cls, text):
        """The config of `to_json`'s text (or of a run's `config.json`)."""
        return cls.from_dict(json.loads(text))


#: Every field of a config's sections, by section, with its default.
FIELDS = {name: {field.name: field.default
                 for field in dataclasses.fields(section)}
          for name, section in SECTIONS.items()}
#: Top-level fields a caller sets besides the sections and `model_args`.
TOP = ("model", "export")
#: What a resumed run may change: the length of training and what the run
#: writes and measures along the way. Anything else must match the run.
RESUMABLE = ("epochs", "steps", "sample_every_n_steps", "verbose",
             "fid_every_n_steps", "fid_num_images", "fid_metrics",
             "classifier_path", "keep_checkpoints", "export")

#: Compile fields that set the optimizers' settings: {field: (optimizers
#: it sets, their setting)}.
OPTIMIZER_SETTINGS = {
    "g_learning_rate": (("g",), "learning_rate"),
    "d_learning_rate": (("d",), "learning_rate"),
    "beta_1": (("g", "d"), "beta_1"),
    "beta_2": (("g", "d"), "beta_2"),
}


#: The numbers of a Keras optimizer's config that have a valid range:
#: {setting: (test, what is expected)}. Keras accepts all of them
#: unchecked, and a NaN or negative value trains into a broken model.
OPTIMIZER_LIMITS = {
    "learning_rate": (lambda v: v > 0, "a finite number > 0"),
    "beta_1": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "beta_2": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "epsilon": (lambda v: v > 0, "a finite number > 0"),
    "momentum": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "rho": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "ema_momentum": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "weight_decay": (lambda v: v >= 0, "a finite number >= 0"),
    "clipnorm": (lambda v: v > 0, "a finite number > 0"),
    "clipvalue": (lambda v: v > 0, "a finite number > 0"),
    "global_clipnorm": (lambda v: v > 0, "a finite number > 0"),
    "loss_scale_factor": (lambda v: v > 0, "a finite number > 0"),
}


def check_optimizer(name, optimizer):
    """Raises an ArgumentError naming `name.setting` (e.g.
    `g_optimizer.learning_rate`) for a setting of `optimizer` (a Keras
    optimizer, its config dict, or a name) outside `OPTIMIZER_LIMITS`.
    A learning-rate schedule (a dict or object) is not a number and is
    left to Keras."""
    if optimizer is None or isinstance(optimizer, str):
        return
    settings = (optimizer.get("config") or {} if isinstance(optimizer, dict)
                else optimizer.get_config())
    for setting, (test, expected) in OPTIMIZER_LIMITS.items():
        value = settings.get(setting)
        if value is None or isinstance(value, dict) or (
                setting == "learning_rate" and callable(value)):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if (isinstance(value, bool) or not math.isfinite(number)
                or not test(number)):
            raise ArgumentError(
                f"{name}.{setting}",
                f"expected {expected}, got {value!r}")


def default_optimizer(cls, net):
    """The config dict of `cls`'s default optimizer of `net` ("g" or "d"):
    Adam with the model's `default_<net>_optimizer` settings (a copy)."""
    return {"class_name": "Adam",
            "config": dict(getattr(cls, f"default_{net}_optimizer"))}


def compile_arguments(cls, compile_config):
    """`cls.compile`'s keyword arguments from a config's compile section:
    the optimizer settings (`OPTIMIZER_SETTINGS`: learning rates, Adam's
    betas) put into the optimizers they set -- the section's own, else
    the model's default Adam -- each checked (`check_optimizer`). Fields
    left at None are left out (the model's defaults); the values are
    copies (Keras deserializes optimizer dicts in place)."""
    given = {k: v for k, v in dataclasses.asdict(compile_config).items()
             if v is not None}
    args = {k: v for k, v in given.items() if k not in OPTIMIZER_SETTINGS}
    for net in ("g", "d"):
        settings = {setting: given[field]
                    for field, (nets, setting) in OPTIMIZER_SETTINGS.items()
                    if net in nets and field in given}
        if not settings:
            continue
        optimizer = (args.get(f"{net}_optimizer")
                     or default_optimizer(cls, net))
        if isinstance(optimizer, str):
            optimizer = {"class_name": optimizer, "config": {}}
        optimizer["config"].update(settings)
        args[f"{net}_optimizer"] = optimizer
    for net in ("g", "d"):
        check_optimizer(f"{net}_optimizer", args.get(f"{net}_optimizer"))
    return args


def precision_policy(mixed):
    """The Keras dtype policy name for `mixed` on this machine.

    True: mixed_float16 on a GPU (the model scales its losses),
    mixed_bfloat16 on a CPU (with a warning on one without bfloat16
    instructions, where it is slower). "auto": mixed_bfloat16 on a CPU with
    bfloat16 instructions and no GPU, where it pays; float32 elsewhere.
    False: float32.
    """
    if not (isinstance(mixed, bool) or mixed == "auto"):
        raise ArgumentError("mixed_precision", f"expected true, false or "
                                               f"auto, got {mixed!r}")
    if mixed is False:
        return "float32"
    gpu = bool(tf.config.list_physical_devices("GPU"))
    if mixed == "auto":
        return ("mixed_bfloat16" if not gpu and cpu_has_bfloat16()
                else "float32")
    if not gpu and cpu_has_bfloat16() is False:
        logging.warning(
            "mixed_precision: this CPU has no bfloat16 instructions "
            "(AVX-512 BF16 / AMX); mixed_bfloat16 will train several times "
            "slower than float32 here (see README, Training speed)")
    return "mixed_float16" if gpu else "mixed_bfloat16"


def cpu_has_bfloat16():
    """Whether /proc/cpuinfo lists bfloat16 instructions (AVX-512 BF16 or
    AMX); None where there is no /proc/cpuinfo to read."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return None
    return "avx512_bf16" in flags or "amx_bf16" in flags


@contextlib.contextmanager
def precision(config):
    """The run's precision policy (`precision_policy` of its
    `mixed_precision`) as Keras' global policy while its model is built;
    the policy before it restored after."""
    policy = precision_policy(config.train.mixed_precision)
    if config.train.mixed_precision == "auto":
        logging.info("mixed_precision=auto: %s on this machine", policy)
    with nets_common.dtype_policy(policy):
        yield policy


def section_of(key):
    """The section ("compile", "data", "train") of field `key`, or None."""
    return next((s for s, keys in FIELDS.items() if key in keys), None)


def with_fields(config, **fields):
    """A copy of `config` with fields replaced, each by its own name
    whatever its section (`epochs=3`, `dataset="cifar10"`), or a top-level
    one (`export="saved_models/x"`, `model_args={...}`).

    Raises:
      ArgumentError: naming a field that is not one of the config's.
    """
    top, sections = {}, {}
    for key, value in fields.items():
        if key in (*TOP, "model_args", "preset"):
            top[key] = value
            continue
        section = section_of(key)
        if section is None:
            known = [*TOP, "model_args", *(k for ks in FIELDS.values()
                                           for k in ks)]
            raise ArgumentError(key, "not a config field (expected one of "
                                     f"{', '.join(known)})")
        sections.setdefault(section, {})[key] = value
    for section, changed in sections.items():
        top[section] = dataclasses.replace(getattr(config, section), **changed)
    return dataclasses.replace(config, **top)


def make_config(preset=None, **overrides):
    """A `RunConfig` from `preset` (or the defaults) with `overrides`
    applied.

    Overrides are flat keyword arguments routed to their section (`epochs`,
    `steps`, `batch_size`, `dataset`, `classes`, `data_dir`, `loss`, ...,
    every key of `FIELDS`); `model_args` is a dict of the model's
    constructor arguments (`{"latent_dim": 64}`); a value of None leaves
    the field as is. A relative `data_dir` is made absolute (the run's
    commands may run in another directory).
    """
    config = RunConfig()
    preset_model = None
    if preset:
        values = presets.get(preset)
        values.pop("model_class")
        preset_model = values["model"]
        config = RunConfig.from_dict({**values, "preset": preset})
    model_args = dict(overrides.pop("model_args", None) or {})
    overrides = {k: v for k, v in overrides.items() if v is not None}
    kept = dict(config.model_args)
    if "dataset" in overrides or "image_size" in overrides:
        # A preset's data shape holds for the preset's data only.
        for key in models.AdversarialModel.DATA_ARGS:
            kept.pop(key, None)
    if "dataset" in overrides:
        # And so do its classes: a labelled dataset gives its own.
        for key in ("num_classes", "class_names"):
            kept.pop(key, None)
    data = config.data
    if overrides.get("dataset", data.dataset) != data.dataset:
        # And so do its data options (classes, image size, direction).
        data = Data(batch_size=data.batch_size, split=data.split)
    config = with_fields(dataclasses.replace(config, model_args=kept,
                                             data=data), **overrides)
    if config.data.data_dir:
        # Absolute, so that the run reads its data from any directory.
        config = with_fields(config, data_dir=os.path.abspath(
            os.path.expanduser(config.data.data_dir)))
    cls = models.get(config.model)  # fail early on an unknown model.
    config = dataclasses.replace(config, model=models.name_of(cls))
    if preset and not issubclass(cls, models.get(preset_model)):
        raise ArgumentError("preset", f"{preset} is a preset of "
                                      f"{preset_model}, not of "
                                      f"model={config.model}")
    accepted = cls.init_args()
    for key in model_args:
        if key not in accepted:
            name = (cls.__name__ if isinstance(cls, type)
                    else config.model)  # a user's factory: by its name.
            raise ArgumentError(key, f"not an argument of {name} (model="
                                     f"{config.model} takes "
                                     f"{', '.join(sorted(accepted))})")
    config = dataclasses.replace(config, model_args={**config.model_args,
                                                     **model_args})
    compile_arguments(cls, config.compile)  # bad settings: refused now.
    return config


def resume_config(out_dir, preset=None, **overrides):
    """The config of the run in `out_dir`, for `run(..., resume=True)`,
    with the overrides it may take applied (`RESUMABLE`: the length of
    training, sample / FID / checkpoint settings, the export).

    Raises:
      ArgumentError: naming the first override that would change what the
        run is (model, its arguments, compile settings, data, seed, ...).
    """
    config = read_config(out_dir)

    def refuse(key, saved, given):
        said = "the default" if saved is None else repr(saved)
        raise ArgumentError(key, f"the run in {out_dir} trained with "
                                 f"{said} and resume=True cannot change it "
                                 f"(got {given!r}); start a new run in "
                                 "another folder to change it")

    if preset is not None and preset != config.preset:
        refuse("preset", config.preset, preset)
    model = overrides.pop("model", None)
    if model is not None and models.name_of(models.get(model)) != config.model:
        refuse("model", config.model, model)
    for key, value in (overrides.pop("model_args", None) or {}).items():
        if _plain(value) != _plain(config.model_args.get(key)):
            refuse(key, config.model_args.get(key), value)
    changes = {}
    for key, value in overrides.items():
        if value is None:
            continue
        section = section_of(key)
        if section is None and key not in TOP:
            raise ArgumentError(key, "not a config field")
        saved = getattr(config if section is None
                        else getattr(config, section), key)
        if key in RESUMABLE:
            changes[key] = value
        elif _plain(value) != _plain(saved):
            refuse(key, saved, value)
    return with_fields(config, **changes)


def read_config(out_dir):
    """The `RunConfig` of the run in `out_dir` (its `config.json`).

    Raises:
      FileError: `out_dir` holds no run, or a `config.json` that is not one.
    """
    path = os.path.join(out_dir, layout.CONFIG)
    if not os.path.isfile(path):
        raise FileError(out_dir, f"holds no run (no {layout.CONFIG})")
    with open(path) as f:
        text = f.read()
    try:
        return RunConfig.from_json(text)
    except (ValueError, TypeError) as e:  # JSON, or a field of no section.
        raise FileError(path, f"not a run's config ({e})") from None


def write_config(out_dir, config):
    """Writes `config` as the `config.json` of the run in `out_dir`."""
    files.write_text(os.path.join(out_dir, layout.CONFIG), config.to_json())


def _plain(value):
    """`value` as JSON reads it back (tuples as lists), for comparisons."""
    return json.loads(json.dumps(value))
