"""`tgs.models.latents` (truncation, slerp, class walks) and the
`Sampling` methods built on them, on tiny models."""

import keras
import numpy as np
import pytest

from tests.tiny_models import tiny
from tfgan_suite.models import latents


@pytest.mark.parametrize("method", latents.TRUNCATION_METHODS)
def test_truncation_is_reproducible_and_shrinks_the_spread_of_z(method):
    model = tiny("dcgan")
    seeds = np.arange(500)
    z = model.latent_from_seeds(seeds).numpy()
    cut = model.latent_from_seeds(seeds, 0.5, method).numpy()
    np.testing.assert_array_equal(
        cut, model.latent_from_seeds(seeds, 0.5, method).numpy())
    assert cut.std() < 0.6 * z.std()
    if method == "truncated_normal":  # within [-psi, psi], order kept.
        assert np.abs(cut).max() <= 0.5
        np.testing.assert_array_equal(np.sign(cut), np.sign(z))
        assert np.abs(z).max() > 2.5
    else:
        np.testing.assert_allclose(cut, 0.5 * z)
    images = model.generate(3, seed=7, truncation=0.5,
                            truncation_method=method)
    np.testing.assert_array_equal(
        images, model.generate(3, seed=7, truncation=0.5,
                               truncation_method=method))
    assert not np.array_equal(images, model.generate(3, seed=7))


def test_psi_one_of_the_mean_method_is_no_truncation_and_psi_per_sample():
    model = tiny("dcgan")
    np.testing.assert_array_equal(model.generate(2, seed=3, truncation=1.0),
                                  model.generate(2, seed=3))
    mixed = model.generate(2, seed=3, truncation=[1.0, 0.5])
    # Batches of another size: equal up to float rounding.
    np.testing.assert_allclose(mixed[0], model.generate(1, seed=3)[0],
                               atol=1e-6)
    np.testing.assert_allclose(
        mixed[1], model.generate(1, seed=4, truncation=0.5)[0], atol=1e-6)


def test_bad_truncation_is_one_error_naming_the_argument():
    model = tiny("dcgan")
    with pytest.raises(ValueError, match="truncation: expected psi >= 0"):
        model.generate(2, truncation=-1)
    with pytest.raises(ValueError, match="truncation: expected psi > 0"):
        model.generate(2, truncation=0, truncation_method="truncated_normal")
    with pytest.raises(ValueError, match="truncation: expected one psi or 2"):
        model.generate(2, truncation=[0.5, 0.6, 0.7])
    with pytest.raises(ValueError, match="truncation_method: expected one "
                                         "of mean, truncated_normal"):
        model.generate(2, truncation=0.5, truncation_method="biggan")


def test_slerp_keeps_the_endpoints_and_the_norm():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 128)).astype(np.float32)
    path = latents.slerp(a, b, np.linspace(0, 1, 5))
    np.testing.assert_array_equal(path[0], a)
    np.testing.assert_array_equal(path[-1], b)
    norms = np.linalg.norm(path, axis=1)
    ends = np.linalg.norm([a, b], axis=1)
    # Two random 128-d latents are near orthogonal: a straight line's
    # midpoint would have ~0.71 of their norm; slerp's stays near it.
    assert np.all(np.abs(norms[2] / ends - 1) < 0.1)
    assert np.linalg.norm((a + b) / 2) < 0.8 * ends.mean()
    np.testing.assert_allclose(latents.slerp(a, 2 * a, [0.5])[0], 1.5 * a,
                               rtol=1e-6)  # parallel: linear.


class UserGAN(keras.Model):
    """A user's Keras GAN, keras-io style: nets and latent_dim."""

    def __init__(self, generator, discriminator, latent_dim):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim = latent_dim

    def train_step(self, data):
        return {}


def build_user_gan(latent_dim=8):
    nets = tiny("dcgan", latent_dim=latent_dim)
    return UserGAN(nets.generator, nets.discriminator, latent_dim)


def wrapped_gan():
    """`UserGAN`, wrapped by the suite."""
    from tfgan_suite.models import wrapped
    return wrapped.Factory("tests.models.test_latents:build_user_gan")()


@pytest.mark.parametrize("name", ["dcgan", "wrapped"])
def test_interpolate_runs_from_one_seed_image_to_the_other(name):
    model = wrapped_gan() if name == "wrapped" else tiny(name)
    frames = model.interpolate(2, 9, 5)
    assert frames.shape == (5, 28, 28, 1)
    np.testing.assert_allclose(frames[0], model.generate(1, seed=2)[0],
                               atol=1e-5)
    np.testing.assert_allclose(frames[-1], model.generate(1, seed=9)[0],
                               atol=1e-5)
    # The middle frame is another image (untrained tiny nets vary little
    # with z, so any difference counts).
    assert np.abs(frames[2] - frames[0]).max() > 1e-6
    with pytest.raises(ValueError, match="frames: expected an integer >= 2"):
        model.interpolate(2, 9, 1)


def test_a_conditional_walk_goes_from_class_a_to_class_b_at_one_z():
    model = tiny("cgan")
    table = [layer.embeddings.numpy() for layer in
             latents.class_embeddings(model.output_net(), model.num_classes)]
    assert table
    frames = model.interpolate(4, 4, 4, labels=[0, 2])
    np.testing.assert_allclose(frames[0], model.generate(
        1, seed=4, labels=0)[0], atol=1e-5)
    np.testing.assert_allclose(frames[-1], model.generate(
        1, seed=4, labels=2)[0], atol=1e-5)
    for layer, kept in zip(latents.class_embeddings(
            model.output_net(), model.num_classes), table):  # restored.
        np.testing.assert_array_equal(layer.embeddings.numpy(), kept)
    within = model.interpolate(4, 5, 3, labels=1)
    np.testing.assert_allclose(within[-1], model.generate(
        1, seed=5, labels=1)[0], atol=1e-5)
    with pytest.raises(ValueError, match="labels: expected one class or two"):
        model.interpolate(4, 5, 3, labels=[0, 1, 2])
