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
    assert source.image_shape == (32, 64, 3)
    a, b = next(iter(data.build(source, batch_size=2)))
    assert a.shape == b.shape == (2, 32, 64, 3)
