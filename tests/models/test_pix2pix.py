"""pix2pix's own parts: learning a mapping, bad input, G's objective
without D (its steps, save / load, resume and export with its image and
bytes signatures: tests/models/test_harness.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import data, metrics, models


@pytest.fixture
def pix2pix():
    gan = models.Pix2Pix(image_shape=(64, 64, 3), filters=8, seed=0)
    gan.compile()
    return gan


def test_training_reduces_l1_on_a_learnable_mapping(pix2pix, pairs_dir):
    test = data.build(data.get_source("pairs", split="test",
                                      data_dir=pairs_dir, image_size=64),
                      batch_size=4, shuffle=False)
    before = metrics.evaluate_translation(pix2pix.translate_uint8, test)
    train = data.load("pairs", split="train", data_dir=pairs_dir,
                      image_size=64, batch_size=2, repeat=True, seed=0)
    pix2pix.compile(g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5))
    history = pix2pix.fit(train, steps_per_epoch=40, epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "g_gan_loss",
                                    "g_l1_loss"}
    logs = {k: v[-1] for k, v in history.history.items()}
    assert logs["g_loss"] == pytest.approx(
        logs["g_gan_loss"] + 100 * logs["g_l1_loss"], rel=1e-4)
    after = metrics.evaluate_translation(pix2pix.translate_uint8, test)
    assert after["l1"] < 0.7 * before["l1"], (before, after)
    assert after["psnr"] > before["psnr"]


def test_bad_input(pix2pix):
    with pytest.raises(ValueError, match=r"inputs: expected images of shape "
                                         r"\(N, 64, 64, 3\)"):
        pix2pix.translate(np.zeros((1, 32, 32, 3), np.float32))
    with pytest.raises(ValueError, match="use translate"):
        pix2pix.generate(2)
    single = tf.data.Dataset.from_tensor_slices(
        np.zeros((4, 64, 64, 3), np.float32)).batch(2)
    with pytest.raises(ValueError, match=r"trains on \(input, target\)"):
        pix2pix.fit(single, epochs=1, verbose=0)


def test_gan_weight_zero_trains_g_on_l1_alone():
    """With gan_weight=0 G's step ignores D: two models that differ only in
    D's weights take the same G step (with 1 they do not). The steps run
    eagerly: the same `train_step` `fit` traces, without four tracings."""
    x = tf.random.stateless_uniform((2, 32, 32, 1), (0, 1), -1, 1)
    steps = {}
    for gan_weight in (0.0, 1.0):
        generators = []
        for d_scale in (1.0, 3.0):
            keras.utils.set_random_seed(0)
            gan = models.Pix2Pix(image_shape=(32, 32, 1), filters=4,
                                 gan_weight=gan_weight)
            gan.compile()
            for w in gan.discriminator.trainable_weights:
                w.assign(w * d_scale)
            logs = {k: float(v) for k, v in gan.train_step(
                (x, -x)).items()}
            generators.append(gan.generator.get_weights())
        steps[gan_weight] = all(np.allclose(a, b) for a, b in
                                zip(*generators))
        assert logs["g_loss"] == pytest.approx(
            gan_weight * logs["g_gan_loss"] + 100 * logs["g_l1_loss"],
            rel=1e-5)
        assert models.Pix2Pix.from_config(
            gan.get_config()).gan_weight == gan_weight
    assert steps == {0.0: True, 1.0: False}
