"""SIGINT / SIGTERM: the step finishes, a checkpoint of it is written, and
--resume continues exactly as an uninterrupted run."""

import csv
import logging
import os
import re
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from tests.conftest import REPO
from tfgan_suite import runs, training
from tfgan_suite.training import runner


def config(idx_dir):
    return runs.make_config(
        "fashion_mnist_dcgan", data_dir=idx_dir, batch_size=8, steps=6,
        steps_per_epoch=4, fid_every_n_steps=0, verbose=0, seed=3,
        model_args={"filters": 4, "latent_dim": 8})


class SignalAt(keras.callbacks.Callback):
    """Sends `signum` to this process at the end of batch `batch`."""

    def __init__(self, batch, signum):
        super().__init__()
        self.batch, self.signum = batch, signum

    def on_train_batch_end(self, batch, logs=None):
        if batch == self.batch:
            os.kill(os.getpid(), self.signum)


def losses(out):
    with open(os.path.join(out, "losses.csv")) as f:
        return [(int(r["step"]), float(r["d_loss"]), float(r["g_loss"]))
                for r in csv.DictReader(f)]


def epochs(out):
    with open(os.path.join(out, "history.csv")) as f:
        return [int(r["epoch"]) for r in csv.DictReader(f)]


@pytest.mark.parametrize("signum", [
    signal.SIGTERM, pytest.param(signal.SIGINT, marks=pytest.mark.slow)])
def test_interrupt_mid_epoch_then_resume_equals_a_straight_run(
        tmp_path, idx_dir, signum, capsys, caplog):
    straight = str(tmp_path / "straight")
    model, _ = training.run(config(idx_dir), straight)
    out = str(tmp_path / "interrupted")
    with pytest.raises(training.Interrupted) as stop:
        training.run(config(idx_dir), out,
                       extra_callbacks=[SignalAt(1, signum)])
    assert stop.value.step == 2  # mid-epoch: epochs are 4 steps
    assert stop.value.exit_status == 128 + signum
    assert stop.value.checkpoint.endswith("ckpt-2")
    assert signal.getsignal(signum) is not None  # handlers restored
    capsys.readouterr()
    # On absl's logger: a parsed --verbosity (another test's flags) sets
    # its level, whatever the root logger's.
    caplog.set_level(logging.INFO, logger="absl")
    resumed, _ = training.run(runs.resume_config(out, verbose=2), out,
                                resume=True)
    # The rest of epoch 1, then epoch 2, each numbered out of the run's 2.
    printed = capsys.readouterr().out
    assert printed.count("Epoch 1/2") == printed.count("Epoch 2/2") == 1
    # The log names the epoch training continues in, not the count of
    # ended epochs (the interrupted one counts as ended in the checkpoint).
    said = [r.getMessage() for r in caplog.records
            if r.getMessage().startswith("resuming from")]
    assert len(said) == 1 and said[0].endswith("at step 2 (in epoch 1 of 2)")
    # --steps=6 with epochs of 4: an epoch of 4, then a last one of 2.
    assert int(model.g_optimizer.iterations.numpy()) == 6
    assert int(resumed.g_optimizer.iterations.numpy()) == 6
    assert losses(out) == losses(straight)
    # One row per epoch: the interrupted epoch's partial row is gone.
    assert epochs(out) == epochs(straight) == [0, 1]
    for a, b in zip(resumed.weights, model.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)


@pytest.mark.slow
def test_script_prints_the_resume_command_and_exits_143(tmp_path, idx_dir):
    out = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, os.path.join(REPO, "scripts", "train.py"),
         "--preset=fashion_mnist_dcgan", f"--data_dir={idx_dir}",
         "--batch_size=8", "--steps=100000", "--steps_per_epoch=50000",
         "--fid_every_n_steps=0", "--filters=4", "--latent_dim=8",
         f"--out_dir={out}"], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while not (out / "samples" / "initial.png").exists():
        assert time.time() < deadline and process.poll() is None
        time.sleep(0.5)
    time.sleep(3)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr
    assert "SIGTERM: stopped after step" in stderr
    assert f"--out_dir={out} --resume" in stderr
    assert "Traceback" not in stderr


class Crash(Exception):
    """A stand-in for kill -9 (the process ends without a word)."""


class CrashAt(keras.callbacks.Callback):
    """Raises `Crash` at the end of batch `batch` of the first epoch."""

    def __init__(self, batch):
        super().__init__()
        self.batch = batch

    def on_train_batch_end(self, batch, logs=None):
        if batch == self.batch:
            raise Crash()


def test_resume_before_the_first_checkpoint_starts_from_step_0(
        tmp_path, idx_dir, caplog):
    straight = str(tmp_path / "straight")
    model, _ = training.run(config(idx_dir), straight)
    out = str(tmp_path / "preempted")
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(Crash):
        training.run(config(idx_dir), out, extra_callbacks=[CrashAt(1)])
    # The handlers of a fit that raised are back too.
    assert signal.getsignal(signal.SIGINT) is handler
    assert os.path.isfile(os.path.join(out, "config.json"))
    assert not runs.checkpoints.list_checkpoints(
        os.path.join(out, "checkpoints"))
    caplog.set_level(logging.INFO, logger="absl")
    resumed, _ = training.run(runs.resume_config(out), out, resume=True)
    said = [r.getMessage() for r in caplog.records
            if r.getMessage().startswith("resume: ")]
    assert said == [f"resume: {out} holds no checkpoint yet (stopped before "
                    f"its first); training it from step 0 with its config"]
    assert losses(out) == losses(straight)
    for a, b in zip(resumed.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_resume_before_the_config_starts_a_new_run(tmp_path, idx_dir):
    from tests.scripts.test_scripts import script
    out = tmp_path / "preempted"
    out.mkdir()  # a scheduler made it, the run was stopped before its config
    result = script("train.py", "--preset=fashion_mnist_dcgan",
                    f"--data_dir={idx_dir}", "--batch_size=8", "--steps=2",
                    "--fid_every_n_steps=0", "--filters=4", "--latent_dim=8",
                    f"--out_dir={out}", "--resume")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (f"--resume: {out} holds no run yet (stopped before it wrote "
            f"config.json); starting it as new") in result.stderr
    assert (out / "model.keras").is_file()
    assert runs.read_config(str(out)).train.steps == 2


def cyclegan_config(data_dir):
    return runs.make_config(
        model="cyclegan", dataset="unpaired", data_dir=data_dir,
        image_size=[32, 32],
        batch_size=2, steps=6, steps_per_epoch=4, fid_every_n_steps=0,
        verbose=2, seed=3, model_args={"filters": 4, "n_blocks": 0})


def epoch_lines(printed):
    """The values of each epoch's end line of Keras' progress (verbose=2:
    `4/4 - 1s - 250ms/step - d_loss: 0.69 - ...`), without its times."""
    return re.findall(r"(?:[a-z_0-9]+: -?[0-9.e+-]+(?: - )?)+$", printed,
                      re.MULTILINE)


def text(out, name):
    with open(os.path.join(out, name)) as f:
        return f.read()


@pytest.mark.parametrize("model", [
    "dcgan",
    # A minute in CI: the same mechanism, its trackers of another model.
    pytest.param("cyclegan", marks=pytest.mark.slow)])
def test_an_epoch_resumed_mid_way_logs_what_a_straight_run_logs(
        tmp_path, idx_dir, model, capsys):
    """The trackers' running means of the interrupted epoch are in the
    checkpoint and go on after the resume: that epoch's history.csv row
    and "Epoch" line average all its steps, and the per-step losses
    (un-averaged from the means) are the same text."""
    if model == "dcgan":
        make = lambda: runs.make_config(
            "fashion_mnist_dcgan", data_dir=idx_dir, batch_size=8, steps=6,
            steps_per_epoch=4, fid_every_n_steps=0, verbose=2, seed=3,
            model_args={"filters": 4, "latent_dim": 8})
    else:
        from tests.data.test_unpaired import write_unpaired
        unpaired = write_unpaired(tmp_path / "unpaired")
        make = lambda: cyclegan_config(unpaired)
    straight = str(tmp_path / "straight")
    training.run(make(), straight)
    straight_lines = epoch_lines(capsys.readouterr().out)
    out = str(tmp_path / "interrupted")
    with pytest.raises(training.Interrupted) as stop:
        training.run(make(), out,
                     extra_callbacks=[SignalAt(2, signal.SIGTERM)])
    assert stop.value.step == 3  # mid-epoch: epochs are 4 steps
    capsys.readouterr()
    training.run(runs.resume_config(out), out, resume=True)
    resumed_lines = epoch_lines(capsys.readouterr().out)
    assert text(out, "losses.csv") == text(straight, "losses.csv")
    assert text(out, "history.csv") == text(straight, "history.csv")
    assert len(straight_lines) == 2 and resumed_lines == straight_lines


def test_a_checkpoint_without_the_running_means_still_resumes(
        tmp_path, idx_dir, monkeypatch, caplog):
    """A checkpoint written before checkpoints kept the trackers: the run
    resumes, and the interrupted epoch averages the steps after the
    resume (as it did then)."""
    straight = str(tmp_path / "straight")
    training.run(config(idx_dir), straight)
    out = str(tmp_path / "interrupted")
    state_of_old = runs.checkpoints._training_state
    with monkeypatch.context() as patch, pytest.raises(training.Interrupted):
        patch.setattr(runs.checkpoints, "_training_state",
                      lambda model, epoch=0, trackers=None:
                      state_of_old(model, epoch))
        training.run(config(idx_dir), out,
                     extra_callbacks=[SignalAt(1, signal.SIGTERM)])
    caplog.set_level(logging.INFO, logger="absl")
    resumed, _ = training.run(runs.resume_config(out), out, resume=True)
    said = [r.getMessage() for r in caplog.records
            if r.getMessage().startswith("resume: ")]
    assert said == [f"resume: {out}/checkpoints/ckpt-2 keeps no running "
                    "means (written before checkpoints kept them): epoch 1 "
                    "logs the means of its steps from 3 on"]
    assert int(resumed.step_counter.numpy()) == 6
    assert epochs(out) == [0, 1]
    a, b = np.array(losses(out)), np.array(losses(straight))
    np.testing.assert_array_equal(a[:, 0], b[:, 0])  # the steps
    np.testing.assert_allclose(a[:, 1:], b[:, 1:], rtol=1e-4)
