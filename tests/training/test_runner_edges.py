"""The runner's handling of file-system errors, finished runs, FID start-up
cost, history columns, TensorBoard and unfinished runs (in-process)."""

import csv
import dataclasses
import logging
import os

import numpy as np
import pytest

import tfgan_suite as tgs
from tfgan_suite import metrics, runs, training
from tfgan_suite.training import runner


def tiny_config(idx_dir, **overrides):
    settings = dict(data_dir=idx_dir, batch_size=16, steps=2,
                    steps_per_epoch=1, fid_every_n_steps=0, verbose=0,
                    model_args={"filters": 4, "latent_dim": 8})
    return runs.make_config("fashion_mnist_dcgan",
                                  **{**settings, **overrides})


def test_out_dir_that_is_a_file_is_refused_before_training(tmp_path, idx_dir):
    path = tmp_path / "taken"
    path.write_text("x")
    with pytest.raises(ValueError, match=f"out_dir: {path} is an existing "
                                         f"file, expected a folder"):
        training.run(tiny_config(idx_dir), str(path))
    with pytest.raises(ValueError, match="out_dir: cannot create the folder"):
        training.run(tiny_config(idx_dir), str(path / "below"))


def test_export_root_that_is_a_file_is_refused_before_training(tmp_path,
                                                               idx_dir):
    export = tmp_path / "export"
    export.write_text("x")
    out = tmp_path / "run"
    with pytest.raises(ValueError, match="export: .* is an existing file"):
        training.run(tiny_config(idx_dir, export=str(export)), str(out))
    assert not os.path.exists(out / "checkpoints")


def test_a_run_refused_for_bad_input_leaves_no_config(tmp_path, idx_dir):
    config = tiny_config(idx_dir)
    config = dataclasses.replace(config, model_args={
        **config.model_args, "image_shape": (32, 32, 3)})
    with pytest.raises(ValueError, match="image_shape"):
        training.run(config, str(tmp_path / "run"))
    assert not os.path.exists(tmp_path / "run" / "config.json")


def test_resume_of_a_complete_run_says_so(tmp_path, idx_dir):
    out = str(tmp_path / "run")
    training.run(tiny_config(idx_dir), out)
    with pytest.raises(ValueError, match=r"complete at step 2 of 2; pass a "
                                         r"larger steps=N"):
        training.run(runs.resume_config(out), out, resume=True)
    # History has exactly the logged columns, none of them val_*.
    with open(os.path.join(out, "history.csv")) as f:
        header = next(csv.reader(f))
    assert "d_loss" in header and not [h for h in header
                                        if h.startswith("val_")]


def test_a_run_resumed_shorter_than_it_reached_is_not_cut_short(
        tmp_path, idx_dir, caplog):
    """Interrupted at step 4 before its final files, then resumed with 2
    steps: its files are written at step 4, the log says so, and the
    length it suggests to train further is past step 4 (not 2 x 2)."""
    out = str(tmp_path / "run")
    training.run(tiny_config(idx_dir, steps=4), out)
    os.remove(os.path.join(out, "model.keras"))
    caplog.set_level(logging.INFO, logger="absl")
    model, history = training.run(runs.resume_config(out, steps=2), out,
                                  resume=True)
    assert history is None and int(model.step_counter.numpy()) == 4
    assert runs.layout.saved_model(out)["step"] == 4
    logged = caplog.text
    assert "trained to step 4, past the 2 asked" in logged
    assert "in epoch" not in logged  # no "epoch 2 of 2" for step 4
    checkpoints = os.path.join(out, "checkpoints")
    assert runs.checkpoints.further(
        checkpoints, runs.resume_config(out, steps=2)) == ("steps", 8)
    assert runs.checkpoints.further(
        checkpoints, runs.resume_config(out, steps=10)) == ("steps", 20)
    # In epochs: its checkpoint finished 4 epochs of 1 step.
    epochs = runs.resume_config(out)
    epochs = dataclasses.replace(epochs, train=dataclasses.replace(
        epochs.train, steps=None, epochs=1))
    assert runs.checkpoints.further(checkpoints, epochs) == ("epochs", 8)
    assert runs.checkpoints.further(str(tmp_path / "none"), epochs) == (
        "epochs", 2)


def test_domain_classifier_is_not_trained_for_a_run_without_fid(
        tmp_path, idx_dir, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("trained the domain classifier for nothing")
    monkeypatch.setattr(metrics, "train_domain_classifier", forbidden)
    monkeypatch.setattr(metrics, "domain_extractor", forbidden)
    # 2 steps never reach an evaluation every 1000 steps.
    training.run(tiny_config(idx_dir, fid_every_n_steps=1000),
                   str(tmp_path / "run"))


def test_tensorboard_gets_step_losses_and_sample_grids(tmp_path, idx_dir):
    from tensorboard.backend.event_processing import event_accumulator
    out = tmp_path / "run"
    training.run(tiny_config(idx_dir), str(out))
    events = event_accumulator.EventAccumulator(
        str(out / "logs" / "train"), size_guidance={"tensors": 0})
    events.Reload()
    steps = lambda tag: [e.step for e in events.Tensors(tag)]
    assert steps("batch_d_loss") == [1, 2]
    assert steps("samples") == [0, 1, 2]  # initial grid, then each epoch


@pytest.mark.parametrize("mixed", [False, True])
def test_unfinished_run_loads_from_its_latest_checkpoint(tmp_path, idx_dir,
                                                         mixed):
    """Rebuilt under the run's precision policy, as it was trained."""
    out = tmp_path / "run"
    model, _ = training.run(tiny_config(idx_dir, mixed_precision=mixed),
                            str(out))
    os.remove(out / "model.keras")  # as if the run had been killed
    loaded = tgs.runs.load(str(out))
    assert (loaded.generator.dtype_policy.name
            == model.generator.dtype_policy.name
            == ("mixed_bfloat16" if mixed else "float32"))
    np.testing.assert_array_equal(loaded.generate(4, seed=3),
                                  model.generate(4, seed=3))


def test_cache_names_follow_the_data(tmp_path, idx_dir):
    before = metrics.classifier_path("fashion_mnist", data_dir=idx_dir)
    assert before == metrics.classifier_path("fashion_mnist",
                                                data_dir=idx_dir)
    path = os.path.join(idx_dir, "train-labels-idx1-ubyte.gz")
    with open(path, "ab") as f:
        f.write(b"\0")  # other files, other classifier
    assert metrics.classifier_path("fashion_mnist",
                                      data_dir=idx_dir) != before
    assert metrics.classifier_path("fashion_mnist", "mine.keras",
                                      idx_dir) == "mine.keras"
    assert (tgs.data.fingerprint("cifar10", idx_dir, classes=["horse"]) !=
            tgs.data.fingerprint("cifar10", idx_dir, classes=["ship"]))


def test_low_data_run_with_augmentation_and_ema(tmp_path, idx_dir):
    source = tgs.data.get_source("fashion_mnist", data_dir=idx_dir)
    picked = tgs.data.subset(source, 20, seed=1)
    again = tgs.data.subset(source, 20, seed=1)
    first = lambda s: next(iter(tgs.data.build(s, batch_size=20,
                                               shuffle=False))).numpy()
    assert picked.num_examples == 20
    np.testing.assert_array_equal(first(picked), first(again))
    config = tiny_config(idx_dir, max_images=32, seed=0, model_args={
        "filters": 4, "latent_dim": 8, "augment": ("color", "cutout"),
        "ema_kimg": 0.5})
    model, _ = training.run(config, str(tmp_path / "run"))
    assert model.augment == "color,cutout" and model.ema_kimg == 0.5
    saved = runs.resume_config(str(tmp_path / "run"))
    assert saved.data.max_images == 32
    assert saved.model_args["augment"] == "color,cutout"
    # D's view of the 16 test images, never trained on, beside the
    # training batch's, after every epoch.
    with open(tmp_path / "run" / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    for row in rows:
        assert float(row["d_overfit_gap"]) == pytest.approx(
            float(row["d_real_mean"]) - float(row["d_real_heldout"]),
            abs=1e-4)
        assert -1 <= float(row["rt_heldout"]) <= 1


def test_a_relative_data_dir_is_read_from_another_directory(
        gray_folder, tmp_path, monkeypatch):
    parent, name = os.path.split(gray_folder)
    monkeypatch.chdir(parent)
    config = runs.make_config("fashion_mnist_dcgan", dataset="folder",
                              data_dir=name, batch_size=4)
    assert config.data.data_dir == os.path.join(parent, name)
    monkeypatch.chdir(tmp_path)  # e.g. tfgan-evaluate run elsewhere
    assert runs.examples.training_source(config).num_examples > 0


def test_write_error_during_training_is_one_line_naming_the_checkpoint(
        tmp_path, idx_dir):
    import keras

    class DiskFull(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise OSError(28, "No space left on device",
                              str(tmp_path / "run" / "samples"))

    with pytest.raises(ValueError, match=r"samples: No space left on device "
                                         r"while training; last good "
                                         r"checkpoint: .*ckpt-2 \(resume=True"):
        training.run(tiny_config(idx_dir), str(tmp_path / "run"),
                       extra_callbacks=[DiskFull()])


def test_export_below_a_file_is_refused_and_nothing_is_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="export: cannot create the folder "
                                         ".* is a file"):
        runner.writable_folder(str(tmp_path / "file" / "sm"), "export")
    runner.writable_folder(str(tmp_path / "a" / "b"), "export")
    assert not (tmp_path / "a").exists()
