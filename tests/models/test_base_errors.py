"""Bad use of a model in user code: one clear ValueError each."""

import numpy as np
import pytest
import tensorflow as tf

import tfgan_suite as tgs


@pytest.mark.parametrize("n", [0, -1, 2.5])
def test_generate_needs_a_positive_count(n):
    gan = tgs.models.DCGAN(latent_dim=4, filters=4)
    with pytest.raises(ValueError, match="n: expected a positive number"):
        gan.generate(n)


def test_uint8_images_are_refused_with_the_fix():
    gan = tgs.models.DCGAN(latent_dim=4, filters=4)
    gan.compile()
    images = tf.data.Dataset.from_tensor_slices(
        np.zeros((32, 28, 28, 1), np.uint8)).batch(16)
    with pytest.raises(ValueError, match="got uint8; convert uint8 images "
                                         "with tgs.data.to_float"):
        gan.fit(images, verbose=0)


def test_batch_not_divisible_by_d_steps():
    gan = tgs.models.GAN(d_steps=3, latent_dim=2, hidden=(8,))
    gan.compile()
    points = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    with pytest.raises(ValueError, match="batch_size: 16 is not a multiple "
                                         "of d_steps=3"):
        gan.fit(points, batch_size=16, verbose=0)


def test_examples_of_another_shape_are_one_error_naming_both():
    gan = tgs.models.DCGAN(image_shape=(28, 28, 1), latent_dim=4, filters=4)
    gan.compile()
    rgb = np.zeros((32, 28, 28, 3), np.float32)
    with pytest.raises(ValueError, match=r"dataset: DCGAN takes examples of "
                                         r"shape \(28, 28, 1\), the data's "
                                         r"are \(28, 28, 3\)"):
        gan.fit(rgb, batch_size=16, verbose=0)


@pytest.mark.parametrize("model", [
    lambda: tgs.models.DCGAN(latent_dim=4, filters=4),
    lambda: tgs.models.Pix2Pix(image_shape=(32, 32, 3), filters=4)])
def test_a_one_way_model_refuses_a_direction(model):
    model = model()
    assert model.output_net() is model.generator
    name = type(model).__name__
    with pytest.raises(ValueError, match=rf"^direction: {name} makes its "
                                         rf"outputs one way \(no direction\),"
                                         rf" got 'a_to_b'$"):
        model.output_net("a_to_b")
    if name == "Pix2Pix":
        with pytest.raises(ValueError, match=f"^direction: {name} makes"):
            model.uint8_translation("a_to_b")


@pytest.mark.parametrize("model", [tgs.models.Pix2Pix, tgs.models.CycleGAN])
def test_a_translator_refuses_a_value_range_its_step_ignores(model):
    model(image_shape=(32, 32, 1), filters=4, value_range=(-1, 1))
    with pytest.raises(ValueError, match=rf"^value_range: {model.__name__} "
                                         rf"trains on images in \[-1, 1\].*"
                                         rf"\(0.0, 1.0\) would be recorded "
                                         rf"and ignored; drop value_range$"):
        model(image_shape=(32, 32, 1), filters=4, value_range=(0, 1))
    # Refused before the nets are built: a shape they cannot take is not
    # what the user hears of.
    with pytest.raises(ValueError, match=r"^value_range: "):
        model(image_shape=(7, 7, 1), filters=4, value_range=(0, 1))


def test_a_model_of_noise_translates_nothing():
    gan = tgs.models.DCGAN(latent_dim=4, filters=4)
    with pytest.raises(ValueError, match="^uint8_translation: DCGAN makes "
                                         "samples from noise; it translates "
                                         "no images$"):
        gan.translate_uint8(np.zeros((1, 28, 28, 1), np.uint8))


def test_two_way_scores_refuse_a_one_way_translator():
    pix = tgs.models.Pix2Pix(image_shape=(32, 32, 1), filters=4)
    with pytest.raises(ValueError, match="^dataset: edges holds unpaired "
                                         "images of two domains; expected a "
                                         "model that translates between "
                                         "them, got Pix2Pix$"):
        tgs.metrics.evaluation.evaluate_two_way(pix, "edges")


def test_pix2pix_translates_uint8_as_its_signature_serves():
    pix = tgs.models.Pix2Pix(image_shape=(32, 32, 1), filters=4)
    images = np.random.default_rng(0).integers(0, 256, (3, 32, 32, 1),
                                               dtype=np.uint8)
    served = pix.uint8_translation()(tf.constant(images)).numpy()
    np.testing.assert_array_equal(pix.translate_uint8(images, batch_size=2),
                                  served)
