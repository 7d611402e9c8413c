import csv
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfgan_suite.training import callbacks


def test_sample_grid_renders_fixed_noise_and_a_gif(tmp_path, tiny_dcgan,
                                                   tiny_dataset):
    grid = callbacks.SampleGrid(str(tmp_path), every_n_epochs=1,
                                every_n_steps=2, num_images=9, seed=3)
    tiny_dcgan.fit(tiny_dataset, epochs=2, verbose=0, callbacks=[grid])
    names = sorted(os.listdir(tmp_path))
    assert names == ["epoch_0001.png", "epoch_0002.png", "initial.png",
                     "progress.gif", "step_000002.png", "step_000004.png",
                     "step_000006.png", "step_000008.png"]
    png = np.asarray(Image.open(tmp_path / "epoch_0002.png"))
    assert png.shape == (3 * 30 + 2, 3 * 30 + 2)  # 3x3 grid, 2 px padding
    assert len(grid.paths) == 7
    # PIL merges identical consecutive frames: steps 4 and 8 end the epochs.
    assert Image.open(tmp_path / "progress.gif").n_frames == 5
    # Same seeds every time: the grid after training equals a fresh render.
    again = callbacks.SampleGrid(str(tmp_path / "again"), num_images=9, seed=3)
    again.set_model(tiny_dcgan)
    np.testing.assert_array_equal(
        np.asarray(Image.open(again.render("x.png"))), png)


class Steps:
    """A stand-in model: the step counter the callbacks read, and trackers
    of `names` (whose running means the step returns)."""

    def __init__(self, names=("d_loss", "g_loss")):
        self.step_counter = tf.Variable(0, dtype=tf.int64)
        self.metrics = [keras.metrics.Mean(name=n) for n in names]


def test_loss_history_recovers_each_step_from_running_means(tmp_path):
    values = {"d_loss": [1.0, 3.0, 2.0, 6.0, 5.0], "g_loss": [0.5, 0.1, 0.9,
                                                               0.2, 0.4]}
    history = callbacks.LossHistory(str(tmp_path), hlines={"log 2": 0.693})
    history.set_model(Steps())
    for epoch, steps in enumerate([(0, 1, 2), (3, 4)]):
        history.on_epoch_begin(epoch)
        for batch, step in enumerate(steps):
            logs = {k: np.mean(v[steps[0]:step + 1]) for k, v in values.items()}
            logs["other"] = 1.0
            history.model.step_counter.assign(step + 1)
            history.on_train_batch_end(batch, logs)
    history.on_train_end()
    with open(history.csv_path) as f:
        rows = list(csv.DictReader(f))
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4, 5]
    for key in values:
        np.testing.assert_allclose([float(r[key]) for r in rows], values[key],
                                   rtol=1e-5)
    assert "other" not in rows[0]
    assert Image.open(history.plot_path).size == (800, 450)


def test_loss_history_with_steps_per_execution(tmp_path):
    # Keras reports every 2nd step: each row is the mean of its 2 steps.
    history = callbacks.LossHistory(str(tmp_path))
    history.set_model(Steps())
    history.on_epoch_begin(0)
    history.model.step_counter.assign(2)
    history.on_train_batch_end(1, {"d_loss": 2.0})  # steps 1-2, mean 2
    history.model.step_counter.assign(4)
    history.on_train_batch_end(3, {"d_loss": 3.0})  # steps 3-4, mean 4
    assert history.steps == [2, 4]
    np.testing.assert_allclose(history.values["d_loss"], [2.0, 4.0])


def test_loss_history_records_returned_values_as_they_are(tmp_path):
    # A step that returns its own values (no tracker of that name): each
    # row is what it returned, not a value recovered from running means.
    history = callbacks.LossHistory(str(tmp_path))
    history.set_model(Steps(names=()))
    history.on_epoch_begin(0)
    for batch, value in enumerate([9.136, 8.676, 7.886]):
        history.model.step_counter.assign(batch + 1)
        history.on_train_batch_end(batch, {"d_loss": value})
    np.testing.assert_allclose(history.values["d_loss"],
                               [9.136, 8.676, 7.886])


def history_rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_history_csv_gives_a_value_first_logged_later_its_column(tmp_path):
    path = str(tmp_path / "history.csv")
    history = callbacks.HistoryCSV(path)
    history.on_train_begin()
    history.on_epoch_end(0, {"d_loss": 1.5})
    history.on_epoch_end(1, {"d_loss": 1.25, "fid": 3.0})  # FID every 2.
    assert history_rows(path) == [["epoch", "d_loss", "fid"],
                                  ["0", "1.5", ""], ["1", "1.25", "3.0"]]


def test_history_csv_resumed_before_the_first_fid_keeps_columns_aligned(
        tmp_path):
    # Stopped mid-epoch 0, before its FID: the file has the partial
    # epoch's columns, which lack the FID the full epochs log.
    path = str(tmp_path / "history.csv")
    stopped = callbacks.HistoryCSV(path)
    stopped.on_train_begin()
    stopped.on_epoch_end(0, {"g_loss": 0.5, "d_loss": 2.0})
    resumed = callbacks.HistoryCSV(path, resume_epoch=0)
    resumed.on_train_begin()
    resumed.on_epoch_end(0, {"g_loss": 0.75, "fid": 3.0, "d_loss": 1.5})
    resumed.on_train_begin()  # a second fit of the same run keeps its rows.
    resumed.on_epoch_end(1, {"g_loss": 1.0, "fid": 2.0, "d_loss": 1.25})
    assert history_rows(path) == [["epoch", "d_loss", "fid", "g_loss"],
                                  ["0", "1.5", "3.0", "0.75"],
                                  ["1", "1.25", "2.0", "1.0"]]
    # A later resume in epoch 1 keeps epoch 0 only, then appends.
    again = callbacks.HistoryCSV(path, resume_epoch=1)
    again.on_train_begin()
    again.on_epoch_end(1, {"g_loss": 2.0, "fid": 1.0, "d_loss": 0.5})
    assert history_rows(path)[1:] == [["0", "1.5", "3.0", "0.75"],
                                      ["1", "0.5", "1.0", "2.0"]]


def test_health_values_show_a_discriminator_memorizing():
    """D of a tiny GAN whose G is frozen (learning rate 0) learns to call 8
    of G's own samples real and fresh samples fake: it can only do that by
    memorizing those 8. 8 other samples of G, never trained on, stand in
    for held-out reals; the overfitting values must show the memorizing."""
    import keras
    from tfgan_suite import models
    keras.utils.set_random_seed(0)
    gan = models.GAN(data_shape=(8,), latent_dim=8, hidden=(64, 64), seed=0)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0),
                d_optimizer=keras.optimizers.Adam(1e-2))
    points = tf.constant(gan.generate(16, seed=100))
    train, held_out = points[:8], points[8:]
    monitor = callbacks.HealthMonitor(train, held_out=held_out)
    gan.fit(tf.data.Dataset.from_tensors(train).repeat(), epochs=2,
            steps_per_epoch=20, verbose=0, callbacks=[monitor])
    first, last = monitor.history
    assert last["d_real_mean"] > last["d_real_heldout"]
    assert last["d_overfit_gap"] == pytest.approx(
        last["d_real_mean"] - last["d_real_heldout"], abs=1e-5)
    assert last["d_overfit_gap"] > first["d_overfit_gap"] + 0.5
    assert last["rt_heldout"] < last["rt_train"]


def diagnosed_off_its_moving_statistics(gan, real, d_input):
    """The health values of `gan` on the batch `real` (D takes its reals
    as `d_input`), read after D's batch-norm moving means were moved far
    from any one batch's statistics (a D read in inference mode would then
    shift its logits); checks that the reading left D's state as it was."""
    from tfgan_suite.training.health import diagnose
    gan.compile()
    gan.discriminator(d_input, training=False)
    moving = [v for v in gan.discriminator.non_trainable_variables
              if "moving_mean" in v.path]
    assert moving, f"{gan.name}'s D has batch norm"
    for v in moving:
        v.assign(v + 5.0)
    state = [v.numpy() for v in gan.discriminator.non_trainable_variables]
    values, _ = diagnose(gan, real)
    for before, v in zip(state, gan.discriminator.non_trainable_variables):
        np.testing.assert_array_equal(before, v.numpy())
    return values


def test_d_accuracy_is_read_as_d_judges_in_training():
    """A batch-norm D judges each batch by its own statistics in its
    training step; read with moving statistics (inference mode) its logits
    shift, and a D that tells reals from fakes reads as one calling reals
    fake. The health values use D as its step does, and leave its state
    as it was."""
    from tests.tiny_models import tiny
    gan = tiny("cgan")
    images = tf.random.stateless_uniform((16, 28, 28, 1), (0, 1), -1, 1)
    labels = tf.constant([0, 1, 2, 0] * 4)
    values = diagnosed_off_its_moving_statistics(gan, (images, labels),
                                                 (images, labels))
    real_logits = gan.discriminator((images, labels), training=True)
    assert values["d_real_mean"] == pytest.approx(
        float(tf.reduce_mean(real_logits)), abs=1e-5)
    assert values["d_acc_real"] == pytest.approx(
        float(tf.reduce_mean(tf.cast(real_logits > 0, tf.float32))))


def test_pix2pix_d_is_read_as_it_judges_in_training():
    """pix2pix's PatchGAN D has batch norm too: its health values read it
    in training mode on each batch of pairs, its state left as it was."""
    from tests.tiny_models import examples, tiny
    gan = tiny("pix2pix")
    inputs, targets = map(tf.constant, examples(gan, 4))
    values = diagnosed_off_its_moving_statistics(gan, (inputs, targets),
                                                 [inputs, targets])
    assert values["d_real_mean"] == pytest.approx(float(tf.reduce_mean(
        gan.discriminator([inputs, targets], training=True))), abs=1e-5)
    assert values["d_real_mean"] != pytest.approx(float(tf.reduce_mean(
        gan.discriminator([inputs, targets], training=False))), abs=1e-3)


def test_d_accuracy_reads_the_losss_threshold():
    """Under the least-squares loss D's targets are 1 and 0: it calls x
    real above 0.5, not above 0."""
    from tests.tiny_models import tiny
    from tfgan_suite.training.health import diagnose
    gan = tiny("dcgan")
    gan.compile(loss="least_squares")
    images = tf.random.stateless_uniform((16, 28, 28, 1), (0, 1), -1, 1)
    bias = [v for v in gan.discriminator.trainable_variables
            if v.shape == (1,)][-1]
    bias.assign(bias + 0.25 - float(tf.reduce_mean(
        gan.discriminator(images, training=True))))  # logits about 0.25.
    logits = gan.discriminator(images, training=True)
    values, _ = diagnose(gan, images, held_out=images)
    assert values["d_acc_real"] == pytest.approx(
        float(tf.reduce_mean(tf.cast(logits > 0.5, tf.float32))))
    assert values["d_acc_real"] < 0.5 < float(tf.reduce_mean(
        tf.cast(logits > 0, tf.float32)))
    assert values["rt_train"] < 0
