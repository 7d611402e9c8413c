"""Any model, the whole run: a user's own class, whose step makes two G
updates, trains, counts its steps, resumes, and is loaded, sampled and
exported afterwards from another process that only has its module on
PYTHONPATH; a bare `import tfgan_suite` lets `keras.models.load_model` read
the suite's `.keras` files."""

import csv
import glob
import json
import os
import signal
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import REPO, user_modules
from tfgan_suite import models, runs, training
from tfgan_suite.runs import checkpoints

MY_GANS = textwrap.dedent('''
    """A user's GAN: one D update, then two G updates, per step."""

    import keras
    import tensorflow as tf

    import tfgan_suite as tgs


    @keras.saving.register_keras_serializable(package="my_gans")
    class TwoGSteps(tgs.models.DCGAN):

        def train_step(self, data):
            real, _ = self.unpack(data)
            m = tf.shape(real)[0]
            with tf.GradientTape() as tape:
                fake = self.generator(self.sample_latent(m), training=True)
                d_loss = self.discriminator_loss(self.d_logits(real),
                                                 self.d_logits(fake))
            self.minimize(self.d_optimizer, tape, d_loss, self.d_variables)
            for _ in range(2):
                with tf.GradientTape() as tape:
                    fake = self.generator(self.sample_latent(m),
                                          training=True)
                    g_loss = self.generator_loss(self.d_logits(fake))
                self.minimize(self.g_optimizer, tape, g_loss,
                              self.g_variables)
            return self.update_trackers(d_loss=d_loss, g_loss=g_loss)
''')


@pytest.fixture
def my_gans(tmp_path, monkeypatch):
    """my_gans.py in its own folder, on sys.path (as PYTHONPATH would)."""
    yield from user_modules(tmp_path, monkeypatch, my_gans=MY_GANS)


def config(idx_dir, steps, **overrides):
    return runs.make_config(
        None, model="my_gans:TwoGSteps", dataset="fashion_mnist",
        data_dir=idx_dir, batch_size=8, steps=steps, steps_per_epoch=3,
        fid_every_n_steps=0, verbose=0, seed=5,
        model_args={"filters": 4, "latent_dim": 8}, **overrides)


def steps_of(path, column="step"):
    with open(path) as f:
        return [int(row[column]) for row in csv.DictReader(f)]


def tensorboard_steps(out_dir, tag="batch_d_loss"):
    steps = []
    for events in sorted(glob.glob(os.path.join(out_dir, "logs", "train",
                                                "events*"))):
        for event in tf.compat.v1.train.summary_iterator(events):
            steps += [event.step for v in event.summary.value if v.tag == tag]
    return sorted(steps)


def test_steps_are_train_step_calls_through_a_resume(tmp_path, idx_dir,
                                                     my_gans):
    out = str(tmp_path / "run")
    model, _ = training.run(config(idx_dir, steps=6), out)
    # Two G updates a step: G's optimizer is at 12, the run at step 6.
    assert int(model.g_optimizer.iterations.numpy()) == 12
    assert int(model.step_counter.numpy()) == 6
    assert [os.path.basename(p) for p in checkpoints.list_checkpoints(
        os.path.join(out, "checkpoints"))] == ["ckpt-3", "ckpt-6"]
    resumed = runs.resume_config(out, steps=9)
    model, _ = training.run(resumed, out, resume=True)
    assert int(model.step_counter.numpy()) == 9
    assert steps_of(os.path.join(out, "losses.csv")) == list(range(1, 10))
    assert steps_of(os.path.join(out, "history.csv"), "epoch") == [0, 1, 2]
    # TensorBoard's per-step curve goes on at step 7 after the resume.
    assert tensorboard_steps(out) == list(range(1, 10))


def test_finished_run_of_own_class_loads_in_another_process(
        tmp_path, idx_dir, my_gans):
    out = str(tmp_path / "run")
    model, _ = training.run(config(idx_dir, steps=3,
                                   export=str(tmp_path / "sm" / "two")), out)
    assert json.load(open(os.path.join(out, "config.json")))["model"] == (
        "my_gans:TwoGSteps")
    expected = model.generate_uint8(2, seed=0)
    np.save(tmp_path / "expected.npy", expected)
    dcgan = models.DCGAN(latent_dim=4, filters=4)
    dcgan.compile()
    dcgan.save(str(tmp_path / "dcgan.keras"))
    script = textwrap.dedent(f'''
        import tfgan_suite
        import keras, numpy as np, tensorflow as tf
        # A bare import (before Keras'): Keras finds the suite's classes.
        loaded = keras.models.load_model({str(tmp_path / "dcgan.keras")!r})
        assert type(loaded).__name__ == "DCGAN", type(loaded)
        import tfgan_suite as tgs
        expected = np.load({str(tmp_path / "expected.npy")!r})
        for path in ({out!r}, {os.path.join(out, "model.keras")!r}):
            model = tgs.runs.load(path, model="my_gans:TwoGSteps")
            assert type(model).__name__ == "TwoGSteps"
            assert (model.generate_uint8(2, seed=0) == expected).all()
        version = tgs.serving.export_saved_model(
            model, {str(tmp_path / "sm2" / "two")!r})
        served = tf.saved_model.load(version).signatures["sample"](
            seed=tf.constant([0, 1], tf.int64))["images"].numpy()
        assert (served == expected).all()
        print("ok", model.step_counter.numpy())
    ''')
    env = {**os.environ, "PYTHONPATH": f"{my_gans}{os.pathsep}{REPO}",
           "TFGAN_VERBOSE_STDERR": "1"}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path,
                            env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-2:] == ["ok", "3"]
    # Without the module on the path: one line naming it and PYTHONPATH.
    env["PYTHONPATH"] = REPO
    result = subprocess.run(
        [sys.executable, "-m", "tfgan_suite.commands.generate",
         f"--model_path={out}", f"--out={tmp_path / 'x.png'}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    error = [line for line in result.stderr.splitlines()
             if line.startswith("error:")]
    assert len(error) == 1 and "my_gans" in error[0], result.stderr[-2000:]
    assert "PYTHONPATH" in error[0]


@pytest.mark.parametrize("imports", [
    "import tfgan_suite.data; import keras",  # Keras loaded inside the suite
    "import tfgan_suite; import tensorflow as tf; keras = tf.keras"])
def test_keras_finds_the_suite_classes_after_any_import_order(tmp_path,
                                                              imports):
    gan = models.DCGAN(latent_dim=4, filters=4)
    gan.save(str(tmp_path / "d.keras"))
    code = (f"{imports}\nm = keras.models.load_model("
            f"{str(tmp_path / 'd.keras')!r})\nprint(type(m).__name__)")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": REPO},
                            capture_output=True, text=True, timeout=300)
    assert result.stdout.split()[-1:] == ["DCGAN"], result.stderr[-2000:]


def test_resume_applies_what_can_change_and_refuses_the_rest(
        tmp_path, idx_dir, my_gans):
    out = str(tmp_path / "run")
    training.run(config(idx_dir, steps=3), out)
    changed = runs.resume_config(out, steps=6, fid_num_images=100,
                                 keep_checkpoints=1, batch_size=8)
    assert changed.train.steps == 6
    assert changed.train.fid_num_images == 100
    assert changed.train.keep_checkpoints == 1
    for overrides, argument in (({"batch_size": 32}, "batch_size"),
                                ({"dataset": "cifar10"}, "dataset"),
                                ({"loss": "hinge"}, "loss"),
                                ({"seed": 6}, "seed"),
                                ({"model_args": {"latent_dim": 16}},
                                 "latent_dim"),
                                ({"model": "dcgan"}, "model")):
        with pytest.raises(ValueError, match=f"^{argument}: .*resume=True "
                                             f"cannot"):
            runs.resume_config(out, **overrides)


def test_a_run_stopped_before_its_final_files_gets_them_on_resume(
        tmp_path, idx_dir, my_gans):
    out = str(tmp_path / "run")
    export_root = str(tmp_path / "sm" / "two")
    training.run(config(idx_dir, steps=3), out)
    os.remove(os.path.join(out, "model.keras"))
    # Complete at step 3, but without model.keras nor the export asked now.
    model, history = training.run(
        runs.resume_config(out, export=export_root), out, resume=True)
    assert history is None and int(model.step_counter.numpy()) == 3
    assert os.path.isfile(os.path.join(out, "model.keras"))
    assert os.listdir(export_root) == ["1"]
    with pytest.raises(ValueError, match="complete at step 3 of 3"):
        training.run(runs.resume_config(out, export=export_root), out,
                     resume=True)


def test_sighup_stops_like_sigterm(tmp_path, idx_dir, my_gans):
    class Hangup(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                os.kill(os.getpid(), signal.SIGHUP)

    with pytest.raises(training.Interrupted) as stop:
        training.run(config(idx_dir, steps=6), str(tmp_path / "run"),
                     extra_callbacks=[Hangup()])
    assert stop.value.exit_status == 129 and stop.value.step == 1
    assert stop.value.checkpoint.endswith("ckpt-1")


def test_one_model_name_everywhere(tmp_path):
    gan = models.WGANGP(latent_dim=4, filters=4, d_steps=1)
    gan.compile()
    path = str(tmp_path / "wgan.keras")
    gan.save(path)
    assert type(runs.load(path, model="wgan_gp")) is models.WGANGP
    with pytest.raises(ValueError, match="expected a dcgan model .* found "
                                         "wgan_gp"):
        runs.load(path, model="dcgan")
    # A subclass is another model: its own name, not its parent's.
    sagan = models.SAGAN(image_shape=(32, 32, 3), latent_dim=4, filters=8)
    sagan.compile()
    sagan.save(path)
    with pytest.raises(ValueError, match="expected a gan model .* found "
                                         "sagan"):
        runs.load(path, model="gan")


def test_losses_a_model_cannot_train_with_are_refused_at_compile():
    with pytest.raises(ValueError, match="^loss: Pix2Pix trains with "):
        models.Pix2Pix(image_shape=(32, 32, 3), filters=4).compile(
            loss="wasserstein_gp")
    with pytest.raises(ValueError, match="^loss: WGANGP trains with "
                                         "wasserstein_gp, got 'hinge'"):
        models.WGANGP(latent_dim=4, filters=4).compile(loss="hinge")


@pytest.mark.parametrize("args, name", [
    ({"d_steps": 2.5}, "d_steps"), ({"latent_dim": "8"}, "latent_dim"),
    ({"filters": 4.5}, "filters"), ({"d_steps": True}, "d_steps")])
def test_integer_arguments_refuse_non_integers(args, name):
    with pytest.raises(ValueError, match=f"^{name}: expected a positive "
                                         f"integer"):
        models.DCGAN(**{"latent_dim": 4, "filters": 4, **args})
