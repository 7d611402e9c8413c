import numpy as np
import pytest

from tfgan_suite.nets import dcgan


@pytest.mark.parametrize("shape, levels, base", [
    ((28, 28, 1), 2, (7, 7)), ((32, 32, 3), 3, (4, 4)),
    ((64, 64, 3), 4, (4, 4)), ((32, 64, 3), 3, (4, 8)),
])
def test_shapes(shape, levels, base):
    assert dcgan.upsampling_levels(shape) == (levels, base)
    g = dcgan.build_generator(shape, latent_dim=8, filters=4)
    d = dcgan.build_discriminator(shape, filters=4)
    images = g(np.random.normal(size=(2, 8)).astype("float32"))
    assert images.shape == (2, *shape)
    assert np.abs(images).max() <= 1.0  # tanh
    assert d(images).shape == (2, 1)


def test_follows_the_dcgan_guidelines():
    g = dcgan.build_generator((32, 32, 3), filters=4)
    d = dcgan.build_discriminator((32, 32, 3), filters=4)
    kinds = {type(layer).__name__ for layer in g.layers + d.layers}
    assert "MaxPooling2D" not in kinds and "AveragePooling2D" not in kinds
    assert {"Conv2DTranspose", "BatchNormalization", "ReLU", "LeakyReLU"} <= kinds
    # No batch norm on D's input layer nor G's output layer.
    assert type(d.layers[2]).__name__ == "LeakyReLU"
    assert g.layers[-1].get_config()["activation"] == "tanh"
    assert g.layers[-1].dtype_policy.compute_dtype == "float32"


@pytest.mark.parametrize("shape", [(30, 30, 3), (8, 8, 1), (28, 28, 2),
                                   (28, 28)])
def test_shapes_the_nets_cannot_build(shape):
    with pytest.raises(ValueError, match="image_shape"):
        dcgan.build_generator(shape)


@pytest.mark.parametrize("norm, kind", [("batch", "BatchNormalization"),
                                        ("layer", "LayerNormalization"),
                                        (None, None)])
def test_discriminator_normalization(norm, kind):
    normalizations = {"BatchNormalization", "LayerNormalization"}
    for d in (dcgan.build_discriminator((32, 32, 3), filters=4, norm=norm),
              dcgan.build_conditional_discriminator((32, 32, 3), 3, filters=4,
                                                    norm=norm)):
        found = {type(layer).__name__ for layer in d.layers} & normalizations
        assert found == ({kind} if kind else set())


def test_discriminator_refuses_an_unknown_normalization():
    with pytest.raises(ValueError, match=r"norm: expected one of \('batch', "
                                         r"'layer', None\), got 'spectral'"):
        dcgan.build_discriminator((28, 28, 1), norm="spectral")
