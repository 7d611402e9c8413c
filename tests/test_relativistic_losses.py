"""RpGAN and the zero-centred gradient penalties R1 / R2 (Huang et al. 2024),
against numpy on fixed numbers and critics of known gradient."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import losses

REAL = np.array([[2.0], [-1.0], [0.5], [3.0]], np.float32)
FAKE = np.array([[-2.0], [0.3], [1.0], [-0.5]], np.float32)
X = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]], np.float32)
A = np.array([0.5, -1.0, 2.0], np.float32)


def softplus(t):
    return np.log1p(np.exp(t))


def quadratic(x):
    """D(x) = sum_j a_j x_j^2, so grad_x D = 2 a x."""
    return tf.reduce_sum(tf.constant(A) * tf.square(x), axis=1, keepdims=True)


def test_relativistic_losses_pair_reals_with_fakes():
    np.testing.assert_allclose(
        losses.relativistic_discriminator_loss(REAL, FAKE),
        np.mean(softplus(-(REAL - FAKE))), rtol=1e-6)
    np.testing.assert_allclose(
        losses.relativistic_generator_loss(FAKE, REAL),
        np.mean(softplus(-(FAKE - REAL))), rtol=1e-6)
    # Pairs, not means: reordering the fakes changes the loss.
    assert not np.isclose(
        float(losses.relativistic_discriminator_loss(REAL, FAKE[::-1])),
        float(losses.relativistic_discriminator_loss(REAL, FAKE)))
    # Equal scores: log 2 on both sides.
    np.testing.assert_allclose(
        losses.relativistic_discriminator_loss(REAL, REAL), np.log(2),
        rtol=1e-6)


def test_relativistic_generator_loss_without_real_logits_is_one_error():
    loss = losses.get("relativistic")
    assert loss.relativistic and not loss.probabilistic
    with pytest.raises(ValueError, match="takes \\(fake_logits, real_logits"):
        loss.generator(FAKE)
    # The other losses' G takes fake logits only.
    assert not any(l.relativistic for n, l in losses.LOSSES.items()
                   if n != "relativistic")


def test_penalties_of_a_quadratic_critic():
    expected = np.mean(np.sum((2 * A * X) ** 2, axis=1))
    np.testing.assert_allclose(losses.r1_penalty(quadratic, X), expected,
                               rtol=1e-6)
    np.testing.assert_allclose(losses.r2_penalty(quadratic, X), expected,
                               rtol=1e-6)
    logits, penalty = losses.logits_and_gradient_norm(quadratic, X)
    np.testing.assert_allclose(logits, np.sum(A * X ** 2, 1, keepdims=True),
                               rtol=1e-6)
    np.testing.assert_allclose(penalty, expected, rtol=1e-6)


def test_lazy_penalty_on_every_nth_step_times_n():
    expected = np.mean(np.sum((2 * A * X) ** 2, axis=1))
    lazy = tf.function(losses.lazy_logits_and_gradient_norm)
    for step, want in ((0, 4 * expected), (1, 0.0), (3, 0.0),
                       (8, 4 * expected)):
        logits, penalty = lazy(quadratic, X, 4, tf.constant(step, tf.int64))
        np.testing.assert_allclose(penalty, want, rtol=1e-6)
        np.testing.assert_allclose(logits, np.sum(A * X ** 2, 1,
                                                  keepdims=True), rtol=1e-6)


def test_penalty_of_images_sums_over_pixels():
    # D(x) = sum(w * x) over H, W, C: the gradient is w for every example.
    w = np.arange(12, dtype=np.float32).reshape(2, 3, 2) / 10
    x = np.ones((5, 2, 3, 2), np.float32)
    critic = lambda x: tf.reduce_sum(tf.constant(w) * x, axis=[1, 2, 3])
    penalty = tf.function(losses.r1_penalty)(critic, x)
    np.testing.assert_allclose(penalty, np.sum(w ** 2), rtol=1e-6)


def test_penalty_of_a_conditional_critic():
    # D(x, y) = w_y . x: the gradient is the row of the example's label.
    w = np.array([[1.0, 2.0, 2.0], [0.0, 3.0, 4.0]], np.float32)
    labels = np.array([0, 1], np.int32)
    critic = lambda x: tf.reduce_sum(tf.gather(w, labels) * x, axis=1)
    np.testing.assert_allclose(losses.r1_penalty(critic, X),
                               (9.0 + 25.0) / 2, rtol=1e-6)


def test_penalty_differentiates_in_the_tape_of_the_update():
    # D(x) = w . x: R1 = |w|^2, so dR1/dw = 2 w, through the nested tape.
    w = tf.Variable([[3.0], [-4.0], [1.0]])
    with tf.GradientTape() as tape:
        r1 = losses.r1_penalty(lambda x: tf.matmul(x, w), X)
    np.testing.assert_allclose(r1, 26.0, rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(r1, w), 2 * w.numpy(),
                               rtol=1e-6)


def test_penalty_under_mixed_precision_is_float32():
    dense = keras.layers.Dense(1, use_bias=False, dtype="mixed_float16",
                               kernel_initializer=keras.initializers.Constant(
                                   [[0.5], [0.25], [-1.0]]))
    penalty = losses.r2_penalty(dense, X.astype(np.float16))
    assert penalty.dtype == tf.float32
    np.testing.assert_allclose(penalty, 0.25 + 0.0625 + 1.0, rtol=1e-3)


def test_r1_pulls_the_gradient_on_reals_toward_zero():
    """Descending R1 alone flattens D around the data: its gradient norm on
    the reals falls."""
    keras.utils.set_random_seed(0)
    critic = keras.Sequential([keras.Input((3,)),
                               keras.layers.Dense(16, activation="tanh"),
                               keras.layers.Dense(1)])
    real = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    optimizer = keras.optimizers.SGD(0.05)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            r1 = losses.r1_penalty(critic, real)
        optimizer.apply_gradients(zip(
            tape.gradient(r1, critic.trainable_variables),
            critic.trainable_variables))
        return r1

    first = float(step())
    for _ in range(100):
        last = float(step())
    assert first > 0.1 and last < 0.1 * first, (first, last)


@pytest.mark.parametrize("args", [{}, {"update": "simultaneous"},
                                  {"num_classes": 3}])
def test_every_gan_trains_with_the_relativistic_loss(args):
    from tests.conftest import pattern_images
    from tfgan_suite import data, models
    cls = models.CGAN if "num_classes" in args else models.DCGAN
    gan = cls(image_shape=(28, 28, 1), latent_dim=8, filters=4, seed=0,
              **args)
    gan.compile(loss="relativistic")
    images = pattern_images(32, 28, 28, 1)
    source = (data.from_arrays(images, labels=np.arange(32) % 3)
              if "num_classes" in args else data.from_arrays(images))
    history = gan.fit(data.build(source, batch_size=16, seed=0).take(2),
                      verbose=0)
    assert np.isfinite(history.history["g_loss"]).all()
    assert int(gan.step_counter.numpy()) == 2


def test_a_relativistic_generator_loss_needs_real_logits():
    from tfgan_suite import models
    gan = models.DCGAN(latent_dim=8, filters=4)
    gan.compile(loss="relativistic")
    with pytest.raises(ValueError, match="gives generator_loss no real "
                                         "logits"):
        gan.generator_loss(tf.zeros([4, 1]))
