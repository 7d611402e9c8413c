"""`callbacks.Scores(metrics=...)`: KID and the k-NN manifold scores beside FID."""

import csv
import glob
import math
import os

import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import metrics
from tfgan_suite.training import callbacks

ALL = ("fid", "kid", "precision", "recall", "density", "coverage")
COLUMNS = ["step", "domain_FID", "domain_KID", "domain_precision",
           "domain_recall", "domain_density", "domain_coverage"]


class ProjectionExtractor:
    """A fixed random projection of the pixels to 16 features."""

    label = "domain FID"

    def __init__(self):
        self.weights = np.random.default_rng(0).normal(size=(28 * 28, 16))

    def __call__(self, images):
        flat = np.asarray(images).reshape(len(images), -1)
        return flat @ self.weights / 28.0, None


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def tensorboard_tags(log_dir):
    tags = {}
    for path in glob.glob(os.path.join(log_dir, "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    return tags


@pytest.fixture
def real():
    return np.random.default_rng(1).uniform(-1, 1, (200, 28, 28, 1))


def test_every_selected_metric_goes_to_csv_logs_and_tensorboard(
        tmp_path, tiny_dcgan, tiny_dataset, real):
    extractor = ProjectionExtractor()
    fid = callbacks.Scores(extractor, real, every_n_steps=2, num_images=100,
                        out_dir=str(tmp_path), log_dir=str(tmp_path / "tb"),
                        metrics=ALL)
    history = tiny_dcgan.fit(tiny_dataset, epochs=1, verbose=0,
                             callbacks=[fid])
    assert fid.steps == [2, 4]
    rows = read_csv(tmp_path / "fid.csv")
    assert list(rows[0]) == COLUMNS
    assert [int(r["step"]) for r in rows] == [2, 4]
    for name, column in zip(ALL, COLUMNS[1:]):
        assert len(history.history[name]) == 1
        assert history.history[name][-1] == fid.history[name][-1]
        assert float(rows[-1][column]) == pytest.approx(
            fid.history[name][-1], rel=1e-5, abs=1e-4)
    for plot in ("fid.png", "kid.png", "manifold.png"):
        assert os.path.isfile(tmp_path / plot)
    tags = tensorboard_tags(str(tmp_path / "tb"))
    assert {column: tags.get(column) for column in COLUMNS[1:]} == {
        column: [2, 4] for column in COLUMNS[1:]}
    # The values are those of the callback's own samples against the reals.
    real_features = extractor(real)[0]
    fake_features = extractor(tiny_dcgan.generate(100, seed=0))[0]
    expected = {
        "fid": metrics.frechet_distance(real_features, fake_features),
        "kid": metrics.kernel_distance(real_features, fake_features),
        **metrics.precision_recall(real_features, fake_features),
        **metrics.density_coverage(real_features, fake_features)}
    assert {name: values[-1] for name, values in fid.history.items()} == (
        pytest.approx(expected, rel=1e-6))
    assert all(0 <= fid.history[name][-1] <= 1
               for name in ("precision", "recall", "coverage"))


def test_default_is_fid_alone(tmp_path, tiny_dcgan, real):
    # tests/test_fid_callback.py runs it in `fit`; here the hooks directly.
    fid = callbacks.Scores(ProjectionExtractor(), real, every_n_steps=1,
                        num_images=50, out_dir=str(tmp_path))
    fid.set_model(tiny_dcgan)
    tiny_dcgan.step_counter.assign(1)
    fid.on_train_batch_end(0)
    logs = {"g_loss": 1.0}
    fid.on_epoch_end(0, logs)
    assert fid.metrics == ("fid",)
    assert fid.values == fid.history["fid"] == [logs["fid"]]
    assert sorted(logs) == ["fid", "g_loss"]
    assert (tmp_path / "fid.csv").read_text().splitlines()[0] == (
        "step,domain_FID")
    assert sorted(os.listdir(tmp_path)) == ["fid.csv", "fid.png"]


def test_columns_follow_the_extractor_label(real):
    class Inception(ProjectionExtractor):
        label = "FID"

    fid = callbacks.Scores(Inception(), real, metrics=("kid", "coverage"))
    assert [fid.column(m) for m in fid.metrics] == ["KID", "coverage"]
    assert fid.values is fid.history["kid"]


def test_resume_keeps_earlier_rows_and_marks_new_columns_nan(
        tmp_path, real, tiny_dcgan):
    (tmp_path / "fid.csv").write_text(
        "step,domain_FID\n2,10.5000\n4,9.2500\n6,8.0000\n")
    fid = callbacks.Scores(ProjectionExtractor(), real, out_dir=str(tmp_path),
                        metrics=("fid", "precision"))
    tiny_dcgan.step_counter.assign(4)  # resumed at step 4
    fid.set_model(tiny_dcgan)
    fid.on_train_begin()
    assert fid.steps == [2, 4]
    assert fid.history["fid"] == [10.5, 9.25]
    assert all(math.isnan(v) for v in fid.history["precision"])


@pytest.mark.parametrize("selected", ["fid", (), ("fid", "inception_score")])
def test_unknown_metrics_are_errors(real, selected):
    with pytest.raises(ValueError, match="metrics: expected some of"):
        callbacks.Scores(ProjectionExtractor(), real, metrics=selected)


class Classifying(ProjectionExtractor):
    """The projection, its first `classes` features read as logits."""

    def __init__(self, classes=10, favourite=None):
        super().__init__()
        self.classes, self.favourite = classes, favourite

    def __call__(self, images):
        features = super().__call__(images)[0]
        logits = features[:, :self.classes].copy()
        if self.favourite is not None:  # every sample one class.
            logits[:, self.favourite] += 1e6
        return features, logits


@pytest.mark.parametrize("favourite", [None, 3])
def test_classes_counts_the_classes_the_classifier_finds(
        tmp_path, tiny_dcgan, real, favourite):
    extractor = Classifying(favourite=favourite)
    fid = callbacks.Scores(extractor, real, every_n_steps=1, num_images=200,
                        out_dir=str(tmp_path), metrics=("fid", "classes"))
    fid.set_model(tiny_dcgan)
    tiny_dcgan.step_counter.assign(1)
    fid.on_train_batch_end(0)
    logits = extractor(tiny_dcgan.generate(200, seed=0))[1]
    expected = metrics.class_coverage(logits)["covered"]
    assert fid.history["classes"] == [expected]
    if favourite is not None:
        assert expected == 1
    assert read_csv(tmp_path / "fid.csv")[0]["domain_classes"] == str(expected)
    assert os.path.isfile(tmp_path / "classes.png")
