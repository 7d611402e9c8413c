"""WGAN-GP's own parts: the critic, the penalty by hand, d_steps
minibatches, the preset, bad arguments (its steps of d_steps critic
updates, save / load, resume and export: tests/models/test_harness.py)."""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import models
from tfgan_suite.models import WGANGP
from tfgan_suite.nets import dcgan
from tests import tiny_models

SHAPE = (28, 28, 1)
#: The tiny WGAN-GP (SHAPE, d_steps=2), compiled to run eagerly.
tiny = functools.partial(tiny_models.eager, "wgan_gp", seed=0)


def layer_types(net):
    return {type(layer).__name__ for layer in net.layers}


def test_is_registered_with_its_preset():
    assert models.get("wgan_gp") is WGANGP
    assert WGANGP.default_preset in WGANGP.presets
    assert models.presets.get("fashion_mnist_wgan_gp")["model_class"] is WGANGP


def test_critic_has_no_batch_norm():
    model = tiny_models.tiny("wgan_gp")
    assert "BatchNormalization" not in layer_types(model.discriminator)
    assert "LayerNormalization" in layer_types(model.discriminator)
    # The DCGAN discriminator keeps its batch norm; norm=None has none.
    assert "BatchNormalization" in layer_types(
        dcgan.build_discriminator(SHAPE, 4))
    assert not {"BatchNormalization", "LayerNormalization"} & layer_types(
        dcgan.build_discriminator(SHAPE, 4, norm=None))
    with pytest.raises(ValueError, match="norm: expected one of"):
        dcgan.build_discriminator(SHAPE, 4, norm="instance")


def test_penalty_and_critic_loss_of_a_linear_critic():
    # D(x) = sum(w * x) has gradient w at every x_hat: the penalty is
    # (||w|| - 1)^2 whatever eps. G(z) = 0, so D(G(z)) = 0 and the critic
    # loss is -E[D(x)] + gp_weight * (||w|| - 1)^2.
    w = np.full((np.prod(SHAPE), 1), 0.1, np.float32)  # ||w|| = 2.8
    critic = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(),
                               keras.layers.Dense(1, use_bias=False)])
    critic.set_weights([w])
    generator = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(int(np.prod(SHAPE)), kernel_initializer="zeros"),
        keras.layers.Reshape(SHAPE)])
    model = WGANGP(generator=generator, discriminator=critic, d_steps=1,
                   gp_weight=3.0)
    model.compile(run_eagerly=True)
    x = np.random.default_rng(0).uniform(-1, 1, (6, *SHAPE)).astype("float32")
    logs = model.train_on_batch(x, return_dict=True)
    penalty = (np.linalg.norm(w) - 1.0) ** 2
    np.testing.assert_allclose(logs["gp"], penalty, rtol=1e-4)
    d_real = x.reshape(6, -1) @ w
    np.testing.assert_allclose(logs["d_loss"], -d_real.mean() + 3.0 * penalty,
                               rtol=1e-4)


@pytest.mark.slow  # the mechanism: tests/models/test_ema_augment.py
def test_augmentation_and_the_ema_generator_are_honoured():
    model = tiny(augment="translation,cutout", ema_kimg=0.01)
    ema0 = [w.numpy().copy() for w in model.ema_generator.weights]
    history = model.fit(tiny_models.batches(model, n=4, steps=1), epochs=1,
                        verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    assert any(not np.array_equal(a, b.numpy()) for a, b in
               zip(ema0, model.ema_generator.weights))


def test_batch_must_split_into_n_critic_minibatches():
    model = tiny(d_steps=3)
    x = np.zeros((8, *SHAPE), np.float32)
    with pytest.raises(ValueError, match="batch_size: 8 is not a multiple of "
                                         "d_steps=3"):
        model.fit(tf.data.Dataset.from_tensor_slices(x).batch(
            8, drop_remainder=True), epochs=1, verbose=0)


def test_from_preset_builds_and_compiles():
    model = WGANGP.from_preset("fashion_mnist_wgan_gp")
    assert model.data_shape == SHAPE and model.filters == 32
    assert model.d_steps == 5 and model.gp_weight == 10.0
    assert model.adversarial_loss.name == "wasserstein_gp"
    for optimizer in (model.g_optimizer, model.d_optimizer):
        assert float(optimizer.learning_rate) == pytest.approx(1e-4)
        assert (optimizer.beta_1, optimizer.beta_2) == (0.5, 0.9)
    assert "BatchNormalization" not in layer_types(model.discriminator)


def test_critic_scores_are_not_probabilities():
    model = tiny()
    with pytest.raises(ValueError, match="discriminator scores are "
                                         "probabilities only"):
        model.discriminator_scores(np.zeros((2, *SHAPE), np.float32))


@pytest.mark.parametrize("args", [
    {"d_steps": 0}, {"d_steps": -1}, {"d_steps": 2.5}, {"d_steps": True},
    {"gp_weight": 0.0}, {"gp_weight": -1.0}, {"gp_weight": float("nan")},
    {"gp_weight": "10"}])
def test_invalid_n_critic_or_gp_weight(args):
    with pytest.raises(ValueError, match=f"{next(iter(args))}: expected a "
                                         f"positive"):
        WGANGP(image_shape=SHAPE, latent_dim=8, filters=4, **args)
