import numpy as np
import pytest

from tfgan_suite import metrics
from tfgan_suite.metrics import manifold


def four_scores(real, fake, k):
    return {**metrics.precision_recall(real, fake, k=k),
            **metrics.density_coverage(real, fake, k=k)}


def column(values):
    return np.asarray(values, np.float64)[:, None]


def test_identical_sets_score_one():
    # Y = X: every X_i lies in its own ball (0 < NND_k), so precision =
    # recall = coverage = 1. Each open ball B(X_i, NND_k(X_i)) holds X_i and
    # its k - 1 nearer neighbours (the k-th sits on the boundary, outside):
    # density = N k / (k N) = 1 exactly when no two distances tie.
    x = np.random.default_rng(0).normal(size=(300, 8))
    for k in (1, 3, 5):
        assert four_scores(x, x, k) == {"precision": 1.0, "recall": 1.0,
                                        "density": 1.0, "coverage": 1.0}


def test_identical_sets_with_ties_have_density_below_one():
    # Grid 0..4, k = 2. NND_2 = 2, 1, 1, 1, 2 (the inner points have two
    # neighbours at 1). Open balls hold {0, 1}, {1}, {2}, {3}, {3, 4}:
    # density = 7 / (2 * 5) = 0.7. Precision, recall, coverage stay 1.
    x = column([0, 1, 2, 3, 4])
    np.testing.assert_allclose(manifold.knn_radii(x, 2), [2, 1, 1, 1, 2])
    assert four_scores(x, x, k=2) == pytest.approx(
        {"precision": 1.0, "recall": 1.0, "density": 0.7, "coverage": 1.0})


def test_disjoint_far_apart_sets_score_zero():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(200, 16))
    fake = rng.normal(size=(150, 16)) + 1000.0
    assert four_scores(real, fake, k=3) == {
        "precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_hand_worked_1d_example():
    # real X = 0, 1, 3, 7; fake Y = 0.5, 2.5, 12.
    real, fake = column([0, 1, 3, 7]), column([0.5, 2.5, 12])
    # k = 1. Real radii: 0 -> 1 (to 1), 1 -> 1 (to 0), 3 -> 2 (to 1),
    # 7 -> 4 (to 3). Fake radii: 0.5 -> 2, 2.5 -> 2, 12 -> 9.5 (to 2.5).
    np.testing.assert_allclose(manifold.knn_radii(real, 1), [1, 1, 2, 4])
    np.testing.assert_allclose(manifold.knn_radii(fake, 1), [2, 2, 9.5])
    # Real balls holding each Y: 0.5 in B(0,1), B(1,1); 2.5 in B(3,2) only
    # (|2.5-1| = 1.5 >= 1); 12 in none (|12-7| = 5 >= 4).
    #   precision = 2/3; density = (2 + 1 + 0) / (1 * 3) = 1;
    #   coverage = 3/4 (B(7,4) holds no sample).
    # Fake balls: 0 and 1 lie in B(0.5,2), 3 in B(2.5,2), 7 in B(12,9.5):
    #   recall = 1 -- the outlier's huge ball, the weakness of recall that
    #   coverage (on real balls only) avoids.
    assert four_scores(real, fake, k=1) == pytest.approx(
        {"precision": 2 / 3, "recall": 1.0, "density": 1.0,
         "coverage": 0.75})
    # k = 2. Real radii: 0 -> 3 (1, 3, 7), 1 -> 2 (1, 2, 6), 3 -> 3
    # (2, 3, 4), 7 -> 6 (4, 6, 7). Balls holding 0.5: B(0,3), B(1,2),
    # B(3,3); 2.5: all four; 12: B(7,6). Density = (3 + 4 + 1) / (2 * 3).
    np.testing.assert_allclose(manifold.knn_radii(real, 2), [3, 2, 3, 6])
    assert four_scores(real, fake, k=2) == pytest.approx(
        {"precision": 1.0, "recall": 1.0, "density": 4 / 3,
         "coverage": 1.0})


def test_balls_are_open():
    # X = 0, 1 with k = 1: radii 1, 1. Y = 2 is at distance exactly 1 from
    # X = 1, on the boundary: outside.
    scores = four_scores(column([0, 1]), column([2, 5]), k=1)
    assert scores["precision"] == 0.0 and scores["coverage"] == 0.0


def test_blocks_give_the_same_scores(monkeypatch):
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(120, 5)), rng.normal(size=(90, 5)) + 0.7
    whole = four_scores(real, fake, k=3)
    monkeypatch.setattr(manifold, "_BLOCK_ELEMENTS", 500)  # 4-5 rows a block
    assert four_scores(real, fake, k=3) == whole
    distances = np.linalg.norm(real[:, None] - real[None], axis=-1)
    np.testing.assert_allclose(manifold.knn_radii(real, 3),
                               np.sort(distances, axis=1)[:, 3])


def modes(centers, n, rng):
    """n points around the given centres (std 1), cycling through them."""
    return centers[np.arange(n) % len(centers)] + rng.normal(
        size=(n, centers.shape[1]))


def test_dropping_modes_lowers_recall_and_coverage_not_precision():
    rng = np.random.default_rng(3)
    centers = rng.normal(size=(10, 8)) * 30
    real = modes(centers, 2000, rng)
    every_mode = four_scores(real, modes(centers, 2000, rng), k=5)
    half = four_scores(real, modes(centers[:5], 2000, rng), k=5)
    assert every_mode["recall"] > 0.9 and every_mode["coverage"] > 0.9
    assert half["recall"] == pytest.approx(0.5, abs=0.05)
    assert half["coverage"] == pytest.approx(0.5, abs=0.05)
    assert half["precision"] == pytest.approx(every_mode["precision"],
                                              abs=0.03)
    assert half["precision"] > 0.9


def test_input_errors():
    x = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"k: expected 1 <= k < 4"):
        metrics.precision_recall(x, x, k=4)
    with pytest.raises(ValueError, match=r"fake_features: expected 2 "):
        metrics.density_coverage(x, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"real_features: expected a matrix"):
        metrics.precision_recall(np.zeros(4), x)
    # Density and coverage need no fake manifold: k may exceed M.
    assert metrics.density_coverage(column([0, 1, 2, 3]), column([0.5]),
                                    k=2)["coverage"] == 0.5


def labelled_gaussians(rng, n_per_class, shift_class=None, shift=0.0):
    means = np.eye(3, 4) * 5
    labels = np.repeat(np.arange(3), n_per_class)
    features = means[labels] + rng.normal(size=(len(labels), 4))
    if shift_class is not None:
        features[labels == shift_class, 0] += shift
    return features, labels


def test_intra_class_fid_of_a_shifted_class():
    rng = np.random.default_rng(4)
    real, real_labels = labelled_gaussians(rng, 3000)
    fake, fake_labels = labelled_gaussians(rng, 3000, shift_class=2,
                                           shift=3.0)
    scores = metrics.intra_class_fid(real, real_labels, fake, fake_labels)
    # Equal covariances: FID = |mu_r - mu_g|^2 = 9 for class 2, ~0 else.
    assert set(scores["per_class"]) == {0, 1, 2}
    assert scores["per_class"][2] == pytest.approx(9.0, rel=0.05)
    assert scores["per_class"][0] < 0.05 and scores["per_class"][1] < 0.05
    assert scores["mean"] == pytest.approx(
        np.mean(list(scores["per_class"].values())))


def test_intra_class_fid_sees_swapped_labels_that_fid_misses():
    rng = np.random.default_rng(5)
    real, labels = labelled_gaussians(rng, 2000)
    fake, _ = labelled_gaussians(rng, 2000)
    swapped = (labels + 1) % 3
    assert metrics.frechet_distance(real, fake) < 0.05
    # Class c of the fake set is the real class c - 1: means 5 sqrt(2) apart.
    assert metrics.intra_class_fid(real, labels, fake, swapped)["mean"] == (
        pytest.approx(50.0, rel=0.05))


def test_intra_class_fid_needs_every_class_on_both_sides():
    x = np.random.default_rng(6).normal(size=(6, 2))
    with pytest.raises(ValueError, match="class 2, got 0 real and 2"):
        metrics.intra_class_fid(x[:4], np.array([0, 0, 1, 1]),
                                x, np.array([0, 0, 1, 1, 2, 2]))
