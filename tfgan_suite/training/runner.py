"""One training run: data -> model -> callbacks -> fit -> finish.

`scripts/train.py` is a thin wrapper around `run`; user code can call it too::

    config = tgs.training.make_config("fashion_mnist_dcgan", epochs=1)
    model, history = tgs.training.run(config, out_dir="runs/x")

A run folder (`tgs.runs.layout`) holds `config.json`, `samples/` (grids and
GIF), `losses.csv` / `losses.png` (per step), `history.csv` (per epoch, with
the health values), `health.json`, `logs/` (TensorBoard), `checkpoints/`
(`ckpt-<step>`: the full training state after every epoch, the last 3 kept;
`run(..., resume=True)` continues from the latest) and the final
`model.keras`. Steps are the model's own count of `train_step` calls.
"""

import copy
import dataclasses
import functools
import math
import os
import sys

import keras
import tensorflow as tf
from absl import logging

from tfgan_suite import data, files, metrics, models
from tfgan_suite.models import arguments
from tfgan_suite.runs import checkpoints, layout
from tfgan_suite.serving import export
from tfgan_suite.training import callbacks as tgs_callbacks


#: Old names of `tgs.experiment` (this module) that live elsewhere now.
_MOVED = {"make_config": "tfgan_suite.runs.config",
          "resume_config": "tfgan_suite.runs.config",
          "model_from_run": "tfgan_suite.runs.loading",
          "classifier_path": "tfgan_suite.metrics.classifier",
          "domain_extractor": "tfgan_suite.metrics.classifier",
          "train_domain_classifier": "tfgan_suite.metrics.classifier"}


def __getattr__(name):
    if name in _MOVED:
        import importlib
        import warnings
        module = _MOVED[name]
        warnings.warn(f"tgs.experiment.{name} is deprecated; use "
                      f"{module.replace('tfgan_suite', 'tgs', 1)}.{name}",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Interrupted(Exception):
    """Training stopped on SIGINT / SIGTERM / SIGHUP after finishing its
    step, with a checkpoint of that step; `--resume` continues exactly from
    it."""

    def __init__(self, signum, step, checkpoint):
        self.signum, self.step, self.checkpoint = signum, step, checkpoint
        #: The shell's convention: 128 + the signal (130 SIGINT, 143
        #: SIGTERM, 129 SIGHUP).
        self.exit_status = 128 + signum
        super().__init__(f"interrupted by signal {signum} at step {step}; "
                         f"checkpoint {checkpoint}")


def progress(verbose):
    """fit's `verbose`: "auto" is the progress bar on a terminal, one plain
    line per epoch elsewhere (logs, CI: no escape codes)."""
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    return verbose


def writable_folder(path, flag):
    """Raises a ValueError unless `path` is a folder this process can write
    in or can create (the nearest existing folder above it is writable);
    checked before training, not after it. Creates nothing."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{flag}: {path} is an existing file, expected a "
                         f"folder")
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ValueError(f"{flag}: cannot create the folder {path} ("
                         f"{existing} is a file)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{flag}: the folder {existing} is not writable")


def _data_kind(config):
    return models.get(config["model"]).data_kind(config["model_args"])


def training_source(config):
    """The `tgs.data.Source` the run of `config` trains on."""
    data_config = dict(config["data"])
    dataset = data_config.pop("dataset")
    max_images = data_config.pop("max_images", None)
    data_config.pop("batch_size")
    split = data_config.pop("split", "train")
    source = data.get_source(
        dataset, split=split if dataset in data.SPLIT_SOURCES else None,
        labels=(_data_kind(config) == "labelled") or None, **data_config)
    if max_images:
        source = data.subset(source, max_images,
                             seed=config["train"].get("seed") or 0)
    return source


def build_model(config, source, strategy=None):
    """The model of `config` for `source` (`Model.from_data`), compiled,
    under `strategy` and the run's precision policy."""
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(
        precision_policy(config["train"].get("mixed_precision")))
    try:
        with (strategy or tf.distribute.get_strategy()).scope():
            model = models.get(config["model"]).from_data(
                source, **config["model_args"])
            # A copy: Keras deserializes optimizer dicts in place (a
            # learning-rate schedule's dict becomes the schedule).
            model.compile(**copy.deepcopy(config["compile"]))
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
    return model


def save_model_atomic(model, path):
    """`model.save(path)` through a temporary file and a rename."""
    with files.atomic_path(path) as tmp:
        model.save(tmp)
    return path


@dataclasses.dataclass(frozen=True)
class Schedule:
    """How long a run trains, in the model's steps: `steps` in all, an
    epoch (a checkpoint, a sample grid, a history row) every
    `steps_per_epoch`, on batches of `global_batch` (Algorithm 1: each of
    the k D steps takes its own minibatch of m)."""

    steps: int
    steps_per_epoch: int
    global_batch: int

    @property
    def epochs(self):
        return math.ceil(self.steps / self.steps_per_epoch)

    @classmethod
    def of(cls, config, source, model):
        train = config["train"]
        batch_size = arguments.integer("batch_size",
                                       config["data"]["batch_size"])
        global_batch = batch_size * model.d_steps
        batches = source.num_examples // global_batch
        if batches < 1:
            raise ValueError(
                f"batch_size: {source.name} has {source.num_examples} "
                f"examples, fewer than one batch of {global_batch}")
        steps = (arguments.integer("steps", train["steps"])
                 if train.get("steps") else
                 arguments.integer("epochs", train["epochs"]) * batches)
        per_epoch = (arguments.integer("steps_per_epoch",
                                       train["steps_per_epoch"])
                     if train.get("steps_per_epoch") else batches)
        return cls(steps, min(per_epoch, steps), global_batch)


def start(config, out_dir, resume):
    """Checks what can be checked before anything is built and returns the
    run's `tf.distribute` strategy (made first: a multi-worker one must
    exist before any TensorFlow op)."""
    has_checkpoints = checkpoints.list_checkpoints(
        os.path.join(out_dir, layout.CHECKPOINTS))
    if not resume and has_checkpoints:
        raise ValueError(f"out_dir: {out_dir} already holds the checkpoints "
                         f"of a run; pass --resume to continue it, or choose "
                         f"another --out_dir")
    strategy = distribution(config["train"].get("strategy"))
    seed = config["train"].get("seed")
    if seed is not None:
        keras.utils.set_random_seed(int(seed))
        # Same seed, same losses: ops pick deterministic kernels.
        tf.config.experimental.enable_op_determinism()
    writable_folder(out_dir, "out_dir")
    if config.get("export"):
        writable_folder(config["export"], "export")
    return strategy


def callbacks_of(config, out_dir, model, source, schedule, resume_epoch):
    """The run's callbacks, in the order they must see each epoch: the
    stop on signals first, the picture and the measures before the
    loggers (so those see `fid` and the health values), checkpoints last."""
    train = config["train"]
    every = int(train.get("fid_every_n_steps") or 0)
    step = tgs_callbacks.step_of(model)
    # The domain classifier is trained (minutes) only for a run that will
    # reach an FID evaluation.
    fid = ([fid_callback(config, out_dir)]
           if every and schedule.steps // every > step // every else [])
    health = tgs_callbacks.HealthMonitor(
        next(iter(data.build(source, batch_size=min(64, source.num_examples),
                             shuffle=False, augment=False, cache=False))),
        out_dir=out_dir)
    log_dir = os.path.join(out_dir, "logs")
    return [
        tgs_callbacks.Interrupt(),
        tgs_callbacks.picture(
            model, os.path.join(out_dir, "samples"), held_out(config, source),
            every_n_steps=train.get("sample_every_n_steps"),
            log_dir=os.path.join(log_dir, "train")),
        *fid,
        health,
        # Fig. 13 of the seed paper reads the losses against chance, log 2
        # (a level only the probabilistic losses have).
        tgs_callbacks.LossHistory(
            out_dir, keys=model.plotted,
            hlines=({"log 2": math.log(2)}
                    if model.adversarial_loss.probabilistic else None)),
        tgs_callbacks.HistoryCSV(os.path.join(out_dir, "history.csv"),
                                 resume_epoch=resume_epoch),
        # Per-step losses; the sample grids and FID join them in logs/train.
        tgs_callbacks.TensorBoard(log_dir, update_freq=1),
        checkpoints.Checkpoint(os.path.join(out_dir, layout.CHECKPOINTS),
                               keep=int(train.get("keep_checkpoints", 3))),
    ]


def fit(model, source, config, schedule, callbacks):
    """`model.fit` from the model's step to `schedule.steps` over the run's
    repeated, seeded pipeline, whose position is the step. A run stopped
    mid-epoch finishes that epoch first, then goes on epoch by epoch."""
    seed = config["train"].get("seed")
    fit_ = functools.partial(model.fit, callbacks=callbacks, shuffle=False,
                             verbose=progress(config["train"].get(
                                 "verbose", "auto")))
    epoch, done = divmod(tgs_callbacks.step_of(model),
                         schedule.steps_per_epoch)
    pipeline = lambda: data.build(source, batch_size=schedule.global_batch,
                                  repeat=True, seed=seed).skip(
        epoch * schedule.steps_per_epoch + done)
    history = None
    if done:
        history = fit_(pipeline(), epochs=epoch + 1, initial_epoch=epoch,
                       steps_per_epoch=schedule.steps_per_epoch - done)
        epoch, done = epoch + 1, 0
        if model.stop_training:
            return history
    if epoch < schedule.epochs:
        history = fit_(pipeline(), epochs=schedule.epochs,
                       initial_epoch=epoch,
                       steps_per_epoch=schedule.steps_per_epoch)
    return history


def finish(model, config, out_dir, strategy):
    """Writes what a complete run holds and it lacks: `model.keras`, and
    the export if asked (by the chief only, on a multi-worker cluster: all
    hold the same weights)."""
    step = tgs_callbacks.step_of(model)
    missing = layout.missing_outputs(out_dir, config, step)
    if layout.MODEL in missing:
        save_model_atomic(model, os.path.join(out_dir, layout.MODEL))
    if "export" in missing and strategy.extended.should_checkpoint:
        path = export.export_saved_model(model, config["export"])
        export.verify(path, model, cli=False)
        layout.record_export(out_dir, path, step)


def run(config, out_dir, extra_callbacks=(), resume=False):
    """Trains the model of `config`; returns (model, keras History, or
    None when a resumed run only lacked its final files).

    Everything lands in `out_dir` (see the module docstring); with
    `config["export"]` set, the trained generator is also exported there.
    With `resume`, training continues from the latest checkpoint of
    `out_dir` (weights, optimizer states, random states, data position,
    step).
    """
    strategy = start(config, out_dir, resume)
    source = training_source(config)
    model = build_model(config, source, strategy)
    schedule = Schedule.of(config, source, model)
    check_measures(config, model)
    state = {"epoch": 0, "step": 0}
    if resume:
        state = checkpoints.restore_checkpoint(
            model, os.path.join(out_dir, layout.CHECKPOINTS))
        logging.info("resuming from %s (epoch %d, step %d)", state["path"],
                     state["epoch"], state["step"])
    if state["step"] >= schedule.steps:
        missing = layout.missing_outputs(out_dir, config, state["step"])
        if not missing:
            raise ValueError(
                f"resume: the run in {out_dir} is complete at step "
                f"{state['step']} of {schedule.steps}; pass a larger --steps "
                f"(or --epochs) with --resume to train it further")
        logging.info("%s: trained to step %d; writing its missing %s",
                     out_dir, state["step"], " and ".join(missing))
        finish(model, config, out_dir, strategy)
        return model, None
    # Written once the run is known to start: a run refused for bad input
    # leaves nothing behind. The model's arguments as built (shapes read
    # from the data) let a checkpoint be loaded without the data.
    config["model_args"] = {k: v for k, v in model.get_config().items()
                            if k in model.init_args() or k in model.NET_ARGS}
    os.makedirs(out_dir, exist_ok=True)
    layout.write_config(out_dir, config)
    logging.info("%s on %s: %d examples, batch %d, %d steps (%d epochs of "
                 "%d)", config["model"], source.name, source.num_examples,
                 config["data"]["batch_size"], schedule.steps,
                 schedule.epochs, schedule.steps_per_epoch)
    callbacks = [*callbacks_of(config, out_dir, model, source, schedule,
                               state["step"] // schedule.steps_per_epoch
                               if resume else None), *extra_callbacks]
    try:
        history = fit(model, source, config, schedule, callbacks)
    except OSError as e:  # a full disk, a folder removed under the run ...
        raise ValueError(
            f"{e.filename or out_dir}: {e.strerror or e} while training; "
            f"last good checkpoint: {_last_checkpoint(out_dir)} "
            f"(--resume continues from it)") from None
    interrupt, health = (next(c for c in callbacks if isinstance(c, kind))
                         for kind in (tgs_callbacks.Interrupt,
                                      tgs_callbacks.HealthMonitor))
    if interrupt.signal is not None:
        raise Interrupted(interrupt.signal, tgs_callbacks.step_of(model),
                          _last_checkpoint(out_dir, None))
    if health.stopped_at is not None:
        raise ValueError(
            f"training: non-finite loss at step {health.stopped_at}; "
            f"stopped without saving or exporting the NaN weights; last good "
            f"checkpoint: {_last_checkpoint(out_dir)} (--resume continues "
            f"from it; try a lower learning rate)")
    finish(model, config, out_dir, strategy)
    return model, history


def _last_checkpoint(out_dir, none="none"):
    found = checkpoints.list_checkpoints(os.path.join(out_dir,
                                                      layout.CHECKPOINTS))
    return found[-1] if found else none


def check_measures(config, model):
    """Raises a ValueError, before anything is written, for FID during
    training of a model that translates: the callback scores samples from
    noise, which such a model does not make."""
    if (int(config["train"].get("fid_every_n_steps") or 0)
            and model.data_kind() in tgs_callbacks.TRANSLATION_KINDS):
        raise ValueError(
            f"fid_every_n_steps: FID during training scores samples from "
            f"noise, and {type(model).__name__} translates images; pass "
            f"--fid_every_n_steps=0 and score the run with tfgan-evaluate")


def fid_callback(config, out_dir):
    """`callbacks.FID` against the test split, on the domain classifier."""
    train, data_config = config["train"], config["data"]
    dataset = data_config["dataset"]
    if dataset not in data.SPLIT_SOURCES:
        raise ValueError(f"fid_every_n_steps: FID needs a dataset with a test "
                         f"split ({', '.join(data.SPLIT_SOURCES)}), got "
                         f"{dataset}")
    extractor = metrics.domain_extractor(dataset, data_config.get("data_dir"),
                                 train.get("classifier_path"))
    classes = data_config.get("classes")
    # Real statistics are cached per classifier (its file time) and data
    # (fingerprint of the files and classes).
    path = metrics.classifier_path(dataset, train.get("classifier_path"),
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
                             out_dir=out_dir,
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
            _data_kind(config) == "labelled") or None, **data_config)
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
            "tgs.training.distribution('multi_worker') first thing "
            f"({e})") from None
