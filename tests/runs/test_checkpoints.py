"""tfgan_suite/training/checkpoints.py: the training state round-trips
exactly, the last `keep` are kept, non-finite weights are never saved."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import models
from tfgan_suite.runs import checkpoints


def points(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)).astype("float32")


def save(gan, directory, epoch, step, keep=3):
    """`save_checkpoint` of `gan` as at step `step` (its step counter)."""
    gan.step_counter.assign(step)
    return checkpoints.save_checkpoint(gan, directory, epoch=epoch,
                                       keep=keep)


def tiny_gan(hidden=(16, 16), seed=0, train_steps=0):
    gan = models.GAN(data_shape=(2,), latent_dim=4, hidden=hidden, seed=seed)
    gan.compile(run_eagerly=True)
    if train_steps:
        gan.fit(points(16 * train_steps), batch_size=16, epochs=1, verbose=0,
                shuffle=False)
    return gan


def state_of(model):
    """Every variable of the model and its optimizers (the random states
    among them), in a fixed order."""
    return [v.numpy() for v in checkpoints._saved_variables(model)]


def test_restore_gives_identical_weights_slots_and_random_states(tmp_path):
    trained = tiny_gan(train_steps=3)
    path = save(trained, str(tmp_path), epoch=2,
                                       step=3)
    assert path == os.path.join(str(tmp_path), "ckpt-3")
    fresh = tiny_gan(seed=1)
    assert checkpoints._seed_states(fresh)  # the training noise at least
    assert any(not np.array_equal(x, y)
               for x, y in zip(state_of(trained), state_of(fresh)))
    state = checkpoints.restore_checkpoint(fresh, str(tmp_path))
    trackers = state.pop("trackers")
    assert state == {"epoch": 2, "step": 3, "path": path}
    # The running means of the epoch: read back, set by RestoreTrackers.
    assert [p for p, _ in trackers] == [
        "d_loss/total", "d_loss/count", "g_loss/total", "g_loss/count"]
    for (_, value), variable in zip(trackers,
                                    checkpoints._tracker_variables(trained)):
        np.testing.assert_array_equal(value, variable.numpy())
    a, b = state_of(trained), state_of(fresh)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert int(fresh.g_optimizer.iterations) == 3
    # The same random states draw the same noise from here on.
    np.testing.assert_array_equal(
        keras.random.normal((4, 4), seed=trained.noise).numpy(),
        keras.random.normal((4, 4), seed=fresh.noise).numpy())


def test_restore_trackers_sets_the_means_after_keras_resets_them(tmp_path):
    trained = tiny_gan(train_steps=3)
    save(trained, str(tmp_path), epoch=1, step=3)
    means = [float(m.result()) for m in trained.metrics]
    fresh = tiny_gan(seed=1, train_steps=1)  # traced: its trackers known
    state = checkpoints.restore_checkpoint(fresh, str(tmp_path))
    callback = checkpoints.RestoreTrackers(state["trackers"])
    callback.set_model(fresh)
    fresh.reset_metrics()  # as fit does before each epoch begins
    callback.on_epoch_begin(0)
    assert [float(m.result()) for m in fresh.metrics] == means
    fresh.reset_metrics()
    callback.on_epoch_begin(1)  # once: the next epochs start afresh
    assert [float(m.result()) for m in fresh.metrics] == [0.0, 0.0]
    untraced = tiny_gan(seed=1)  # updates no tracker yet
    callback = checkpoints.RestoreTrackers(state["trackers"])
    callback.set_model(untraced)
    with pytest.raises(ValueError, match=r"resume: the checkpoint holds the "
                       r"trackers d_loss/total, .*, and GAN updates none"):
        callback.on_epoch_begin(0)


def test_a_checkpoint_written_before_trackers_were_kept_restores(
        tmp_path, monkeypatch):
    trained = tiny_gan(train_steps=3)
    with monkeypatch.context() as patch:  # the format without trackers
        state_of_old = checkpoints._training_state
        patch.setattr(checkpoints, "_training_state",
                      lambda model, epoch=0, trackers=None:
                      state_of_old(model, epoch))
        save(trained, str(tmp_path), epoch=1, step=3)
    reader = tf.train.load_checkpoint(str(tmp_path / "ckpt-3"))
    assert not any(name.startswith("tracker")
                   for name in reader.get_variable_to_shape_map())
    fresh = tiny_gan(seed=1)
    state = checkpoints.restore_checkpoint(fresh, str(tmp_path))
    assert state["step"] == 3 and state["trackers"] is None
    for x, y in zip(state_of(trained), state_of(fresh)):
        np.testing.assert_array_equal(x, y)


def test_every_variable_of_the_model_round_trips(tmp_path):
    """EMA generator, ADA's p and its statistics, the augmentation's random
    state: whatever the model holds besides the nets is in the checkpoint."""
    def make(seed):
        gan = models.DCGAN(image_shape=(16, 16, 1), latent_dim=4, filters=4,
                           seed=seed, ema_kimg=0.01, augment="ada")
        gan.compile(run_eagerly=True)
        return gan
    trained = make(0)
    images = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1))
    trained.fit(images.astype("float32"), batch_size=8, epochs=2, verbose=0,
                shuffle=False)
    save(trained, str(tmp_path), epoch=2, step=4)
    fresh = make(1)
    for part in ("augmenter", "ema_generator"):
        assert any(not np.array_equal(x.numpy(), y.numpy()) for x, y in zip(
            getattr(trained, part).variables, getattr(fresh, part).variables))
    checkpoints.restore_checkpoint(fresh, str(tmp_path))
    a, b = state_of(trained), state_of(fresh)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_keeps_the_last_keep_checkpoints(tmp_path):
    gan = tiny_gan()
    for step in range(1, 6):
        save(gan, str(tmp_path), epoch=step,
                                    step=step, keep=3)
    assert checkpoints.list_checkpoints(str(tmp_path)) == [
        os.path.join(str(tmp_path), f"ckpt-{step}") for step in (3, 4, 5)]
    assert not [f for f in os.listdir(tmp_path)
                if f.startswith(("ckpt-1.", "ckpt-2."))]
    # A new save after a restore goes on numbering by step.
    assert checkpoints.restore_checkpoint(tiny_gan(), str(tmp_path))[
        "step"] == 5


def test_files_the_state_file_does_not_name_are_not_checkpoints(tmp_path):
    gan = tiny_gan()
    save(gan, str(tmp_path), epoch=1, step=2)
    # What a save killed before it wrote the state file leaves behind.
    (tmp_path / "ckpt-4.index").write_bytes(b"half")
    (tmp_path / "ckpt-4.data-00000-of-00001").write_bytes(b"half")
    assert checkpoints.list_checkpoints(str(tmp_path)) == [
        os.path.join(str(tmp_path), "ckpt-2")]
    assert checkpoints.restore_checkpoint(gan, str(tmp_path))["step"] == 2


def test_non_finite_weights_are_never_saved(tmp_path):
    gan = tiny_gan()
    save(gan, str(tmp_path), epoch=1, step=1)
    kernel = gan.discriminator.trainable_variables[0]
    kernel.assign(tf.fill(kernel.shape, float("nan")))
    assert save(gan, str(tmp_path), epoch=2,
                                       step=2) is None
    callback = checkpoints.Checkpoint(str(tmp_path))
    callback.set_model(gan)
    callback.on_epoch_end(2)
    assert checkpoints.list_checkpoints(str(tmp_path)) == [
        os.path.join(str(tmp_path), "ckpt-1")]


def test_callback_saves_every_epoch_at_the_global_step(tmp_path):
    gan = tiny_gan()
    gan.fit(points(64), batch_size=16, epochs=3, steps_per_epoch=2,
            verbose=0, shuffle=False,
            callbacks=[checkpoints.Checkpoint(str(tmp_path), keep=2)])
    assert checkpoints.list_checkpoints(str(tmp_path)) == [
        os.path.join(str(tmp_path), f"ckpt-{step}") for step in (4, 6)]
    state = checkpoints.restore_checkpoint(tiny_gan(), str(tmp_path))
    assert (state["epoch"], state["step"]) == (3, 6)


def test_missing_foreign_and_mismatched_checkpoints_raise(tmp_path):
    with pytest.raises(ValueError, match="resume: no checkpoint in .*none"):
        checkpoints.restore_checkpoint(tiny_gan(), str(tmp_path / "none"))
    save(tiny_gan(), str(tmp_path), epoch=1, step=1)
    dcgan = models.DCGAN(image_shape=(32, 32, 3), latent_dim=8, filters=4)
    dcgan.compile(run_eagerly=True)
    with pytest.raises(ValueError, match=r"resume: .*ckpt-1 is a checkpoint "
                                         r"of GAN, not DCGAN"):
        checkpoints.restore_checkpoint(dcgan, str(tmp_path))
    with pytest.raises(ValueError, match=r"resume: .*ckpt-1 does not fit "
                                         r"this GAN"):
        checkpoints.restore_checkpoint(tiny_gan(hidden=(8, 8)), str(tmp_path))


def damage(path, kind):
    """Damages the checkpoint prefix `path` as a copy cut short, a full
    disk or a bad sector would."""
    data, index = path + ".data-00000-of-00001", path + ".index"
    if kind == "truncated_data":
        os.truncate(data, os.path.getsize(data) // 2)
    elif kind == "truncated_index":
        os.truncate(index, os.path.getsize(index) // 2)
    elif kind == "missing_data":
        os.remove(data)
    elif kind == "missing_index":
        os.remove(index)
    elif kind == "zero_bytes":
        os.truncate(data, 0)
        os.truncate(index, 0)
    elif kind == "garbage_data":
        with open(data, "r+b") as f:
            f.write(np.random.default_rng(0).bytes(os.path.getsize(data)))
    elif kind == "garbage_index":
        with open(index, "r+b") as f:
            f.write(np.random.default_rng(0).bytes(os.path.getsize(index)))
    else:
        raise ValueError(kind)


DAMAGE = ["truncated_data", "truncated_index", "missing_data",
          "missing_index", "zero_bytes",
          "garbage_data", "garbage_index"]


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_latest_checkpoint_falls_back_to_the_newest_intact(
        tmp_path, kind, caplog):
    trained = tiny_gan(train_steps=2)
    save(trained, str(tmp_path), epoch=1, step=2)
    expected = state_of(trained)
    trained.fit(points(32), batch_size=16, epochs=1, verbose=0, shuffle=False)
    save(trained, str(tmp_path), epoch=2, step=4)
    damage(str(tmp_path / "ckpt-4"), kind)
    fresh = tiny_gan(seed=1)
    with caplog.at_level("WARNING", logger="absl"):
        state = checkpoints.restore_checkpoint(fresh, str(tmp_path))
    assert state["path"] == os.path.join(str(tmp_path), "ckpt-2")
    for x, y in zip(expected, state_of(fresh)):
        np.testing.assert_array_equal(x, y)
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(said) == 1 and "ckpt-4" in said[0] and "ckpt-2" in said[0]
    assert "\n" not in said[0]
    # The damaged files are left for the next save of that step to replace.
    assert os.path.exists(tmp_path / "ckpt-4.index") != (kind ==
                                                          "missing_index")


def test_no_intact_checkpoint_is_one_error_naming_each(tmp_path):
    gan = tiny_gan()
    for step in (1, 2):
        save(gan, str(tmp_path), epoch=step, step=step)
        damage(str(tmp_path / f"ckpt-{step}"), "truncated_data")
    with pytest.raises(ValueError, match=r"resume: no intact checkpoint in "
                                         r".*ckpt-2 \(damaged: .*ckpt-1 \(damaged: ") as error:
        checkpoints.restore_checkpoint(tiny_gan(), str(tmp_path))
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("content", [b"", b"\xbb\xfe garbage \x00"])
def test_a_damaged_state_file_lists_the_checkpoints_on_disk(tmp_path,
                                                             content):
    gan = tiny_gan()
    for step in (1, 2):
        save(gan, str(tmp_path), epoch=step, step=step)
    (tmp_path / "checkpoint").write_bytes(content)
    assert checkpoints.list_checkpoints(str(tmp_path)) == [
        os.path.join(str(tmp_path), f"ckpt-{step}") for step in (1, 2)]
    assert checkpoints.restore_checkpoint(tiny_gan(), str(tmp_path))[
        "step"] == 2
    # The next save writes a state file naming them and itself.
    save(gan, str(tmp_path), epoch=3, step=3, keep=2)
    assert checkpoints.list_checkpoints(str(tmp_path)) == [
        os.path.join(str(tmp_path), f"ckpt-{step}") for step in (2, 3)]
