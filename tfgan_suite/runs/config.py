"""A run's config: which model, its arguments, how it compiles, its data,
how long it trains and what it writes along the way.

    config = tgs.runs.make_config("fashion_mnist_dcgan", epochs=1)
    config = tgs.runs.resume_config("runs/x", steps=2000)

`FIELDS` is the one list of the config's keys: `make_config` routes a
flat override to its section by it, the command line makes one flag of
each, and `RESUMABLE` names those a resumed run may change.
"""

import copy
import json
import math
import os

from tfgan_suite import models
from tfgan_suite.models import presets
from tfgan_suite.runs import layout

#: Every field of a config, by section, with its default (None: unset).
FIELDS = {
    "compile": {"loss": None, "g_optimizer": None, "d_optimizer": None,
                "g_learning_rate": None, "d_learning_rate": None,
                "beta_1": None, "beta_2": None,
                "jit_compile": None, "steps_per_execution": None},
    "data": {"dataset": "fashion_mnist", "batch_size": 128, "split": "train",
             "classes": None, "data_dir": None, "image_size": None,
             "channels": None, "holdout": None, "direction": None,
             "resize": None, "skip_bad_files": None, "max_images": None},
    "train": {"epochs": 1, "steps": None, "steps_per_epoch": None,
              "sample_every_n_steps": None, "seed": None, "verbose": "auto",
              "fid_every_n_steps": 0, "fid_num_images": 5000,
              "fid_metrics": ["fid"], "fid_features": None,
              "classifier_path": None,
              "mixed_precision": False, "strategy": None,
              "keep_checkpoints": 3},
}
#: Top-level fields besides the sections.
TOP = ("model", "export")
#: What `--resume` may change: the length of training and what the run
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
    """Raises a ValueError naming `name.setting` (e.g.
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
            raise ValueError(f"{name}.{setting}: expected {expected}, got "
                             f"{value!r}")


def compile_arguments(cls, compile_config):
    """`cls.compile`'s keyword arguments from a config's compile section:
    the optimizer settings (`OPTIMIZER_SETTINGS`: learning rates, Adam's
    betas) put into the optimizers they set -- the section's own, else
    the model's default Adam -- each checked (`check_optimizer`)."""
    args = {k: copy.deepcopy(v) for k, v in compile_config.items()
            if k not in OPTIMIZER_SETTINGS}
    for net in ("g", "d"):
        settings = {setting: compile_config[field]
                    for field, (nets, setting) in OPTIMIZER_SETTINGS.items()
                    if net in nets and compile_config.get(field) is not None}
        if not settings:
            continue
        optimizer = args.get(f"{net}_optimizer") or {
            "class_name": "Adam",
            "config": dict(getattr(cls, f"default_{net}_optimizer"))}
        if isinstance(optimizer, str):
            optimizer = {"class_name": optimizer, "config": {}}
        optimizer["config"].update(settings)
        args[f"{net}_optimizer"] = optimizer
    for net in ("g", "d"):
        check_optimizer(f"{net}_optimizer", args.get(f"{net}_optimizer"))
    return args


def section_of(key):
    """The section ("compile", "data", "train") of field `key`, or None."""
    return next((s for s, keys in FIELDS.items() if key in keys), None)


def default_config():
    """The config of the default model before any preset or override."""
    return {"model": models.DEFAULT_MODEL, "model_args": {},
            "compile": {},
            "data": {k: v for k, v in FIELDS["data"].items()
                     if v is not None},
            "train": dict(FIELDS["train"]),
            "export": None}


def make_config(preset=None, **overrides):
    """A config from `preset` (or the defaults) with `overrides` applied.

    Overrides are flat keyword arguments routed to their section (`epochs`,
    `steps`, `batch_size`, `dataset`, `classes`, `data_dir`, `loss`, ...,
    every key of `FIELDS`); `model_args` is a dict of the model's
    constructor arguments (`{"latent_dim": 64}`); a value of None leaves
    the field as is. A relative `data_dir` is made absolute (the run's
    commands may run in another directory).
    """
    config = default_config()
    preset_model = None
    if preset:
        values = presets.get(preset)
        values.pop("model_class")
        preset_model = values.pop("model")
        config["model"] = preset_model
        for key, value in values.items():
            config[key].update(value)
        config["preset"] = preset
    model_args = dict(overrides.pop("model_args", None) or {})
    if any(overrides.get(k) is not None for k in ("dataset", "image_size")):
        # A preset's data shape holds for the preset's data only.
        for key in models.AdversarialModel.DATA_ARGS:
            config["model_args"].pop(key, None)
    if overrides.get("dataset") is not None:
        # And so do its classes: a labelled dataset gives its own.
        for key in ("num_classes", "class_names"):
            config["model_args"].pop(key, None)
    if overrides.get("dataset") not in (None, config["data"]["dataset"]):
        # And so do its data options (classes, image size, direction).
        config["data"] = {k: v for k, v in config["data"].items()
                          if k in ("batch_size", "split")}
    for key, value in overrides.items():
        if value is None:
            continue
        if key in TOP:
            config[key] = value
            continue
        section = section_of(key)
        if section is None:
            raise ValueError(f"{key}: not a config field (expected one of "
                             f"{', '.join(TOP)}, model_args, "
                             f"{', '.join(k for ks in FIELDS.values() for k in ks)})")
        config[section][key] = value
    if config["data"].get("data_dir"):
        # Absolute, so that the run reads its data from any directory.
        config["data"]["data_dir"] = os.path.abspath(os.path.expanduser(
            config["data"]["data_dir"]))
    cls = models.get(config["model"])  # fail early on an unknown model.
    config["model"] = models.name_of(cls)
    if preset and not issubclass(cls, models.get(preset_model)):
        raise ValueError(f"preset: {preset} is a preset of {preset_model}, "
                         f"not of --model={config['model']}")
    accepted = cls.init_args()
    for key in model_args:
        if key not in accepted:
            raise ValueError(f"{key}: not an argument of {cls.__name__} "
                             f"(--{key} does not apply to --model="
                             f"{config['model']}; it takes "
                             f"{', '.join(sorted(accepted))})")
    config["model_args"].update(model_args)
    compile_arguments(cls, config["compile"])  # bad settings: refused now.
    return config


def resume_config(out_dir, preset=None, **overrides):
    """The config of the run in `out_dir`, for `run(..., resume=True)`,
    with the overrides it may take applied (`RESUMABLE`: the length of
    training, sample / FID / checkpoint settings, the export).

    Raises:
      ValueError: naming the first override that would change what the run
        is (model, its arguments, compile settings, data, seed, ...).
    """
    config = layout.read_config(out_dir)

    def refuse(flag, saved, given):
        raise ValueError(
            f"--{flag}: the run in {out_dir} trained with {flag}={saved!r} "
            f"and --resume cannot change it (got {given!r}); start a new "
            f"run in another --out_dir to change it")

    if preset is not None and preset != config.get("preset"):
        refuse("preset", config.get("preset"), preset)
    model = overrides.pop("model", None)
    if model is not None and models.name_of(models.get(model)) != config["model"]:
        refuse("model", config["model"], model)
    for key, value in (overrides.pop("model_args", None) or {}).items():
        if _plain(value) != _plain(config["model_args"].get(key)):
            refuse(key, config["model_args"].get(key), value)
    for key, value in overrides.items():
        if value is None:
            continue
        section = section_of(key)
        if section is None and key not in TOP:
            raise ValueError(f"{key}: not a config field")
        holder = config if section is None else config[section]
        if key in RESUMABLE:
            holder[key] = value
        elif _plain(value) != _plain(holder.get(key, FIELDS.get(
                section, {}).get(key))):
            refuse(key, holder.get(key), value)
    return config


def _plain(value):
    """`value` as JSON reads it back (tuples as lists), for comparisons."""
    return json.loads(json.dumps(value))
