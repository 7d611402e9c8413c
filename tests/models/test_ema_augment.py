"""The EMA generator and augmentation on the models (base.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_suite as tgs
from tests.conftest import pattern_images


def tiny_data():
    return tgs.data.build(tgs.data.from_arrays(pattern_images(32, 28, 28, 1)),
                          batch_size=8, seed=0)


def test_samples_come_from_the_ema_generator_and_survive_saving(tmp_path):
    gan = tgs.models.DCGAN(latent_dim=4, filters=4, seed=0, ema_kimg=0.01,
                           augment="translation,cutout")
    gan.compile(run_eagerly=True)
    gan.fit(tiny_data().take(2), verbose=0)
    z = gan.latent_from_seeds(np.arange(3))
    np.testing.assert_array_equal(
        gan.generate(3, seed=0), gan.ema_generator(z, training=False).numpy())
    gan.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras")
    assert loaded.augment == "translation,cutout" and loaded.ema_kimg == 0.01
    np.testing.assert_array_equal(loaded.generate(3, seed=0),
                                  gan.generate(3, seed=0))
    path = tgs.serving.export_saved_model(gan, str(tmp_path / "sm" / "g"))
    tgs.serving.verify(path, gan, cli=False)


def test_augmentation_changes_what_d_sees_but_not_a_plain_model():
    x = tf.constant(pattern_images(4, 28, 28, 1), tf.float32) / 127.5 - 1
    plain = tgs.models.DCGAN(latent_dim=4, filters=4)
    np.testing.assert_array_equal(plain.augmenter(x).numpy(), x.numpy())
    augmented = tgs.models.DCGAN(latent_dim=4, filters=4,
                                 augment="color,translation,cutout")
    assert float(tf.reduce_max(tf.abs(augmented.augmenter(x) - x))) > 0.05


@pytest.mark.parametrize("args, message", [
    ({"ema_kimg": 0}, "ema_kimg: expected None or the half-life of the "
                      "average in thousands of images"),
    ({"ema_kimg": 10, "ema_rampup": -1}, "ema_rampup: expected None or a "
                                         "ramp-up coefficient > 0"),
    ({"ema_rampup": 0.1}, "ema_rampup: shapes the EMA generator, which "
                          "ema_kimg turns on"),
    ({"ema_start": 5}, "ema_start: shapes the EMA generator"),
    ({"augment": "flip"}, "augment: expected None, 'ada'"),
    ({"ada_kimg": 100}, "ada_kimg: sets ADA's speed, used with "
                        "augment='ada' only, got augment=None"),
    ({"augment": "ada", "ada_kimg": 0}, "ada_kimg: expected thousands of "
                                        "images")])
def test_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        tgs.models.DCGAN(latent_dim=4, filters=4, **args)


def test_ada_p_is_a_health_value_only_with_ada():
    batch = next(iter(tiny_data()))
    ada = tgs.models.DCGAN(latent_dim=4, filters=4, augment="ada")
    ada.compile(run_eagerly=True)
    ada.augmenter.p.assign(0.25)
    assert tgs.training.callbacks.diagnose(ada, batch)[0]["ada_p"] == 0.25
    fixed = tgs.models.DCGAN(latent_dim=4, filters=4, augment="translation")
    fixed.compile(run_eagerly=True)
    assert "ada_p" not in tgs.training.callbacks.diagnose(fixed, batch)[0]


def test_ada_kimg_is_kept_with_the_model():
    gan = tgs.models.DCGAN(latent_dim=4, filters=4, augment="ada",
                           ada_kimg=100)
    again = tgs.models.DCGAN.from_config(gan.get_config())
    assert again.ada_kimg == 100 and again.augmenter.ada_kimg == 100


def test_the_ema_arguments_are_stylegan2_adas():
    args = tgs.models.DCGAN.init_args()
    assert (args["ema_kimg"], args["ema_rampup"]) == (None, 0.05)
    assert "ema_decay" not in args  # renamed, no alias.
    gan = tgs.models.DCGAN(latent_dim=4, filters=4, ema_kimg=40)
    again = tgs.models.DCGAN.from_config(gan.get_config())
    assert (again.ema_kimg, again.ema_rampup) == (40.0, 0.05)
