import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import models
from tfgan_suite.models import WGANGP
from tfgan_suite.nets import dcgan

SHAPE = (28, 28, 1)


def tiny(**args):
    model = WGANGP(**{"image_shape": SHAPE, "latent_dim": 8, "filters": 4,
                      "n_critic": 2, "seed": 0, **args})
    model.compile(run_eagerly=True)
    return model


def batches(model, m=4, steps=2, seed=0):
    """`steps` batches of n_critic * m examples in [-1, 1]."""
    x = np.random.default_rng(seed).uniform(
        -1, 1, (steps * model.n_critic * m, *SHAPE)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(model.n_critic * m)


def layer_types(net):
    return {type(layer).__name__ for layer in net.layers}


def test_is_registered_with_its_preset():
    assert models.get("wgan_gp") is WGANGP
    assert WGANGP.default_preset in WGANGP.presets
    assert models.presets.get("fashion_mnist_wgan_gp")["model_class"] is WGANGP


def test_critic_has_no_batch_norm():
    model = WGANGP(image_shape=SHAPE, latent_dim=8, filters=4)
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
    model = WGANGP(generator=generator, discriminator=critic, n_critic=1,
                   gp_weight=3.0)
    model.compile(run_eagerly=True)
    x = np.random.default_rng(0).uniform(-1, 1, (6, *SHAPE)).astype("float32")
    logs = model.train_on_batch(x, return_dict=True)
    penalty = (np.linalg.norm(w) - 1.0) ** 2
    np.testing.assert_allclose(logs["gp"], penalty, rtol=1e-4)
    d_real = x.reshape(6, -1) @ w
    np.testing.assert_allclose(logs["d_loss"], -d_real.mean() + 3.0 * penalty,
                               rtol=1e-4)


def test_one_step_is_n_critic_critic_updates_and_one_generator_update():
    model = tiny(n_critic=3)
    g0 = [w.numpy().copy() for w in model.generator.trainable_weights]
    model.fit(batches(model, steps=1), epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 3
    assert int(model.g_optimizer.iterations) == 1
    assert any(not np.array_equal(a, b.numpy()) for a, b in
               zip(g0, model.generator.trainable_weights))


@pytest.mark.slow  # the mechanism: tests/models/test_ema_augment.py
def test_augmentation_and_the_ema_generator_are_honoured():
    model = tiny(augment="translation,cutout", ema_kimg=0.01)
    ema0 = [w.numpy().copy() for w in model.ema_generator.weights]
    history = model.fit(batches(model, steps=1), epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    assert any(not np.array_equal(a, b.numpy()) for a, b in
               zip(ema0, model.ema_generator.weights))


def test_batch_must_split_into_n_critic_minibatches():
    model = tiny(n_critic=3)
    x = np.zeros((8, *SHAPE), np.float32)
    with pytest.raises(ValueError, match="batch_size: 8 is not a multiple of "
                                         "n_critic=3"):
        model.fit(tf.data.Dataset.from_tensor_slices(x).batch(
            8, drop_remainder=True), epochs=1, verbose=0)


def test_fit_gives_finite_losses_and_save_load_round_trips(tmp_path):
    model = tiny(gp_weight=5.0)
    history = model.fit(batches(model, steps=3), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "gp"}
    for key, values in history.history.items():
        assert np.isfinite(values).all(), (key, values)
    path = str(tmp_path / "wgan_gp.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, WGANGP)
    assert loaded.get_config() == model.get_config()
    assert (loaded.n_critic, loaded.gp_weight, loaded.d_steps) == (2, 5.0, 2)
    np.testing.assert_array_equal(loaded.generate(4, seed=0),
                                  model.generate(4, seed=0))


def test_from_preset_builds_and_compiles():
    model = WGANGP.from_preset("fashion_mnist_wgan_gp")
    assert model.image_shape == SHAPE and model.filters == 32
    assert model.d_steps == model.n_critic == 5 and model.gp_weight == 10.0
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
    {"n_critic": 0}, {"n_critic": -1}, {"n_critic": 2.5}, {"n_critic": True},
    {"gp_weight": 0.0}, {"gp_weight": -1.0}, {"gp_weight": float("nan")},
    {"gp_weight": "10"}])
def test_invalid_n_critic_or_gp_weight(args):
    with pytest.raises(ValueError, match=f"{next(iter(args))}: expected a "
                                         f"positive"):
        WGANGP(image_shape=SHAPE, latent_dim=8, filters=4, **args)
