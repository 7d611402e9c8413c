"""`tgs.metrics.evaluate`: every score from plain arguments, the library
behind tfgan-evaluate; the features a run's FID used, the extractor's
identity in the results, per-class results by class name."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO, write_gray_classes
from tests.metrics.test_inception import no_download  # noqa: F401 (fixture)
from tests.tiny_models import tiny
from tfgan_suite import metrics, runs

CLASSES = ("bag", "shirt", "shoe")


@pytest.fixture
def folders(tmp_path):
    """A labelled folder of 16x16 grayscale images, and one of fakes."""
    real = write_gray_classes(tmp_path / "real", CLASSES, n=10)
    fake = write_gray_classes(tmp_path / "fake", ("x",), n=12)
    return real, fake


def test_bad_arguments_are_one_value_error_naming_the_argument(folders):
    real, fake = folders
    with pytest.raises(ValueError, match="model: expected a trained model"):
        metrics.evaluate(dataset="fashion_mnist")
    with pytest.raises(ValueError, match="dataset: expected the name"):
        metrics.evaluate(tiny("dcgan"))
    with pytest.raises(ValueError, match="num: expected a positive"):
        metrics.evaluate(tiny("dcgan"), "fashion_mnist", num=0)
    with pytest.raises(ValueError, match="fake: expected a folder of images"):
        metrics.evaluate(real=real)
    with pytest.raises(ValueError, match="features: expected inception"):
        metrics.evaluate(real=real, fake=fake, features="imagenet")


def test_inception_offline_is_one_clear_line(folders, no_download):
    real, fake = folders
    with pytest.raises(ValueError, match="^inception: could not fetch "
                                         "TF-GAN's Inception"):
        metrics.evaluate(real=real, fake=fake, features="inception")


def test_a_datasets_classifier_is_trained_on_first_use(folders, tmp_path):
    real, fake = folders
    path = str(tmp_path / "c.keras")
    results = metrics.evaluate(real=real, fake=fake, features="folder",
                               data_dir=real, classifier_path=path)
    assert os.path.isfile(path)
    for key in ("domain_fid", "domain_kid", "domain_precision",
                "domain_recall", "domain_density", "domain_coverage"):
        assert np.isfinite(results[key]), key
    assert (results["num_real"], results["num_fake"]) == (30, 12)
    # The extractor's identity: its file (by content) and its data.
    assert results["features"] == path
    assert results["features_sha256"] == metrics.evaluation.file_digest(path)
    from tfgan_suite import data
    assert results["features_data"] == f"folder-{data.fingerprint('folder', real)}"
    json.dumps(results, allow_nan=False)


def test_a_classifiers_cache_key_depends_on_the_effective_options(folders):
    real, _ = folders
    default = metrics.classifier_path("folder", data_dir=real)
    assert metrics.classifier_path("folder", data_dir=real,
                                   holdout=0.1) == default
    assert metrics.classifier_path("folder", data_dir=real,
                                   holdout=0.2) != default
    assert (metrics.classifier_path("folder", data_dir=real,
                                    image_size=(16, 16))
            == metrics.classifier_path("folder", data_dir=real,
                                       image_size=[16, 16]))


def run_config(data_dir, classifier_path):
    """A run's config with the parts that name its FID's features."""
    return runs.RunConfig.from_dict(
        {"data": {"dataset": "folder", "data_dir": data_dir,
                  "holdout": 0.1, "batch_size": 8, "max_images": None},
         "train": {"fid_features": None,
                   "classifier_path": classifier_path}})


def test_a_runs_features_are_those_its_fid_used(folders, tmp_path):
    real, fake = folders
    path = str(tmp_path / "run_classifier.keras")
    config = run_config(real, path)
    with pytest.raises(ValueError, match="no domain classifier there.*its "
                                         "FIDs compare only with FIDs of "
                                         "that classifier"):
        metrics.evaluate(real=real, fake=fake, features=config)
    assert not os.path.exists(path)  # never a second classifier, unasked
    metrics.train_domain_classifier("folder", real, path, epochs=1)
    by_run = metrics.evaluate(real=real, fake=fake, features=config)
    by_file = metrics.evaluate(real=real, fake=fake, features=path)
    assert by_run["features"] == path
    assert by_run["domain_fid"] == pytest.approx(by_file["domain_fid"])


def test_per_class_results_are_keyed_by_class_name(folders, tmp_path):
    real, _ = folders
    model = tiny("cgan", image_shape=(16, 16, 1), class_names=list(CLASSES))
    results = metrics.evaluate(model, "folder", data_dir=real, holdout=0.3,
                               features="folder", num=30, memorization=False,
                               classifier_path=str(tmp_path / "c.keras"))
    assert set(results["label_accuracy"]) == {*CLASSES, "mean"}
    intra = results["domain_intra_class_fid"]
    assert set(intra["per_class"]) | set(intra["skipped"]) == set(CLASSES)
    assert set(results["class_coverage"]["histogram"]) == set(CLASSES)


def test_the_command_scores_a_folder_with_a_runs_features(folders, tmp_path):
    real, fake = folders
    run = tmp_path / "run"
    run.mkdir()
    path = str(tmp_path / "run_classifier.keras")
    (run / "config.json").write_text(run_config(real, path).to_json())
    metrics.train_domain_classifier("folder", real, path, epochs=1)
    out = tmp_path / "eval.json"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    result = subprocess.run(
        [sys.executable, os.path.join(REPO, "scripts", "evaluate.py"),
         f"--real={real}", f"--fake={fake}", f"--features={run}",
         f"--out={out}"], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads(out.read_text())
    assert scores["features"] == path and scores["domain_fid"] > 0


def test_a_run_without_fid_gets_its_classifier_trained(monkeypatch):
    # Its FID was never measured, so nothing can disagree with it: the
    # run's own classifier is trained on first use; a run that measured
    # FID keeps the classifier its fid.csv used, or refuses.
    from tfgan_suite.metrics import evaluation
    seen = []
    monkeypatch.setattr(evaluation.classifier_lib, "extractor",
                        lambda *a, train, **k: seen.append(train) or
                        options.append(k))
    options = []
    config = runs.RunConfig.from_dict(
        {"train": {"fid_every_n_steps": 0},
         "data": {"dataset": "folder", "data_dir": "x",
                  "skip_bad_files": True, "resize": "pad"}})
    evaluation.run_extractor(config)
    evaluation.run_extractor(runs.config.with_fields(config,
                                                     fid_every_n_steps=100))
    evaluation.run_extractor(runs.config.with_fields(
        config, classifier_path="c.keras"))  # the user's: never trained
    assert seen == [True, False, False]
    # The run's data as it read it: its bad files skipped, its sizes fit.
    assert options[0]["skip_bad_files"] and options[0]["resize"] == "pad"


def test_a_translators_features_are_honoured_or_refused(tmp_path,
                                                         monkeypatch):
    from tests.data.test_unpaired import write_unpaired
    from tests.metrics.test_inception import write_stand_in
    with pytest.raises(ValueError, match=r"^features: fashion_edges is "
                                         r"scored against its targets"):
        metrics.evaluate(tiny("pix2pix"), "fashion_edges",
                         features="inception")
    cyclegan = tiny("cyclegan")
    with pytest.raises(ValueError, match=r"^features: unpaired is scored "
                                         r"with its domain classifier .*; "
                                         r"got 'fashion_mnist'$"):
        metrics.evaluate(cyclegan, "unpaired", features="fashion_mnist")
    root = write_unpaired(tmp_path / "h2z")
    monkeypatch.setenv("TFGAN_INCEPTION", write_stand_in(tmp_path / "inc"))
    scores = metrics.evaluate(
        cyclegan, "unpaired", data_dir=str(root), features="inception",
        classifier_path=str(tmp_path / "domains.keras"))
    for key in ("a_to_b_domain_fid", "a_b_domain_fid", "a_to_b_fid",
                "b_to_a_fid", "a_b_fid"):
        assert scores[key] >= 0, key


class _Extractor:
    label = "domain FID"


def test_fid_from_fewer_real_images_than_feature_dimensions_warns():
    """FID against fewer real images than feature dimensions (a singular
    covariance: 64 held-out images, 128-D features) comes with one
    warning saying so; enough real images, none."""
    from absl import logging
    from unittest import mock
    rng = np.random.default_rng(0)
    fake = rng.normal(size=(40, 8))
    with mock.patch.object(logging, "warning") as warned:
        metrics.evaluation.scores(_Extractor(), rng.normal(size=(6, 8)), fake)
    assert warned.call_count == 1
    message = warned.call_args.args[0] % warned.call_args.args[1:]
    assert message.startswith("domain FID from 6 real images in 8 feature "
                              "dimensions: their covariance is singular")
    with mock.patch.object(logging, "warning") as warned:
        metrics.evaluation.scores(_Extractor(), rng.normal(size=(30, 8)), fake)
    assert warned.call_count == 0
