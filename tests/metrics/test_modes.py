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
    # Published rule: any high-quality sample; the third mode has none.
    assert result["modes"] == 2
    # Strict rule: min_share * 13 / 3 = 2.17 high-quality samples.
    assert result["modes_strict"] == 2
    strict = mode_coverage(points, centers, std=0.01, min_share=1.0)
    assert strict["modes_strict"] == 1 and strict["modes"] == 2


def test_one_high_quality_sample_covers_a_mode_only_by_the_published_rule():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    points = np.array(
        [[0.01, 0.0]] * 36          # mode 0: many
        + [[10.0, 0.025]]           # mode 1: exactly one, 2.5 std away
        + [[0.0, 10.5]] * 3)        # mode 2: 50 std away, none; mode 3: none
    result = mode_coverage(points, centers, std=0.01)
    assert result["counts"] == [36, 1, 0, 0]
    assert result["high_quality"] == 37 / 40
    # VEEGAN / PacGAN: >= 1 high-quality sample, so modes 0 and 1.
    assert result["modes"] == 2
    # Strict: >= 0.2 * 40 / 4 = 2 samples, so mode 0 only.
    assert result["modes_strict"] == 1


def test_real_samples_cover_every_mode():
    for name, (centers, std) in toy.MIXTURES.items():
        points = toy.mixture(centers, std, 2500, seed=3)
        result = mode_coverage(points, centers, std)
        assert result["modes"] == len(centers), name
        assert result["modes_strict"] == len(centers), name
        assert result["high_quality"] > 0.98, name


def test_a_collapsed_generator_covers_one_mode():
    centers, std = toy.MIXTURES["ring"]
    result = mode_coverage(np.tile(centers[:1], (2500, 1)), centers, std)
    assert result["modes"] == 1 and result["high_quality"] == 1.0
    assert result["modes_strict"] == 1


def test_stray_samples_count_by_the_published_rule_only():
    # A collapsed generator with one stray high-quality sample on every
    # other mode: all 8 modes by the published rule, 1 by the strict one.
    centers, std = toy.MIXTURES["ring"]
    points = np.concatenate([np.tile(centers[:1], (2493, 1)), centers[1:]])
    result = mode_coverage(points, centers, std)
    assert result["counts"] == [2493] + [1] * 7
    assert result["modes"] == 8 and result["modes_strict"] == 1
