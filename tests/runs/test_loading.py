import numpy as np
import pytest

from tfgan_suite import metrics, models, runs, serving


def test_discriminator_filtered_keeps_only_high_scores():
    # An untrained D scores every sample 0.5 +- 1e-6, where float32 has a
    # few dozen values: many scores tie at the median, depending on the
    # weights drawn. A large logit kernel spreads them apart.
    gan = models.DCGAN(image_shape=(28, 28, 1), latent_dim=8, filters=4,
                       seed=1)
    gan.compile()
    logit = gan.discriminator.get_layer("logit")
    logit.kernel.assign(np.random.default_rng(0).normal(
        size=logit.kernel.shape).astype("float32") * 1e4)
    scores = gan.discriminator_scores(gan.generate(64, seed=0))
    threshold = float(np.median(scores))
    images, kept, rate = metrics.discriminator_filtered(
        gan, 10, threshold, batch_size=64, seed=0)
    assert images.shape == (10, 28, 28, 1)
    assert (kept >= threshold).all()
    assert 0.4 <= rate <= 0.6


def test_discriminator_filtered_gives_up_clearly(tiny_dcgan):
    with pytest.raises(ValueError, match=r"min_d_score: only 0 of 64 samples "
                                         r"\(0.00%\) scored >= 1.01"):
        metrics.discriminator_filtered(tiny_dcgan, 4, 1.01, batch_size=32,
                                        max_batches=2)


def test_scores_refused_for_non_probabilistic_losses(tiny_dcgan):
    tiny_dcgan.compile(loss="hinge")
    with pytest.raises(ValueError, match="probabilities only for the minimax"):
        tiny_dcgan.discriminator_scores(tiny_dcgan.generate(2, seed=0))


def test_load_keras_file_and_saved_model(tmp_path, tiny_dcgan, tiny_dataset):
    tiny_dcgan.fit(tiny_dataset.take(1), epochs=1, verbose=0)
    tiny_dcgan.save(str(tmp_path / "model.keras"))
    from_run = runs.load(str(tmp_path))
    path = serving.export_saved_model(tiny_dcgan, str(tmp_path / "sm"))
    served = runs.load(str(tmp_path / "sm"))
    assert served.path == path
    np.testing.assert_array_equal(served.generate_uint8(3, seed=5),
                                  from_run.generate_uint8(3, seed=5))
    with pytest.raises(ValueError, match="needs the discriminator"):
        metrics.discriminator_filtered(served, 1)
    with pytest.raises(ValueError, match="expected a run folder"):
        runs.load(str(tmp_path / "nothing"))


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A tiny finished run: checkpoints of steps 2 and 4, model.keras."""
    from tests.conftest import write_idx
    from tfgan_suite import training
    data = write_idx(tmp_path_factory.mktemp("idx"))
    out = tmp_path_factory.mktemp("run") / "run"
    config = runs.make_config(
        "fashion_mnist_dcgan", data_dir=data, batch_size=8, steps=4,
        steps_per_epoch=2, fid_every_n_steps=0, verbose=0, seed=3,
        model_args={"filters": 4, "latent_dim": 8})
    training.run(config, str(out))
    return out


def copy_of(run, tmp_path):
    import shutil
    return shutil.copytree(run, tmp_path / "run")


def spoil(path, kind):
    """A file cut short, zeroed, or overwritten with garbage."""
    import os
    size = os.path.getsize(path)
    if kind == "truncated":
        os.truncate(path, size // 2)
    elif kind == "zero_bytes":
        os.truncate(path, 0)
    else:
        with open(path, "r+b") as f:
            f.seek(size // 3)
            f.write(np.random.default_rng(0).bytes(size // 3))


def warnings_of(caplog):
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


@pytest.mark.parametrize("kind", ["truncated", "zero_bytes", "garbage"])
def test_a_damaged_model_keras_falls_back_to_the_checkpoint(
        finished_run, tmp_path, kind, caplog):
    run = copy_of(finished_run, tmp_path)
    whole = runs.load(str(run))
    spoil(run / "model.keras", kind)
    with caplog.at_level("WARNING", logger="absl"):
        loaded = runs.load(str(run))
    said = warnings_of(caplog)
    assert len(said) == 1, said
    assert "model.keras is damaged" in said[0] and "ckpt-4 (step 4)" in said[0]
    for a, b in zip(whole.weights, loaded.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match=r"model.keras: not a readable "
                                         r"\.keras model file"):
        runs.load(str(run / "model.keras"))


def test_damaged_model_keras_and_latest_checkpoint_give_the_one_before(
        finished_run, tmp_path, caplog):
    run = copy_of(finished_run, tmp_path)
    spoil(run / "model.keras", "truncated")
    spoil(run / "checkpoints" / "ckpt-4.data-00000-of-00001", "truncated")
    with caplog.at_level("WARNING", logger="absl"):
        loaded = runs.load(str(run))
    assert int(loaded.step_counter.numpy()) == 2
    said = warnings_of(caplog)
    assert len(said) == 2 and "skipping" in said[0] and "ckpt-4" in said[0]
    for spoilt in ("ckpt-2.index", "ckpt-4.index"):
        spoil(run / "checkpoints" / spoilt, "zero_bytes")
    with pytest.raises(ValueError, match=r"model.keras is damaged .*, and its "
                                         r"checkpoints give no model: resume: "
                                         r"no intact checkpoint") as error:
        runs.load(str(run))
    assert "\n" not in str(error.value)


def test_a_damaged_export_version_falls_back_to_the_one_before(
        finished_run, tmp_path, caplog):
    import os
    model = runs.load(str(finished_run))
    root = tmp_path / "sm"
    serving.export_saved_model(model, str(root))
    serving.export_saved_model(model, str(root))
    spoil(root / "2" / "variables" / "variables.data-00000-of-00001",
          "garbage")
    with caplog.at_level("WARNING", logger="absl"):
        served = runs.load(str(root))
    assert served.path == str(root / "1")
    said = warnings_of(caplog)
    assert len(said) == 1 and f"{root / '2'} (damaged: " in said[0]
    os.truncate(root / "1" / "saved_model.pb", 10)
    with pytest.raises(ValueError, match=r"no SavedModel here loads"):
        runs.load(str(root))


def test_a_read_only_run_folder_is_sampled_and_exported_elsewhere(
        finished_run, tmp_path, monkeypatch):
    """Every write below the run folder fails as on read-only storage (the
    tests run as root, whom chmod does not stop): loading (model.keras, or
    the checkpoint) writes nothing there; samples and the export go
    elsewhere."""
    import os
    import shutil
    from tests.conftest import forbid_writes_under
    from tfgan_suite import plots
    run = copy_of(finished_run, tmp_path)
    (run / "model.keras").rename(tmp_path / "model.keras")
    shutil.copytree(run, tmp_path / "unfinished")
    (tmp_path / "model.keras").rename(run / "model.keras")
    folders = (str(run), str(tmp_path / "unfinished"))
    forbid_writes_under(folders, monkeypatch.setattr)
    for folder in folders:
        model = runs.load(folder)
        plots.save_grid(model.generate(4, seed=0),
                        str(tmp_path / "out" / "grid.png"))
    assert os.path.isdir(serving.export_saved_model(model,
                                                    str(tmp_path / "sm")))
    with pytest.raises(OSError, match="Read-only file system"):
        (run / "x").write_text("")  # the guard guards


def test_the_data_policies_are_recorded_and_kept_by_resume(tmp_path):
    config = runs.make_config(None, dataset="folder", data_dir=str(tmp_path),
                              resize="crop", skip_bad_files=True)
    assert config.data.resize == "crop"
    assert config.data.skip_bad_files is True
    runs.config.write_config(str(tmp_path), config)
    resumed = runs.resume_config(str(tmp_path), resize="crop")
    assert resumed.data.resize == "crop"
    assert resumed.data.skip_bad_files is True
    with pytest.raises(ValueError, match="^resize: .*resume=True cannot"):
        runs.resume_config(str(tmp_path), resize="pad")
