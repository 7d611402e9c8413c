"""CGAN's labels (its steps on labelled batches, save / load and export:
tests/models/test_harness.py)."""

import numpy as np
import pytest
import tensorflow as tf

from tests import tiny_models


@pytest.fixture
def cgan():
    return tiny_models.eager("cgan", seed=0)  # 3 classes


def test_refuses_unlabeled_data(cgan):
    ds = tf.data.Dataset.from_tensor_slices(
        np.zeros((16, 28, 28, 1), np.float32)).batch(8)
    with pytest.raises(ValueError, match="load the data with labels=True"):
        cgan.fit(ds, epochs=1, verbose=0)


def test_generates_the_requested_labels(cgan):
    a = cgan.generate(4, seed=0, labels=[2, 2, 2, 2])
    b = cgan.generate(4, seed=0, labels=[0, 0, 0, 0])
    assert a.shape == (4, 28, 28, 1)
    assert not np.allclose(a, b)  # the label changes the image
    np.testing.assert_array_equal(a, cgan.generate(4, seed=0, labels=2))
    with pytest.raises(ValueError, match=r"labels: expected classes 0..2, got \[3\]"):
        cgan.generate(2, labels=3)
    with pytest.raises(ValueError, match="labels: expected one class or 2 classes"):
        cgan.generate(2, labels=[1, 2, 0])
