import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import losses

REAL = np.array([2.0, -1.0, 0.5, 3.0], np.float32)
FAKE = np.array([-2.0, 0.3, 1.0, -0.5], np.float32)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def by_hand(name):
    """(D loss, G loss) computed with numpy from the formulas of the papers."""
    d_real, d_fake = sigmoid(REAL), sigmoid(FAKE)
    if name in ("minimax", "non_saturating"):
        d = -np.mean(np.log(d_real)) - np.mean(np.log(1 - d_fake))
        g = (np.mean(np.log(1 - d_fake)) if name == "minimax"
             else -np.mean(np.log(d_fake)))
    elif name == "least_squares":
        d = np.mean((REAL - 1) ** 2) / 2 + np.mean(FAKE ** 2) / 2
        g = np.mean((FAKE - 1) ** 2) / 2
    elif name == "hinge":
        d = np.mean(np.maximum(0, 1 - REAL)) + np.mean(np.maximum(0, 1 + FAKE))
        g = -np.mean(FAKE)
    elif name == "wasserstein_gp":
        d, g = np.mean(FAKE) - np.mean(REAL), -np.mean(FAKE)
    elif name == "relativistic":  # softplus(t) = log(1 + e^t), pairwise.
        d = np.mean(np.log1p(np.exp(-(REAL - FAKE))))
        g = np.mean(np.log1p(np.exp(-(FAKE - REAL))))
    return d, g


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_losses_match_the_formulas(name):
    loss = losses.get(name)
    d_expected, g_expected = by_hand(name)
    np.testing.assert_allclose(loss.discriminator(REAL, FAKE), d_expected,
                               rtol=1e-5)
    g_loss = (loss.generator(FAKE, REAL) if loss.relativistic
              else loss.generator(FAKE))
    np.testing.assert_allclose(g_loss, g_expected, rtol=1e-5)


def test_minimax_at_chance_is_2_log_2():
    # D(x) = 1/2 everywhere: each of the two terms is log 2 (Goodfellow eq. 1).
    zeros = np.zeros(8, np.float32)
    np.testing.assert_allclose(losses.minimax_discriminator_loss(zeros, zeros),
                               2 * np.log(2), rtol=1e-6)


def test_gradient_penalty_of_a_linear_critic():
    # D(x) = w . x has gradient w everywhere: penalty = (|w| - 1)^2.
    w = tf.constant([[3.0], [4.0]])
    real = tf.random.normal([16, 2])
    fake = tf.random.normal([16, 2])
    penalty = tf.function(lambda r, f: losses.gradient_penalty(
        lambda x: tf.matmul(x, w), r, f))(real, fake)
    np.testing.assert_allclose(penalty, (5.0 - 1.0) ** 2, rtol=1e-4)


def test_wasserstein_gp_carries_the_penalty_weight():
    assert losses.get("wasserstein_gp").gradient_penalty_weight == 10.0
    assert losses.get("hinge").gradient_penalty_weight == 0.0


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match="loss: expected one of .*hinge"):
        losses.get("hinje")


def test_gradient_penalty_draws_from_the_given_seed_generator_eagerly():
    import keras
    critic = lambda x: tf.reduce_sum(x * x, axis=[1, 2, 3])[:, None]
    real = tf.ones((4, 3, 3, 1))
    fake = -tf.ones((4, 3, 3, 1))
    first = losses.gradient_penalty(critic, real, fake,
                                    seed=keras.random.SeedGenerator(7))
    again = losses.gradient_penalty(critic, real, fake,
                                    seed=keras.random.SeedGenerator(7))
    other = losses.gradient_penalty(critic, real, fake,
                                    seed=keras.random.SeedGenerator(8))
    assert float(first) == float(again) != float(other)


def test_gradient_penalty_of_packs_is_on_the_whole_pack():
    # A packed critic D(p) = w . p on packs of 2 points (p in R^4): its
    # gradient per pack is w, so the penalty is (|w| - 1)^2 = 4^2, where
    # per point (|w[:2]| = |w[2:]| = sqrt(8)) it would differ.
    w = tf.constant([[2.0], [2.0], [2.0], [2.0]])
    real = tf.random.normal([16, 2])
    fake = tf.random.normal([16, 2])
    critic = lambda x: tf.matmul(tf.reshape(x, [-1, 4]), w)
    penalty = losses.gradient_penalty(critic, real, fake, pack=2)
    np.testing.assert_allclose(penalty, (4.0 - 1.0) ** 2, rtol=1e-4)
