import keras
import numpy as np
import pytest

from tfgan_suite.nets import unet


@pytest.mark.parametrize("size,blocks", [(256, 8), (128, 7), (64, 6)])
def test_unet_shapes_depth_and_skips(size, blocks):
    g = unet.build_generator((size, size, 3), filters=8)
    assert g.output.shape[1:] == (size, size, 3)
    names = [layer.name for layer in g.layers]
    assert sum(n.startswith("down") for n in names) == blocks
    assert sum(n.startswith("up") for n in names) == blocks - 1
    assert sum(n.startswith("skip") for n in names) == blocks - 1
    # The bottleneck is 1x1 and the widths cap at 8 * filters.
    assert g.get_layer(f"down{blocks}").output.shape[1:] == (1, 1, 64)
    dropout = [n for n in names if n.startswith("up")
               if any(isinstance(l, keras.layers.Dropout)
                      for l in g.get_layer(n).layers)]
    assert dropout == ["up1", "up2", "up3"]


def test_unet_output_range_and_instance_norm():
    g = unet.build_generator((64, 64, 3), filters=8, norm="instance")
    x = np.random.default_rng(0).uniform(-1, 1, (2, 64, 64, 3)).astype("float32")
    y = g(x, training=False).numpy()
    assert y.shape == x.shape and np.abs(y).max() <= 1.0
    assert any(isinstance(l, keras.layers.GroupNormalization)
               for block in g.layers if isinstance(block, keras.Sequential)
               for l in block.layers)


def test_unet_refuses_sizes_it_cannot_build():
    with pytest.raises(ValueError, match="power-of-two shorter side"):
        unet.build_generator((100, 100, 3))
    # A longer side must be a multiple of the shorter one (256x512 is fine).
    with pytest.raises(ValueError, match="power-of-two shorter side"):
        unet.build_generator((64, 96, 3))
    assert unet.build_generator((64, 128, 3), filters=4).output_shape == (
        None, 64, 128, 3)
    with pytest.raises(ValueError, match="norm: expected one of"):
        unet.build_generator((64, 64, 3), norm="layer")
