import numpy as np

from tfgan_suite.data import toy
from tfgan_suite.metrics.modes import mode_coverage


def test_hand_placed_points():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    points = np.array([[0.0, 0.02]] * 5 + [[10.0, 0.0]] * 4 + [[0.0, 9.0]] * 3)
    result = mode_coverage(points, centers, std=0.01, min_share=0.2)
    # The last three points are 1 away from their mode: not high quality.
    assert result["counts"] == [0, 4, 0]  # 0.02 > 3 * 0.01 as well
    assert result["modes"] == 1
    assert result["high_quality"] == 4 / 12


def test_real_samples_cover_every_mode():
    for name, (centers, std) in toy.MIXTURES.items():
        points = toy.mixture(centers, std, 2500, seed=3)
        result = mode_coverage(points, centers, std)
        assert result["modes"] == len(centers), name
        assert result["high_quality"] > 0.98, name


def test_a_collapsed_generator_covers_one_mode():
    centers, std = toy.MIXTURES["ring"]
    result = mode_coverage(np.tile(centers[:1], (2500, 1)), centers, std)
    assert result["modes"] == 1 and result["high_quality"] == 1.0
