"""One training run: data -> model -> callbacks -> fit -> finish.

`scripts/train.py` is a thin wrapper around `run`; user code can call it too::

    config = tgs.runs.make_config("fashion_mnist_dcgan", epochs=1)
    model, history = tgs.training.run(config, out_dir="runs/x")

`config` is a `tgs.runs.RunConfig`, read and never changed. A run folder
(`tgs.runs.layout`) holds `config.json`, `samples/` (grids and GIF),
`losses.csv` / `losses.png` (per step), `history.csv` (per epoch, with the
health values), `health.json`, `logs/` (TensorBoard), `checkpoints/`
(`ckpt-<step>`: the full training state after every epoch, the last 3 kept;
`run(..., resume=True)` continues from the latest) and the final
`model.keras`. Steps are the model's own count of `train_step` calls.
"""

import dataclasses
import functools
import math
import os
import sys

import keras
import tensorflow as tf
from absl import logging

from tfgan_suite import data, files, metrics, models
from tfgan_suite.errors import ArgumentError, FileError, TfganError
from tfgan_suite.models import arguments
from tfgan_suite.runs import checkpoints, examples, layout
from tfgan_suite.runs import config as config_lib
from tfgan_suite.serving import export
from tfgan_suite.training import callbacks as tgs_callbacks
from tfgan_suite.training import contract


class Interrupted(Exception):
    """Training stopped on SIGINT / SIGTERM / SIGHUP after finishing its
    step, with a checkpoint of that step; resuming the run continues
    exactly from it."""

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


def writable_folder(path, argument):
    """Raises an ArgumentError naming `argument` unless `path` is a folder
    this process can write in or can create (the nearest existing folder
    above it is writable); checked before training, not after it. Creates
    nothing."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise ArgumentError(argument, f"{path} is an existing file, expected "
                                      "a folder")
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ArgumentError(argument, f"cannot create the folder {path} "
                                      f"({existing} is a file)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ArgumentError(argument, f"the folder {existing} is not writable")


def build_model(config, source, strategy=None):
    """The model of `config` for `source` (`Model.from_data`), compiled,
    under `strategy` and the run's precision policy."""
    with config_lib.precision(config), (
            strategy or tf.distribute.get_strategy()).scope():
        cls = models.get(config.model)
        args = cls.arguments_for(source, **config.model_args)
        model = cls(**args)
        # The arguments as given (shapes read from the data): what the run
        # records and rebuilds the model from.
        object.__setattr__(model, "_tgs_args", args)
        # A copy (compile_arguments makes one): Keras deserializes
        # optimizer dicts in place (a schedule's dict becomes the schedule).
        model.compile(**config_lib.compile_arguments(cls, config.compile))
    if config.compile.jit_compile and not model.jit_compile:
        raise ArgumentError(
            "jit_compile", "true, but Keras compiles this model without "
                           "XLA: a layer of its nets does not support it, "
                           "or ops are deterministic in this process "
                           "(tf.config.experimental.enable_op_determinism)")
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
        train = config.train
        batch_size = arguments.integer("batch_size", config.data.batch_size)
        global_batch = batch_size * model.d_steps
        replicas = model.distribute_strategy.num_replicas_in_sync
        if batch_size % replicas:
            raise ArgumentError(
                "batch_size",
                f"{batch_size} is the global batch, split over {replicas} "
                f"replicas; expected a multiple of {replicas}")
        batches = source.num_examples // global_batch
        if batches < 1:
            raise ArgumentError(
                "batch_size",
                f"{source.name} has {source.num_examples} examples, fewer "
                f"than one batch of {global_batch}")
        steps = (arguments.integer("steps", train.steps) if train.steps else
                 arguments.integer("epochs", train.epochs) * batches)
        per_epoch = (arguments.integer("steps_per_epoch",
                                       train.steps_per_epoch)
                     if train.steps_per_epoch else batches)
        return cls(steps, min(per_epoch, steps), global_batch)


def start(config, out_dir, resume):
    """Checks what can be checked before anything is built and returns the
    run's `tf.distribute` strategy (made first: a multi-worker one must
    exist before any TensorFlow op)."""
    has_checkpoints = checkpoints.list_checkpoints(
        os.path.join(out_dir, layout.CHECKPOINTS))
    if not resume and has_checkpoints:
        raise ArgumentError("out_dir", f"{out_dir} already holds the "
                                       "checkpoints of a run; pass "
                                       "resume=True to continue it, or "
                                       "choose another folder")
    strategy = distribution(config.train.strategy)
    if config.train.seed is not None:
        keras.utils.set_random_seed(int(config.train.seed))
    writable_folder(out_dir, "out_dir")
    if config.export:
        writable_folder(config.export, "export")
        export.serving_protos()
    return strategy


def deterministic_unless_xla(model):
    """Same seed, same losses: ops pick deterministic kernels, unless
    `model`'s step compiles with XLA (Keras, which compiles nothing with
    XLA while ops are deterministic, has decided it by now)."""
    if model.jit_compile:
        logging.info("seed: the step compiles with XLA, whose kernels are "
                     "not made deterministic; the seed fixes the noise and "
                     "the data's order")
    else:
        ops_determinism(True)


def ops_determinism(enabled=None):
    """Whether TensorFlow's ops are deterministic, set to `enabled` first
    unless None (TensorFlow's public API can only turn it on)."""
    from tensorflow.python.framework import config as tf_config
    if enabled is not None and (
            enabled != tf_config.is_op_determinism_enabled()):
        (tf_config.enable_op_determinism if enabled
         else tf_config.disable_op_determinism)()
    return tf_config.is_op_determinism_enabled()


def writes(strategy):
    """Whether this process writes the run's files: always, but on a
    multi-worker cluster only the chief (TensorFlow's own convention:
    `should_checkpoint`); the other workers write nothing in the run
    folder."""
    return strategy.extended.should_checkpoint


def callbacks_of(config, out_dir, model, source, schedule, resume_epoch,
                 chief=True, trackers=None, resumed_steps=0):
    """The run's callbacks, in the order they must see each epoch: the
    stop on signals and the trackers of an epoch resumed mid-way
    (`trackers` after `resumed_steps` steps of it, as `restore_checkpoint`
    read them) first, the picture and the measures before the loggers (so
    those see `fid` and the health values), checkpoints last. A
    non-`chief` worker keeps only those that stop training (signals, a
    non-finite loss), the trackers and the checkpoint, which it saves out
    of the run folder."""
    train = config.train
    first = [tgs_callbacks.Interrupt(), checkpoints.RestoreTrackers(trackers)]
    checkpoint = checkpoints.Checkpoint(
        os.path.join(out_dir, layout.CHECKPOINTS),
        keep=int(train.keep_checkpoints), writes=chief)
    unseen = examples.held_out(config)
    if unseen is None:
        logging.info("health: %s has no held-out examples (no test split, "
                     "no max_images subset): D's overfitting is not "
                     "measured", source.name)
    health = tgs_callbacks.HealthMonitor(
        _fixed_batch(source), out_dir=out_dir if chief else None,
        held_out=None if unseen is None else _fixed_batch(unseen))
    if not chief:
        return [*first, health, checkpoint]
    every = int(train.fid_every_n_steps)
    step = tgs_callbacks.step_of(model)
    # The domain classifier is trained (minutes) only for a run that will
    # reach an FID evaluation.
    fid = ([fid_callback(config, out_dir)]
           if every and schedule.steps // every > step // every else [])
    fid = [callback for callback in fid if callback is not None]
    log_dir = os.path.join(out_dir, "logs")
    return [
        *first,
        tgs_callbacks.picture(
            model, os.path.join(out_dir, "samples"), unseen or source,
            every_n_steps=train.sample_every_n_steps,
            log_dir=os.path.join(log_dir, "train")),
        *fid,
        health,
        # Fig. 13 of the seed paper reads the losses against chance, log 2
        # (a level only the probabilistic losses have).
        tgs_callbacks.LossHistory(
            out_dir, keys=model.plotted,
            hlines=({"log 2": math.log(2)}
                    if getattr(model.adversarial_loss, "probabilistic", False)
                    else None),
            resumed_steps=resumed_steps),
        tgs_callbacks.HistoryCSV(os.path.join(out_dir, "history.csv"),
                                 resume_epoch=resume_epoch),
        # Per-step losses; the sample grids and FID join them in logs/train.
        tgs_callbacks.TensorBoard(log_dir, update_freq=1),
        checkpoint,
    ]


def _fixed_batch(source, size=64):
    """The first `size` examples of `source` (all, if fewer), in order."""
    return next(iter(data.build(source, batch_size=min(size,
                                                       source.num_examples),
                                shuffle=False, augment=False, cache=False)))


def fit(model, source, config, schedule, callbacks):
    """`model.fit` from the model's step to `schedule.steps` over the run's
    repeated, seeded pipeline, whose position is the step. Epochs are
    `steps_per_epoch` steps; a run stopped mid-epoch finishes that epoch
    first, and a last epoch ends at `steps` (`steps=N` trains N steps),
    each in a `fit` of its own."""
    per_epoch = schedule.steps_per_epoch
    whole = schedule.steps // per_epoch  # epochs of `per_epoch` steps
    history = None
    while (step := tgs_callbacks.step_of(model)) < schedule.steps:
        if history is not None and model.stop_training:
            break
        epoch, done = divmod(step, per_epoch)
        if done or epoch >= whole:  # the rest of an epoch, or the last
            epochs = epoch + 1
            steps = min(per_epoch, schedule.steps - epoch * per_epoch) - done
        else:
            epochs, steps = whole, per_epoch
        history = model.fit(
            batches(source, config, schedule).skip(step),
            epochs=epochs, initial_epoch=epoch, steps_per_epoch=steps,
            callbacks=[*callbacks, tgs_callbacks.Progress(schedule.epochs)],
            shuffle=False, verbose=progress(config.train.verbose))
    return history


def batches(source, config, schedule):
    """The run's pipeline: `source` in batches of the schedule's global
    batch, repeated, shuffled by the run's seed; its position is the
    step."""
    return data.build(source, batch_size=schedule.global_batch, repeat=True,
                      seed=config.train.seed)


def finish(model, config, out_dir, strategy):
    """Writes what a complete run holds and it lacks at the model's step:
    `model.keras` (or a line saying why it cannot be written: the run
    then loads from its checkpoint) and the export if asked. On a
    multi-worker cluster every worker saves the model (reading its
    variables may take all of them), the others into a folder of their own
    that they remove; the chief alone exports (all hold the same
    weights)."""
    step = tgs_callbacks.step_of(model)
    missing = layout.missing_outputs(out_dir, config, step)
    where = os.path.join(out_dir, layout.MODEL)
    try:
        if layout.MODEL in missing:
            args = getattr(model, "_tgs_args", None)
            problem = contract.keras_file_problem(
                model, config.model_args if args is None else args)
            if problem:
                logging.warning("%s not written: %s; the run loads from its "
                                "checkpoint instead", layout.MODEL, problem)
            else:
                with files.owned_path(out_dir, writes(strategy)) as folder:
                    os.makedirs(folder, exist_ok=True)
                    save_model_atomic(model, os.path.join(folder,
                                                          layout.MODEL))
            if writes(strategy):
                layout.record_model(out_dir, step, problem)
        where = config.export
        if "export" in missing and writes(strategy):
            served = export.in_float32(model)  # one copy for both.
            path = export.export_saved_model(
                served, config.export, metrics=layout.last_fid(out_dir),
                check=lambda tmp: export.verify(tmp, served, cli=False))
            layout.record_export(out_dir, path, step)
    except (OSError, tf.errors.OpError) as e:  # a full disk ...
        reason = getattr(e, "strerror", None) or checkpoints.reason(e)
        raise FileError(
            getattr(e, "filename", None) or where,
            f"{reason} while writing the trained model; trained to step "
            f"{step}, checkpoint {_last_checkpoint(out_dir)} (resume=True "
            "writes the missing files)") from None


def run(config, out_dir, extra_callbacks=(), resume=False):
    """Trains the model of `config` (a `tgs.runs.RunConfig`); returns
    (model, keras History, or None when a resumed run only lacked its
    final files).

    Everything lands in `out_dir` (see the module docstring); with
    `config.export` set, the trained generator is also exported there.
    With `resume`, training continues from the latest checkpoint of
    `out_dir` (weights, optimizer states, random states, data position,
    step, and the running means of an epoch stopped mid-way).
    """
    if not isinstance(config, config_lib.RunConfig):
        raise ArgumentError("config", "expected a tgs.runs.RunConfig "
                                      "(tgs.runs.make_config; "
                                      "RunConfig.from_dict for a dict as "
                                      "config.json holds), got "
                                      f"{type(config).__name__}")
    deterministic = ops_determinism()
    try:
        return _run(config, out_dir, extra_callbacks, resume)
    finally:  # A seeded run's determinism ends with it.
        ops_determinism(deterministic)


def _run(config, out_dir, extra_callbacks, resume):
    """`run`'s body (`run` restores TensorFlow's determinism after it)."""
    strategy = start(config, out_dir, resume)
    source = examples.training_source(config)
    model = build_model(config, source, strategy)
    if config.train.seed is not None:
        deterministic_unless_xla(model)
    schedule = Schedule.of(config, source, model)
    check_measures(config, model)
    traced = None
    if model.distribute_strategy.num_replicas_in_sync == 1:
        traced = contract.check_step(model, batches(source, config, schedule),
                                     loss_given=bool(config.compile.loss))
    state, resume_epoch, trackers, resumed_steps = {"step": 0}, None, None, 0
    if resume and not checkpoints.list_checkpoints(
            os.path.join(out_dir, layout.CHECKPOINTS)):
        # Preempted before its first checkpoint: nothing to lose.
        logging.warning("resume: %s holds no checkpoint yet (stopped before "
                        "its first); training it from step 0 with its config",
                        out_dir)
        resume = False
    if resume:
        state = checkpoints.restore_checkpoint(
            model, os.path.join(out_dir, layout.CHECKPOINTS))
        # The epoch training continues in, from the step: the checkpoint's
        # own epoch count also counts an interrupted epoch as ended.
        resume_epoch = min(state["step"] // schedule.steps_per_epoch,
                           schedule.epochs - 1)
        if state["step"] < schedule.steps:
            logging.info("resuming from %s at step %d (in epoch %d of %d)",
                         state["path"], state["step"], resume_epoch + 1,
                         schedule.epochs)
        # Mid-epoch, the epoch's running means go on from the checkpoint's.
        resumed_steps = (state["step"]
                         - resume_epoch * schedule.steps_per_epoch)
        trackers = state["trackers"] if resumed_steps else None
        if resumed_steps and trackers is None:
            logging.info("resume: %s keeps no running means (written "
                         "before checkpoints kept them): epoch %d logs the "
                         "means of its steps from %d on", state["path"],
                         resume_epoch + 1, state["step"] + 1)
            resumed_steps = 0
    if writes(strategy):  # what a process killed mid-write left behind
        for folder in filter(None, (out_dir, config.export)):
            files.remove_stale_temporaries(folder)
    if state["step"] >= schedule.steps:
        missing = layout.missing_outputs(out_dir, config, state["step"])
        if not missing:
            raise ArgumentError("resume", f"the run in {out_dir} is complete "
                                          f"at step {state['step']} of "
                                          f"{schedule.steps}; pass a larger "
                                          "steps=N (or epochs=N) with "
                                          "resume=True to train it further")
        past = (f", past the {schedule.steps} asked (a run is not cut "
                f"short)" if state["step"] > schedule.steps else "")
        logging.info("%s: trained to step %d%s; writing its missing %s at "
                     "that step", out_dir, state["step"], past,
                     " and ".join(missing))
        finish(model, config, out_dir, strategy)
        return model, None
    # The callbacks (the FID's extractor among them) are made, and the
    # config written, once the run is known to start: a run refused for
    # bad input leaves nothing behind.
    callbacks = [*callbacks_of(config, out_dir, model, source, schedule,
                               resume_epoch, chief=writes(strategy),
                               trackers=trackers,
                               resumed_steps=resumed_steps),
                 *extra_callbacks]
    config = recorded(config, model)
    if writes(strategy):
        try:
            os.makedirs(out_dir, exist_ok=True)
            config_lib.write_config(out_dir, config)
        except OSError as e:
            raise FileError(e.filename or out_dir, f"{e.strerror or e} "
                                                   f"while starting the run"
                            ) from None
    logging.info("%s on %s: %d examples, batch %d, %d steps (%d epochs of "
                 "%d)", config.model, source.name, source.num_examples,
                 config.data.batch_size, schedule.steps,
                 schedule.epochs, schedule.steps_per_epoch)
    with contract.stepping_with(model, traced):
        history = train(model, source, config, schedule, callbacks, out_dir)
    finish(model, config, out_dir, strategy)
    return model, history


def recorded(config, model):
    """`config` as the run records it: with the model's arguments as built
    (shapes read from the data), as `get_config` normalizes those it
    returns (handed-in nets serialized), so that a checkpoint loads
    without the data. A new config; `config` is left as it was."""
    saved = model.get_config()
    return dataclasses.replace(config, model_args={
        **model._tgs_args,
        **{k: v for k, v in saved.items() if k in model._tgs_args or (
            k in model.NET_ARGS and getattr(model, "own_nets", False))}})


def train(model, source, config, schedule, callbacks, out_dir):
    """`fit`, and how it ended as one line: an `Interrupted` for a signal,
    a `TfganError` for a non-finite loss, a full disk or a lost worker."""
    interrupt, health = (next(c for c in callbacks if isinstance(c, kind))
                         for kind in (tgs_callbacks.Interrupt,
                                      tgs_callbacks.HealthMonitor))
    try:
        history = fit(model, source, config, schedule, callbacks)
    except tf.errors.OpError as e:
        if not (isinstance(model.distribute_strategy,
                           tf.distribute.MultiWorkerMirroredStrategy)
                and _peer_failure(e)):
            raise
        raise TfganError(lost_worker_message(e, model, out_dir)) from None
    except OSError as e:  # a full disk, a folder removed under the run ...
        last = _last_checkpoint(out_dir, None)
        raise FileError(
            e.filename or out_dir, f"{e.strerror or e} while training; "
            + (f"last good checkpoint: {last} (resume=True continues from "
               f"it)" if last else
               "no checkpoint yet (resume=True starts it again)")) from None
    finally:
        # fit skips on_train_end when it raises: the handlers go back here.
        interrupt.on_train_end()
    if interrupt.signal is not None:
        raise Interrupted(interrupt.signal, tgs_callbacks.step_of(model),
                          _last_checkpoint(out_dir, None))
    if health.stopped_at is not None:
        raise TfganError(
            f"training: non-finite loss at step {health.stopped_at}; "
            f"stopped without saving or exporting the NaN weights; last good "
            f"checkpoint: {_last_checkpoint(out_dir)} (resume=True continues "
            f"from it; try a lower learning rate)")
    return history


def lost_worker_message(error, model, out_dir):
    """One line for a multi-worker run whose collectives failed: which
    worker was lost, the step, the last good checkpoint and how to go on."""
    lost = lost_workers(error)
    who = (", ".join(f"worker {task} ({job}:{task} of TF_CONFIG)"
                     for job, task in lost) if lost else "a worker")
    return (f"strategy: lost {who} at step {tgs_callbacks.step_of(model)} "
            f"({str(error).splitlines()[0][:160]}); last good checkpoint: "
            f"{_last_checkpoint(out_dir)}; restart every worker with the "
            f"same command and resume=True")


def _peer_failure(error):
    """Whether a collective failed because a peer went away."""
    text = str(error)
    return (isinstance(error, tf.errors.UnavailableError) or "is down" in text
            or "failed to connect" in text.lower())


def lost_workers(error, timeout_ms=3000):
    """[(job, task)] of the peers the error names as down or unreachable,
    else of those that do not answer TensorFlow's peer health check now."""
    import re
    text = str(error)
    found = re.findall(r"/job:(\w+)/replica:\d+/task:(\d+) is down", text)
    found += re.findall(r"remote target /job:(\w+)/replica:\d+/task:(\d+)",
                        text)
    if found:
        return sorted(set(found))
    from tensorflow.python.eager import context
    resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    me = (resolver.task_type, str(resolver.task_id))
    cluster = resolver.cluster_spec()
    down = []
    for job in cluster.jobs:
        for task in range(cluster.num_tasks(job)):
            if (job, str(task)) == me:
                continue
            try:
                context.context().check_collective_ops_peer_health(
                    f"/job:{job}/replica:0/task:{task}",
                    timeout_in_ms=timeout_ms)
            except tf.errors.OpError:
                down.append((job, str(task)))
    return down


def _last_checkpoint(out_dir, none="none"):
    found = checkpoints.list_checkpoints(os.path.join(out_dir,
                                                      layout.CHECKPOINTS))
    return found[-1] if found else none


def check_measures(config, model):
    """Raises an ArgumentError, before anything is written, for FID during
    training of a model that translates: the callback scores samples from
    noise, which such a model does not make."""
    if (int(config.train.fid_every_n_steps)
            and model.data_kind() in arguments.TRANSLATION_KINDS):
        raise ArgumentError(
            "fid_every_n_steps",
            "FID during training scores samples from noise, and "
            f"{type(model).__name__} translates images; pass "
            "fid_every_n_steps=0 and score the run once trained "
            "(tfgan-evaluate, or tgs.metrics.evaluate in code)")


def fid_callback(config, out_dir):
    """`callbacks.Scores` against the run's held-out images (the test split;
    a folder's test/ or held-out share) with the features `fid_features`
    names (`tgs.metrics.extractor`; default: the data's domain classifier,
    for unlabelled images a local Inception), or None where a folder has
    no held-out images or no extractor is at hand (logged: a preset's FID
    schedule never stops a run on one's own images)."""
    train, dataset = config.train, config.data.dataset
    if dataset not in data.SPLIT_SOURCES:
        raise ArgumentError(
            "fid_every_n_steps",
            "FID needs a dataset with a test split "
            f"({', '.join(data.SPLIT_SOURCES)}), got {dataset}")
    options = config.data.source_options()
    try:
        real_source = data.get_source(dataset, split="test", **options)
        extractor = metrics.evaluation.run_extractor(config, train=True)
    except ValueError as e:
        if dataset != "folder" or train.fid_features is not None:
            raise
        logging.warning("FID skipped: %s", e)
        return None
    cache = metrics.evaluation.real_features_cache(extractor, dataset,
                                                   **options)
    logging.info("FID (%s): real statistics %s", extractor.label, cache)
    real = None if os.path.isfile(cache) else data.images_array(real_source)
    return tgs_callbacks.Scores(extractor, real, real_cache=cache,
                             every_n_steps=int(train.fid_every_n_steps),
                             num_images=int(train.fid_num_images),
                             out_dir=out_dir,
                             log_dir=os.path.join(out_dir, "logs", "train"),
                             metrics=tuple(train.fid_metrics))


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
            raise ArgumentError("strategy", "multi_worker reads the cluster "
                                            "from the TF_CONFIG environment "
                                            "variable, which is not set")
        return _multi_worker_strategy()
    raise ArgumentError("strategy", "expected none, mirrored or "
                                    f"multi_worker, got {name!r}")


@functools.cache
def _multi_worker_strategy():
    # One per process: it starts this worker's gRPC server.
    try:
        return tf.distribute.MultiWorkerMirroredStrategy()
    except RuntimeError as e:
        raise ArgumentError(
            "strategy", "multi_worker must be set up before TensorFlow runs "
                        "any op in this process; call tgs.training."
                        f"distribution('multi_worker') first thing ({e})"
        ) from None
