"""Unpaired sources: the reference layout (trainA/ trainB/ testA/ testB/),
independent shuffles, jitter, channels, bad folders; fashion_edges_unpaired."""

import numpy as np
import pytest
from PIL import Image

from tfgan_suite import data, models
from tfgan_suite.data import paired
from tests.conftest import pattern_images


def write_unpaired(root, counts=(("trainA", 4), ("trainB", 6),
                                 ("testA", 2), ("testB", 3)), grey=False):
    """The reference layout; image i of a folder is a flat grey level that
    names it (A: 10 * i, B: 10 * i + 5), of mixed sizes (A 40x36 RGB, B
    32x32 greyscale JPEG) unless `grey` (all PNG greyscale)."""
    for folder, n in counts:
        (root / folder).mkdir(parents=True)
        for i in range(n):
            level = 10 * i + (5 if folder.endswith("B") else 0)
            if folder.endswith("A") and not grey:
                image = Image.fromarray(np.full((40, 36, 3), level, np.uint8))
            else:
                image = Image.fromarray(np.full((32, 32), level, np.uint8))
            image.save(root / folder / f"{i}.png")
    return str(root)


@pytest.fixture
def unpaired_dir(tmp_path):
    return write_unpaired(tmp_path / "horse2zebra")


def levels(images):
    return sorted(int(round(float(x))) for x in
                  (np.asarray(images).reshape(len(images), -1)[:, 0] + 1)
                  * 127.5)


def test_layout_sizes_channels_and_independent_shuffles(unpaired_dir):
    source = data.get_source("unpaired", data_dir=unpaired_dir,
                             image_size=16)
    assert source.unpaired and source.num_examples == 6  # the larger domain
    assert source.data_shape == (16, 16, 3)  # A is RGB: read as RGB
    assert [d.num_examples for d in source.domains] == [4, 6]
    assert all(d.augment is not None for d in source.domains)  # jitter
    epoch = list(data.build(source, shuffle=True, seed=0, augment=False))
    a = [x.numpy() for x, _ in epoch]
    b = [y.numpy() for _, y in epoch]
    assert a[0].shape == b[0].shape == (16, 16, 3)
    assert levels(b) == [5, 15, 25, 35, 45, 55]  # every B once
    assert set(levels(a)) == {0, 10, 20, 30}  # every A, the smaller repeated
    # Each domain has its own shuffle: another seed, other orders.
    orders = {tuple(levels([y])[0] for _, y in data.build(
        source, shuffle=True, seed=s, augment=False)) for s in range(4)}
    assert len(orders) > 1
    batch = next(iter(data.load("unpaired", data_dir=unpaired_dir,
                                image_size=16, batch_size=4)))
    assert batch[0].shape == batch[1].shape == (4, 16, 16, 3)
    test = data.get_source("unpaired", split="test", data_dir=unpaired_dir,
                           image_size=(8, 12), direction="b_to_a")
    assert test.data_shape == (8, 12, 3) and test.num_examples == 3
    assert all(d.augment is None for d in test.domains)
    a, b = next(iter(data.build(test, shuffle=False)))
    assert levels([a]) == [5] and levels([b]) == [0]  # b_to_a swaps


def test_greyscale_domains_read_as_one_channel_and_labels(tmp_path):
    root = write_unpaired(tmp_path / "grey", grey=True)
    source = data.get_source("unpaired", data_dir=root)
    assert source.data_shape == (32, 32, 1)
    forced = data.get_source("unpaired", data_dir=root, channels=3)
    assert forced.data_shape == (32, 32, 3)
    labelled = data.get_source("unpaired", data_dir=root, labels=True)
    assert labelled.class_names == ("A", "B")
    assert labelled.num_examples == 10 and not labelled.unpaired
    _, labels = data.sources.images_and_labels(labelled)
    assert labels.tolist() == [0] * 4 + [1] * 6


def test_jitter_crops_and_flips_each_image_alone():
    image = np.asarray(pattern_images(1, 32, 32, 1, seed=2)[0], np.float32)
    jitter = paired.jitter_image(32)
    outs = [jitter(image).numpy() for _ in range(8)]
    assert all(o.shape == (32, 32, 1) for o in outs)
    assert len({o.tobytes() for o in outs}) > 1


def test_subset_picks_from_each_domain(unpaired_dir):
    source = data.subset(data.get_source("unpaired", data_dir=unpaired_dir,
                                         image_size=16), 3)
    assert [d.num_examples for d in source.domains] == [3, 3]
    assert source.num_examples == 3 and len(list(source.dataset)) == 3


@pytest.mark.parametrize("make, message", [
    (lambda root: (root / "trainA").mkdir(),
     r"trainB: missing; expected the unpaired layout trainA/ and trainB/ "
     r".* found trainA/"),
    (lambda root: [(root / d).mkdir() for d in ("trainA", "trainB")],
     r"trainA: no images found \(expected files ending in .png.*; found "
     r"no files\)"),
    (lambda root: None, r"trainA: missing; .* found no sub-folders"),
])
def test_bad_layouts_name_the_folder(tmp_path, make, message):
    root = tmp_path / "data"
    root.mkdir()
    make(root)
    with pytest.raises(ValueError, match=message):
        data.get_source("unpaired", data_dir=str(root))


def test_empty_domain_and_bad_options(tmp_path, unpaired_dir):
    root = write_unpaired(tmp_path / "x", counts=(("trainA", 1),
                                                  ("trainB", 0)))
    with pytest.raises(ValueError, match=r"x/trainB: no images found"):
        data.get_source("unpaired", data_dir=root)
    with pytest.raises(ValueError, match="data_dir: .* is not a directory"):
        data.get_source("unpaired", data_dir=str(tmp_path / "none"))
    with pytest.raises(ValueError, match="channels: expected 1 or 3"):
        data.get_source("unpaired", data_dir=unpaired_dir, channels=4)
    with pytest.raises(ValueError, match="direction: expected one of"):
        data.get_source("unpaired", data_dir=unpaired_dir, direction="AtoC")


def test_fashion_edges_unpaired_halves_and_paired_test(idx_dir):
    train = data.get_source("fashion_edges_unpaired", data_dir=idx_dir)
    images, edges = paired.fashion_edge_arrays("train", idx_dir)
    a, b = (np.stack([x.numpy() for x in d.dataset]) for d in train.domains)
    # A: the edges of the first half; B: the second half's images.
    np.testing.assert_array_equal(a, edges[:32])
    np.testing.assert_array_equal(b, images[32:])
    assert train.data_shape == (32, 32, 1) and train.num_examples == 32
    test = data.get_source("fashion_edges_unpaired", split="test",
                           data_dir=idx_dir)
    pairs = data.get_source("fashion_edges", split="test", data_dir=idx_dir)
    for (ea, ib), (ep, ip) in zip(test.dataset, pairs.dataset):
        np.testing.assert_array_equal(ea.numpy(), ep.numpy())
        np.testing.assert_array_equal(ib.numpy(), ip.numpy())
    # The models take the data of their kind only.
    model = models.CycleGAN.from_data(train, filters=4, n_blocks=0)
    assert model.data_shape == (32, 32, 1)
    with pytest.raises(ValueError, match=r"Pix2Pix trains on pairs "
                                         r"\(input, target\) and "
                                         r"fashion_edges_unpaired/train has "
                                         r"unpaired images"):
        models.Pix2Pix.from_data(train)
