"""Exact resume after kill -9, determinism, NaN handling (issue 8)."""

import csv
import errno
import glob
import json
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfgan_suite.runs.checkpoints import list_checkpoints
from tests.conftest import REPO, write_cifar
from tests.scripts.test_scripts import NO_FID, TINY, script

RUN = ["--model=dcgan", "--dataset=cifar10", "--classes=horse", "--steps=8",
       "--steps_per_epoch=2", "--seed=3", *TINY, *NO_FID]

# Trains like train.py, but SIGKILLs itself after global step 5, mid-epoch 3
# (the checkpoint of step 4, ckpt-4, is on disk; step 5 is lost).
KILLED = r'''
import os, signal, sys, keras
from tfgan_suite import runs, training
from tfgan_suite.training import runner
config = runs.make_config(
    None, model="dcgan", dataset="cifar10", classes=["horse"],
    data_dir=sys.argv[1], steps=8, steps_per_epoch=2, seed=3,
    model_args={"filters": 4, "latent_dim": 8}, batch_size=4,
    fid_every_n_steps=0, verbose=0)

class Kill(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.g_optimizer.iterations.numpy()) == 5:
            os.kill(os.getpid(), signal.SIGKILL)

training.run(config, sys.argv[2], extra_callbacks=[Kill()])
'''


@pytest.fixture(scope="module")
def cifar(tmp_path_factory):
    return write_cifar(tmp_path_factory.mktemp("data"))


def weights(run):
    import tfgan_suite.models  # noqa: F401
    model = keras.models.load_model(str(run / "model.keras"))
    return model, [w.numpy() for w in model.weights]


@pytest.fixture(scope="module")
def straight(tmp_path_factory, cifar):
    """An uninterrupted run of RUN."""
    out = tmp_path_factory.mktemp("straight") / "run"
    result = script("train.py", *RUN, f"--data_dir={cifar}",
                    f"--out_dir={out}")
    assert result.returncode == 0, result.stderr[-3000:]
    return out


# Covered in the default suite by the resume test of
# tests/training/test_interrupt.py, which compares per-step losses of two
# seeded runs.
@pytest.mark.slow
def test_same_seed_same_losses(tmp_path, cifar, straight):
    result = script("train.py", *RUN, f"--data_dir={cifar}",
                    f"--out_dir={tmp_path / 'again'}")
    assert result.returncode == 0, result.stderr[-3000:]
    a = (straight / "losses.csv").read_text()
    assert a == (tmp_path / "again" / "losses.csv").read_text()
    assert len(a.splitlines()) == 9


@pytest.mark.slow  # in-process: tests/training/test_interrupt.py
def test_resume_after_kill_equals_an_uninterrupted_run(tmp_path, cifar,
                                                       straight):

    killed = tmp_path / "killed"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    crash = subprocess.run([sys.executable, "-c", KILLED, cifar, str(killed)],
                           env=env, cwd=REPO, capture_output=True, text=True,
                           timeout=300)
    assert crash.returncode == -9, crash.stderr[-3000:]
    kept = list_checkpoints(str(killed / "checkpoints"))
    assert kept == [str(killed / "checkpoints" / f"ckpt-{step}")
                    for step in (2, 4)]
    # Nothing of a step 5/6 checkpoint, whole or half-written.
    assert not [name for name in os.listdir(killed / "checkpoints")
                if name.startswith(("ckpt-5", "ckpt-6"))]
    assert not (killed / "model.keras").exists()

    # Fresh training into a run folder with checkpoints is refused.
    result = script("train.py", *RUN, f"--data_dir={cifar}",
                    f"--out_dir={killed}")
    assert result.returncode == 2
    assert "pass --resume to continue it" in result.stderr
    result = script("train.py", "--model=sagan", "--resume",
                    f"--out_dir={killed}")
    assert result.returncode == 2
    assert (f"error: --model: the run in {killed} trained with "
            f"'dcgan' and --resume cannot change it") in result.stderr

    result = script("train.py", "--resume", f"--out_dir={killed}")
    assert result.returncode == 0, result.stderr[-3000:]
    a, wa = weights(straight)
    b, wb = weights(killed)
    assert int(b.g_optimizer.iterations) == int(a.g_optimizer.iterations) == 8
    assert int(b.d_optimizer.iterations) == 8
    for x, y in zip(wa, wb):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)
    assert ((straight / "losses.csv").read_text()
            == (killed / "losses.csv").read_text())


def test_nan_stops_training_keeps_the_last_good_checkpoint(tmp_path, cifar):
    from tfgan_suite import runs, training
    config = runs.make_config(
        None, model="dcgan", dataset="cifar10", classes=["horse"],
        data_dir=cifar, steps=8, steps_per_epoch=1, seed=3,
        model_args={"filters": 4, "latent_dim": 8}, batch_size=4,
        fid_every_n_steps=0)
    # A learning rate that blows up after the first checkpoints: D's
    # weights turn non-finite at step 3 (not saved), its loss at step 4.
    config = runs.config.with_fields(config, d_optimizer={
        "class_name": "SGD", "config": {"learning_rate": 1e4}})
    code = r'''
import sys
from tfgan_suite import runs, training
config = runs.RunConfig.from_json(open(sys.argv[1]).read())
config = runs.config.with_fields(config, export=sys.argv[3], verbose=0)
try:
    training.run(config, sys.argv[2])
except ValueError as e:
    print("ERROR", e)
'''
    (tmp_path / "c.json").write_text(config.to_json())
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "c.json"),
         str(tmp_path / "blowup"), str(tmp_path / "sm_nan")],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert "ERROR training: non-finite loss at step" in result.stdout, (
        result.stdout + result.stderr[-3000:])
    assert not (tmp_path / "blowup" / "model.keras").exists()
    assert not (tmp_path / "sm_nan").exists()
    health = json.loads((tmp_path / "blowup" / "health.json").read_text())
    assert health["stopped_at"] is not None
    kept = list_checkpoints(str(tmp_path / "blowup" / "checkpoints"))
    assert kept, "no checkpoint before the blow-up"
    assert int(kept[-1].rsplit("-", 1)[1]) < health["stopped_at"]
    assert f"last good checkpoint: {kept[-1]} " in result.stdout
    for path in kept:
        reader = tf.train.load_checkpoint(path)
        for name, dtype in reader.get_variable_to_dtype_map().items():
            if dtype.is_floating:
                assert np.isfinite(reader.get_tensor(name)).all(), (path,
                                                                    name)


# A full disk (ENOSPC) at each kind of file a run writes: injected at the
# rename that would publish the file (every file of a run goes through
# `files.atomic_path`), and for checkpoints (written by TensorFlow) as a
# save that leaves half a data file and fails as TensorFlow does.

FULL = OSError(errno.ENOSPC, "No space left on device")


def tiny_config(data, export=None, **overrides):
    from tfgan_suite import runs
    config = runs.make_config(
        "fashion_mnist_dcgan", data_dir=data, batch_size=8, steps=6,
        steps_per_epoch=2, fid_every_n_steps=0, verbose=0, seed=3,
        model_args={"filters": 4, "latent_dim": 8}, export=export,
        **overrides)
    return config


@pytest.fixture(scope="module")
def idx_data(tmp_path_factory):
    from tests.conftest import write_idx
    return write_idx(tmp_path_factory.mktemp("idx"))


@pytest.fixture(scope="module")
def straight_tiny(tmp_path_factory, idx_data):
    from tfgan_suite import training
    out = tmp_path_factory.mktemp("straight") / "run"
    training.run(tiny_config(idx_data), str(out))
    return out


def fail_renames_to(monkeypatch, name, after=0):
    """Makes every rename onto a path named `name` after the first `after`
    fail with ENOSPC."""
    done = []
    for function in ("replace", "rename"):
        real = getattr(os, function)

        def failing(src, dst, *args, real=real, **kwargs):
            if os.path.basename(os.fspath(dst)) == name:
                done.append(dst)
            if len(done) > after and os.path.basename(os.fspath(dst)) == name:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), src,
                              None, dst)
            return real(src, dst, *args, **kwargs)
        monkeypatch.setattr(os, function, failing)


def fail_checkpoint_at(monkeypatch, step):
    """Makes the save of checkpoint `step` write half a data file, then
    fail as TensorFlow does on a full disk."""
    real = tf.train.CheckpointManager.save

    def failing(manager, checkpoint_number=None, **kwargs):
        if checkpoint_number == step:
            prefix = os.path.join(manager.directory, f"ckpt-{step}")
            with open(prefix + ".data-00000-of-00001", "wb") as f:
                f.write(b"\0" * 100)
            raise tf.errors.ResourceExhaustedError(
                None, None, f"{prefix}.data-00000-of-00001; No space left "
                            f"on device")
        return real(manager, checkpoint_number=checkpoint_number, **kwargs)
    monkeypatch.setattr(tf.train.CheckpointManager, "save", failing)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


FILE_KINDS = {  # kind: (the file that fails, what its error says)
    "checkpoint": ("run/checkpoints/ckpt-4", "saving the checkpoint of step 4 "
                                         "failed"),
    "sample grid": ("run/samples/epoch_0002.png", "No space left on device"),
    "losses.csv": ("run/losses.csv", "No space left on device"),
    "history.csv": ("run/history.csv", "No space left on device"),
    "model.keras": ("run/model.keras", "No space left on device"),
    "export": ("sm/1", "No space left on device"),
}

#: Rows of losses.csv and history.csv when the write of epoch 2 (steps 3
#: and 4) fails, by the kind of file that fails (callbacks in their order:
#: samples, losses, history, checkpoint).
WRITTEN_BEFORE = {"sample grid": (2, 1), "losses.csv": (2, 1),
                  "history.csv": (4, 1), "checkpoint": (4, 2)}


# Two kinds in the default suite (about 10 s of CPU each), all when slow.
@pytest.mark.slow_cases(["sample grid", "history.csv", "model.keras",
                         "export"])
@pytest.mark.parametrize("kind", FILE_KINDS)
def test_a_full_disk_loses_nothing_and_resume_continues_exactly(
        tmp_path, idx_data, straight_tiny, monkeypatch, kind):
    from tfgan_suite import runs, training
    out = tmp_path / "run"
    export = str(tmp_path / "sm") if kind == "export" else None
    failing, said = FILE_KINDS[kind]
    if kind == "checkpoint":
        fail_checkpoint_at(monkeypatch, 4)
    else:
        fail_renames_to(monkeypatch, os.path.basename(failing),
                        after=int(kind.endswith(".csv")))  # epoch 2's
    with pytest.raises(ValueError) as error:
        training.run(tiny_config(idx_data, export), str(out))
    message = str(error.value)
    assert message.startswith(f"{tmp_path / failing}: ") and said in message
    assert "\n" not in message
    monkeypatch.undo()  # space freed

    # What was there before the failing write is whole and readable.
    kept = list_checkpoints(str(out / "checkpoints"))
    from tfgan_suite.runs import checkpoints
    assert kept and all(checkpoints.damage(path) is None for path in kept)
    if kind in WRITTEN_BEFORE:
        # The callbacks before the failing one wrote epoch 2's rows.
        steps, epochs = WRITTEN_BEFORE[kind]
        assert kept == [str(out / "checkpoints" / "ckpt-2")]
        assert (read_csv(out / "losses.csv") ==
                read_csv(straight_tiny / "losses.csv")[:steps])
        assert (read_csv(out / "history.csv") ==
                read_csv(straight_tiny / "history.csv")[:epochs])
        Image.open(out / "samples" / "epoch_0001.png").load()
    # finish writes model.keras before the export.
    assert (out / "model.keras").exists() == (kind == "export")
    assert not [path for path in glob.glob(str(tmp_path / "**" / ".*"),
                                            recursive=True)
                if ".tmp" in path], "a temporary file was left"

    resumed, _ = training.run(runs.resume_config(str(out)), str(out),
                              resume=True)
    assert ((out / "losses.csv").read_text() ==
            (straight_tiny / "losses.csv").read_text())
    assert ((out / "history.csv").read_text().splitlines()[0] ==
            (straight_tiny / "history.csv").read_text().splitlines()[0])
    _, expected = weights(straight_tiny)
    _, found = weights(out)
    for a, b in zip(expected, found):
        np.testing.assert_array_equal(a, b)
    if export:
        assert os.path.isdir(os.path.join(export, "1", "variables"))


def test_resume_skips_a_damaged_latest_checkpoint(tmp_path, straight_tiny):
    """The truncated latest checkpoint of a copy cut short: --resume takes
    the one before it, says so in one line, and continues exactly."""
    import shutil
    out = tmp_path / "run"
    shutil.copytree(straight_tiny, out)
    (out / "model.keras").unlink()  # stopped after its last checkpoint
    data = out / "checkpoints" / "ckpt-6.data-00000-of-00001"
    os.truncate(data, os.path.getsize(data) // 2)
    result = script("train.py", f"--out_dir={out}", "--resume")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (f"checkpoints: skipping {out}/checkpoints/ckpt-6 (damaged: Read "
            f"less bytes than requested); using {out}/checkpoints/ckpt-4, "
            f"the newest intact one") in result.stderr
    # Steps 5 and 6 again, as the run first made them.
    assert ((out / "losses.csv").read_text() ==
            (straight_tiny / "losses.csv").read_text())
    for a, b in zip(weights(straight_tiny)[1], weights(out)[1]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow  # the fallback itself: tests/runs/test_loading.py
def test_commands_take_the_checkpoint_or_stop_in_one_line(tmp_path,
                                                          straight_tiny):
    """tfgan-generate on a damaged model.keras takes the checkpoint; with
    nothing intact, it and --resume are one line and exit 2, and nothing
    is overwritten."""
    import shutil
    out = tmp_path / "run"
    shutil.copytree(straight_tiny, out)
    os.truncate(out / "model.keras", 100)
    result = script("generate.py", f"--model_path={out}", "--num=4",
                    f"--out={tmp_path / 'grid.png'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (f"{out} has model.keras is damaged (" in result.stderr
            and "using its latest intact checkpoint" in result.stderr)
    assert (tmp_path / "grid.png").is_file()

    for path in glob.glob(str(out / "checkpoints" / "ckpt-*.index")):
        os.truncate(path, 0)
    before = {p: os.path.getmtime(p) for p in glob.glob(str(tmp_path / "**"),
                                                         recursive=True)}
    for command, args in (("train.py", [f"--out_dir={out}", "--resume",
                                        "--steps=8"]),
                          ("generate.py", [f"--model_path={out}",
                                           f"--out={tmp_path / 'grid.png'}"]),
                          ("export.py", [f"--model_path={out}", "--noverify",
                                         f"--root={tmp_path / 'sm'}"])):
        result = script(command, *args)
        assert result.returncode == 2, result.stderr[-3000:]
        errors = [line for line in result.stderr.splitlines()
                  if line.startswith("error: ")]
        assert len(errors) == 1 and "no intact checkpoint in" in errors[0]
        assert "Traceback" not in result.stderr
    assert before == {p: os.path.getmtime(p) for p in glob.glob(
        str(tmp_path / "**"), recursive=True)}


sys.path.insert(0, os.path.join(REPO, "benchmarks"))
import faults  # noqa: E402


def test_kill9_at_random_writes_then_resume_equals_an_uninterrupted_run(
        tmp_path, idx_data, straight_tiny):
    """Two SIGKILLs at seeded random file-system events (a file opened for
    writing, an fsync, a rename, a checkpoint save, a step), each followed
    by --resume: the same losses, checkpoints and weights bit for bit."""
    args = [*faults.TRAIN, f"--data_dir={idx_data}", "--steps=6",
            "--steps_per_epoch=2"]
    report = faults.chaos(str(tmp_path / "run"), args, kills=2, seed=1,
                          events=160, seconds=0, plan=("event",))
    assert not report["errors"], report["errors"][0]
    assert len(report["kills"]) == 2, report
    assert faults.differences(str(straight_tiny), str(tmp_path / "run")) == []


@pytest.mark.slow
def test_ten_kill9s_at_random_moments_lose_nothing(tmp_path, idx_data):
    """Twelve epochs with an export, SIGKILLed at least ten times at seeded
    random events and times (inside TensorFlow's checkpoint and export
    writes too), resumed after each."""
    report = faults.run_chaos(str(tmp_path), idx_data, kills=10, seed=0,
                              steps=24)
    assert not report["errors"], report["errors"][0]
    assert len(report["kills"]) >= 10, report
    assert report["differences"] == []
    # One version; a kill inside the export leaves its hidden temporary
    # folder, which TF Serving skips (not an integer).
    assert [v for v in report["export_versions"]
            if not v.startswith(".")] == ["1"]


@pytest.mark.slow
def test_readers_of_a_training_run_never_break_it_nor_read_half_a_file(
        tmp_path, idx_data):
    """`tgs.runs.load` (what tfgan-generate, -evaluate and -export do) in
    a loop while the run trains, saves a checkpoint every 2 steps and
    deletes the oldest: every load gives a whole model of a saved step,
    and the run ends as it would alone."""
    from tfgan_suite import runs
    out = tmp_path / "run"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    writer = subprocess.Popen(
        [sys.executable, os.path.join(REPO, "scripts", "train.py"),
         *faults.TRAIN, f"--data_dir={idx_data}", "--steps=60",
         "--steps_per_epoch=2", f"--out_dir={out}"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    loads = []
    try:
        while writer.poll() is None:
            if list_checkpoints(str(out / "checkpoints")):
                model = runs.load(str(out))
                step = int(model.step_counter.numpy())
                assert step % 2 == 0 and step > 0
                loads.append(step)
    finally:
        _, stderr = writer.communicate(timeout=600)
    assert writer.returncode == 0, stderr[-3000:]
    assert len(loads) >= 3, loads
    assert int(runs.load(str(out)).step_counter.numpy()) == 60


def test_resume_rewrites_a_damaged_model_keras(tmp_path, straight_tiny):
    import shutil
    from tfgan_suite import files, runs, training
    out = tmp_path / "run"
    shutil.copytree(straight_tiny, out)
    os.truncate(out / "model.keras", 1000)
    _, history = training.run(runs.resume_config(str(out)), str(out),
                              resume=True)
    assert history is None  # nothing trained: only the file written
    assert files.zip_damage(str(out / "model.keras")) is None
    for a, b in zip(weights(straight_tiny)[1], weights(out)[1]):
        np.testing.assert_array_equal(a, b)


def test_resume_removes_the_temporary_files_a_kill_left(tmp_path,
                                                         straight_tiny):
    """The hidden temporary files and folders of writes a `kill -9`
    interrupted (the suite's and TensorFlow's) are removed when the run
    resumes; a temporary file written since this process started (another
    write under way) and the user's own hidden files stay."""
    import shutil
    import time
    from tfgan_suite import runs, training
    out = tmp_path / "run"
    shutil.copytree(straight_tiny, out)
    (out / "model.keras").unlink()  # killed while writing it
    stale = [out / ".model.x1y2z3w4.tmp.keras",
             out / ".losses.ab_d1234.tmp.csv",
             out / "samples" / ".epoch_0002.abcdefgh.tmp.png",
             out / ".samples.old-k2j4h5g6",
             out / "checkpoints" / "ckpt-8_temp",
             out / "checkpoints" / f"checkpoint.tmp{'0a' * 16}",
             out / "checkpoints" / "ckpt-8.index.tempstate1234567"]
    for path in stale:
        if path.name.endswith(("_temp", "old-k2j4h5g6")):
            path.mkdir()
            (path / "part-00000-of-00001.data-00000-of-00001").write_text("x")
        else:
            path.write_text("half")
    kept = [out / ".history.freshfil.tmp.csv", out / ".notes",
            out / "samples" / ".epoch.tmp.png"]
    for path in kept:
        path.write_text("mine")
    an_hour_ago = time.time() - 3600
    for path in stale + kept[1:]:
        for inner in [path, *path.rglob("*")]:
            os.utime(inner, (an_hour_ago, an_hour_ago))
    os.utime(kept[0], (time.time() + 60,) * 2)  # a write under way

    training.run(runs.resume_config(str(out)), str(out), resume=True)
    assert [path for path in stale if path.exists()] == []
    assert all(path.exists() for path in kept)
    assert (out / "model.keras").is_file()


# A copy of a run folder taken while the run writes it (`cp -r`,
# `shutil.copytree`, a backup) holds each file as it was when that file was
# copied: files of different moments.

def test_a_copy_with_an_older_model_keras_than_model_json_loads_the_step(
        tmp_path, straight_tiny, caplog):
    """model.keras copied before an extended run rewrote it, model.json
    after: the copy loads the step model.json records, from its checkpoint,
    not the older model.keras."""
    import shutil
    from tfgan_suite import runs
    out = tmp_path / "run"
    shutil.copytree(straight_tiny, out)
    aside = tmp_path / "ckpt-6"
    aside.mkdir()
    for path in (out / "checkpoints").glob("ckpt-6.*"):
        path.rename(aside / path.name)
    (out / "model.keras").unlink()
    runs.load(str(out)).save(str(out / "model.keras"))  # step 4's
    for path in aside.iterdir():
        path.rename(out / "checkpoints" / path.name)
    caplog.clear()
    with caplog.at_level("WARNING", logger="absl"):
        model = runs.load(str(out))
    assert int(model.step_counter.numpy()) == 6
    said = [r.getMessage() for r in caplog.records
            if r.levelname == "WARNING"]
    assert len(said) == 1 and ("model.keras holds step 4, not step 6"
                               in said[0]), said
    for a, b in zip(weights(straight_tiny)[1], model.weights):
        np.testing.assert_array_equal(a, b.numpy())


def test_a_copy_whose_state_file_names_deleted_checkpoints_loads_the_newest(
        tmp_path, straight_tiny, caplog):
    """The state file copied before the run saved newer checkpoints and
    deleted every one it names: the copy loads the newest intact
    checkpoint on disk."""
    import shutil
    from tfgan_suite import runs
    out = tmp_path / "run"
    shutil.copytree(straight_tiny, out)
    (out / "model.keras").unlink()
    state = tf.compat.v1.train.generate_checkpoint_state_proto(
        str(out / "checkpoints"), str(out / "checkpoints" / "ckpt-0"))
    from google.protobuf import text_format
    (out / "checkpoints" / "checkpoint").write_text(
        text_format.MessageToString(state))
    with caplog.at_level("WARNING", logger="absl"):
        model = runs.load(str(out))
    assert int(model.step_counter.numpy()) == 6
    for a, b in zip(weights(straight_tiny)[1], model.weights):
        np.testing.assert_array_equal(a, b.numpy())


@pytest.mark.slow
def test_copies_taken_while_a_run_trains_load_a_consistent_step(
        tmp_path, idx_data):
    """`shutil.copytree` of a run folder at random moments while the run
    trains, saves checkpoints, deletes old ones and, extended, rewrites
    model.keras and model.json: every copy loads, at a step the run saved,
    with that step's weights, and never at an older step than the newest
    intact checkpoint it holds."""
    import random
    import shutil
    import threading
    import time
    from tfgan_suite import runs, training
    from tfgan_suite.runs import checkpoints
    saved = {}  # step: the weights at the end of each epoch

    class Weights(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            saved[int(self.model.step_counter.numpy())] = [
                w.numpy() for w in self.model.weights]

    out = tmp_path / "run"
    training.run(tiny_config(idx_data), str(out), extra_callbacks=[Weights()])
    failed = []

    def extend():
        try:
            training.run(runs.resume_config(str(out), steps=16), str(out),
                         resume=True, extra_callbacks=[Weights()])
        except Exception as e:  # noqa: BLE001 (reported below)
            failed.append(e)

    writer = threading.Thread(target=extend)
    writer.start()
    rng, copies = random.Random(0), []
    while writer.is_alive():
        time.sleep(rng.uniform(0, 1))
        copy = tmp_path / "copies" / str(len(copies))
        try:
            shutil.copytree(out, copy)
        except shutil.Error:  # a file deleted while copied: cp -r says so
            pass
        copies.append(copy)
    writer.join()
    assert not failed, failed
    assert len(copies) >= 5, len(copies)
    steps = []
    for copy in copies:
        newest = checkpoints.latest_intact(str(copy / "checkpoints"))
        model = runs.load(str(copy))
        step = int(model.step_counter.numpy())
        assert step >= checkpoints.step_of_prefix(newest), copy
        for a, b in zip(saved[step], model.weights, strict=True):
            np.testing.assert_array_equal(a, b.numpy())
        steps.append(step)
    assert max(steps) == 16 and min(steps) < 16, steps


@pytest.fixture
def logs_on_a_small_disk(tmp_path):
    """A run folder whose logs/ is a tmpfs of 1 MB (root only, as
    benchmarks/faults.py's full disks): yields the run folder."""
    logs = tmp_path / "run" / "logs"
    logs.mkdir(parents=True)
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs",
                           str(logs)], capture_output=True)
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs: {made.stderr.decode().strip()}")
    try:
        yield tmp_path / "run"
    finally:
        subprocess.run(["umount", "-l", str(logs)])


#: Adam's rates of the full-disk test. The sample grids' PNG sizes decide
#: how TensorBoard's write after the disk fills fails: at 2e-4 it finds no
#: room at all and TensorFlow raises; at 8e-4 (the preset's) it partly fits
#: the event file's last page, and TensorFlow's writer cuts the record
#: short without an error (`logs.WholeRecords` finds it).
NO_ROOM = {"g_learning_rate": 2e-4, "d_learning_rate": 2e-4}
PARTLY_FITS = {"g_learning_rate": 8e-4, "d_learning_rate": 8e-4}


@pytest.mark.parametrize("rates", [
    # Half a minute in CI: TensorFlow raises, as the checkpoint's and
    # losses.csv's full disks above do.
    pytest.param(NO_ROOM, marks=pytest.mark.slow, id="no_room"),
    pytest.param(PARTLY_FITS, id="partly_fits")])
def test_a_full_disk_under_tensorboard_stops_the_run_in_one_line(
        logs_on_a_small_disk, idx_data, tmp_path, rates):
    """logs/ fills up (another program's file) after the checkpoint of
    step 2: TensorBoard's next write that needs space fails, reported by
    TensorFlow or not, the run stops in one line naming the event file and
    the last good checkpoint, and once space is freed --resume ends the
    run as one never stopped."""
    from tfgan_suite import runs, training
    out = logs_on_a_small_disk
    filler = out / "logs" / "filler"

    class FillTheDisk(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                with open(filler, "wb", buffering=0) as f:
                    try:
                        while True:
                            f.write(b"\0" * 4096)
                    except OSError:  # full
                        pass

    with pytest.raises(ValueError) as error:
        training.run(tiny_config(idx_data, **rates), str(out),
                     extra_callbacks=[FillTheDisk()])
    message = str(error.value)
    assert re.fullmatch(
        rf"{out}/logs/train/events\.out\.tfevents\.\S+: No space left on "
        rf"device while training; last good checkpoint: "
        rf"{out}/checkpoints/ckpt-[246] \(resume=True continues from it\)",
        message), message
    filler.unlink()  # space freed
    training.run(runs.resume_config(str(out)), str(out), resume=True)
    straight = tmp_path / "straight"
    training.run(tiny_config(idx_data, **rates), str(straight))
    assert faults.differences(str(straight), str(out)) == []


# Runs a command (argv[2:]) with every write below the folder argv[1]
# failing as on read-only storage (`forbid_writes_under`).
READ_ONLY = r'''
import sys
from tests.conftest import forbid_writes_under
forbid_writes_under([sys.argv[1]])
from tfgan_launch import evaluate
sys.argv = ["tfgan-evaluate", *sys.argv[2:]]
evaluate()
'''


def tree(folder):
    """{path: (size, mtime, bytes)} of every file below `folder`."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def read_only_run(tmp_path, straight_tiny):
    """A copy of a run, chmod a-w (made writable again after the test)."""
    import shutil
    run = tmp_path / "run"
    shutil.copytree(straight_tiny, run)
    subprocess.run(["chmod", "-R", "a-w", str(run)], check=True)
    yield run
    subprocess.run(["chmod", "-R", "u+w", str(run)], check=True)


def evaluate_read_only(run, *args):
    """tfgan-evaluate --model_path=`run` `args`, every write below `run`
    failing as on read-only storage (chmod does not stop root)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    return subprocess.run(
        [sys.executable, "-c", READ_ONLY, str(run), f"--model_path={run}",
         *args], env=env, cwd=REPO, capture_output=True, text=True,
        timeout=300)


def test_evaluate_stops_at_once_on_a_read_only_run_folder_without_out(
        read_only_run):
    """Its eval.json would go into the run folder: one line saying where to
    write instead, before anything is loaded or scored; nothing changed."""
    before = tree(read_only_run)
    result = evaluate_read_only(read_only_run, "--num=16")
    assert result.returncode == 2, result.stderr[-3000:]
    assert result.stderr.splitlines()[-1] == (
        f"error: --out: the folder {read_only_run} is not writable; pass "
        f"--out=FILE in a writable folder"), result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "data:" not in result.stdout
    assert tree(read_only_run) == before


@pytest.mark.slow  # the refusal without --out in the default suite, above
def test_a_read_only_run_folder_is_evaluated_with_results_elsewhere(
        tmp_path, read_only_run, idx_data):
    """tfgan-evaluate --out=elsewhere scores a run folder on read-only
    storage and changes nothing in it."""
    from tfgan_suite import metrics
    classifier = str(tmp_path / "classifier.keras")
    metrics.train_domain_classifier("fashion_mnist", idx_data, classifier,
                                    epochs=1)
    before = tree(read_only_run)
    out = tmp_path / "scores" / "eval.json"
    result = evaluate_read_only(read_only_run, f"--classifier_path="
                                f"{classifier}", "--num=16", f"--out={out}")
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads(out.read_text())
    assert scores["domain_fid"] > 0
    assert scores["model_path"] == str(read_only_run)
    assert tree(read_only_run) == before
