import math

import numpy as np
import pytest

from tfgan_suite import metrics
from tfgan_suite.metrics import parzen

LOG_2PI = math.log(2 * math.pi)


def test_one_sample_one_point_is_the_gaussian_density():
    # |x - mu|^2 = 1 + 4 + 4 = 9, sigma = 1.5, D = 3:
    # log p = -9 / (2 * 2.25) - 3/2 log(2 pi 2.25) = -2 - 3.9732 = -5.9732.
    mean, error = metrics.parzen_log_likelihood(
        np.zeros((1, 3)), np.array([[1.0, 2.0, 2.0]]), sigma=1.5)
    assert mean == pytest.approx(-2 - 1.5 * math.log(2 * math.pi * 2.25))
    assert mean == pytest.approx(-5.973211, abs=1e-6)
    assert error == 0.0


def test_one_dimensional_worked_example():
    # Samples {0, 2}, sigma 1, points {1, 3}:
    # p(1) = (phi(1) + phi(1)) / 2 = phi(1): log p(1) = -1/2 - log(2 pi)/2
    #      = -1.418939.
    # p(3) = (phi(3) + phi(1)) / 2:
    #      log p(3) = log(e^-4.5 + e^-0.5) - log 2 - log(2 pi)/2 = -2.093936.
    # Mean -1.756437; std |a - b| / 2 = 0.337499, / sqrt(2) = 0.238648.
    samples, points = np.array([[0.0], [2.0]]), np.array([[1.0], [3.0]])
    mean, error = metrics.parzen_log_likelihood(samples, points, sigma=1.0)
    assert mean == pytest.approx(-1.756437, abs=1e-6)
    assert error == pytest.approx(0.238648, abs=1e-6)
    np.testing.assert_allclose(
        parzen.log_likelihoods(samples, points, [1.0])[0],
        [-0.5 - LOG_2PI / 2,
         math.log(math.exp(-4.5) + math.exp(-0.5)) - math.log(2)
         - LOG_2PI / 2])


def test_far_points_stay_finite():
    # One sample at 0, the point at 10, sigma 0.01: the exponent
    # -|x - mu|^2 / (2 sigma^2) = -100 / 2e-4 = -5e5 underflows exp(); the
    # log-sum-exp keeps log p = -5e5 - log(2 pi 1e-4) / 2.
    mean, _ = metrics.parzen_log_likelihood(np.zeros((1, 1)),
                                            np.full((1, 1), 10.0), sigma=0.01)
    assert mean == pytest.approx(-5e5 - 0.5 * math.log(2 * math.pi * 1e-4))


def test_images_are_flattened_and_batches_do_not_change_the_result():
    rng = np.random.default_rng(0)
    samples = rng.uniform(0, 1, (50, 4, 4, 1))
    points = rng.uniform(0, 1, (33, 4, 4, 1))
    flat = metrics.parzen_log_likelihood(samples.reshape(50, 16),
                                         points.reshape(33, 16), 0.3)
    assert metrics.parzen_log_likelihood(samples, points, 0.3,
                                         batch_size=4) == pytest.approx(flat)
    # Against the direct sum over samples, point by point.
    direct = [np.log(np.mean(np.exp(
        -((x - samples.reshape(50, 16)) ** 2).sum(1) / (2 * 0.09))))
        - 8 * math.log(2 * math.pi * 0.09) for x in points.reshape(33, 16)]
    assert flat[0] == pytest.approx(np.mean(direct))


def test_select_sigma_finds_the_maximum_likelihood_width():
    # One sample at 0, validation points at distance r in D dimensions:
    # log p = -r^2 / (2 sigma^2) - D/2 log(2 pi sigma^2), largest at
    # sigma = r / sqrt(D). 1-D, r = 2: sigma 2; 4-D, r = 2: sigma 1.
    sigmas = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
    one_d = np.array([[-2.0], [2.0]])
    best, means = metrics.select_sigma(np.zeros((1, 1)), one_d, sigmas)
    assert best == 2.0
    assert means[3] == pytest.approx(
        metrics.parzen_log_likelihood(np.zeros((1, 1)), one_d, 2.0)[0])
    assert np.argmax(means) == 3
    best, _ = metrics.select_sigma(np.zeros((1, 4)), np.ones((3, 4)), sigmas)
    assert best == 1.0


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="expected 4 values each"):
        metrics.parzen_log_likelihood(np.zeros((2, 4)), np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match="positive widths"):
        metrics.parzen_log_likelihood(np.zeros((2, 4)), np.zeros((2, 4)), 0)
