"""Exact resume after kill -9, determinism, NaN handling (issue 8)."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

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
            f"model='dcgan' and --resume cannot change it") in result.stderr

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
    config["compile"]["d_optimizer"] = {"class_name": "SGD",
                                        "config": {"learning_rate": 1e4}}
    code = r'''
import json, sys
from tfgan_suite import runs, training
from tfgan_suite.training import runner
config = json.load(open(sys.argv[1]))
config["export"] = sys.argv[3]
config["train"]["verbose"] = 0
try:
    training.run(config, sys.argv[2])
except ValueError as e:
    print("ERROR", e)
'''
    (tmp_path / "c.json").write_text(json.dumps(config))
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
