import os
import pickle

import numpy as np
import pytest
from PIL import Image

from tfgan_suite import data
from tfgan_suite.data import idx, sources


def first(ds):
    return next(iter(ds))


def test_idx_round_trip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    for name in ("a-idx3-ubyte", "b-idx3-ubyte.gz"):
        idx.write_idx(str(tmp_path / name), array)
        np.testing.assert_array_equal(idx.read_idx(str(tmp_path / name)), array)


def test_idx_rejects_truncated_and_foreign_files(tmp_path):
    path = tmp_path / "x-idx3-ubyte"
    idx.write_idx(str(path), np.zeros((4, 28, 28), np.uint8))
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="x-idx3-ubyte: IDX header says"):
        idx.read_idx(str(path))
    path.write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="expected an IDX file"):
        idx.read_idx(str(path))


def test_fashion_mnist_from_idx_files(idx_dir):
    source = sources.fashion_mnist("test", data_dir=idx_dir, labels=True)
    assert source.num_examples == 16 and source.data_shape == (28, 28, 1)
    image, label = first(source.dataset)
    assert image.dtype == "uint8" and image.shape == (28, 28, 1)
    assert int(label) == 0 and source.num_classes == 10


def test_fashion_mnist_missing_dir_is_named():
    with pytest.raises(ValueError, match="data_dir: /no/such/dir is not a dir"):
        sources.fashion_mnist(data_dir="/no/such/dir")


def test_fashion_mnist_from_tfds_mock_data():
    import tensorflow_datasets as tfds
    with tfds.testing.mock_data(num_examples=12):
        source = sources.fashion_mnist("train", labels=True)
    assert source.num_examples == 12
    image, label = first(source.dataset)
    assert image.shape == (28, 28, 1) and 0 <= int(label) < 10


@pytest.mark.skipif(not os.path.isdir(sources.FASHION_MNIST_DIR),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_real_fashion_mnist_from_the_debian_package():
    source = sources.fashion_mnist("test")
    assert source.num_examples == 10_000 and source.data_shape == (28, 28, 1)


def test_cifar10_one_class_by_name_and_index(cifar_dir):
    by_name = sources.cifar10(data_dir=cifar_dir, classes=["horse"], labels=True)
    by_index = sources.cifar10(data_dir=cifar_dir, classes=["7"])
    assert by_name.num_examples == by_index.num_examples == 10  # 2 per batch
    labels = {int(y) for _, y in by_name.dataset}
    assert labels == {7}
    assert by_name.data_shape == (32, 32, 3)


def test_cifar10_pixels_are_decoded_in_hwc_order(cifar_dir):
    with open(os.path.join(cifar_dir, "cifar-10-batches-py", "test_batch"),
              "rb") as f:
        raw = pickle.load(f)[b"data"][0]
    image = first(sources.cifar10("test", data_dir=cifar_dir).dataset).numpy()
    np.testing.assert_array_equal(image[..., 0].ravel(), raw[:1024])
    np.testing.assert_array_equal(image[..., 2].ravel(), raw[2048:])


def test_cifar10_unknown_class_names_the_choices(cifar_dir):
    with pytest.raises(ValueError, match="classes: unknown class 'unicorn'.*horse"):
        sources.cifar10(data_dir=cifar_dir, classes=["unicorn"])


def test_cifar10_corrupt_pickle_is_named(cifar_dir):
    path = os.path.join(cifar_dir, "cifar-10-batches-py", "data_batch_3")
    with open(path, "wb") as f:
        f.write(b"garbage")
    with pytest.raises(ValueError, match="data_batch_3: expected a CIFAR-10"):
        sources.cifar10(data_dir=cifar_dir)


def test_folder_resizes_and_converts_grayscale(image_folder):
    source = sources.folder(image_folder, image_size=(16, 20), labels=True)
    assert source.num_examples == 12 and source.class_names == ["cats", "dogs"]
    images = [(x.numpy(), int(y)) for x, y in source.dataset]
    assert all(x.shape == (16, 20, 3) and x.dtype == np.uint8 for x, _ in images)
    dog = next(x for x, y in images if y == 1)
    np.testing.assert_array_equal(dog[..., 0], dog[..., 1])  # gray -> RGB


def test_folder_rejects_non_images_by_name(image_folder):
    with open(os.path.join(image_folder, "cats", "notes.txt"), "w") as f:
        f.write("hello")
    with pytest.raises(ValueError, match="notes.txt: not an image"):
        sources.folder(image_folder)


def test_folder_rejects_corrupt_images_by_name(image_folder):
    path = os.path.join(image_folder, "dogs", "broken.png")
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    with pytest.raises(ValueError, match="broken.png: not a readable image"):
        sources.folder(image_folder)


def test_folder_empty_and_missing(tmp_path):
    with pytest.raises(ValueError, match="no images found"):
        sources.folder(str(tmp_path))
    with pytest.raises(ValueError, match="is not a directory"):
        sources.folder(str(tmp_path / "missing"))


def test_folder_rgba_loses_alpha(tmp_path):
    Image.new("RGBA", (8, 8), (10, 20, 30, 128)).save(tmp_path / "a.png")
    image = first(sources.folder(str(tmp_path)).dataset).numpy()
    assert image.shape == (8, 8, 3)
    np.testing.assert_array_equal(image[0, 0], [10, 20, 30])


def test_load_routes_options_and_rejects_foreign_ones(idx_dir, cifar_dir):
    ds = data.load("cifar10", classes=["horse"], data_dir=cifar_dir,
                   batch_size=4)
    assert first(ds).shape == (4, 32, 32, 3)
    # fashion_mnist takes classes= too (one class of 6 000 / 1 000).
    assert first(data.load("fashion_mnist", classes=["Bag"], data_dir=idx_dir,
                           batch_size=2)).shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match="direction: not an option of the "
                                         "fashion_mnist dataset"):
        data.load("fashion_mnist", direction="a_to_b", data_dir=idx_dir)
    with pytest.raises(ValueError, match="dataset: expected one of"):
        data.load("mnist")


def test_a_grayscale_folder_is_one_channel_unless_forced(gray_folder,
                                                         image_folder):
    gray = sources.folder(gray_folder, labels=True)
    assert gray.data_shape == (16, 16, 1)
    assert gray.class_names == ["bag", "shirt", "shoe"]
    assert sources.folder(gray_folder, channels=3).data_shape == (16, 16, 3)
    # Mixed RGB and grayscale: RGB unless forced; RGB to gray is the luma.
    assert sources.folder(image_folder, image_size=8).data_shape == (8, 8, 3)
    cats = sources.folder(image_folder, image_size=8, channels=1, labels=True)
    image, _ = first(cats.dataset)
    assert image.shape == (8, 8, 1) and cats.data_shape == (8, 8, 1)
    batch = first(data.load("folder", data_dir=gray_folder, channels=3,
                            batch_size=4))
    assert batch.shape == (4, 16, 16, 3)
    with pytest.raises(ValueError, match="channels: expected 1 .* or 3"):
        sources.folder(gray_folder, channels=4)


def test_gray_conversion_keeps_gray_pixels_exactly(tmp_path):
    array = np.arange(64, dtype=np.uint8).reshape(8, 8) * 4
    for ext in ("png", "bmp", "gif"):
        Image.fromarray(array).convert("RGB").save(tmp_path / f"a.{ext}")
        image = first(sources.folder(str(tmp_path), channels=1).dataset)
        np.testing.assert_array_equal(image.numpy()[..., 0], array)
        os.remove(tmp_path / f"a.{ext}")


def images_of(source):
    return sorted(p.numpy().tobytes() for p in
                  source.dataset.map(lambda x, *y: x))


def test_a_seeded_share_of_each_class_is_held_out(gray_folder):
    train = sources.folder(gray_folder, labels=True, split="train")
    test = sources.folder(gray_folder, labels=True, split="test")
    assert (train.num_examples, test.num_examples) == (27, 3)
    assert sorted(int(y) for _, y in test.dataset) == [0, 1, 2]
    assert test.class_names == train.class_names
    every = images_of(sources.folder(gray_folder))
    assert sorted(images_of(train) + images_of(test)) == every
    # The same pick every time, with labels or without.
    assert images_of(sources.folder(gray_folder, split="test")) == \
        images_of(test)
    assert sources.folder(gray_folder, split="test",
                          holdout=0.5).num_examples == 15
    with pytest.raises(ValueError, match="no test images .*holdout=0"):
        sources.folder(gray_folder, split="test", holdout=0)
    assert sources.folder(gray_folder, split="train",
                          holdout=0).num_examples == 30
    with pytest.raises(ValueError, match=r"holdout: expected .* \[0, 1\)"):
        sources.folder(gray_folder, holdout=10)


def test_a_test_sub_folder_is_the_held_out_split(gray_folder):
    import shutil
    test = os.path.join(gray_folder, "test")
    for name in ("bag", "shoe"):
        os.makedirs(os.path.join(test, name))
        for i in range(2):
            shutil.move(os.path.join(gray_folder, name, f"{i}.png"),
                        os.path.join(test, name))
    train = sources.folder(gray_folder, labels=True, split="train")
    held = sources.folder(gray_folder, labels=True, split="test")
    assert (train.num_examples, held.num_examples) == (26, 4)
    assert train.class_names == held.class_names == ["bag", "shirt", "shoe"]
    assert sorted({int(y) for _, y in held.dataset}) == [0, 2]
    assert data.load("folder", data_dir=gray_folder, batch_size=2,
                     split="test").cardinality() == 2


def add_bad_files(folder):
    """A .txt, a zero-byte .png and a truncated .jpg in `folder`: the
    three a user used to meet one rerun at a time."""
    with open(os.path.join(folder, "notes.txt"), "w") as f:
        f.write("hello")
    open(os.path.join(folder, "empty.png"), "wb").close()
    buffer = __import__("io").BytesIO()
    Image.fromarray(np.full((32, 32, 3), 128, np.uint8)).save(buffer, "JPEG")
    with open(os.path.join(folder, "cut.jpg"), "wb") as f:
        f.write(buffer.getvalue()[:len(buffer.getvalue()) // 2])
    return ["cut.jpg", "empty.png", "notes.txt"]


def test_every_bad_file_is_named_in_one_error_and_a_listing(image_folder):
    bad = add_bad_files(os.path.join(image_folder, "cats"))
    with pytest.raises(ValueError) as error:
        sources.folder(image_folder)
    message = str(error.value)
    assert "3 of 15 files are not usable images" in message
    assert all(name in message for name in bad)
    listing = message.split("listed in ")[1].split(";")[0]
    with open(listing) as f:
        listed = sorted(os.path.basename(line.split("\t")[0]) for line in f)
    assert listed == bad


def test_skip_bad_files_trains_on_the_rest_and_counts_them(image_folder,
                                                           caplog):
    add_bad_files(os.path.join(image_folder, "dogs"))
    source = sources.folder(image_folder, image_size=16, skip_bad_files=True)
    assert source.num_examples == 12
    assert len(list(source.dataset)) == 12
    skipped = [r.getMessage() for r in caplog.records if "skipped" in
               r.getMessage()]
    assert len(skipped) == 1 and "skipped 3 bad file(s) of 15, using the other 12" in skipped[0]


def test_reading_a_folder_again_replaces_its_listing_of_bad_files(
        image_folder, tmp_path, monkeypatch):
    """Every read of a folder (a run reads it for training, FID and the
    health monitor; each command again) names its bad files in the same
    listing, not one more file in the temporary folder each time."""
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    os.makedirs(tempfile.tempdir)
    add_bad_files(os.path.join(image_folder, "dogs"))
    for split in ("train", "test", None, "train"):
        sources.folder(image_folder, split=split, skip_bad_files=True)
    os.remove(os.path.join(image_folder, "dogs", "notes.txt"))
    with pytest.raises(ValueError, match="2 of 14 files") as error:
        sources.folder(image_folder)
    listings = [name for name in os.listdir(tempfile.tempdir)
                if name.startswith("tfgan_bad_files")]
    assert len(listings) == 1, listings
    listing = os.path.join(tempfile.tempdir, listings[0])
    assert f"listed in {listing};" in str(error.value)
    with open(listing) as f:
        assert sorted(os.path.basename(line.split("\t")[0])
                      for line in f) == ["cut.jpg", "empty.png"]


def write_sized(path, height, width):
    Image.fromarray(np.full((height, width, 3), 200, np.uint8)).save(path)


@pytest.mark.parametrize("resize,corner", [("stretch", 200), ("crop", 200),
                                           ("pad", 0)])
def test_images_of_another_size_follow_the_resize_policy(tmp_path, caplog,
                                                         resize, corner):
    for i in range(3):
        write_sized(tmp_path / f"{i}.png", 32, 32)
    write_sized(tmp_path / "wide.png", 48, 64)  # 64x48 among 32x32 ones.
    source = sources.folder(str(tmp_path), resize=resize, holdout=0)
    wide = list(source.dataset)[-1].numpy()
    assert wide.shape == (32, 32, 3)
    assert wide[0, 0, 0] == corner  # pad: black borders above and below.
    said = [r.getMessage() for r in caplog.records if "resize=" in
            r.getMessage()]
    assert len(said) == 1 and "1 of 4 images are not 32x32" in said[0]
    assert f"resize={resize!r}" in said[0]
    caplog.clear()
    sources.folder(str(tmp_path), resize=resize, holdout=0)  # read again
    assert not [r for r in caplog.records if "resize=" in r.getMessage()]


def test_an_unknown_resize_policy_is_refused(image_folder):
    with pytest.raises(ValueError, match="resize: expected one of stretch, "
                                         "crop, pad, got 'squash'"):
        sources.folder(image_folder, resize="squash")
