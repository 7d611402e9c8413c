"""Proposition 1 and Theorem 1 of Goodfellow et al. 2014, checked numerically
with a discriminator trained by the package's own GAN on 1-D Gaussians."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import metrics, models
from tfgan_suite.metrics import theory

GRID = np.linspace(-8, 8, 4001)


def fixed_generator_gan(mean, std, seed=0):
    """A GAN whose G(z) = mean + std * z never changes (g learning rate 0)."""
    keras.utils.set_random_seed(seed)
    gan = models.GAN(data_shape=(1,), latent_dim=1, hidden=(64, 64), seed=seed)
    gan.generator = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    gan.generator.layers[-1].set_weights([np.array([[std]], np.float32),
                                          np.array([mean], np.float32)])
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0),
                d_optimizer=keras.optimizers.Adam(2e-3), loss="minimax")
    return gan


def trained_discriminator(data_mean, data_std, g_mean, g_std, steps=1500):
    gan = fixed_generator_gan(g_mean, g_std)
    rng = np.random.default_rng(0)
    data = rng.normal(data_mean, data_std, (steps * 256, 1)).astype(np.float32)
    gan.fit(tf.data.Dataset.from_tensor_slices(data).batch(256), epochs=1,
            verbose=0)
    return lambda x: tf.sigmoid(gan.discriminator(
        x.reshape(-1, 1).astype(np.float32), training=False)).numpy().ravel()


def test_trained_d_is_the_optimal_d_and_v_is_minus_log4_plus_2jsd():
    p_data, p_g = theory.gaussian_pdf(0.0, 1.0), theory.gaussian_pdf(1.0, 1.5)
    d = trained_discriminator(0.0, 1.0, 1.0, 1.5)
    d_star = theory.optimal_discriminator(p_data, p_g)
    central = np.linspace(-2.0, 2.5, 200)
    assert np.abs(d(central) - d_star(central)).max() <= 0.05
    v = theory.value(d, p_data, p_g, GRID)
    c = theory.virtual_training_criterion(p_data, p_g, GRID)
    assert abs(v - c) <= 0.02
    # The trained D cannot beat the optimum of Proposition 1.
    assert v <= theory.value(d_star, p_data, p_g, GRID) + 1e-3


def test_at_the_global_optimum_d_is_one_half_and_v_is_minus_log4():
    p = theory.gaussian_pdf(0.5, 1.0)
    assert np.allclose(theory.optimal_discriminator(p, p)(GRID), 0.5)
    assert theory.virtual_training_criterion(p, p, GRID) == pytest.approx(
        -np.log(4), abs=1e-9)
    d = trained_discriminator(0.5, 1.0, 0.5, 1.0, steps=600)
    assert np.abs(d(np.linspace(-1.5, 2.5, 100)) - 0.5).max() <= 0.05
    assert theory.value(d, p, p, GRID) == pytest.approx(-np.log(4), abs=0.02)


def test_jsd_of_disjoint_densities_is_log2():
    p, q = theory.gaussian_pdf(-50, 1), theory.gaussian_pdf(50, 1)
    grid = np.linspace(-60, 60, 20001)
    assert theory.jensen_shannon(p, q, grid) == pytest.approx(np.log(2),
                                                              abs=1e-6)
