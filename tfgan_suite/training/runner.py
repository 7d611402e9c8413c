"""One training run from a config: data -> model -> fit -> samples -> export.

`scripts/train.py` is a thin wrapper around `run`; user code can call it too::

    config = tgs.experiment.make_config("fashion_mnist_dcgan", epochs=1)
    model, history = tgs.experiment.run(config, out_dir="runs/x")

A run directory holds `config.json`, `samples/` (grids and GIF),
`losses.csv` / `losses.png` (per step), `history.csv` (per epoch, with the
health values), `health.json` (the end-of-run health report), `logs/`
(TensorBoard), `checkpoints/` (`ckpt-<step>`: the full training state
after every epoch, the last 3 kept, see `training.checkpoints`;
`run(..., resume=True)` continues from the latest)
and the final `model.keras`.
"""

import copy
import functools
import json
import math
import os
import sys

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from tfgan_suite.training import callbacks as tgs_callbacks
from tfgan_suite.training import checkpoints as tgs_checkpoints
from tfgan_suite import data, files, models
from tfgan_suite.models import presets
from tfgan_suite.serving import export

#: Fields of a config; every one can be overridden by `make_config`.
DEFAULT_CONFIG = {
    "model": models.DEFAULT_MODEL,
    "model_args": {},
    "compile": {},
    "data": {"dataset": "fashion_mnist", "batch_size": 128, "split": "train"},
    "train": {"epochs": 1, "steps": None, "steps_per_epoch": None,
              "sample_every_n_steps": None, "seed": None, "verbose": "auto",
              "fid_every_n_steps": 0, "fid_num_images": 5000,
              "fid_metrics": ["fid"],
              "classifier_path": None, "mixed_precision": False,
              "strategy": None, "keep_checkpoints": 3},
    "export": None,
}


def make_config(preset=None, **overrides):
    """A config from `preset` (or the defaults) with `overrides` applied.

    Overrides are flat keyword arguments routed to their section:
    `epochs`, `steps`, `batch_size`, `dataset`, `classes`, `data_dir`,
    `loss`, ... ; `model_args` is a dict of the model's constructor
    arguments (`{"latent_dim": 64}`); a value of None leaves the field as is.
    """
    config = copy.deepcopy(DEFAULT_CONFIG)
    preset_model = None
    if preset:
        values = presets.get(preset)
        values.pop("model_class")
        preset_model = values.pop("model")
        config["model"] = preset_model
        for key, value in values.items():
            config[key].update(value)
        config["preset"] = preset
    sections = {
        "compile": ("loss", "g_optimizer", "d_optimizer", "jit_compile",
                    "steps_per_execution"),
        "data": ("dataset", "classes", "data_dir", "batch_size", "image_size",
                 "split", "direction", "max_images"),
        "train": ("epochs", "steps", "steps_per_epoch", "sample_every_n_steps",
                  "seed", "verbose", "fid_every_n_steps", "fid_num_images",
                  "fid_metrics",
                  "classifier_path", "mixed_precision", "strategy",
                  "keep_checkpoints"),
    }
    model_args = dict(overrides.pop("model_args", None) or {})
    if any(overrides.get(k) is not None for k in ("dataset", "image_size")):
        # A preset's data shape holds for the preset's data only.
        for key in models.AdversarialModel.DATA_ARGS:
            config["model_args"].pop(key, None)
    if overrides.get("dataset") not in (None, config["data"]["dataset"]):
        # And so do its data options (classes, image size, direction).
        config["data"] = {k: v for k, v in config["data"].items()
                          if k in ("batch_size", "split")}
    for key, value in overrides.items():
        if value is None:
            continue
        if key in ("model", "export"):
            config[key] = value
            continue
        section = next((s for s, keys in sections.items() if key in keys), None)
        if section is None:
            raise ValueError(f"{key}: not a config field (expected one of "
                             f"model, export, model_args, "
                             f"{', '.join(k for ks in sections.values() for k in ks)})")
        config[section][key] = value
    cls = models.get(config["model"])  # fail early on an unknown model.
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


def data_kind(config):
    """What the model of `config` trains on ("images", "labelled", "pairs")."""
    return models.get(config["model"]).data_kind(config["model_args"])


class Interrupted(Exception):
    """Training stopped on SIGINT / SIGTERM after finishing its step, with a
    checkpoint of that step; `--resume` continues exactly from it."""

    def __init__(self, signum, step, checkpoint):
        self.signum, self.step, self.checkpoint = signum, step, checkpoint
        #: The shell's convention: 128 + the signal (130 SIGINT, 143 SIGTERM).
        self.exit_status = 128 + signum
        super().__init__(f"interrupted by signal {signum} at step {step}; "
                         f"checkpoint {checkpoint}")


def progress(verbose):
    """fit's `verbose`: "auto" is the progress bar on a terminal, one plain
    line per epoch elsewhere (logs, CI: no escape codes)."""
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    return verbose


def writable_folder(path, flag, create=True):
    """Raises a ValueError unless `path` is (or can be made) a folder this
    process can write in; checked before training, not after it. With
    `create=False` nothing is made: the nearest existing folder above a
    missing `path` must be writable."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{flag}: {path} is an existing file, expected a "
                         f"folder")
    if create:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as e:
            raise ValueError(f"{flag}: cannot create the folder {path} "
                             f"({e.strerror})") from None
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ValueError(f"{flag}: cannot create the folder {path} ("
                         f"{existing} is a file)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{flag}: the folder {existing} is not writable")


def _positive(name, value):
    if value is not None and int(value) <= 0:
        raise ValueError(f"{name}: expected a positive integer, got {value}")


def model_from_run(out_dir):
    """The model of the run in `out_dir` at its latest checkpoint (for a
    run without `model.keras`, e.g. an interrupted one); logs the step."""
    with open(os.path.join(out_dir, "config.json")) as f:
        config = json.load(f)
    model = models.get(config["model"]).from_config(config["model_args"])
    model.compile(**config["compile"])
    state = tgs_checkpoints.restore_checkpoint(
        model, os.path.join(out_dir, "checkpoints"))
    logging.warning("%s has no model.keras (an unfinished run): using its "
                    "latest checkpoint, %s (step %d)", out_dir,
                    state["path"], state["step"])
    return model


def build_model(config, source):
    """The model of `config` for `source` (`Model.from_data`), compiled."""
    model = models.get(config["model"]).from_data(
        source, **config["model_args"])
    # A copy: Keras deserializes optimizer dicts in place (a learning-rate
    # schedule's dict becomes the schedule), and config.json is written
    # from `config` afterwards.
    model.compile(**copy.deepcopy(config["compile"]))
    return model


def save_model_atomic(model, path):
    """`model.save(path)` through a temporary file and a rename."""
    with files.atomic_path(path) as tmp:
        model.save(tmp)
    return path


def classifier_path(dataset, path=None, data_dir=None):
    """`path`, else the cache file of `dataset`'s domain classifier, named
    by the data's fingerprint (other files, other classifier)."""
    return path or os.path.expanduser(
        f"~/.cache/tfgan_suite/{dataset}-"
        f"{data.fingerprint(dataset, data_dir)}_classifier.keras")


def train_domain_classifier(dataset, data_dir=None, path=None, epochs=2):
    """Trains and saves the domain classifier of `dataset`.

    Returns (`metrics.DomainExtractor`, test accuracy).
    """
    from tfgan_suite import evaluation as metrics
    path = classifier_path(dataset, path, data_dir)
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
    from tfgan_suite import evaluation as metrics
    found = classifier_path(dataset, path, data_dir)
    if os.path.isfile(found):
        logging.info("domain classifier: %s", found)
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
    # Real statistics are cached per classifier (its file time) and data
    # (fingerprint of the files and classes).
    path = classifier_path(dataset, train.get("classifier_path"),
                           data_config.get("data_dir"))
    fingerprint = data.fingerprint(dataset, data_config.get("data_dir"),
                                   classes=classes)
    cache = f"{path}.real-{fingerprint}-{int(os.path.getmtime(path))}.npz"
    logging.info("FID: real statistics %s", cache)
    real = None
    if not os.path.isfile(cache):
        real = data.images_array(data.get_source(
            dataset, split="test", data_dir=data_config.get("data_dir"),
            classes=classes))
    return tgs_callbacks.FID(extractor, real, real_cache=cache,
                             every_n_steps=int(train["fid_every_n_steps"]),
                             num_images=int(train.get("fid_num_images", 5000)),
                             out_dir=out_dir, initial_step=initial_step,
                             log_dir=os.path.join(out_dir, "logs", "train"),
                             metrics=tuple(train.get("fid_metrics") or
                                           ("fid",)))


def held_out(config, source):
    """The test split of the run's data where it has one, else `source`."""
    data_config = {k: v for k, v in config["data"].items()
                   if k not in ("batch_size", "split", "max_images")}
    dataset = data_config.pop("dataset")
    if dataset not in data.SPLIT_SOURCES:
        return source
    try:
        return data.get_source(dataset, split="test", labels=(
            data_kind(config) == "labelled") or None, **data_config)
    except ValueError:  # e.g. a pairs folder without test/.
        return source


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
    if not resume and tgs_checkpoints.list_checkpoints(checkpoints):
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
    writable_folder(out_dir, "out_dir")
    if config.get("export"):
        writable_folder(config["export"], "export", create=False)

    dataset = data_config.pop("dataset")
    max_images = data_config.pop("max_images", None)
    batch_size = int(data_config.pop("batch_size"))
    split = data_config.pop("split", "train")
    labels = data_kind(config) == "labelled"
    source = data.get_source(
        dataset, split=split if dataset in data.SPLIT_SOURCES else None,
        labels=labels or None, **data_config)
    if max_images:
        source = data.subset(source, max_images, seed=seed or 0)
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(
        precision_policy(train.get("mixed_precision")))
    try:
        with strategy.scope():
            model = build_model(config, source)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
    state = (tgs_checkpoints.restore_checkpoint(model, checkpoints)
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
    if state["step"] >= steps:
        raise ValueError(
            f"resume: the run in {out_dir} is complete at step "
            f"{state['step']} of {steps}; pass a larger --steps (or "
            f"--epochs) with --resume to train it further")
    # Written once the run is known to start: a run refused for bad input
    # leaves nothing behind. The model's arguments as built (shapes read
    # from the data) let a checkpoint be loaded without the data.
    config["model_args"] = {k: v for k, v in model.get_config().items()
                            if k in model.init_args() or
                            k in ("generator", "discriminator")}
    files.write_text(os.path.join(out_dir, "config.json"),
                     json.dumps(config, indent=2))
    if state["step"]:
        ds = ds.skip(state["step"])
    logging.info("%s on %s: %d examples, batch %d, %d steps (%d epochs of %d)",
                 config["model"], dataset, source.num_examples, batch_size,
                 steps, epochs, steps_per_epoch)

    step0 = state["step"]
    samples = model.sample_callback(
        os.path.join(out_dir, "samples"), held_out(config, source),
        every_n_steps=train.get("sample_every_n_steps"), initial_step=step0,
        log_dir=os.path.join(out_dir, "logs", "train"))
    every = int(train.get("fid_every_n_steps") or 0)
    # The domain classifier is trained (minutes) only for a run that will
    # reach an FID evaluation.
    fid = ([fid_callback(config, out_dir, initial_step=step0)]
           if every and steps // every > step0 // every else [])
    health = tgs_callbacks.HealthMonitor(
        next(iter(data.build(source, batch_size=min(64, source.num_examples),
                             shuffle=False, augment=False, cache=False))),
        out_dir=out_dir)
    callbacks = [
        samples,
        # Before the loggers, so they see `fid` and the health values.
        *fid,
        health,
        # Fig. 13 of the seed paper reads the losses against chance, log 2
        # (a level only the probabilistic losses have).
        tgs_callbacks.LossHistory(
            out_dir, initial_step=step0, keys=model.plotted,
            hlines=({"log 2": math.log(2)}
                    if model.adversarial_loss.probabilistic else None)),
        tgs_callbacks.HistoryCSV(
            os.path.join(out_dir, "history.csv"),
            resume_epoch=step0 // steps_per_epoch if resume else None),
        # Per-step losses; the sample grids and FID join them in logs/train.
        keras.callbacks.TensorBoard(os.path.join(out_dir, "logs"),
                                    update_freq=1),
        tgs_checkpoints.Checkpoint(checkpoints,
                                   keep=int(train.get("keep_checkpoints", 3))),
        *extra_callbacks,
    ]
    interrupt = tgs_callbacks.Interrupt()
    callbacks.insert(0, interrupt)
    fit = functools.partial(model.fit, callbacks=callbacks, shuffle=False,
                            verbose=progress(train.get("verbose", "auto")))
    # The epoch of a step: a run interrupted mid-epoch finishes that epoch
    # first (its remaining steps), then goes on epoch by epoch.
    epoch, done = divmod(step0, steps_per_epoch)
    try:
        if done:
            history = fit(ds, epochs=epoch + 1, initial_epoch=epoch,
                          steps_per_epoch=steps_per_epoch - done)
            epoch += 1
            ds = data.build(source, batch_size=global_batch, repeat=True,
                            seed=seed).skip(epoch * steps_per_epoch)
        if epoch < epochs and not (done and model.stop_training):
            history = fit(ds, epochs=epochs, initial_epoch=epoch,
                          steps_per_epoch=steps_per_epoch)
    except OSError as e:  # a full disk, a folder removed under the run ...
        last = tgs_checkpoints.list_checkpoints(checkpoints)
        raise ValueError(
            f"{e.filename or out_dir}: {e.strerror or e} while training; "
            f"last good checkpoint: {last[-1] if last else 'none'} "
            f"(--resume continues from it)") from None
    if interrupt.signal is not None:
        last = tgs_checkpoints.list_checkpoints(checkpoints)
        raise Interrupted(interrupt.signal, int(
            model.g_optimizer.iterations.numpy()), last[-1] if last else None)
    if health.stopped_at is not None:
        last = tgs_checkpoints.list_checkpoints(checkpoints)
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

