"""DCGAN's defaults, k D steps, every loss, seeded samples, Keras' own
callbacks (its step, save / load, resume and export:
tests/models/test_harness.py)."""

import os

import keras
import numpy as np
import pytest

from tfgan_suite import data, models
from tests import tiny_models
from tests.conftest import pattern_images


def test_d_steps_gives_k_discriminator_updates_per_generator_update():
    gan = tiny_models.eager("dcgan", d_steps=2)
    source = data.from_arrays(pattern_images(64, 28, 28, 1), name="tiny")
    gan.fit(data.build(source, batch_size=32), epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 2
    assert int(gan.d_optimizer.iterations) == 4


def test_batch_not_a_multiple_of_d_steps():
    gan = tiny_models.eager("dcgan", d_steps=3)
    source = data.from_arrays(pattern_images(16, 28, 28, 1), name="tiny")
    with pytest.raises(ValueError, match="batch_size: 16 is not a multiple of "
                                         "d_steps=3"):
        gan.fit(data.build(source, batch_size=16), epochs=1, verbose=0)


@pytest.mark.parametrize("loss", ["minimax", "least_squares", "hinge",
                                  "wasserstein_gp"])
def test_every_loss_trains(loss, tiny_dataset):
    gan = tiny_models.tiny("dcgan")
    gan.compile(run_eagerly=True, loss=loss)
    history = gan.fit(tiny_dataset.take(2), epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])


def test_generate_is_reproducible_and_in_range(tiny_dcgan):
    a = tiny_dcgan.generate(5, seed=7)
    assert a.shape == (5, 28, 28, 1) and a.dtype == np.float32
    assert np.abs(a).max() <= 1.0
    np.testing.assert_array_equal(a, tiny_dcgan.generate(5, seed=7))
    # Image i comes from seed + i, whatever the batch (convolutions may
    # round differently for other batch sizes).
    np.testing.assert_allclose(a[2:], tiny_dcgan.generate(3, seed=9),
                               atol=1e-6)
    assert not np.allclose(a, tiny_dcgan.generate(5, seed=8))


def test_compile_defaults_follow_radford_et_al(tiny_dcgan):
    assert tiny_dcgan.adversarial_loss.name == "non_saturating"
    for opt in (tiny_dcgan.g_optimizer, tiny_dcgan.d_optimizer):
        assert isinstance(opt, keras.optimizers.Adam)
        assert float(opt.learning_rate) == pytest.approx(2e-4)
        assert opt.beta_1 == 0.5
    assert tiny_dcgan.jit_compile is False  # no GPU here: XLA stays off.


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="latent_dim: expected a positive"):
        models.DCGAN(latent_dim=0)
    with pytest.raises(ValueError, match="d_steps: expected a positive"):
        models.DCGAN(d_steps=0)
    with pytest.raises(ValueError, match="model: expected one of"):
        models.get("stylegan")
    with pytest.raises(ValueError, match="d_norm: expected one of"):
        models.DCGAN(d_norm="instance")


@pytest.mark.parametrize("name", ["dcgan", "cgan"])
def test_d_norm_builds_d_without_batch_norm_and_is_kept(name):
    gan = tiny_models.tiny(name, d_norm=None)
    kinds = {type(layer).__name__ for layer in gan.discriminator.layers}
    assert "BatchNormalization" not in kinds
    assert "BatchNormalization" in {type(layer).__name__
                                    for layer in gan.generator.layers}
    restored = type(gan).from_config(gan.get_config())
    assert restored.d_norm is None
    assert "BatchNormalization" not in {
        type(layer).__name__ for layer in restored.discriminator.layers}


@pytest.mark.parametrize("name", ["dcgan", "cgan"])
def test_d_final_convs_end_d_with_stride_1_convolutions_that_train(name):
    def convs(gan):
        return [layer for layer in gan.discriminator.layers
                if isinstance(layer, keras.layers.Conv2D)]
    assert {c.strides for c in convs(tiny_models.tiny(name))} == {(2, 2)}
    gan = tiny_models.eager(name, d_final_convs=2)
    *strided, first, second = convs(gan)
    assert {c.strides for c in strided} == {(2, 2)}
    for conv in (first, second):
        assert conv.strides == (1, 1) and conv.kernel_size == (3, 3)
        assert conv.filters == strided[-1].filters
    assert first.output.shape == strided[-1].output.shape
    before = first.kernel.numpy().copy()
    source = data.from_arrays(
        pattern_images(32, 28, 28, 1), name="tiny",
        labels=np.arange(32) % 3 if name == "cgan" else None)
    gan.fit(data.build(source, batch_size=32), epochs=1, verbose=0)
    assert not np.allclose(first.kernel.numpy(), before)
    restored = type(gan).from_config(gan.get_config())
    assert restored.d_final_convs == 2
    assert (restored.discriminator.count_params()
            == gan.discriminator.count_params())
    for bad in (-1, 1.5, "1"):
        with pytest.raises(ValueError, match="d_final_convs: expected a "
                                             "non-negative integer"):
            tiny_models.tiny(name, d_final_convs=bad)


@pytest.mark.parametrize("callback", ["checkpoint", "backup", "tensorboard"])
def test_standard_keras_callbacks(callback, tmp_path, tiny_dataset):
    gan = tiny_models.eager("dcgan", seed=1)
    cb = {
        "checkpoint": lambda: keras.callbacks.ModelCheckpoint(
            str(tmp_path / "ckpt.keras")),
        "backup": lambda: keras.callbacks.BackupAndRestore(
            str(tmp_path / "backup"), delete_checkpoint=False),
        "tensorboard": lambda: keras.callbacks.TensorBoard(
            str(tmp_path / "tb")),
    }[callback]()
    gan.fit(tiny_dataset, epochs=1, verbose=0, callbacks=[cb])
    if callback == "checkpoint":
        loaded = keras.models.load_model(str(tmp_path / "ckpt.keras"))
        assert int(loaded.g_optimizer.iterations) == 4
    elif callback == "backup":
        # A new model restoring from the backup resumes at epoch 1 with the
        # trained weights and optimizer state.
        fresh = tiny_models.eager("dcgan")
        restore = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
        history = fresh.fit(tiny_dataset, epochs=2, verbose=0,
                            callbacks=[restore])
        assert len(history.history["d_loss"]) == 1  # only epoch 2 ran
        assert int(fresh.g_optimizer.iterations) == 8
    else:
        assert os.listdir(tmp_path / "tb")


def test_the_image_shape_argument_is_the_models_data_shape():
    gan = models.DCGAN(image_shape=(32, 32, 3), latent_dim=4, filters=4)
    assert gan.data_shape == (32, 32, 3) and not hasattr(gan, "image_shape")
    config = gan.get_config()
    assert config["image_shape"] == (32, 32, 3) and "data_shape" not in config
    assert models.DCGAN.from_config(config).data_shape == (32, 32, 3)
