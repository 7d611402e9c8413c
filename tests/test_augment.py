"""DiffAugment and ADA (tfgan_suite/augment.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import augment


def images(n=8, h=16, w=12, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return tf.constant(rng.uniform(-1, 1, (n, h, w, c)).astype("float32"))


@pytest.mark.parametrize("policy", ["color", "translation", "cutout",
                                    "cutout,color,translation"])
def test_shapes_kept_change_made_gradients_flow(policy):
    layer = augment.Augment(policy, seed=1)
    x = images()
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        total = tf.reduce_sum(y * y)
    assert y.shape == x.shape
    assert float(tf.reduce_max(tf.abs(y - x))) > 0.05
    grad = tape.gradient(total, x)
    assert grad is not None and float(tf.reduce_sum(tf.abs(grad))) > 0


def test_translation_shifts_with_zero_padding():
    x = tf.ones((64, 16, 16, 1))
    y = augment.translation(x, keras.random.SeedGenerator(0),
                            tf.ones((64, 1, 1, 1), bool)).numpy()
    zero_rows = (y == 0).all(axis=2)[..., 0].sum(axis=1)
    zero_cols = (y == 0).all(axis=1)[..., 0].sum(axis=1)
    # at most 1/8 of 16 = 2 rows or columns shifted in, some shifts nonzero
    assert zero_rows.max() <= 2 and zero_cols.max() <= 2
    assert (zero_rows + zero_cols).max() > 0
    assert set(np.unique(y)) <= {0.0, 1.0}


def test_cutout_zeroes_a_square_of_half_the_side():
    x = tf.ones((16, 16, 16, 1))
    y = augment.cutout(x, keras.random.SeedGenerator(0),
                       tf.ones((16, 1, 1, 1), bool)).numpy()
    zeros = (y == 0).sum(axis=(1, 2, 3))
    assert zeros.max() == 64  # 8 x 8 fully inside
    assert zeros.min() >= 16  # clipped at a corner: at least 4 x 4


def test_both_halves_of_a_pair_get_the_same_draw():
    layer = augment.Augment("color,translation,cutout", seed=3)
    x = images(c=3)
    a, b = layer([x, x])
    np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


def test_unknown_policy_is_an_error():
    with pytest.raises(ValueError, match="augment: expected None, 'ada' or "
                                         "a comma list"):
        augment.Augment("colour")


@pytest.mark.parametrize("real_logit, moves", [(5.0, 1), (-5.0, -1)])
def test_ada_p_follows_the_overfitting_heuristic(real_logit, moves):
    layer = augment.Augment("ada", seed=0)
    layer.p.assign(0.5)
    for _ in range(augment.ADA_INTERVAL * 3):
        layer.observe(tf.fill((64, 1), real_logit))
    # D calls every real image real (r_t = 1 > 0.6): more augmentation;
    # D calls them fake (r_t = -1): less. 3 adjustments of 256 images each.
    expected = 0.5 + moves * 3 * 256 / augment.ADA_SPEED_IMAGES
    assert float(layer.p.numpy()) == pytest.approx(expected)


def test_ada_kimg_sets_the_speed_of_p():
    layer = augment.Augment("ada", seed=0, ada_kimg=100)
    for _ in range(augment.ADA_INTERVAL):
        layer.observe(tf.fill((64, 1), 5.0))
    # One adjustment of 256 images, at 100k images from p = 0 to 1.
    assert float(layer.p.numpy()) == pytest.approx(256 / 100_000)
    assert augment.Augment.from_config(layer.get_config()).ada_kimg == 100


def test_sign_mean_is_r_t_of_a_batch():
    # Two images of a 2x2 patch D: all real, and half real.
    logits = tf.constant([[[1.0, 2.0], [3.0, 4.0]], [[1.0, -1.0], [2.0, -2.0]]])
    assert float(augment.sign_mean(logits)) == pytest.approx((1 + 0) / 2)
    assert float(augment.sign_mean(-tf.ones((5, 1)))) == -1.0


def test_ada_applies_nothing_at_p_zero_and_everything_at_p_one():
    layer = augment.Augment("ada", seed=0)
    x = images()
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())
    layer.p.assign(1.0)
    assert float(tf.reduce_max(tf.abs(layer(x) - x))) > 0.05


def test_the_layer_is_registered_and_round_trips():
    assert keras.saving.get_registered_object(
        "tfgan_suite>Augment") is augment.Augment
    layer = augment.Augment("ada", seed=2, ada_kimg=100)
    again = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer))
    assert type(again) is augment.Augment
    assert again.get_config() == layer.get_config()


def test_without_augmentation_d_sees_x_and_ada_observes_nothing():
    _, _, none = augment.for_model(None)
    x = images()
    assert none(x) is x and not none.adaptive
    assert none.observe(tf.ones((8, 1))) is None


def test_autograph_converts_the_augmenters_a_step_calls():
    """AutoGraph converts what a step calls; a method it cannot convert
    prints a warning in every user's training run."""
    for method in (augment.NoAugment().observe, augment.NoAugment().__call__):
        tf.autograph.to_graph(method)
