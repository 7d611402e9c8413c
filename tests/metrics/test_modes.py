import numpy as np

from tfgan_suite.data import toy
from tfgan_suite.metrics.modes import mode_coverage


def test_hand_placed_points():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    points = np.array([[0.0, 0.02]] * 5 + [[10.0, 0.0]] * 4 + [[0.0, 9.0]] * 3
                      + [[0.04, 0.0]])
    result = mode_coverage(points, centers, std=0.01, min_share=0.5)
    # 0.02 <= 3 * 0.01: high quality; 0.04 and 1.0 away from a mode: not.
    assert result["counts"] == [5, 4, 0]
    assert result["high_quality"] == 9 / 13
    # A mode needs min_share * 13 / 3 = 2.17 high-quality samples.
    assert result["modes"] == 2
    assert mode_coverage(points, centers, std=0.01, min_share=1.0)["modes"] == 1


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
