"""The MLP GAN's own parts (its Algorithm 1 steps, save / load and
export: tests/models/test_harness.py, whose tiny GAN takes two D steps per
G step)."""

import numpy as np

from tfgan_suite import models


def test_maxout_takes_the_max_of_its_pieces():
    from tfgan_suite.nets.mlp import Maxout
    layer = Maxout(3, pieces=2)
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    out = layer(x).numpy()
    kernel, bias = [w.numpy() for w in layer.dense.weights]
    pieces = (x @ kernel + bias).reshape(4, 3, 2)
    # atol: float32 sums in another order differ by ~1e-8 near zero.
    np.testing.assert_allclose(out, pieces.max(-1), rtol=1e-5, atol=1e-6)
    assert Maxout.from_config(layer.get_config()).pieces == 2


def test_simultaneous_update_is_the_tutorials_step():
    """`update="simultaneous"` gives the weights of the TF tutorial's
    two-tape step on the same nets, data and noise."""
    import keras
    import tensorflow as tf
    from tfgan_suite import losses
    # DCGAN nets: no dropout, so the step is deterministic given z.
    real = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype(
        np.float32)
    gan = models.DCGAN(latent_dim=4, filters=4, seed=3, update="simultaneous")
    gan.compile(run_eagerly=True)
    g, d = keras.models.clone_model(gan.generator), keras.models.clone_model(
        gan.discriminator)
    g.set_weights(gan.generator.get_weights())
    d.set_weights(gan.discriminator.get_weights())
    # The model's first noise draw, from a fresh generator with its seed.
    z = keras.random.normal((16, 4), seed=keras.random.SeedGenerator(3))
    g_opt, d_opt = (keras.optimizers.Adam(2e-4, beta_1=0.5) for _ in "gd")
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        generated = g(z, training=True)
        real_logits = d(real, training=True)
        fake_logits = d(generated, training=True)
        g_loss = losses.non_saturating_generator_loss(fake_logits)
        d_loss = losses.minimax_discriminator_loss(real_logits, fake_logits)
    g_opt.apply_gradients(zip(g_tape.gradient(g_loss, g.trainable_variables),
                              g.trainable_variables))
    d_opt.apply_gradients(zip(d_tape.gradient(d_loss, d.trainable_variables),
                              d.trainable_variables))

    logs = gan.train_on_batch(real, return_dict=True)
    np.testing.assert_allclose(logs["g_loss"], g_loss.numpy(), rtol=1e-5)
    np.testing.assert_allclose(logs["d_loss"], d_loss.numpy(), rtol=1e-5)
    for ours, theirs in zip(gan.generator.weights + gan.discriminator.weights,
                            g.weights + d.weights):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-6)
    assert int(gan.d_optimizer.iterations) == int(gan.g_optimizer.iterations) == 1
    assert models.DCGAN.from_config(gan.get_config()).update == "simultaneous"
