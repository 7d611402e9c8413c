import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import data


def test_scaled_to_minus_one_one_and_back():
    images = np.array([[[[0]], [[128]], [[255]]]], np.uint8)  # 1x3x1x1
    floats = data.to_float(images).numpy()
    np.testing.assert_allclose(floats.ravel(), [-1.0, 128 / 127.5 - 1, 1.0],
                               atol=1e-6)
    np.testing.assert_array_equal(data.to_uint8(floats).numpy(), images)
    assert data.to_uint8(tf.constant([-3.0, 3.0])).numpy().tolist() == [0, 255]


def test_batches_with_labels_drop_the_remainder():
    source = data.from_arrays(np.zeros((10, 4, 4, 1), np.uint8),
                              labels=np.arange(10), name="toy")
    batches = list(data.build(source, batch_size=4, shuffle=False))
    assert len(batches) == 2
    images, labels = batches[0]
    assert images.shape == (4, 4, 4, 1) and images.dtype == tf.float32
    assert labels.numpy().tolist() == [0, 1, 2, 3]


def test_shuffle_is_seeded_and_reshuffles_each_epoch():
    source = data.from_arrays(np.arange(32, dtype=np.uint8).reshape(32, 1, 1, 1),
                              name="toy")
    ds = data.build(source, batch_size=32, seed=3)
    first, second = [b.numpy().ravel().tolist() for b in ds.repeat(2)]
    again = next(iter(data.build(source, batch_size=32, seed=3))).numpy()
    assert first == again.ravel().tolist() and first != second


def test_a_repeated_pipeline_yields_the_same_sequence_from_every_iterator():
    # fit under a strategy reads a batch from a first iterator (to build the
    # model), then trains on a second: it must see the first's sequence,
    # the epochs of the seeded shuffle, whatever the first read ahead.
    source = data.from_arrays(np.arange(32, dtype=np.uint8).reshape(32, 1, 1, 1),
                              name="toy")
    ds = data.build(source, batch_size=8, seed=3, repeat=True)
    next(iter(ds))
    first, second = ([b.numpy().ravel().tolist() for b in ds.take(12)]
                     for _ in range(2))
    epochs = data.build(source, batch_size=8, seed=3).repeat(3)
    assert first == second == [b.numpy().ravel().tolist() for b in epochs]
    assert first[:4] != first[4:8]


def test_augmentation_runs_after_the_cache():
    source = data.from_arrays(np.zeros((4, 2, 2, 1), np.uint8), name="toy")
    ds = data.build(source, batch_size=4, shuffle=False,
                    augment=lambda x: x + tf.random.uniform([]))
    a, b = [batch.numpy() for batch in ds.repeat(2)]
    assert not np.allclose(a, b)


@pytest.mark.parametrize("batch_size, message", [
    (0, "batch_size: expected a positive integer, got 0"),
    (-2, "batch_size: expected a positive integer, got -2"),
    (11, "batch_size: 11 is larger than the toy dataset"),
])
def test_bad_batch_sizes(batch_size, message):
    source = data.from_arrays(np.zeros((10, 2, 2, 1), np.uint8), name="toy")
    with pytest.raises(ValueError, match=message):
        data.build(source, batch_size=batch_size)


def test_empty_dataset():
    with pytest.raises(ValueError, match="toy: the dataset is empty"):
        data.from_arrays(np.zeros((0, 2, 2, 1), np.uint8), name="toy")


def test_images_array_keeps_every_image_in_order():
    images = np.arange(7, dtype=np.uint8).reshape(7, 1, 1, 1)
    source = data.from_arrays(images, labels=np.zeros(7), name="toy")
    array = data.images_array(source, batch_size=3)
    assert array.shape == (7, 1, 1, 1)
    np.testing.assert_allclose(array.ravel(), images.ravel() / 127.5 - 1,
                               atol=1e-6)
