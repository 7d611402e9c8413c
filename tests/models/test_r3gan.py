"""R3GAN (Huang et al. 2024) at tiny shapes: its nets, its step against the
losses of `tgs.losses`, conditioning (its compiled steps, save / load,
resume and export, conditional too: tests/models/test_harness.py)."""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import losses, models
from tfgan_suite.nets import r3gan as nets
from tests import tiny_models

#: The tiny R3GAN (28x28x1, one block per stage), compiled to run eagerly.
tiny = functools.partial(tiny_models.eager, "r3gan", seed=0)


def images(n=8, seed=0):
    return np.random.default_rng(seed).uniform(
        -1, 1, (n, 28, 28, 1)).astype("float32")


def weights(net):
    return [w.numpy().copy() for w in net.trainable_weights]


def test_registered_with_the_papers_defaults():
    assert models.MODELS["r3gan"] is models.R3GAN
    gan = tiny()
    assert gan.adversarial_loss.name == "relativistic"
    for optimizer in (gan.g_optimizer, gan.d_optimizer):
        assert float(optimizer.beta_1) == 0.0
        assert float(optimizer.beta_2) == pytest.approx(0.99)
    with pytest.raises(ValueError, match="R3GAN trains with relativistic"):
        gan.compile(loss="hinge")
    assert models.presets.get("fashion_mnist_r3gan")["model_class"] is (
        models.R3GAN)


def test_nets_have_no_normalization_and_start_as_identity_blocks():
    gan = tiny(blocks=2, filters=8, expansion=2, group_size=4)
    for net in (gan.generator, gan.discriminator):
        kinds = {type(layer).__name__ for layer in net.layers}
        assert not any("Normalization" in kind for kind in kinds), kinds
        projections = [l for l in net.layers if l.name.endswith("_project")]
        assert len(projections) == 2 * 3  # 2 blocks x 3 stages (7, 14, 28)
        for layer in projections:  # each residual branch starts at zero.
            assert not np.any(layer.kernel.numpy())
        # 16 channels in groups of 4: four 3x3 convs of 4 -> 4 channels.
        groups = [l for l in net.layers
                  if l.name.startswith("stage0_block0_grouped")
                  and isinstance(l, keras.layers.Conv2D)]
        assert [tuple(l.kernel.shape) for l in groups] == [(3, 3, 4, 4)] * 4
    # Stages 7 -> 14 -> 28: widths double away from the image.
    assert gan.generator.get_layer("basis").output.shape[1:] == (7, 7, 32)
    assert gan.generator.output.shape[1:] == (28, 28, 1)


def test_downsample_is_the_bilinear_low_pass():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    y = nets.Downsample()(x).numpy()[0, :, :, 0]
    taps = np.array([1, 3, 3, 1]) / 8
    padded = np.pad(x[0, :, :, 0], 1, mode="symmetric")
    expected = [[taps @ padded[2 * i:2 * i + 4, 2 * j:2 * j + 4] @ taps
                 for j in range(2)] for i in range(2)]
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    # A constant image stays constant (borders included).
    np.testing.assert_allclose(nets.Downsample()(np.ones((1, 6, 6, 2))),
                               np.ones((1, 3, 3, 2)), rtol=1e-6)


def test_step_losses_equal_the_losses_functions():
    """The logged values are RpGAN + gamma/2 (R1 + R2) on D's logits before
    its update, and RpGAN for G after it, on the same noise."""
    gan = tiny(r1_gamma=0.5, r2_gamma=0.5)
    real = images()
    g0, d0 = weights(gan.generator), weights(gan.discriminator)
    state = gan.noise.state.numpy().copy()
    logs = {k: float(v) for k, v in gan.train_step(real).items()}
    d1 = gan.discriminator.get_weights()

    def rebuild(g_weights, d_weights):
        gan.generator.set_weights(g_weights)
        gan.discriminator.set_weights(d_weights)

    rebuild(g0, d0)
    gan.noise.state.assign(state)
    critic = lambda x: gan.discriminator(x, training=True)
    fake = gan.generator(gan.sample_latent(8), training=True)
    real_logits, fake_logits = critic(real), critic(fake)
    r1 = losses.r1_penalty(critic, real)
    r2 = losses.r2_penalty(critic, fake)
    d_loss = losses.relativistic_discriminator_loss(real_logits, fake_logits)
    np.testing.assert_allclose(logs["r1"], r1, rtol=1e-4)
    np.testing.assert_allclose(logs["r2"], r2, rtol=1e-4)
    np.testing.assert_allclose(logs["d_loss"], d_loss + 0.25 * (r1 + r2),
                               rtol=1e-4)
    rebuild(g0, d1)  # G's step sees D after its update, G before its own.
    fake = gan.generator(gan.sample_latent(8), training=True)
    g_loss = losses.relativistic_generator_loss(critic(fake), critic(real))
    np.testing.assert_allclose(logs["g_loss"], g_loss, rtol=1e-4)


def test_one_step_changes_both_nets_and_the_ema():
    gan = tiny(ema_kimg=0.01)
    before = {net: weights(getattr(gan, net))
              for net in ("generator", "discriminator", "ema_generator")}
    gan.train_on_batch(images())  # the step, then the suite's EMA update.
    for net, old in before.items():
        assert any(not np.array_equal(a, b) for a, b in
                   zip(old, weights(getattr(gan, net)))), net
    assert int(gan.g_optimizer.iterations) == 1
    assert int(gan.d_optimizer.iterations) == 1


def test_conditional_r3gan_generates_the_requested_labels():
    gan = tiny(num_classes=3)
    assert gan.data_kind() == "labelled"
    assert [tuple(x.shape) for x in gan.discriminator.inputs] == [
        (None, 28, 28, 1), (None,)]
    logs = gan.train_step((tf.constant(images()), tf.constant(np.arange(8) % 3)))
    assert all(np.isfinite(float(v)) for v in logs.values())
    a = gan.generate(4, seed=0, labels=[2, 2, 2, 2])
    assert a.shape == (4, 28, 28, 1)
    assert not np.allclose(a, gan.generate(4, seed=0, labels=0))


def test_bad_arguments():
    with pytest.raises(ValueError, match="r1_gamma: expected a finite weight "
                                         ">= 0"):
        models.R3GAN(r1_gamma=-1.0)
    with pytest.raises(ValueError, match="num_classes: expected None or at "
                                         "least 2"):
        models.R3GAN(num_classes=1)
    with pytest.raises(ValueError, match="group_size"):
        tiny(filters=25, group_size=16)  # 50 channels in 3 groups.
    with pytest.raises(ValueError, match="image_shape"):
        tiny(image_shape=(30, 30, 1))
