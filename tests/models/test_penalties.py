"""R1 / R2 as arguments of every model whose step scores D through
`logits_and_penalty`; refused at start by a step that never does."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import losses, models
from tfgan_suite.training import contract


def dcgan(**args):
    return models.DCGAN(image_shape=(16, 16, 1), latent_dim=4, filters=4,
                        seed=1, **args)


@pytest.mark.parametrize("update", ["alternating", "simultaneous"])
def test_gan_step_adds_the_penalties(update):
    """D's logged loss is the loss + r1_gamma/2 R1 + r2_gamma/2 R2 of the
    `losses` functions, on D before its update and the same noise."""
    gan = dcgan(r1_gamma=0.4, r2_gamma=0.2, update=update)
    gan.compile(loss="relativistic")
    real = tf.random.uniform((4, 16, 16, 1), -1, 1, seed=0)
    d0, g0 = gan.discriminator.get_weights(), gan.generator.get_weights()
    state = gan.noise.state.numpy().copy()
    logs = gan.train_step(real)
    gan.discriminator.set_weights(d0)
    gan.generator.set_weights(g0)
    gan.noise.state.assign(state)
    critic = lambda x: gan.discriminator(x, training=True)
    fake = gan.generator(gan.sample_latent(4), training=True)
    want = (losses.relativistic_discriminator_loss(critic(real), critic(fake))
            + 0.2 * losses.r1_penalty(critic, real)
            + 0.1 * losses.r2_penalty(critic, fake))
    np.testing.assert_allclose(float(logs["d_loss"]), float(want), rtol=1e-4)
    # Without penalties the step's loss is the loss alone: they mattered.
    assert abs(float(want) - float(losses.relativistic_discriminator_loss(
        critic(real), critic(fake)))) > 1e-4


def test_lazy_penalty_every_nth_update_of_d_times_n():
    """penalty_interval=2: before D's 1st, 3rd, ... update the step adds
    gamma/2 * 2 * R1; before its 2nd, nothing (StyleGAN2's lazy R1)."""
    gan = dcgan(r1_gamma=0.4, penalty_interval=2)
    gan.compile(loss="hinge")
    real = tf.random.uniform((4, 16, 16, 1), -1, 1, seed=0)
    critic = lambda x: gan.discriminator(x, training=True)
    for times in (2, 0, 2):
        gan.reset_metrics()  # logs: this step's values, not a running mean
        d0, g0 = gan.discriminator.get_weights(), gan.generator.get_weights()
        state = gan.noise.state.numpy().copy()
        logs = gan.train_step(real)
        after = (gan.discriminator.get_weights(),
                 gan.generator.get_weights(), gan.noise.state.numpy().copy())
        gan.discriminator.set_weights(d0)
        gan.generator.set_weights(g0)
        gan.noise.state.assign(state)
        fake = gan.generator(gan.sample_latent(4), training=True)
        loss = losses.hinge_discriminator_loss(critic(real), critic(fake))
        want = loss + 0.2 * times * losses.r1_penalty(critic, real)
        np.testing.assert_allclose(float(logs["d_loss"]), float(want),
                                   rtol=1e-4)
        assert abs(float(want) - float(
            loss + 0.2 * (2 - times) * losses.r1_penalty(critic, real))) > 1e-4
        gan.discriminator.set_weights(after[0])
        gan.generator.set_weights(after[1])
        gan.noise.state.assign(after[2])
    assert int(gan.d_optimizer.iterations) == 3


def test_lazy_penalty_trains_under_xla(ops_not_deterministic):
    """The lazy penalty's tf.cond compiles with jit_compile=True (XLA, as
    on a GPU) and trains."""
    gan = dcgan(r1_gamma=10.0, penalty_interval=3)
    gan.compile(loss="hinge", jit_compile=True)
    assert gan.jit_compile
    real = tf.data.Dataset.from_tensor_slices(tf.random.uniform(
        (24, 16, 16, 1), -1, 1, seed=0)).batch(4, drop_remainder=True)
    logs = gan.fit(real, epochs=1, verbose=0).history
    assert int(gan.d_optimizer.iterations) == 6
    assert np.isfinite(logs["d_loss"][0])
    # Batches of no fixed size: one clear error, not XLA's.
    with pytest.raises(ValueError, match=r"penalty_interval: 3 under XLA "
                                         r"needs batches of one size "
                                         r"\(drop_remainder=True\)"):
        gan.fit(real.unbatch().batch(4), epochs=1, verbose=0)


def test_penalty_interval_without_a_penalty_is_refused():
    with pytest.raises(ValueError, match=r"^penalty_interval: 16 spaces out "
                                         r"the R1 / R2 penalties, but "
                                         r"r1_gamma and r2_gamma are 0"):
        dcgan(penalty_interval=16)
    for bad in (0, 2.5, "16"):
        with pytest.raises(ValueError, match="penalty_interval: expected a "
                                             "positive integer"):
            dcgan(r1_gamma=1.0, penalty_interval=bad)


def test_penalty_is_refused_by_a_step_that_never_applies_it():
    data = tf.data.Dataset.from_tensor_slices(
        np.zeros((8, 28, 28, 1), np.float32)).batch(4)
    wgan = models.WGANGP(filters=4, latent_dim=4, d_steps=1, r1_gamma=1.0)
    wgan.compile()
    with pytest.raises(ValueError, match=r"^r1_gamma: WGANGP.train_step never"
                                         r" calls the suite's "
                                         r"logits_and_penalty\(\)"):
        contract.check_step(wgan, data)
    gan = models.DCGAN(filters=4, latent_dim=4, r2_gamma=1.0)
    gan.compile()
    contract.check_step(gan, data)  # GAN's step applies it: no error.


def test_bad_penalty_weights():
    for bad in (-0.1, float("inf"), "1", True):
        with pytest.raises(ValueError, match="r2_gamma: expected a finite "
                                             "weight >= 0"):
            dcgan(r2_gamma=bad)
