"""What a run logs: TensorBoard's event files checked to end in whole
records (`logs.WholeRecords`; TensorFlow's summary writer cuts a write
short on a full disk without an error, and tests/test_reliability.py has
the full disk), and the progress line (`logs.Progress`)."""

import errno
import os
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite.training import logs


def write_events(log_dir, n):
    """n scalar events written and flushed by TensorFlow's writer in
    `log_dir`: the path of its event file."""
    writer = tf.summary.create_file_writer(str(log_dir))
    with writer.as_default():
        for step in range(n):
            tf.summary.scalar("x", float(step), step=step)
    writer.close()
    found = list(log_dir.glob("*.tfevents.*"))
    assert len(found) == 1, found
    return found[0]


def test_whole_records_reads_to_the_end_of_a_file_tensorflow_wrote(tmp_path):
    path = write_events(tmp_path, 5)
    size = path.stat().st_size
    assert logs.whole_records(str(path)) == size
    events = list(tf.compat.v1.train.summary_iterator(str(path)))
    assert len(events) == 6  # the file-version event, and 5 scalars.
    first = len(events[0].SerializeToString()) + 16
    assert logs.whole_records(str(path), first) == size


@pytest.mark.parametrize("cut", [1, 4, 13, 20])
def test_a_file_ending_inside_a_record_is_an_error_naming_it(tmp_path, cut):
    """Cut inside the last record's data, its checksums or its header."""
    path = write_events(tmp_path, 3)
    os.truncate(path, path.stat().st_size - cut)
    with pytest.raises(OSError) as error:
        logs.whole_records(str(path))
    # The disk has room: not a full disk, a damaged file.
    assert error.value.errno == errno.EIO
    assert error.value.filename == str(path)
    assert "ends inside a record" in str(error.value)


def test_a_record_that_did_not_fit_reads_as_a_full_disk(tmp_path,
                                                        monkeypatch):
    path = write_events(tmp_path, 3)
    os.truncate(path, path.stat().st_size - 10)
    monkeypatch.setattr(logs.shutil, "disk_usage",  # 9 bytes free.
                        lambda p: types.SimpleNamespace(free=9))
    with pytest.raises(OSError) as error:
        logs.whole_records(str(path))
    assert error.value.errno == errno.ENOSPC
    assert str(error.value) == (f"[Errno {errno.ENOSPC}] No space left on "
                                f"device: '{path}'")


def test_whole_records_checks_new_files_and_new_records_only(tmp_path):
    old = write_events(tmp_path / "train", 2)
    os.truncate(old, old.stat().st_size - 3)  # an earlier run's, cut.
    records = logs.WholeRecords(str(tmp_path / "train"),
                                str(tmp_path / "validation"))
    records.check()  # the earlier file is not checked.
    new = write_events(tmp_path / "validation", 2)
    records.check()
    assert records.ends[str(new)] == new.stat().st_size
    with open(new, "ab") as f:  # a record header, its data lost.
        f.write((100).to_bytes(8, "little") + b"\0\0\0\0")
    with pytest.raises(OSError) as error:
        records.check()
    assert error.value.filename == str(new)


def test_event_files_gives_up_the_writer_and_raises_a_cut_record(tmp_path):
    path = write_events(tmp_path, 2)
    later = tmp_path / "later"
    records = logs.WholeRecords(str(later))  # made before its folder.
    closed = []
    later.mkdir()
    with pytest.raises(OSError) as error:
        with logs.event_files(lambda: closed.append(True), records):
            (later / path.name).write_bytes(path.read_bytes()[:-2])
    assert closed == [True]
    assert error.value.filename == str(later / path.name)


class StopAt(keras.callbacks.Callback):
    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 == self.step:
            self.model.stop_training = True


@pytest.mark.parametrize("verbose", [1, 2])
def test_an_epoch_stopped_early_counts_the_steps_it_ran(capsys, verbose):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    x = np.zeros((16, 2), np.float32)
    model.fit(x, x[:, :1], batch_size=2, epochs=3, verbose=verbose,
              callbacks=[StopAt(3), logs.Progress(5)])
    out = capsys.readouterr().out
    assert "Epoch 1/5" in out and "Epoch 2/5" not in out
    assert "3/8" in out and "8/8" not in out
    model.fit(x, x[:, :1], batch_size=2, epochs=1, verbose=verbose,
              callbacks=[logs.Progress(5)])
    assert "8/8" in capsys.readouterr().out  # a whole epoch: all its steps.
