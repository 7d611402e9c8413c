"""The model contract (docs/adding_a_model.md): what the suite needs of a
model, what it does for any model, and what it refuses at start instead of
doing wrong in silence. Each test here failed on the suite before the
contract was made explicit."""

import contextlib
import csv
import json
import os
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import user_modules

from tfgan_suite import models, runs, training
from tfgan_suite.errors import ArgumentError
from tfgan_suite.training import runner

USER_GANS = textwrap.dedent('''
    import keras
    import tensorflow as tf

    import tfgan_suite as tgs


    @keras.saving.register_keras_serializable(package="user_gans")
    class PlainStep(tgs.models.DCGAN):
        """A step that calls none of the suite's helpers but the optimizers
        and returns its own values (not running means)."""

        def train_step(self, data):
            real = data
            m = tf.shape(real)[0]
            bce = keras.losses.BinaryCrossentropy(from_logits=True)
            with tf.GradientTape() as tape:
                fake = self.generator(self.sample_latent(m), training=True)
                r = self.discriminator(real, training=True)
                f = self.discriminator(fake, training=True)
                d_loss = bce(tf.ones_like(r), r) + bce(tf.zeros_like(f), f)
            self.minimize(self.d_optimizer, tape, d_loss, self.d_variables)
            with tf.GradientTape() as tape:
                f = self.discriminator(self.generator(
                    self.sample_latent(m), training=True), training=True)
                g_loss = bce(tf.ones_like(f), f)
            self.minimize(self.g_optimizer, tape, g_loss, self.g_variables)
            return {"d_loss": d_loss, "g_loss": g_loss}


    @keras.saving.register_keras_serializable(package="user_gans")
    class ExtraSteps(tgs.models.DCGAN):
        """keras-io WGAN's habit: an argument kept under another name, and a
        `d_steps` attribute of its own."""

        def __init__(self, discriminator_extra_steps=3, **kwargs):
            super().__init__(**kwargs)
            self.extra = discriminator_extra_steps

        def train_step(self, data):
            logs = super().train_step(data)
            return {**logs, "extra": tf.constant(float(self.extra))}


    class NoKwargs(tgs.models.DCGAN):
        def __init__(self, filters=4, latent_dim=8, image_shape=(28, 28, 1)):
            super().__init__(filters=filters, latent_dim=latent_dim,
                             image_shape=image_shape)
''')


@pytest.fixture
def user_gans(tmp_path, monkeypatch):
    yield from user_modules(tmp_path, monkeypatch, user_gans=USER_GANS)


def config(idx_dir, model, steps=4, model_args=None, **overrides):
    return runs.make_config(
        None, model=model, dataset="fashion_mnist", data_dir=idx_dir,
        batch_size=8, steps=steps, steps_per_epoch=2, fid_every_n_steps=0,
        verbose=0, seed=3,
        model_args={"filters": 4, "latent_dim": 8, **(model_args or {})},
        **overrides)


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


class Logs(keras.callbacks.Callback):
    """What `train_step` returned, step by step."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append({k: float(v) for k, v in logs.items()})


class EMAWeights(keras.callbacks.Callback):
    """The EMA generator's weights when training begins."""

    def on_train_begin(self, logs=None):
        self.start = [w.copy() for w in self.model.ema_generator.get_weights()]


def test_ema_moves_whatever_the_step_does(tmp_path, idx_dir, user_gans):
    start = EMAWeights()
    model, _ = training.run(config(idx_dir, "user_gans:PlainStep",
                                   model_args={"ema_kimg": 0.01}),
                            str(tmp_path / "run"), extra_callbacks=[start])
    # PlainStep never calls an EMA helper: the suite averages after each
    # step all the same, so the average left its initial weights.
    assert any(not np.array_equal(a, b) for a, b in zip(
        start.start, model.ema_generator.get_weights()))


def test_ema_in_users_fit_too(tiny_dataset):
    gan = models.DCGAN(filters=4, latent_dim=8, ema_kimg=0.01)
    gan.compile()
    start = [w.copy() for w in gan.ema_generator.get_weights()]
    gan.fit(tiny_dataset.take(2), epochs=1, verbose=0)
    assert int(gan.step_counter.numpy()) == 2
    assert any(not np.array_equal(a, b) for a, b in zip(
        start, gan.ema_generator.get_weights()))


@pytest.mark.parametrize("option,value", [("augment", "ada"),
                                          ("pack", 2), ("r1_gamma", 0.1),
                                          ("value_range", (0, 1))])
def test_option_the_step_ignores_is_refused(tmp_path, idx_dir, user_gans,
                                            option, value):
    out = tmp_path / "run"
    # Ignored augmentation would train; ignored packing fails on D's
    # packed input: both refused before anything is written.
    with pytest.raises(ValueError, match=rf"^({option}: PlainStep.train_step"
                                         rf" never calls|train_step: "
                                         rf"PlainStep.train_step fails)"):
        training.run(config(idx_dir, "user_gans:PlainStep",
                            model_args={option: value}), str(out))
    assert not out.exists()


def test_loss_the_step_ignores_is_refused(tmp_path, idx_dir, user_gans):
    out = tmp_path / "run"
    with pytest.raises(ValueError, match=r"^loss: PlainStep.train_step never "
                                         r"calls.*loss='hinge'"):
        training.run(config(idx_dir, "user_gans:PlainStep", loss="hinge"),
                     str(out))
    assert not out.exists()


def test_logged_values_are_what_the_step_returned(tmp_path, idx_dir,
                                                  user_gans):
    out = str(tmp_path / "run")
    logs = Logs()
    training.run(config(idx_dir, "user_gans:PlainStep"), out,
                 extra_callbacks=[logs])
    recorded = rows(os.path.join(out, "losses.csv"))
    assert [float(r["d_loss"]) for r in recorded] == pytest.approx(
        [s["d_loss"] for s in logs.seen], rel=1e-5)
    # An epoch row is the epoch's last returned value, never a tracker the
    # step did not update (0.0).
    history = rows(os.path.join(out, "history.csv"))
    assert [float(r["d_loss"]) for r in history] == pytest.approx(
        [logs.seen[1]["d_loss"], logs.seen[3]["d_loss"]], rel=1e-5)
    assert all(float(r["d_loss"]) != 0.0 for r in history)


def test_running_means_still_give_per_step_losses(tmp_path, idx_dir):
    out = str(tmp_path / "run")
    logs = Logs()
    training.run(config(idx_dir, "dcgan"), out, extra_callbacks=[logs])
    recorded = [float(r["d_loss"]) for r in rows(os.path.join(out,
                                                              "losses.csv"))]
    # Step 2's own loss from the epoch's running means of steps 1 and 2.
    assert recorded[1] == pytest.approx(
        2 * logs.seen[1]["d_loss"] - logs.seen[0]["d_loss"], rel=1e-4)


def test_argument_under_another_name_round_trips(tmp_path, idx_dir,
                                                 user_gans):
    out = str(tmp_path / "run")
    logs = Logs()
    training.run(config(idx_dir, "user_gans:ExtraSteps",
                        model_args={"discriminator_extra_steps": 5}), out,
                 extra_callbacks=[logs])
    saved = json.load(open(os.path.join(out, "config.json")))
    assert saved["model_args"]["discriminator_extra_steps"] == 5
    assert logs.seen[-1]["extra"] == 5.0
    # get_config() drops it, so no .keras file could give the model back:
    # none is written, and the run loads from its checkpoint.
    record = json.load(open(os.path.join(out, "model.json")))
    assert not record["keras"] and "discriminator_extra_steps" in (
        record["problem"])
    assert not os.path.exists(os.path.join(out, "model.keras"))
    assert runs.load(out).extra == 5
    resumed, _ = training.run(runs.resume_config(out, steps=6), out,
                              resume=True, extra_callbacks=[logs])
    assert resumed.extra == 5 and logs.seen[-1]["extra"] == 5.0


def test_extended_run_rewrites_model_keras(tmp_path, idx_dir):
    out = str(tmp_path / "run")
    training.run(config(idx_dir, "dcgan", export=str(tmp_path / "sm")), out)
    model, _ = training.run(runs.resume_config(out, steps=6), out,
                            resume=True)
    assert int(model.step_counter.numpy()) == 6
    saved = keras.models.load_model(os.path.join(out, "model.keras"))
    assert int(saved.step_counter.numpy()) == 6
    assert int(runs.load(out).step_counter.numpy()) == 6
    manifest = json.load(open(os.path.join(
        runs.layout.exported(out)["path"], "assets.extra", "manifest.json")))
    assert manifest["step"] == 6


def test_stale_model_keras_is_not_loaded(tmp_path, idx_dir):
    out = str(tmp_path / "run")
    training.run(config(idx_dir, "dcgan"), out)
    # A newer checkpoint than model.keras (an extension interrupted
    # before its end): the run loads from the checkpoint.
    runs.layout.record_model(out, 2)
    model = runs.load(out)
    assert int(model.step_counter.numpy()) == 4


def test_constructor_without_kwargs_loads_from_keras(tmp_path, user_gans):
    import user_gans as module
    gan = module.NoKwargs()
    gan.compile()
    path = str(tmp_path / "m.keras")
    gan.save(path)
    loaded = keras.models.load_model(path, custom_objects={
        "NoKwargs": module.NoKwargs})
    np.testing.assert_array_equal(loaded.generate(2, seed=0),
                                  gan.generate(2, seed=0))


def test_images_outside_minus_one_one_are_refused(tiny_dataset):
    gan = models.DCGAN(filters=4, latent_dim=8)
    gan.compile()
    pixels = tiny_dataset.map(lambda x: (x + 1.0) * 127.5)  # [0, 255]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"expected images in \[-1, 1\]"):
        gan.fit(pixels.take(1), verbose=0)


def test_samples_are_read_from_the_value_range():
    generator = keras.Sequential([
        keras.Input((4,)), keras.layers.Dense(28 * 28, activation="sigmoid"),
        keras.layers.Reshape((28, 28, 1))])
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)), keras.layers.Flatten(),
        keras.layers.Dense(1)])
    gan = models.DCGAN(generator=generator, discriminator=discriminator,
                       value_range=(0, 1))
    z = gan.latent_from_seeds(np.arange(2))
    raw = generator(z).numpy()
    np.testing.assert_allclose(gan.generate(2, seed=0), raw * 2 - 1,
                               atol=1e-6)
    # Real data in [-1, 1] reaches D in the model's range.
    batch = np.linspace(-1, 1, 2 * 28 * 28, dtype=np.float32).reshape(
        2, 28, 28, 1)
    images, _ = gan.unpack(batch)
    assert float(tf.reduce_min(images)) == 0.0
    assert float(tf.reduce_max(images)) == 1.0


def test_value_range_is_checked():
    with pytest.raises(ValueError, match=r"^value_range: expected \(low, "
                                         r"high\) with low < high"):
        models.DCGAN(filters=4, latent_dim=8, value_range=(1, 0))


def test_update_trackers_names_the_unknown_value():
    gan = models.DCGAN(filters=4, latent_dim=8)
    with pytest.raises(ValueError, match=r"update_trackers: DCGAN tracks "
                                         r"d_loss, g_loss .*'gp'"):
        gan.update_trackers(gp=1.0)


@pytest.mark.parametrize("jit_compile", [False, True], ids=["graph", "xla"])
def test_fit_steps_with_the_checked_trace(tmp_path, idx_dir, monkeypatch,
                                          jit_compile):
    """The runner traces train_step once (check_step's trace is the one
    fit steps with, XLA-compiled by Keras when asked), and it trains as a
    fresh trace of fit's own does, loss for loss."""
    cls = models.get("dcgan")
    traces, step = [], cls.train_step

    def counted(self, data):  # runs when the step is traced
        traces.append(1)
        return step(self, data)

    monkeypatch.setattr(cls, "train_step", counted)
    once = str(tmp_path / "once")
    model, _ = training.run(config(idx_dir, "dcgan",
                                   jit_compile=jit_compile), once)
    assert len(traces) == 1
    assert "train_step" not in vars(model)  # the class's step is back
    monkeypatch.setattr(training.runner.contract, "stepping_with",
                        lambda model, concrete: contextlib.nullcontext())
    twice = str(tmp_path / "twice")
    training.run(config(idx_dir, "dcgan", jit_compile=jit_compile), twice)
    assert len(traces) == 3
    assert rows(os.path.join(once, "losses.csv")) == rows(
        os.path.join(twice, "losses.csv"))


def test_a_run_under_xla_steps_with_a_trace_xla_compiles(
        tmp_path, idx_dir, ops_not_deterministic):
    """The runner's one trace of train_step is made as XLA will compile it:
    a step with a tf.cond whose branch is differentiated (the lazy R1)
    traced outside XLA holds ops XLA cannot compile."""
    model, history = training.run(config(
        idx_dir, "dcgan", jit_compile=True, model_args={
            "r1_gamma": 1.0, "penalty_interval": 2}), str(tmp_path))
    assert model.jit_compile
    assert np.isfinite(history.history["d_loss"]).all()


def test_a_seeded_run_asked_for_xla_compiles_with_it(tmp_path, idx_dir,
                                                     ops_not_deterministic):
    """Keras compiles no XLA under op determinism: a seeded run with
    jit_compile=True leaves ops as they are and compiles with XLA, and
    every run leaves determinism as it found it."""
    model, _ = training.run(config(idx_dir, "dcgan", jit_compile=True),
                            str(tmp_path / "xla"))
    assert model.jit_compile and not runner.ops_determinism()
    model, _ = training.run(config(idx_dir, "dcgan"),
                            str(tmp_path / "graph"))
    assert not model.jit_compile and not runner.ops_determinism()
    # XLA asked for where Keras will not compile it: refused at start.
    runner.ops_determinism(True)
    with pytest.raises(ArgumentError,
                       match="jit_compile: true, but Keras compiles "
                             "this model without XLA"):
        training.run(config(idx_dir, "dcgan", jit_compile=True),
                     str(tmp_path / "refused"))
    assert not os.path.exists(tmp_path / "refused")
    assert runner.ops_determinism()
