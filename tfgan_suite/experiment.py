"""One training run from a config: data -> model -> fit -> samples -> export.

`scripts/train.py` is a thin wrapper around `run`; user code can call it too::

    config = tgs.experiment.make_config("fashion_mnist_dcgan", epochs=1)
    model, history = tgs.experiment.run(config, out_dir="runs/x")

A run directory holds `config.json`, `samples/` (grids and GIF),
`losses.csv` / `losses.png` (per step), `history.csv` (per epoch, with the
health values), `health.json` (the end-of-run health report), `logs/`
(TensorBoard), `checkpoints/step_<n>/` (full training state after every
epoch, the last 3 kept; `run(..., resume=True)` continues from the latest)
and the final `model.keras`.
"""

import copy
import functools
import inspect
import json
import math
import os

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from tfgan_suite import callbacks as tgs_callbacks
from tfgan_suite import data, export, models, presets

#: Fields of a config; every one can be overridden by `make_config`.
DEFAULT_CONFIG = {
    "model": "dcgan",
    "model_args": {},
    "compile": {},
    "data": {"dataset": "fashion_mnist", "batch_size": 128, "split": "train"},
    "train": {"epochs": 1, "steps": None, "steps_per_epoch": None,
              "sample_every_n_steps": None, "seed": None, "verbose": "auto",
              "fid_every_n_steps": 0, "fid_num_images": 5000,
              "classifier_path": None, "mixed_precision": False,
              "strategy": None, "keep_checkpoints": 3},
    "export": None,
}


def make_config(preset=None, **overrides):
    """A config from `preset` (or the defaults) with `overrides` applied.

    Overrides are flat keyword arguments routed to their section:
    `epochs`, `steps`, `batch_size`, `dataset`, `classes`, `data_dir`,
    `latent_dim`, `loss`, ... ; a value of None leaves the field as is.
    """
    config = copy.deepcopy(DEFAULT_CONFIG)
    if preset:
        for key, value in presets.get(preset).items():
            if isinstance(value, dict):
                config[key].update(value)
            else:
                config[key] = value
        config["preset"] = preset
    sections = {
        "model_args": ("latent_dim", "d_steps", "update", "filters",
                       "image_shape",
                       "num_classes", "attention_resolution", "l1_lambda",
                       "norm"),
        "compile": ("loss", "g_optimizer", "d_optimizer", "jit_compile",
                    "steps_per_execution"),
        "data": ("dataset", "classes", "data_dir", "batch_size", "image_size",
                 "split", "direction"),
        "train": ("epochs", "steps", "steps_per_epoch", "sample_every_n_steps",
                  "seed", "verbose", "fid_every_n_steps", "fid_num_images",
                  "classifier_path", "mixed_precision", "strategy",
                  "keep_checkpoints"),
    }
    for key, value in overrides.items():
        if value is None:
            continue
        if key in ("model", "export"):
            config[key] = value
            continue
        section = next((s for s, keys in sections.items() if key in keys), None)
        if section is None:
            raise ValueError(f"{key}: not a config field (expected one of "
                             f"model, export, "
                             f"{', '.join(k for ks in sections.values() for k in ks)})")
        config[section][key] = value
    models.get(config["model"])  # fail early on an unknown model name.
    return config


def resume_config(out_dir, **overrides):
    """The config of the run in `out_dir`, for `run(..., resume=True)`.

    Only the length of training (`epochs`, `steps`) may change; any other
    override must match the saved run.
    """
    path = os.path.join(out_dir, "config.json")
    if not os.path.isfile(path):
        raise ValueError(f"resume: {out_dir} holds no run (no config.json)")
    with open(path) as f:
        config = json.load(f)
    model = overrides.pop("model", None)
    if model and model != config["model"]:
        raise ValueError(f"resume: {out_dir} is a run of {config['model']}, "
                         f"not {model}")
    for key in ("epochs", "steps"):
        if overrides.get(key) is not None:
            config["train"][key] = overrides[key]
    return config


def conditional(config):
    """Whether the model of `config` trains on (images, labels)."""
    return (config["model"] in models.CONDITIONAL
            or bool(config["model_args"].get("num_classes")))


def _positive(name, value):
    if value is not None and int(value) <= 0:
        raise ValueError(f"{name}: expected a positive integer, got {value}")


def build_model(config, source):
    """The model of `config`, its image shape taken from the data if unset."""
    cls = models.get(config["model"])
    args = dict(config["model_args"])
    if "image_shape" in cls.__init__.__code__.co_varnames:
        args.setdefault("image_shape", source.image_shape)
        if tuple(args["image_shape"]) != tuple(source.image_shape):
            raise ValueError(
                f"image_shape: the model expects {tuple(args['image_shape'])} "
                f"but the {source.name} images are {source.image_shape}")
    elif cls is models.GAN:
        args.setdefault("data_shape", source.image_shape)
        # Images are scaled to [-1, 1]: a tanh output, as DCGAN's.
        if len(source.image_shape) == 3:
            args.setdefault("output_activation", "tanh")
    if conditional(config):
        if not source.num_classes:
            raise ValueError(f"dataset: {config['model']} with num_classes "
                             f"needs class labels and {source.name} has none")
        args.setdefault("num_classes", source.num_classes)
        if source.num_classes > int(args["num_classes"]):
            raise ValueError(
                f"num_classes: {source.name} has labels 0..{source.num_classes - 1}"
                f", more than num_classes={args['num_classes']}")
    paired = config["model"] in models.PAIRED
    if paired != source.paired:
        raise ValueError(
            f"dataset: {config['model']} trains on "
            f"{'(input, target) pairs' if paired else 'single images'} and "
            f"{source.name} has {'pairs' if source.paired else 'single images'}"
            f" (paired datasets: {', '.join(data.PAIRED_SOURCES)})")
    accepted = _init_args(cls)
    for key in args:
        if key not in accepted:
            raise ValueError(f"{key}: not an argument of {cls.__name__} "
                             f"(--{key} does not apply to --model="
                             f"{config['model']})")
    model = cls(**args)
    model.compile(**config["compile"])
    return model


def _init_args(cls):
    """The keyword arguments `cls(...)` takes, through its bases' `__init__`."""
    names = set()
    for klass in cls.__mro__:
        if klass is keras.Model:
            break
        if "__init__" in vars(klass):
            names |= set(inspect.signature(klass.__init__).parameters)
    return names - {"self", "args", "kwargs"}


def save_model_atomic(model, path):
    """`model.save(path)` through a temporary file and a rename."""
    tmp = path + ".tmp.keras"
    model.save(tmp)
    os.replace(tmp, path)
    return path


def classifier_path(dataset, path=None):
    return path or os.path.expanduser(
        f"~/.cache/tfgan_suite/{dataset}_classifier.keras")


def train_domain_classifier(dataset, data_dir=None, path=None, epochs=2):
    """Trains and saves the domain classifier of `dataset`.

    Returns (`metrics.DomainExtractor`, test accuracy).
    """
    from tfgan_suite import metrics
    path = classifier_path(dataset, path)
    logging.info("training the %s domain classifier (saved to %s)", dataset,
                 path)
    source = data.get_source(dataset, split="train", labels=True,
                             data_dir=data_dir)
    test = data.get_source(dataset, split="test", labels=True,
                           data_dir=data_dir)
    model, accuracy = metrics.train_classifier(
        data.build(source, batch_size=min(128, source.num_examples)),
        data.build(test, batch_size=min(500, test.num_examples),
                   shuffle=False),
        source.image_shape, source.num_classes, epochs=epochs, path=path)
    return metrics.DomainExtractor(model), accuracy


def domain_extractor(dataset, data_dir=None, path=None):
    """The domain classifier of `dataset`, trained and saved on first use."""
    from tfgan_suite import metrics
    found = classifier_path(dataset, path)
    if os.path.isfile(found):
        return metrics.DomainExtractor.load(found)
    return train_domain_classifier(dataset, data_dir, path)[0]


def fid_callback(config, out_dir, initial_step=0):
    """`callbacks.FID` against the test split, on the domain classifier."""
    train, data_config = config["train"], config["data"]
    dataset = data_config["dataset"]
    if dataset not in data.SPLIT_SOURCES:
        raise ValueError(f"fid_every_n_steps: FID needs a dataset with a test "
                         f"split ({', '.join(data.SPLIT_SOURCES)}), got "
                         f"{dataset}")
    extractor = domain_extractor(dataset, data_config.get("data_dir"),
                                 train.get("classifier_path"))
    classes = data_config.get("classes")
    # Real statistics are cached per classifier (its file time) and classes.
    path = classifier_path(dataset, train.get("classifier_path"))
    cache = (f"{path}.real-{'-'.join(map(str, classes)) if classes else 'all'}"
             f"-{int(os.path.getmtime(path))}.npz")
    real = None
    if not os.path.isfile(cache):
        real = data.images_array(data.get_source(
            dataset, split="test", data_dir=data_config.get("data_dir"),
            classes=classes))
    return tgs_callbacks.FID(extractor, real, real_cache=cache,
                             every_n_steps=int(train["fid_every_n_steps"]),
                             num_images=int(train.get("fid_num_images", 5000)),
                             out_dir=out_dir, initial_step=initial_step)


def sample_callback(config, source, out_dir, num_pairs=4, initial_step=0):
    """The figure drawn during training: a grid of samples from fixed noise,
    or input / target / prediction rows on fixed test pairs (pix2pix)."""
    folder = os.path.join(out_dir, "samples")
    every_n_steps = config["train"].get("sample_every_n_steps")
    if source.paired:
        data_config = {k: v for k, v in config["data"].items()
                       if k not in ("batch_size", "split")}
        dataset = data_config.pop("dataset")
        try:
            test = data.get_source(dataset, split="test", **data_config)
        except ValueError:  # no test split: fixed training pairs, unjittered.
            test = source
        pairs = list(data.build(test, batch_size=None, shuffle=False,
                                augment=False, cache=False).take(num_pairs))
        return tgs_callbacks.TranslationGrid(
            folder, np.stack([p[0] for p in pairs]),
            np.stack([p[1] for p in pairs]), every_n_steps=every_n_steps,
            initial_step=initial_step)
    return tgs_callbacks.SampleGrid(
        folder, every_n_epochs=1, every_n_steps=every_n_steps,
        num_images=64 if len(source.image_shape) == 3 else 1000,
        scale=2 if max(source.image_shape[:2]) <= 32 else 1,
        initial_step=initial_step)


def precision_policy(mixed):
    """The Keras dtype policy name for `mixed` on this machine."""
    if not mixed:
        return "float32"
    gpu = bool(tf.config.list_physical_devices("GPU"))
    if not gpu and not _cpu_has_bfloat16():
        logging.warning(
            "mixed_precision: this CPU has no bfloat16 instructions "
            "(AVX-512 BF16 / AMX); mixed_bfloat16 will train several times "
            "slower than float32 here (see README, Training speed)")
    return "mixed_float16" if gpu else "mixed_bfloat16"


def _cpu_has_bfloat16():
    """Whether /proc/cpuinfo lists bfloat16 instructions (True if unknown)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return True
    return "avx512_bf16" in flags or "amx_bf16" in flags


def distribution(name):
    """The `tf.distribute` strategy called `name` (None / "none": default).

    "mirrored": every local GPU (every CPU device when there is none);
    "multi_worker": `MultiWorkerMirroredStrategy` over the cluster in the
    `TF_CONFIG` environment variable.
    """
    if name in (None, "none"):
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise ValueError("strategy: multi_worker reads the cluster from "
                             "the TF_CONFIG environment variable, which is "
                             "not set")
        return _multi_worker_strategy()
    raise ValueError(f"strategy: expected none, mirrored or multi_worker, "
                     f"got {name!r}")


@functools.cache
def _multi_worker_strategy():
    # One per process: it starts this worker's gRPC server.
    try:
        return tf.distribute.MultiWorkerMirroredStrategy()
    except RuntimeError as e:
        raise ValueError(
            "strategy: multi_worker must be set up before TensorFlow runs "
            "any op in this process; call "
            "tgs.experiment.distribution('multi_worker') first thing "
            f"({e})") from None


def run(config, out_dir, extra_callbacks=(), resume=False):
    """Trains the model of `config`; returns (model, keras History).

    Everything lands in `out_dir` (see the module docstring); with
    `config["export"]` set, the trained generator is also exported there
    (by the chief only, on a multi-worker cluster).
    With `resume`, training continues from the latest checkpoint of
    `out_dir` (weights, optimizer states, random states, data position).
    """
    train = config["train"]
    data_config = dict(config["data"])
    for name in ("epochs", "steps", "steps_per_epoch"):
        _positive(name, train.get(name))
    _positive("batch_size", data_config.get("batch_size"))
    checkpoints = os.path.join(out_dir, "checkpoints")
    if not resume and tgs_callbacks.list_checkpoints(checkpoints):
        raise ValueError(f"out_dir: {out_dir} already holds the checkpoints "
                         f"of a run; pass --resume to continue it, or choose "
                         f"another --out_dir")
    # First: a multi-worker strategy must exist before any TensorFlow op.
    strategy = distribution(train.get("strategy"))
    seed = train.get("seed")
    if seed is not None:
        keras.utils.set_random_seed(int(seed))
        # Same seed, same losses: ops pick deterministic kernels.
        tf.config.experimental.enable_op_determinism()
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    dataset = data_config.pop("dataset")
    batch_size = int(data_config.pop("batch_size"))
    split = data_config.pop("split", "train")
    labels = conditional(config)
    source = data.get_source(
        dataset, split=split if dataset in data.SPLIT_SOURCES else None,
        labels=labels or None, **data_config)
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(
        precision_policy(train.get("mixed_precision")))
    try:
        with strategy.scope():
            model = build_model(config, source)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
    state = (tgs_callbacks.restore_checkpoint(model, checkpoints)
             if resume else {"epoch": 0, "step": 0})
    if resume:
        logging.info("resuming from %s (epoch %d, step %d)", state["path"],
                     state["epoch"], state["step"])

    # Every run is step-based over a repeated, seeded pipeline: an epoch is
    # steps_per_epoch batches, and a checkpoint's data position is its step.
    # Algorithm 1: each of the k D steps takes its own minibatch of m.
    global_batch = batch_size * model.d_steps
    batches_per_epoch = source.num_examples // global_batch
    ds = data.build(source, batch_size=global_batch, repeat=True, seed=seed)
    steps = int(train.get("steps") or 0) or int(train["epochs"]) * batches_per_epoch
    steps_per_epoch = min(int(train.get("steps_per_epoch") or
                              batches_per_epoch), steps)
    epochs = math.ceil(steps / steps_per_epoch)
    if state["step"]:
        ds = ds.skip(state["step"])
    logging.info("%s on %s: %d examples, batch %d, %d steps (%d epochs of %d)",
                 config["model"], dataset, source.num_examples, batch_size,
                 steps, epochs, steps_per_epoch)

    step0 = state["step"]
    samples = sample_callback(config, source, out_dir, initial_step=step0)
    fid = ([fid_callback(config, out_dir, initial_step=step0)]
           if train.get("fid_every_n_steps") else [])
    health = tgs_callbacks.HealthMonitor(
        next(iter(data.build(source, batch_size=min(64, source.num_examples),
                             shuffle=False, augment=False, cache=False))),
        out_dir=out_dir)
    callbacks = [
        samples,
        # Before the loggers, so they see `fid` and the health values.
        *fid,
        health,
        # Fig. 13 of the seed paper reads the losses against chance, log 2.
        tgs_callbacks.LossHistory(
            out_dir, hlines={"log 2": math.log(2)}, initial_step=step0,
            # pix2pix: its g_loss (GAN + 100 L1) would flatten the others.
            keys=(["d_loss", "g_gan_loss", "g_l1_loss"] if source.paired
                  else None)),
        keras.callbacks.CSVLogger(os.path.join(out_dir, "history.csv"),
                                  append=bool(resume)),
        keras.callbacks.TensorBoard(os.path.join(out_dir, "logs")),
        tgs_callbacks.Checkpoint(checkpoints,
                                 keep=int(train.get("keep_checkpoints", 3))),
        *extra_callbacks,
    ]
    history = model.fit(ds, epochs=epochs, steps_per_epoch=steps_per_epoch,
                        initial_epoch=state["epoch"], callbacks=callbacks,
                        shuffle=False, verbose=train.get("verbose", "auto"))
    if health.stopped_at is not None:
        last = tgs_callbacks.list_checkpoints(checkpoints)
        raise ValueError(
            f"training: non-finite loss at step {health.stopped_at}; "
            f"stopped without saving or exporting the NaN weights; last good "
            f"checkpoint: {last[-1] if last else 'none'} (--resume continues "
            f"from it; try a lower learning rate)")
    save_model_atomic(model, os.path.join(out_dir, "model.keras"))
    # On a multi-worker cluster only the chief exports (all hold the same
    # weights): tf.distribute's own chief test.
    if config.get("export") and strategy.extended.should_checkpoint:
        path = export.export_saved_model(model, config["export"])
        export.verify(path, model, cli=False)
    return model, history

