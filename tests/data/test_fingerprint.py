import numpy as np
import pytest

from tfgan_suite import data


def test_folder_and_pairs_without_data_dir_name_the_option():
    for name in ("folder", "pairs"):
        with pytest.raises(ValueError, match=f"data_dir: the {name} dataset "
                                             f"needs it"):
            data.get_source(name)


def test_rectangular_pairs(pairs_dir):
    source = data.get_source("pairs", data_dir=pairs_dir,
                             image_size=(32, 64))
    assert source.data_shape == (32, 64, 3)
    a, b = next(iter(data.build(source, batch_size=2)))
    assert a.shape == b.shape == (2, 32, 64, 3)


def test_fashion_edges_pairs_edge_maps_with_their_images(idx_dir):
    source = data.get_source("fashion_edges", data_dir=idx_dir,
                             classes=["Trouser"])
    assert source.paired and source.data_shape == (32, 32, 1)
    assert source.num_examples == 6 + 1  # labels are i % 10 of 64
    edges, images = next(iter(data.build(source, batch_size=4,
                                         shuffle=False)))
    # black lines on white, where the image has structure
    assert set(np.unique(edges.numpy())) == {-1.0, 1.0}
    assert 0.02 < float((edges.numpy() < 0).mean()) < 0.6
    assert images.shape == (4, 32, 32, 1)
    np.testing.assert_array_equal(images.numpy()[:, :2], -1.0)  # padding
