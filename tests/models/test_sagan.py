"""SAGAN's own parts: the paper's defaults, attention, conditioning, bad
input (its steps, save / load, resume and export:
tests/models/test_harness.py)."""

import functools

import numpy as np
import pytest

from tfgan_suite import data, models
from tests import tiny_models

#: The tiny SAGAN (32x32x3), compiled to run eagerly.
tiny = functools.partial(tiny_models.eager, "sagan", seed=0)


@pytest.fixture
def horses(cifar_dir):
    source = data.get_source("cifar10", data_dir=cifar_dir, labels=True)
    return data.build(source, batch_size=8, seed=0)


def test_defaults_are_the_papers():
    gan = tiny()
    assert gan.adversarial_loss.name == "hinge"
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(4e-4)
    assert float(gan.g_optimizer.beta_1) == 0.0
    assert float(gan.d_optimizer.beta_2) == pytest.approx(0.9)
    assert gan.d_steps == 1 and gan.latent_dim == 8
    assert set(gan.attention_layers()) == {"generator", "discriminator"}
    # "auto": attention at half the image width, stored resolved.
    assert gan.get_config()["attention_resolution"] == 16


def test_train_steps_log_losses_and_learn_attention(horses):
    gan = tiny()
    logs = [gan.train_step(batch) for batch in horses.take(4)]
    assert set(logs[-1]) == {"d_loss", "g_loss"}
    assert all(np.isfinite(float(step["d_loss"])) for step in logs)
    assert int(gan.g_optimizer.iterations) == 4
    assert int(gan.d_optimizer.iterations) == 4
    # gamma starts at 0 and moves once the nets lean on attention.
    for layer in gan.attention_layers().values():
        assert float(layer.gamma) != 0.0


def test_conditional_sagan_generates_the_requested_labels(horses):
    gan = tiny(num_classes=10)
    gan.train_step(next(iter(horses)))
    a = gan.generate(4, seed=0, labels=[7, 7, 7, 7])
    assert a.shape == (4, 32, 32, 3)
    assert not np.allclose(a, gan.generate(4, seed=0, labels=2))


def test_bad_input(horses):
    gan = tiny(num_classes=10)
    unlabeled = horses.map(lambda x, y: x)
    with pytest.raises(ValueError, match="load the data with labels=True"):
        gan.fit(unlabeled.take(1), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"labels: expected classes 0..9, "
                                         r"got \[12\]"):
        gan.generate(2, labels=12)
    with pytest.raises(ValueError, match="labels: SAGAN is not class-cond"):
        tiny().generate(2, labels=1)
    with pytest.raises(ValueError, match="image_shape"):
        models.SAGAN(image_shape=(30, 30, 3))
    with pytest.raises(ValueError, match="num_classes: expected None or at "
                                         "least 2"):
        models.SAGAN(num_classes=1)


def test_attention_maps_are_distributions_over_positions():
    """SAGAN Fig. 1's maps (generate.py --attention_maps), in-process."""
    gan = tiny()
    images, attention = gan.attention_maps(2, seed=3)
    assert images.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(images, gan.generate(2, seed=3))
    assert attention.shape == (2, 16 * 16, 16 * 16)
    assert (attention >= 0).all()
    np.testing.assert_allclose(attention.sum(-1), 1.0, rtol=1e-4)
    with pytest.raises(ValueError, match="has no attention"):
        tiny(attention_resolution=None).attention_maps(1)
