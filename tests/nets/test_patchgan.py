import numpy as np
import pytest

from tfgan_suite.nets import patchgan


@pytest.mark.parametrize("size,patches", [(256, 30), (128, 14)])
def test_patch_logits_shape(size, patches):
    d = patchgan.build_discriminator((size, size, 3), filters=8)
    assert d.output.shape[1:] == (patches, patches, 1)
    assert [i.shape[1:] for i in d.inputs] == [(size, size, 3)] * 2


def test_the_input_image_conditions_the_score():
    d = patchgan.build_discriminator((64, 64, 3), filters=8)
    rng = np.random.default_rng(0)
    x, y, x2 = (rng.uniform(-1, 1, (1, 64, 64, 3)).astype("float32")
                for _ in range(3))
    assert not np.allclose(d([x, y]).numpy(), d([x2, y]).numpy())
