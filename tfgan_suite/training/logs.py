"""What a run logs, step by step and epoch by epoch: per-step losses
(`losses.csv`, `losses.png`), per-epoch rows (`history.csv`), the
progress line and TensorBoard; steps are the model's own count
(`step_counter`), so a resumed run continues its files where it stopped."""

import contextlib
import csv
import errno
import functools
import io
import math
import os
import re
import shutil
import struct

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite import files, plots


def step_of(model):
    """The model's step: its calls of `train_step` so far."""
    return int(model.step_counter.numpy())


class Progress(keras.callbacks.ProgbarLogger):
    """Keras's progress bar, numbering epochs out of the run's `epochs`:
    the rest of an epoch a resumed run finishes in a `fit` of its own reads
    "Epoch 8/20", not "Epoch 8/8"; an epoch stopped early counts the steps
    it ran."""

    def __init__(self, epochs):
        super().__init__()
        self.run_epochs = epochs

    def set_params(self, params):
        super().set_params(params)
        self.epochs = self.run_epochs

    def on_epoch_end(self, epoch, logs=None):
        # An epoch stopped early (Ctrl-C, a step budget) ends its line at
        # the steps it ran ("10/25"), where Keras' own says "25/25".
        if self.progbar is not None and self.target and (
                self.seen < self.target):
            self.progbar.update(self.seen, list((logs or {}).items()),
                                finalize=True)
        else:
            super().on_epoch_end(epoch, logs)

class HistoryCSV(keras.callbacks.Callback):
    """The epoch logs as a CSV file, one row per epoch, as
    `keras.callbacks.CSVLogger` writes them but without its always-NA
    `val_*` columns (a GAN's fit has no validation step), and with a column
    for every value logged so far: one that first appears in a later epoch
    (an FID every other epoch, a run resumed before its first FID) gets its
    column, empty in the rows without it. The file is rewritten whole
    (temporary file and rename) after each epoch.

    Args:
      filename: the CSV file.
      resume_epoch: for a resumed run, the epoch it resumes in: the file's
        rows of that epoch and later (an interrupted epoch's partial row,
        rows written after the checkpoint) are dropped, so that each epoch
        has one row. None: a new file.
    """

    def __init__(self, filename, resume_epoch=None):
        super().__init__()
        self.filename = filename
        self._resume_epoch = resume_epoch
        self._rows = None

    def on_train_begin(self, logs=None):
        # A run calls fit again for an epoch's rest or a shorter last
        # epoch: the rows carry over.
        if self._rows is None:
            self._rows = ([row for row in read_csv(self.filename)
                           if int(row["epoch"]) < self._resume_epoch]
                          if self._resume_epoch is not None else [])

    def on_epoch_end(self, epoch, logs=None):
        self._rows.append({"epoch": epoch, **(logs or {})})
        keys = sorted({key for row in self._rows for key in row} - {"epoch"})
        write_csv(self.filename, ["epoch", *keys],
                   [[row.get(key, "") for key in ("epoch", *keys)]
                    for row in self._rows])

class LossHistory(keras.callbacks.Callback):
    """Per-step losses to `losses.csv` and a plot `losses.png`.

    Each step's row holds what `train_step` returned. A value that is the
    running mean of one of the model's `metrics` (a tracker Keras resets
    every epoch) is recorded as the step's own value, recovered exactly as
    t * mean_t - (t - 1) * mean_{t-1} (with `steps_per_execution` > 1, the
    mean over each chunk of steps); any other value as it was returned.

    Args:
      out_dir: folder for the CSV and PNG.
      keys: logged values to keep (default: every key ending in "loss").
      hlines: {label: y} reference lines, e.g. {"log 2": 0.693}.
      plot_every_n_epochs: also redraw the PNG during training.
      resumed_steps: for a run resumed mid-epoch whose trackers go on from
        their means at the checkpoint (`runs.checkpoints.RestoreTrackers`,
        listed before this callback), the steps of that epoch before the
        resume: the means of its first `fit` count them.
    """

    def __init__(self, out_dir, keys=None, hlines=None, plot_every_n_epochs=1,
                 resumed_steps=0):
        super().__init__()
        self.out_dir = out_dir
        self.keys = keys
        self.hlines = hlines
        self.plot_every_n_epochs = plot_every_n_epochs
        self.resumed_steps = resumed_steps
        self.steps, self.values = [], {}

    def on_train_begin(self, logs=None):
        step = step_of(self.model)
        if step and not self.steps:  # resumed: keep the rows up to it.
            for row in read_csv(self.csv_path):
                if int(row["step"]) <= step:
                    self.steps.append(int(row["step"]))
                    for key, value in row.items():
                        if key != "step":
                            self.values.setdefault(key, []).append(
                                float(value))

    @property
    def csv_path(self):
        return os.path.join(self.out_dir, "losses.csv")

    @property
    def plot_path(self):
        return os.path.join(self.out_dir, "losses.png")

    def on_epoch_begin(self, epoch, logs=None):
        # Steps of the epoch done before this `fit`, and their means.
        self._previous_batch, self.resumed_steps = self.resumed_steps, 0
        self._previous = ({m.name: float(m.result())
                           for m in self.model.metrics}
                          if self._previous_batch else {})
        self._first_batch = self._previous_batch

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        keys = self.keys or [k for k in logs if k.endswith("loss")]
        done = self._first_batch + batch + 1  # steps finished in the epoch
        chunk = done - self._previous_batch
        self.steps.append(step_of(self.model))
        means = {m.name for m in self.model.metrics}
        for key in keys:
            mean = float(logs[key])
            previous = self._previous.get(key, 0.0)
            value = ((done * mean - self._previous_batch * previous) / chunk
                     if key in means else mean)
            self.values.setdefault(key, []).append(value)
            self._previous[key] = mean
        self._previous_batch = done

    def on_epoch_end(self, epoch, logs=None):
        if self.plot_every_n_epochs and (epoch + 1) % self.plot_every_n_epochs == 0:
            self.write()

    def on_train_end(self, logs=None):
        self.write()

    def write(self):
        if not self.steps:
            return
        os.makedirs(self.out_dir, exist_ok=True)
        keys = list(self.values)
        write_csv(self.csv_path, ["step", *keys], [
            [step, *(f"{self.values[k][i]:.6g}" for k in keys)]
            for i, step in enumerate(self.steps)])
        finite = {k: v for k, v in self.values.items()
                  if all(math.isfinite(x) for x in v)}
        if finite:
            with files.atomic_path(self.plot_path) as tmp:
                plots.save_loss_plot(np.asarray(self.steps), finite, tmp,
                                     hlines=self.hlines)

class TensorBoard(keras.callbacks.TensorBoard):
    """`keras.callbacks.TensorBoard` whose per-step curves go on at the
    model's step after a resume (Keras' own restart at step 1), and whose
    failed writes (a full disk), reported or not, stop the run as every
    other write of the run does (`event_files`)."""

    def set_model(self, model):
        self._records = WholeRecords(*(os.path.join(self.log_dir, name)
                                       for name in ("train", "validation")))
        with self._event_files():
            super().set_model(model)

    def _event_files(self, flushed=True):
        """`event_files` for this callback's writers; a block after which
        they have not `flushed` (the events of a step are flushed when the
        next begins) is not checked for cut records."""
        return event_files(self._close_writers,
                           self._records if flushed else None)

    def on_train_begin(self, logs=None):
        with self._event_files():
            super().on_train_begin(logs)
        self._global_train_batch = step_of(self.model)

    def on_train_batch_begin(self, batch, logs=None):
        # Keras pops its writer here, flushing the last step's events.
        with self._event_files():
            super().on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        with self._event_files(flushed=False):
            super().on_train_batch_end(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        with self._event_files():
            super().on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        with self._event_files():
            super().on_train_end(logs)


#: A failed file write in a TensorFlow error's first line: `<path>;
#: <the system's reason>`.
_FAILED_WRITE = re.compile(r"(\S+); (.+)")
#: errno by the system's words for it ("No space left on device": ENOSPC).
_ERRNO = {os.strerror(code): code for code in errno.errorcode}


def file_error(error):
    """The `OSError` (errno, reason, path) of a TensorFlow op that failed
    writing a file (`<path>; No space left on device`), or None when
    `error` says no such thing."""
    text = re.sub(r"\{\{[^}]*\}\}", "", getattr(error, "message", "") or "")
    match = _FAILED_WRITE.search(text.strip().split("\n")[0])
    if not match or match.group(2).strip() not in _ERRNO:
        return None
    reason = match.group(2).strip()
    return OSError(_ERRNO[reason], reason, match.group(1))


#: An event file is a TFRecord file: each record is its length (uint64,
#: little-endian) and that length's checksum (uint32), then the data and
#: their checksum (uint32).
_RECORD_HEADER = struct.Struct("<QI")
_RECORD_FOOTER = 4


def whole_records(path, offset=0, size=None):
    """The end of the last record of the event file at `path` (its first
    `size` bytes; default: all), read from `offset` (the start of a
    record); an `OSError` naming the file when it ends inside a record
    (`cut_record`). Only the records' lengths are read, not their data."""
    if size is None:
        size = os.path.getsize(path)
    with open(path, "rb") as f:
        while offset < size:
            f.seek(offset)
            header = f.read(_RECORD_HEADER.size)
            end = offset + _RECORD_HEADER.size
            if len(header) == _RECORD_HEADER.size:
                end += _RECORD_HEADER.unpack(header)[0] + _RECORD_FOOTER
            if len(header) < _RECORD_HEADER.size or end > size:
                raise cut_record(path, missing=end - size)
            offset = end
    return offset


def cut_record(path, missing):
    """The `OSError` of an event file at `path` whose last record lacks
    `missing` bytes (at least): "No space left on device" when its disk
    has less room than that, which is how it happens (a write that partly
    fits the file's last page, cut by TensorFlow's writer without an
    error); else a damaged file."""
    if shutil.disk_usage(os.path.dirname(path)).free < missing:
        code = errno.ENOSPC
        return OSError(code, os.strerror(code), path)
    return OSError(errno.EIO, "the event file ends inside a record (its "
                   "writer was cut short, or the file was changed)", path)


class WholeRecords:
    """The event files that appear in the folders `dirs` after this is
    made, checked to end in a whole record (`whole_records`) by `check()`,
    after their writers flush: TensorFlow's summary writer cuts a write
    short when the disk fills while the event file's last page still has
    room, and reports no error (its `flush()` and `close()` succeed too).
    A check reads only the records written since the last one; the files
    there before (an earlier run's, resumed) are not checked."""

    def __init__(self, *dirs):
        self.dirs = dirs
        # The end of each file's last whole record; None: not checked.
        self.ends = {path: None for path, _ in self.files()}

    def files(self):
        """(path, size) of each event file in `dirs`."""
        found = []
        for folder in self.dirs:
            try:
                entries = list(os.scandir(folder))
            except FileNotFoundError:  # no writer there yet.
                continue
            found += [(entry.path, entry.stat().st_size) for entry in entries
                      if ".tfevents." in entry.name and entry.is_file()]
        return found

    def check(self):
        for path, size in self.files():
            end = self.ends.setdefault(path, 0)
            if end is not None and end != size:
                self.ends[path] = whole_records(path, end, size)


@contextlib.contextmanager
def event_files(close, records=None):
    """Raises a failed write of TensorBoard's event files (a full disk
    under `logs/`) as the `OSError` naming the file that any other write
    of a run raises, after `close()` gives up the failing writer: the run
    then stops in one line naming the file and its last good checkpoint,
    which `--resume` continues from. (Training on without TensorBoard would
    stop at the next checkpoint of the same full disk anyway.) With
    `records` (`WholeRecords`), a write that TensorFlow cut short without
    an error is found when the block ends, and raised the same way."""
    try:
        yield
        if records is not None:
            records.check()
    except tf.errors.OpError as e:
        error = file_error(e)
        if error is None:
            raise
        _give_up(close)
        raise error from None
    except OSError:
        _give_up(close)
        raise


def _give_up(close):
    try:
        close()
    except tf.errors.OpError:  # its last flush fails the same way.
        pass


def write_csv(path, header, rows):
    """A CSV file of `header` and `rows`, written whole and atomically."""
    lines = io.StringIO()
    writer = csv.writer(lines)
    writer.writerow(header)
    writer.writerows(rows)
    files.write_text(path, lines.getvalue())


def read_csv(path):
    if not os.path.isfile(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@functools.cache
def summary_writer(log_dir):
    """One TensorBoard summary writer per folder (`EventFile`)."""
    return EventFile(log_dir)


class EventFile:
    """A TensorBoard summary writer whose failed writes are `OSError`s
    naming its file (`event_files`); after one, `summary_writer` makes new
    writers."""

    def __init__(self, log_dir):
        self.records = WholeRecords(log_dir)
        with event_files(lambda: None, self.records):
            self.writer = tf.summary.create_file_writer(log_dir)

    def close(self):
        summary_writer.cache_clear()
        self.writer.close()

    @contextlib.contextmanager
    def as_default(self):
        """`writer.as_default()`, whose writes (flushed when the block
        ends) fail as `event_files` says."""
        with event_files(self.close, self.records), self.writer.as_default():
            yield
