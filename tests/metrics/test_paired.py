import json
import math

import numpy as np
import pytest

from tfgan_suite import metrics
from tests.conftest import pattern_images


def gaussian_ssim(x, y, max_val=255.0, size=11, sigma=1.5, k1=0.01, k2=0.03):
    """SSIM of one pair of (H, W, C) images in float64 (Wang et al. 2004,
    eq. 13): an 11x11 Gaussian window (sigma 1.5), 'valid' positions only,
    the map averaged over positions and channels -- what `tf.image.ssim`
    computes, as a reference independent of TensorFlow."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    coords = np.arange(size) - (size - 1) / 2
    g = np.exp(-coords ** 2 / (2 * sigma ** 2))
    window = np.outer(g, g) / np.outer(g, g).sum()

    def filtered(image):
        patches = np.lib.stride_tricks.sliding_window_view(
            image, (size, size), axis=(0, 1))  # (H', W', C, size, size)
        return np.einsum("hwcij,ij->hwc", patches, window)

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mx, my = filtered(x), filtered(y)
    vx = filtered(x * x) - mx ** 2
    vy = filtered(y * y) - my ** 2
    cov = filtered(x * y) - mx * my
    ssim_map = ((2 * mx * my + c1) * (2 * cov + c2)
                / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2)))
    return ssim_map.mean()


def test_identical_images_have_infinite_psnr():
    images = pattern_images(3, 32, 32, 3)
    scores = metrics.paired_scores(images, images)
    np.testing.assert_array_equal(scores["l1"], 0.0)
    assert np.isposinf(scores["psnr"]).all()
    np.testing.assert_allclose(scores["ssim"], 1.0, rtol=1e-12)


def test_one_pixel_one_level_off_is_a_finite_psnr():
    images = pattern_images(2, 256, 256, 1)
    off = images.copy()
    off[:, 5, 7, 0] += 1
    mse = 1 / (256 * 256)
    expected = 10 * math.log10(255 ** 2 / mse)  # 96.3 dB
    np.testing.assert_allclose(metrics.paired_scores(off, images)["psnr"],
                               expected, rtol=1e-9)
    rgb = pattern_images(1, 256, 256, 3)
    off = rgb.copy()
    off[0, 0, 0, 0] += 1
    np.testing.assert_allclose(
        metrics.paired_scores(off, rgb)["psnr"],
        10 * math.log10(255 ** 2 * 256 * 256 * 3), rtol=1e-9)  # 101.1 dB


def test_ssim_of_rgb_images_matches_a_float64_reference():
    rng = np.random.default_rng(0)
    target = pattern_images(2, 256, 256, 3, seed=3)
    noise = rng.integers(-2, 3, target.shape)
    predicted = np.clip(target.astype(int) + noise, 0, 255).astype(np.uint8)
    scores = metrics.paired_scores(predicted, target)
    for i in range(2):
        np.testing.assert_allclose(
            scores["ssim"][i], gaussian_ssim(predicted[i], target[i]),
            rtol=0, atol=1e-9)


def test_known_offset():
    images = pattern_images(2, 32, 32, 3).clip(0, 200)
    shifted = images + np.uint8(10)
    scores = metrics.paired_scores(shifted, images)
    np.testing.assert_allclose(scores["l1"], 10 / 255, rtol=1e-6)
    np.testing.assert_allclose(scores["psnr"], 20 * math.log10(255 / 10),
                               rtol=1e-9)
    for i in range(2):
        np.testing.assert_allclose(scores["ssim"][i],
                                   gaussian_ssim(shifted[i], images[i]),
                                   atol=1e-9)
    worse = metrics.paired_scores(255 - images, images)
    assert (worse["ssim"] < scores["ssim"]).all()
    assert (worse["psnr"] < scores["psnr"]).all()


def test_identical_pairs_are_counted_apart_in_the_mean_psnr():
    images = pattern_images(4, 32, 32, 3).clip(0, 200)
    outputs = images.copy()
    outputs[:2] += np.uint8(10)  # two pairs differ, two are identical

    def pairs():
        from tfgan_suite.data import to_float
        yield to_float(images), to_float(images)

    result = metrics.evaluate_translation(lambda x: outputs, pairs())
    assert result["identical_pairs"] == 2 and result["num_pairs"] == 4
    assert result["psnr"] == pytest.approx(20 * math.log10(255 / 10))
    json.loads(json.dumps(result, allow_nan=False))  # valid JSON
    same = metrics.evaluate_translation(lambda x: images, pairs())
    assert same["psnr"] is None and same["identical_pairs"] == 4
    json.loads(json.dumps(same, allow_nan=False))


def test_refuses_floats_and_shape_mismatch():
    images = pattern_images(1, 16, 16, 3)
    with pytest.raises(ValueError, match="expected uint8"):
        metrics.paired_scores(images.astype(np.float32), images)
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.paired_scores(images, images[:, :8])


def test_unpaired_scores_carry_the_scale_of_the_two_domains():
    """A translator that changes nothing scores `a_b_fid` both ways, and
    no cycle error."""
    rng = np.random.default_rng(0)
    a = rng.integers(0, 100, (16, 12, 12, 1), dtype=np.uint8)
    b = rng.integers(100, 256, (16, 12, 12, 1), dtype=np.uint8)
    extractor = lambda x: (x.reshape(len(x), -1)[:, :4].astype(np.float64),
                           None)
    scores = metrics.evaluate_unpaired(lambda x, direction: x, a, b,
                                       extractor)
    assert scores["a_b_fid"] > 1
    for key in ("a_to_b_fid", "b_to_a_fid"):
        assert scores[key] == pytest.approx(scores["a_b_fid"])
    assert scores["cycle_l1_a"] == scores["cycle_l1_b"] == 0
