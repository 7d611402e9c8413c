import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfgan_suite import data
from tfgan_suite.data import paired
from tests.conftest import pattern_images


def test_jitter_applies_one_crop_and_flip_to_both_images():
    image = tf.constant(pattern_images(1, 64, 64, 3, seed=3)[0], tf.float32)
    jitter = paired.jitter(64)
    seen_flip = False
    for _ in range(20):
        a, b = jitter(image, 255.0 - image)
        assert a.shape == b.shape == (64, 64, 3)
        np.testing.assert_array_equal(b.numpy(), 255.0 - a.numpy())
        resized = tf.image.resize(image, (71, 71), method="nearest").numpy()
        # a is a crop of the 71x71 resize, mirrored or not.
        found = any(np.array_equal(a.numpy(), c[y:y + 64, x:x + 64])
                    for c in (resized, resized[:, ::-1])
                    for y in range(8) for x in range(8))
        assert found
        seen_flip |= not any(np.array_equal(a.numpy(), resized[y:y + 64, x:x + 64])
                             for y in range(8) for x in range(8))
    assert seen_flip


def test_aligned_pairs_and_direction(pairs_dir):
    train = data.load("pairs", split="train", data_dir=pairs_dir,
                      image_size=64, batch_size=4)
    x, y = next(iter(train))
    assert x.shape == y.shape == (4, 64, 64, 3)
    test = data.get_source("pairs", split="test", data_dir=pairs_dir,
                           image_size=64)
    assert test.num_examples == 4 and test.augment is None and test.paired
    a, b = next(iter(test.dataset))
    # B is the negative of A (up to JPEG rounding); b_to_a swaps them.
    assert np.abs(a.numpy().astype(int) + b.numpy() - 255).mean() < 8
    b2, a2 = next(iter(data.get_source("pairs", split="test",
                                       data_dir=pairs_dir, image_size=64,
                                       direction="b_to_a").dataset))
    np.testing.assert_array_equal(a2.numpy(), a.numpy())
    # Halves of another size are resized.
    small = next(iter(data.get_source("pairs", split="test",
                                      data_dir=pairs_dir,
                                      image_size=32).dataset))
    assert small[0].shape == (32, 32, 3)


def test_grayscale_and_rgba_pairs_are_converted(tmp_path):
    split = tmp_path / "train"
    split.mkdir()
    Image.fromarray(pattern_images(1, 32, 64, 1)[0, ..., 0]).save(split / "g.png")
    Image.fromarray(np.full((32, 64, 4), 100, np.uint8)).save(split / "r.png")
    source = data.get_source("pairs", split="train", data_dir=str(tmp_path),
                             image_size=32)
    shapes = [tuple(a.shape) for a, b in source.dataset]
    assert shapes == [(32, 32, 3), (32, 32, 3)]


@pytest.mark.parametrize("make, message", [
    (lambda d: Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(d / "sq.jpg"),
     r"sq.jpg: expected an image twice as wide as high .* got 32x32"),
    (lambda d: (d / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a jpeg"),
     r"bad.jpg: not a readable image"),
    (lambda d: (d / "notes.txt").write_text("hi"),
     r"notes.txt: not an image"),
    (lambda d: None, r"train: no images found"),
])
def test_bad_pairs_name_the_file(tmp_path, make, message):
    split = tmp_path / "train"
    split.mkdir()
    make(split)
    with pytest.raises(ValueError, match=message):
        data.get_source("pairs", split="train", data_dir=str(tmp_path))


def test_bad_options(tmp_path, pairs_dir):
    with pytest.raises(ValueError, match="direction: expected one of"):
        data.get_source("pairs", data_dir=pairs_dir, direction="AtoC")
    with pytest.raises(ValueError, match="no 'val' split"):
        data.get_source("pairs", split="val", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="data_dir: facades needs"):
        data.get_source("facades")


def test_synthetic_pairs_are_reproducible_and_paired():
    a = data.get_source("synthetic_pairs", split="test", image_size=32,
                        num_examples=5)
    b = data.get_source("synthetic_pairs", split="test", image_size=32,
                        num_examples=5)
    assert a.num_examples == 5 and a.augment is None
    for (x1, y1), (x2, y2) in zip(a.dataset, b.dataset):
        np.testing.assert_array_equal(x1.numpy(), x2.numpy())
        np.testing.assert_array_equal(y1.numpy(), y2.numpy())
    train = data.get_source("synthetic_pairs", image_size=32, num_examples=5)
    assert train.augment is not None
    x, _ = next(iter(train.dataset))
    assert not np.array_equal(x.numpy(), next(iter(a.dataset))[0].numpy())


def test_facades_without_its_folder_names_the_offline_pairs():
    with pytest.raises(ValueError, match=r"facades needs the extracted .*"
                                         r"offline.*fashion_edges.*"
                                         r"synthetic_pairs"):
        data.get_source("facades")
