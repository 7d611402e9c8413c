"""Bring your own GAN: a user's subclass, in a module of the working
directory, with its own `train_step` and constructor argument, trains,
saves, loads and exports in-process and through `scripts/train.py
--model=my_module:MyGAN`."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
import tensorflow as tf

import tfgan_suite as tgs
from tfgan_suite import models
from tests import model_harness, tiny_models
from tests.conftest import REPO

MY_MODULE = textwrap.dedent('''
    """A user's GAN: DCGAN nets, `d_repeats` D updates on each real batch
    before the G update (its own train_step and constructor argument)."""

    import keras
    import tensorflow as tf

    import tfgan_suite as tgs


    @keras.saving.register_keras_serializable(package="my_module")
    class MyGAN(tgs.models.DCGAN):
        tracked = ("d_loss", "g_loss", "d_repeats_done")

        def __init__(self, generator=None, discriminator=None, d_repeats=1,
                     **kwargs):
            if int(d_repeats) < 1:
                raise ValueError(f"d_repeats: expected a positive integer, "
                                 f"got {d_repeats}")
            self.d_repeats = int(d_repeats)
            super().__init__(generator, discriminator, **kwargs)

        def train_step(self, data):
            real, _ = self.unpack(data)
            m = tf.shape(real)[0]
            for _ in range(self.d_repeats):
                with tf.GradientTape() as tape:
                    fake = self.generator(self.sample_latent(m),
                                          training=True)
                    d_loss = self.discriminator_loss(
                        self.discriminator(real, training=True),
                        self.discriminator(fake, training=True))
                self.minimize(self.d_optimizer, tape, d_loss,
                              self.discriminator.trainable_variables)
            with tf.GradientTape() as tape:
                fake = self.generator(self.sample_latent(m), training=True)
                g_loss = self.generator_loss(
                    self.discriminator(fake, training=True))
            self.minimize(self.g_optimizer, tape, g_loss,
                          self.generator.trainable_variables)
            return self.update_trackers(
                d_loss=d_loss, g_loss=g_loss,
                d_repeats_done=tf.cast(self.d_repeats, tf.float32))
''')


@pytest.fixture
def my_module(tmp_path, monkeypatch):
    """my_module.py in tmp_path, the working directory."""
    (tmp_path / "my_module.py").write_text(MY_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("my_module", None)


def test_own_gan_in_process(my_module):
    cls = models.get("my_module:MyGAN")
    assert cls.__name__ == "MyGAN" and issubclass(cls, models.DCGAN)
    assert models.name_of(cls) == "my_module:MyGAN"
    assert cls.init_args()["d_repeats"] == 1
    assert "image_shape" in cls.init_args()  # DCGAN's, through **kwargs
    # The model harness, as for the built-in models.
    model = model_harness.run_build_test(cls, {
        **tiny_models.tiny_args("dcgan", seed=0), "d_repeats": 3})
    batch = tiny_models.examples(model, 4)
    logs = model_harness.run_step_test(model, batch, d_updates=3)
    assert logs["d_repeats_done"] == 3.0
    loaded = model_harness.run_saving_test(model, str(my_module / "m.keras"))
    assert loaded.d_repeats == 3
    export_path = model_harness.run_export_test(model,
                                                str(my_module / "sm" / "mine"))
    assert tgs.serving.read_manifest(export_path)["class"] == "my_module:MyGAN"

    with pytest.raises(ValueError, match="d_repeats: expected a positive"):
        cls(d_repeats=0)


def train(cwd, *args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    return subprocess.run([sys.executable,
                           os.path.join(REPO, "scripts", "train.py"), *args],
                          capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=600)


@pytest.mark.slow  # in-process: test_own_gan_in_process, README own GAN
def test_own_gan_through_train_py_and_resume(tmp_path, idx_dir):
    # idx_dir is tmp_path itself; the module sits beside the data.
    (tmp_path / "my_module.py").write_text(MY_MODULE)
    common = ["--model=my_module:MyGAN", "--dataset=fashion_mnist",
              f"--data_dir={idx_dir}", "--filters=4", "--latent_dim=8",
              "--batch_size=4", "--fid_every_n_steps=0", "--out_dir=run",
              "--seed=0"]
    result = train(tmp_path, *common, "--model_args=d_repeats=3",
                   "--steps=2", "--export=saved/mine")
    assert result.returncode == 0, result.stderr[-3000:]
    run = tmp_path / "run"
    for name in ("config.json", "model.keras", "losses.csv", "history.csv",
                 "samples"):
        assert (run / name).exists(), name
    config = json.loads((run / "config.json").read_text())
    assert config["model"] == "my_module:MyGAN"
    assert config["model_args"]["d_repeats"] == 3
    assert config["model_args"]["latent_dim"] == 8
    assert config["train"]["steps"] == 2
    version = tmp_path / "saved" / "mine" / "1"
    assert (version / "saved_model.pb").exists()
    manifest = tgs.serving.read_manifest(str(version))
    assert manifest["class"] == "my_module:MyGAN"
    assert manifest["config"]["d_repeats"] == 3 and manifest["step"] == 2
    assert (tmp_path / "saved" / "models.config").exists()
    served = tf.saved_model.load(str(version)).signatures["sample"](
        seed=tf.constant([0, 1], tf.int64))["images"]
    assert served.shape == (2, 28, 28, 1) and served.dtype == tf.uint8

    result = train(tmp_path, *common, "--resume", "--steps=4")
    assert result.returncode == 0, result.stderr[-3000:]
    checkpoints = tgs.runs.checkpoints.list_checkpoints(str(run / "checkpoints"))
    assert checkpoints and checkpoints[-1].endswith("ckpt-4"), checkpoints
    steps = [int(line.split(",")[0]) for line in
             (run / "losses.csv").read_text().splitlines()[1:]]
    assert steps == [1, 2, 3, 4]
