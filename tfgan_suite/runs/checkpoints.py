"""Training checkpoints for exact resumes, on `tf.train.CheckpointManager`.

A checkpoint is the whole state `train_step` reads and writes, tracked by a
`tf.train.Checkpoint`:

- `model`: every variable Keras tracks on the model by attribute: both
  nets (weights, batch-norm statistics, spectral-norm vectors), the EMA
  generator, the augmentation's state (ADA's p), and `g_optimizer` /
  `d_optimizer` (iterations, learning rate, slots);
- `seed_states`: the state of every `keras.random.SeedGenerator` of the model
  (training noise, dropout, augmentation), which are not trackable objects,
  so the resumed run draws the same numbers;
- `epoch`: finished epochs; the step is the model's own `step_counter`
  (calls of `train_step`, whatever one step does; with `run`'s repeated,
  seeded pipeline also the data position);
- `trackers` and `tracker_paths`: the variables of the model's trackers
  (`model.metrics`, the running means `train_step` logs and Keras resets
  when an epoch begins) and their paths, so that an epoch interrupted
  mid-way goes on averaging from where it stood (`RestoreTrackers`);
  checkpoints written before they were kept still restore, without them;
- `model_class`: the model's class name, checked before anything is restored.

The manager numbers checkpoints by step: `directory/ckpt-<step>.index`
and `.data-00000-of-00001`, plus its state file `directory/checkpoint`
naming the kept ones, oldest first (the last `keep`).

What a save guarantees: the manager writes the state file only after the
checkpoint's data and index files are complete, replaces it by a rename
(`file_io.atomic_write_string_to_file`), and only then deletes the
checkpoints beyond `keep`. `list_checkpoints` and `restore_checkpoint` read
the state file only, so a process killed at any moment leaves the previous
or the new set of whole checkpoints (at worst unnamed files of the
interrupted save, overwritten by the next save of that step). Against a
power loss the files are fsynced (the new checkpoint's before the state
file names it, the state file after), but not the folder, so the newest
save may be lost with the renames of its last seconds. No variable with a
non-finite value is ever saved.
"""

import errno
import os
import re

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from tfgan_suite import files

_MODEL_CLASS_KEY = "model_class/.ATTRIBUTES/VARIABLE_VALUE"
_EPOCH_KEY = "epoch/.ATTRIBUTES/VARIABLE_VALUE"
_TRACKER_PATHS_KEY = "tracker_paths/.ATTRIBUTES/VARIABLE_VALUE"
#: A checkpoint's index file: `ckpt-<step>.index`.
_PREFIX = re.compile(r"(ckpt-(\d+))\.index")


class Checkpoint(keras.callbacks.Callback):
    """Saves the full training state at the end of every epoch (see the
    module docstring), keeping the last `keep`; skips, with a warning, an
    epoch whose weights are not finite. `restore_checkpoint` reads the
    latest back.

    With `run` every training run is step-based over a repeated, seeded
    pipeline, so "every epoch" is "every steps_per_epoch steps".

    On a multi-worker cluster every worker saves (reading the model's
    variables may take all of them), and, as TensorFlow's own multi-worker
    saving does, only the chief into `directory`: the others into a
    temporary folder of their own, removed at once (`writes=False`).
    """

    def __init__(self, directory, keep=3, writes=True):
        super().__init__()
        self.directory = directory
        self.keep = keep
        self.writes = writes

    def on_epoch_end(self, epoch, logs=None):
        with files.owned_path(self.directory, self.writes) as directory:
            save_checkpoint(self.model, directory, epoch + 1, keep=self.keep)


class RestoreTrackers(keras.callbacks.Callback):
    """Continues the running means of the epoch a run resumes in mid-way:
    when the first epoch begins, after Keras has reset the model's
    trackers (`model.metrics`), sets their variables to `values`
    ([(variable path, value)], the "trackers" of `restore_checkpoint`). That
    epoch's logs (its history row, its progress line, the per-step losses
    `LossHistory` recovers from the means) are then those of a run never
    stopped. List it before the callbacks that read the trackers when an
    epoch begins.

    Raises (when the epoch begins):
      ValueError: the checkpoint's trackers are not the model's.
    """

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_begin(self, epoch, logs=None):
        values, self.values = self.values, None
        if values is None:
            return
        variables = _tracker_variables(self.model)
        paths, saved = [v.path for v in variables], [p for p, _ in values]
        if paths != saved:
            raise ValueError(
                f"resume: the checkpoint holds the trackers "
                f"{', '.join(saved) or 'none'}, and "
                f"{type(self.model).__name__} updates "
                f"{', '.join(paths) or 'none'}")
        for variable, (_, value) in zip(variables, values):
            variable.assign(value)


def _seed_states(model):
    return [v for v in model.variables if "seed_generator_state" in v.path]


def _tracker_variables(model):
    """The variables of the trackers `fit` resets and logs, in order."""
    return [v for metric in model.metrics for v in metric.variables]


def _training_state(model, epoch=0, trackers=None):
    """The `tf.train.Checkpoint` of `model`'s training state, with
    `trackers` ([(path, variable)] of the trackers; None: not kept, as
    in checkpoints written before they were); returns it and its epoch
    counter."""
    epoch = tf.Variable(int(epoch), dtype=tf.int64, trainable=False)
    kept = {}
    if trackers is not None:
        kept = {"trackers": [v for _, v in trackers],
                "tracker_paths": tf.Variable([p for p, _ in trackers],
                                             dtype=tf.string,
                                             trainable=False)}
    state = tf.train.Checkpoint(
        model=model, seed_states=_seed_states(model), epoch=epoch,
        model_class=tf.Variable(type(model).__name__, trainable=False),
        **kept)
    return state, epoch


def _saved_trackers(reader):
    """[(path, a variable to restore its value into)] of the trackers a
    checkpoint keeps (`reader`: its `tf.train.load_checkpoint`); None for
    one written before they were kept."""
    if not reader.has_tensor(_TRACKER_PATHS_KEY):
        return None
    paths = [p.decode() for p in reader.get_tensor(_TRACKER_PATHS_KEY)]
    return [(path, tf.Variable(reader.get_tensor(
                f"trackers/{i}/.ATTRIBUTES/VARIABLE_VALUE"), trainable=False))
            for i, path in enumerate(paths)]


def _saved_variables(model):
    return model.variables + [v for optimizer in model.optimizers()
                              for v in optimizer.variables]


def list_checkpoints(directory, existing=True):
    """The checkpoint prefixes (`directory/ckpt-<step>`) the manager's state
    file names (and, with `existing`, whose index file exists), oldest
    first. A state file that
    cannot be read (cut short, overwritten) names nothing: then, with a
    warning, every `ckpt-<step>.index` of `directory`, by step."""
    try:
        found = tf.train.get_checkpoint_state(directory)
    except (ValueError, UnicodeDecodeError, tf.errors.OpError) as e:
        on_disk = checkpoints_on_disk(directory)
        logging.warning("checkpoints: the state file %s is unreadable (%s); "
                        "taking the checkpoints on disk: %s",
                        os.path.join(directory, "checkpoint"), reason(e),
                        ", ".join(map(os.path.basename, on_disk)) or "none")
        return on_disk
    if found is None:
        return []
    return [path for path in found.all_model_checkpoint_paths
            if not existing or tf.io.gfile.exists(path + ".index")]


def checkpoints_on_disk(directory):
    """The prefixes of every `ckpt-<step>.index` file in `directory`, by
    step, whether the state file names them or not."""
    if not tf.io.gfile.isdir(directory):
        return []
    return [os.path.join(directory, name) for _, name in sorted(
        (int(m.group(2)), m.group(1))
        for m in map(_PREFIX.fullmatch, tf.io.gfile.listdir(directory)) if m)]


def damage(path):
    """Why the checkpoint `path` (a prefix) cannot be read whole, in one
    line, or None when every tensor reads back: TensorFlow checks each
    against the length and CRC32C its index records, so a file cut short,
    missing or overwritten shows here (an index that is not one, too)."""
    try:
        reader = tf.train.load_checkpoint(path)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except (tf.errors.OpError, IndexError, ValueError, OSError) as e:
        return reason(e)
    return None


def latest_intact(directory):
    """The prefix of the newest checkpoint of `directory` that reads whole
    (`damage`), or None when `directory` holds no checkpoint; newer
    damaged ones are skipped, with one warning naming them, why, and the
    one taken instead. When none the state file names is intact, the
    other checkpoints on disk are tried, newest first: a copy of a run
    folder taken while it trained may hold a state file older than its
    checkpoints, naming only ones the run had deleted by then.

    Raises:
      ValueError: `directory` holds checkpoints and none is intact.
    """
    skipped = []
    named = list_checkpoints(directory, existing=False)
    unnamed = [path for path in checkpoints_on_disk(directory)
               if path not in named]
    for path in [*reversed(named), *reversed(unnamed)]:
        why = damage(path)
        if why is None:
            if skipped:
                logging.warning("checkpoints: skipping %s; using %s, the "
                                "newest intact one", "; ".join(skipped), path)
            return path
        skipped.append(f"{path} (damaged: {why})")
    if skipped:
        raise ValueError(f"resume: no intact checkpoint in {directory}: "
                         f"{'; '.join(skipped)}; nothing was restored")
    return None


def reason(error):
    """Why an operation failed, in one line: `error`'s message without
    TensorFlow's op decorations ({{function_node ...}}, [Op:SaveV2])."""
    text = getattr(error, "message", None) or str(error) or type(
        error).__name__
    text = re.sub(r"\{\{[^}]*\}\}|\[Op:\w+\]", "", text)
    return " ".join(text.split())[:300]


def step_of_prefix(path):
    """The step in a checkpoint prefix `.../ckpt-<step>`."""
    return int(path.rsplit("-", 1)[1])


def epoch_of_prefix(path):
    """The epochs finished when the checkpoint `path` was saved, read
    without a model."""
    return int(tf.train.load_checkpoint(path).get_tensor(_EPOCH_KEY))


def further(directory, config):
    """("steps" or "epochs", N): a length that trains the run of `config`
    (a `RunConfig`) with its checkpoints in `directory` further when
    resumed: twice the length asked, or twice what its latest checkpoint
    reached (a run resumed with a shorter length than it had reached is
    not cut short)."""
    length = "steps" if config.train.steps else "epochs"
    latest = latest_intact(directory) if os.path.isdir(directory) else None
    reached = 0 if latest is None else (
        step_of_prefix(latest) if length == "steps"
        else epoch_of_prefix(latest))
    return length, 2 * max(int(getattr(config.train, length) or 1), reached)


def save_checkpoint(model, directory, epoch, keep=3):
    """Saves `model`'s training state as `directory/ckpt-<step>` (its
    `step_counter`), keeping the last `keep` checkpoints; returns the
    prefix, or None (with a warning) when a variable of the model or its
    optimizers is not finite.

    Raises:
      OSError: naming the checkpoint, when it cannot be written (a full
        disk); the checkpoints saved before stay whole and listed.
    """
    step = int(model.step_counter.numpy())
    values = [np.asarray(v.numpy()) for v in _saved_variables(model)]
    if not all(np.isfinite(v).all() for v in values if v.dtype.kind == "f"):
        logging.warning("Checkpoint: non-finite weights at step %d, not "
                        "saved", step)
        return None
    state, _ = _training_state(model, epoch, trackers=[
        (v.path, v) for v in _tracker_variables(model)])
    _repair_state_file(directory)
    manager = tf.train.CheckpointManager(state, directory, max_to_keep=keep)
    # Runs before the manager's own callback, which writes the state file.
    options = tf.train.CheckpointOptions(
        experimental_write_callbacks=[lambda: files.fsync_tree(directory)])
    try:
        path = manager.save(checkpoint_number=int(step), options=options)
    except tf.errors.OpError as e:
        # A full disk, a failing write: the state file still names the
        # previous checkpoints, which stay whole.
        raise OSError(errno.EIO, f"saving the checkpoint of step {step} "
                      f"failed ({reason(e)})",
                      os.path.join(directory, f"ckpt-{step}")) from None
    files.fsync_tree(directory)
    return path


def _repair_state_file(directory):
    """Rewrites an unreadable state file, which the manager reads first,
    naming the checkpoints on disk (`list_checkpoints`)."""
    try:
        tf.train.get_checkpoint_state(directory)
    except (ValueError, UnicodeDecodeError, tf.errors.OpError):
        from google.protobuf import text_format
        found = list_checkpoints(directory)
        if not found:
            os.remove(os.path.join(directory, "checkpoint"))
            return
        # With their times, as the manager writes them: it deletes only
        # the checkpoints saved after its `last_preserved_timestamp`.
        times = [os.path.getmtime(path + ".index") for path in found]
        state = tf.compat.v1.train.generate_checkpoint_state_proto(
            directory, found[-1], all_model_checkpoint_paths=found,
            all_model_checkpoint_timestamps=times,
            last_preserved_timestamp=min(times) - 1)
        files.write_text(os.path.join(directory, "checkpoint"),
                         text_format.MessageToString(state))


def restore_checkpoint(model, directory):
    """Loads the latest intact checkpoint of `directory` into `model`
    (built and compiled, as when it was saved): damaged newer ones are
    skipped with a warning each (`latest_intact`).

    Returns:
      {"epoch", "step", "path", "trackers"}: finished epochs, the model's
      step, the checkpoint's prefix, and [(path, value)] of the trackers'
      variables at that step (for `RestoreTrackers`; None for a
      checkpoint written before they were kept). The trackers are not
      set: Keras resets them when an epoch begins.

    Raises:
      ValueError: no checkpoint in `directory`, none intact, a checkpoint
        of another model class, or one that does not fit `model` (other nets or optimizers).
    """
    path = latest_intact(directory)
    if path is None:
        raise ValueError(f"resume: no checkpoint in {directory} (expected "
                         f"the ckpt-<step> files and `checkpoint` state "
                         f"file written by a previous run)")
    reader = tf.train.load_checkpoint(path)
    if not reader.has_tensor(_MODEL_CLASS_KEY):
        raise ValueError(f"resume: {path} is not a tfgan_suite training "
                         f"checkpoint (it names no model class)")
    saved_class = reader.get_tensor(_MODEL_CLASS_KEY).decode()
    if saved_class != type(model).__name__:
        raise ValueError(f"resume: {path} is a checkpoint of {saved_class}, "
                         f"not {type(model).__name__}")
    trackers = _saved_trackers(reader)
    state, epoch = _training_state(model, trackers=trackers)
    try:
        state.restore(path).assert_consumed()
    except (AssertionError, ValueError, tf.errors.OpError) as e:
        if isinstance(e, tf.errors.NotFoundError) and damage(path):
            # Deleted since it was checked: the run writing here saved
            # `keep` newer ones meanwhile. The newest again, then.
            return restore_checkpoint(model, directory)
        raise ValueError(f"resume: {path} does not fit this "
                         f"{type(model).__name__} (other nets, optimizers or "
                         f"random states than when it was saved): {e}"
                         ) from None
    return {"epoch": int(epoch.numpy()),
            "step": int(model.step_counter.numpy()), "path": path,
            "trackers": None if trackers is None else [
                (name, v.numpy()) for name, v in trackers]}
