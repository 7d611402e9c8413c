import math

import numpy as np
import pytest

from tfgan_suite import metrics
from tests.conftest import pattern_images


def test_identical_images():
    images = pattern_images(3, 32, 32, 3)
    scores = metrics.paired_scores(images, images)
    np.testing.assert_array_equal(scores["l1"], 0.0)
    np.testing.assert_array_equal(scores["psnr"], metrics.PSNR_CAP_DB)
    np.testing.assert_allclose(scores["ssim"], 1.0, rtol=1e-6)


def test_known_offset():
    images = pattern_images(2, 32, 32, 3).clip(0, 200)
    shifted = images + np.uint8(10)
    scores = metrics.paired_scores(shifted, images)
    np.testing.assert_allclose(scores["l1"], 10 / 255, rtol=1e-6)
    np.testing.assert_allclose(scores["psnr"], 20 * math.log10(255 / 10),
                               rtol=1e-5)
    assert (scores["ssim"] < 1.0).all()
    worse = metrics.paired_scores(255 - images, images)
    assert (worse["ssim"] < scores["ssim"]).all()
    assert (worse["psnr"] < scores["psnr"]).all()


def test_refuses_floats_and_shape_mismatch():
    images = pattern_images(1, 16, 16, 3)
    with pytest.raises(ValueError, match="expected uint8"):
        metrics.paired_scores(images.astype(np.float32), images)
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.paired_scores(images, images[:, :8])
