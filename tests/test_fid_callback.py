import csv
import os

import numpy as np
import pytest

from tfgan_suite import metrics
from tfgan_suite.training import callbacks


class FakeExtractor:
    label = "domain FID"

    def __call__(self, images):
        flat = images.reshape(len(images), -1)
        return flat[:, :16], flat[:, :10]


def test_fid_callback_writes_csv_plot_and_logs(tmp_path, tiny_dcgan,
                                               tiny_dataset):
    real = np.random.default_rng(0).uniform(-1, 1, (200, 28, 28, 1))
    cache = str(tmp_path / "real.npz")
    fid = callbacks.Scores(FakeExtractor(), real, every_n_steps=2,
                        num_images=100, out_dir=str(tmp_path),
                        real_cache=cache)
    history = tiny_dcgan.fit(tiny_dataset, epochs=2, verbose=0,
                             callbacks=[fid])
    assert fid.steps == [2, 4, 6, 8]
    with open(tmp_path / "fid.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["step"]) for r in rows] == [2, 4, 6, 8]
    assert float(rows[-1]["domain_FID"]) == pytest.approx(
        history.history["fid"][-1], abs=1e-4)
    assert os.path.isfile(tmp_path / "fid.png")
    # The value is the FID of the callback's own samples against the reals.
    expected = metrics.frechet_distance(
        FakeExtractor()(real)[0],
        FakeExtractor()(tiny_dcgan.generate(100, seed=0))[0])
    assert fid.values[-1] == expected
    # Real statistics are cached: a second callback needs no real images.
    again = callbacks.Scores(FakeExtractor(), None, real_cache=cache)
    np.testing.assert_array_equal(again.real_features, fid.real_features)


def test_epochs_that_measured_no_fid_have_none(tmp_path, tiny_dcgan,
                                               tiny_dataset):
    fid = callbacks.Scores(FakeExtractor(), np.zeros((50, 28, 28, 1)),
                        every_n_steps=8, num_images=50)
    history_csv = callbacks.HistoryCSV(str(tmp_path / "history.csv"))
    history = tiny_dcgan.fit(tiny_dataset, epochs=3, verbose=0,
                             callbacks=[fid, history_csv])
    assert fid.steps == [8]  # the end of epoch 2 of 4 steps.
    with open(tmp_path / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["fid"] != "" for r in rows] == [False, True, False]
    assert history.history["fid"] == [fid.values[0]]
