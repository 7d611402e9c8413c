import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import data, models
from tests.conftest import pattern_images


@pytest.fixture
def cgan():
    gan = models.CGAN(image_shape=(28, 28, 1), num_classes=3, latent_dim=8,
                      filters=4, seed=0)
    gan.compile(run_eagerly=True)
    return gan


@pytest.fixture
def labeled():
    source = data.from_arrays(pattern_images(48, 28, 28, 1),
                              labels=np.arange(48) % 3, name="tiny")
    return data.build(source, batch_size=16, seed=0)


def test_trains_on_labeled_batches(cgan, labeled):
    history = cgan.fit(labeled, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    assert int(cgan.g_optimizer.iterations) == 3


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
