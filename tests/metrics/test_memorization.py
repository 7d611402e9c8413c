import numpy as np
import pytest

from tfgan_suite import metrics


def test_copies_of_training_images_are_at_distance_zero():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(50, 16))
    held_out = rng.normal(size=(40, 16))  # fresh draws of the same data
    copies = train[rng.integers(0, 50, 30)]
    scores = metrics.nearest_train_distance(train, copies, held_out)
    assert scores["samples"] == pytest.approx(0, abs=1e-6)
    assert scores["samples_median"] == pytest.approx(0, abs=1e-6)
    assert scores["heldout"] > 1  # nearest of 50 normals in 16-D: ~4
    assert scores["ratio"] == pytest.approx(0, abs=1e-6)
    assert scores["p_sample_nearer"] == 1.0
    # Fresh draws as samples: as near as the held-out images.
    fresh = metrics.nearest_train_distance(train, rng.normal(size=(400, 16)),
                                           held_out)
    assert fresh["ratio"] == pytest.approx(1, abs=0.1)
    assert fresh["p_sample_nearer"] == pytest.approx(0.5, abs=0.1)


def test_nearest_distances_by_hand():
    references = np.array([[0.0, 0.0], [10.0, 0.0]])
    queries = np.array([[3.0, 4.0], [10.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(
        metrics.nearest_distances(queries, references), [5.0, 1.0, 0.0],
        atol=1e-9)
    with pytest.raises(ValueError, match="sample_features: expected 2 "
                                         "features per row like "
                                         "train_features, got 3"):
        metrics.nearest_train_distance(references, np.ones((2, 3)),
                                       references)
