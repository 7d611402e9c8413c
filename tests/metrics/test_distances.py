import numpy as np
import pytest
from scipy import linalg

from tfgan_suite import metrics


def closed_form_fid(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def test_fid_matches_the_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2000, 6))
    b = rng.normal(size=(2000, 6)) @ rng.normal(size=(6, 6)) * 0.5 + 1.0
    assert metrics.frechet_distance(a, b) == pytest.approx(
        closed_form_fid(a, b), rel=1e-4)


def test_fid_is_zero_for_the_same_set_and_grows_with_noise():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(1000, 8))
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    scores = [metrics.frechet_distance(a, a + rng.normal(0, s, a.shape))
              for s in (0.1, 0.5, 1.0)]
    assert scores[0] < scores[1] < scores[2]


def test_kid_is_about_zero_for_one_distribution():
    rng = np.random.default_rng(2)
    same = metrics.kernel_distance(rng.normal(size=(500, 8)),
                                   rng.normal(size=(500, 8)))
    shifted = metrics.kernel_distance(rng.normal(size=(500, 8)),
                                      rng.normal(size=(500, 8)) + 1)
    assert abs(same) < 0.01 < shifted


def test_inception_score_bounds():
    confident = np.eye(10)[np.arange(1000) % 10] * 50
    assert metrics.inception_score(confident) == pytest.approx(10, rel=1e-3)
    assert metrics.inception_score(np.zeros((100, 10))) == pytest.approx(1.0)


def test_class_coverage():
    logits = np.eye(10)[[0] * 50 + [1] * 48 + [2] * 2]
    coverage = metrics.class_coverage(logits)
    assert coverage["covered"] == 2  # class 2 holds 2% < 2.5%
    uniform = metrics.class_coverage(np.eye(10)[np.arange(100) % 10])
    assert uniform["covered"] == 10
    assert uniform["kl_from_uniform"] == pytest.approx(0.0, abs=1e-9)


def test_activations_must_be_a_matrix():
    with pytest.raises(ValueError, match="activations: expected a matrix"):
        metrics.frechet_distance(np.zeros((4, 2, 2)), np.zeros((4, 4)))
