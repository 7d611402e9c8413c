"""Runs on one's own image folders (in-process): FID on the held-out
share with the domain classifier of a labelled folder or Inception for an
unlabelled one, and a preset's FID schedule that never stops such a run."""

import csv
import os
import shutil

import pytest

from tests.conftest import folder_config
from tests.metrics.test_inception import write_stand_in
from tfgan_suite import runs, training
from tfgan_suite.metrics import inception


def fid_rows(out):
    with open(os.path.join(out, "fid.csv"), newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def no_inception(tmp_path, monkeypatch):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "tfhub"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(inception.INCEPTION_ENV, raising=False)


def unlabelled(folder):
    """The images of a class folder, all directly in one folder."""
    for name in os.listdir(folder):
        for image in os.listdir(os.path.join(folder, name)):
            shutil.move(os.path.join(folder, name, image),
                        os.path.join(folder, f"{name}_{image}"))
        os.rmdir(os.path.join(folder, name))
    return folder


def test_a_labelled_grayscale_folder_gets_domain_fid_on_its_held_out_share(
        tmp_path, gray_folder, no_inception):
    out = str(tmp_path / "run")
    classifier = str(tmp_path / "classifier.keras")
    model, history = training.run(folder_config(
        gray_folder, holdout=0.5, fid_every_n_steps=1, fid_num_images=16,
        classifier_path=classifier), out)
    assert model.data_shape == (16, 16, 1)
    assert [row["step"] for row in fid_rows(out)] == ["1", "2"]
    assert list(fid_rows(out)[0]) == ["step", "domain_FID"]
    assert os.path.isfile(classifier)
    assert runs.read_config(out).data.holdout == 0.5


def test_a_presets_fid_schedule_never_stops_a_run_on_unlabelled_images(
        tmp_path, gray_folder, no_inception, caplog):
    out = str(tmp_path / "run")
    config = folder_config(unlabelled(gray_folder), fid_every_n_steps=1)
    model, _ = training.run(config, out)
    assert os.path.isfile(os.path.join(out, "model.keras"))
    assert not os.path.exists(os.path.join(out, "fid.csv"))
    skipped = [r.getMessage() for r in caplog.records
               if r.getMessage().startswith("FID skipped")]
    assert len(skipped) == 1 and "no classes for a domain classifier" in \
        skipped[0]


def test_inception_fid_during_training_on_a_local_stand_in(
        tmp_path, gray_folder, monkeypatch):
    monkeypatch.setenv(inception.INCEPTION_ENV,
                       write_stand_in(tmp_path / "inception"))
    monkeypatch.setenv("HOME", str(tmp_path))  # the real statistics' cache
    out = str(tmp_path / "run")
    training.run(folder_config(unlabelled(gray_folder), fid_every_n_steps=2,
                               fid_num_images=16, holdout=0.3,
                               fid_features="inception"), out)
    rows = fid_rows(out)
    assert list(rows[0]) == ["step", "FID"] and rows[0]["step"] == "2"
    assert float(rows[0]["FID"]) >= 0
    assert len(os.listdir(tmp_path / ".cache" / "tfgan_suite")) == 1


@pytest.mark.parametrize("channels, expected", [(None, 1), (3, 3), (1, 1)])
def test_channels_are_read_from_the_images_or_forced(gray_folder, channels,
                                                     expected):
    from tfgan_suite.runs import examples
    from tfgan_suite.training import runner
    config = folder_config(gray_folder, channels=channels)
    model = runner.build_model(config, examples.training_source(config))
    assert model.data_shape == (16, 16, expected)


def test_conditional_sagan_takes_the_folders_classes(gray_folder):
    from tfgan_suite.runs import examples
    from tfgan_suite.training import runner
    config = folder_config(gray_folder, "fashion_mnist_sagan", model_args={
        "filters": 8, "latent_dim": 8, "num_classes": "auto"})
    model = runner.build_model(config, examples.training_source(config))
    assert model.num_classes == 3
    assert model.class_names == ["bag", "shirt", "shoe"]
