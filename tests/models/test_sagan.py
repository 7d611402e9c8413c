import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import data, export, models


def tiny(**kwargs):
    gan = models.SAGAN(image_shape=(32, 32, 3), latent_dim=8, filters=8,
                       seed=0, **kwargs)
    gan.compile()
    return gan


@pytest.fixture
def horses(cifar_dir):
    source = data.get_source("cifar10", data_dir=cifar_dir, labels=True)
    return data.build(source, batch_size=8, seed=0)


def test_defaults_are_the_papers():
    gan = tiny()
    assert gan.adversarial_loss.name == "hinge"
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(4e-4)
    assert float(gan.g_optimizer.beta_1) == 0.0
    assert float(gan.d_optimizer.beta_2) == pytest.approx(0.9)
    assert gan.d_steps == 1 and gan.latent_dim == 8
    assert set(gan.attention_layers()) == {"generator", "discriminator"}


def test_train_steps_log_losses_and_learn_attention(horses):
    gan = tiny()
    history = gan.fit(horses.take(4), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"}
    assert np.isfinite(history.history["d_loss"]).all()
    assert int(gan.g_optimizer.iterations) == 4
    assert int(gan.d_optimizer.iterations) == 4
    # gamma starts at 0 and moves once the nets lean on attention.
    for layer in gan.attention_layers().values():
        assert float(layer.gamma) != 0.0


def test_save_load_round_trip(tmp_path, horses):
    gan = tiny()
    gan.fit(horses.take(1), epochs=1, verbose=0)
    path = str(tmp_path / "sagan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, models.SAGAN)
    assert loaded.get_config()["attention_resolution"] == 16
    np.testing.assert_array_equal(loaded.generate(3, seed=4),
                                  gan.generate(3, seed=4))
    assert loaded.adversarial_loss.name == "hinge"
    assert float(loaded.d_optimizer.learning_rate) == pytest.approx(4e-4)


def test_conditional_sagan_generates_the_requested_labels(tmp_path, horses):
    gan = tiny(num_classes=10)
    gan.fit(horses.take(2), epochs=1, verbose=0)
    a = gan.generate(4, seed=0, labels=[7, 7, 7, 7])
    assert a.shape == (4, 32, 32, 3)
    assert not np.allclose(a, gan.generate(4, seed=0, labels=2))
    path = export.export_saved_model(gan, str(tmp_path / "sm"))
    served = tf.saved_model.load(path).signatures["sample"]
    out = served(seed=tf.constant([0, 1, 2, 3], tf.int64),
                 label=tf.constant([7, 7, 7, 7], tf.int32))["images"].numpy()
    np.testing.assert_array_equal(out, gan.generate_uint8(4, seed=0, labels=7))


def test_unconditional_export_equals_keras(tmp_path):
    gan = tiny()
    path = export.export_saved_model(gan, str(tmp_path / "sm"),
                                     allow_untrained=True)
    served = tf.saved_model.load(path).signatures
    z = gan.latent_from_seeds(np.arange(3))
    np.testing.assert_array_equal(
        served["serving_default"](z=z)["images"].numpy(),
        gan.generate_uint8(3, seed=0))


def test_bad_input(horses):
    gan = tiny(num_classes=10)
    unlabeled = horses.map(lambda x, y: x)
    with pytest.raises(ValueError, match="load the data with labels=True"):
        gan.fit(unlabeled.take(1), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"labels: expected classes 0..9, "
                                         r"got \[12\]"):
        gan.generate(2, labels=12)
    with pytest.raises(ValueError, match="labels: SAGAN is not class-cond"):
        tiny().generate(2, labels=1)
    with pytest.raises(ValueError, match="image_shape"):
        models.SAGAN(image_shape=(30, 30, 3))
    with pytest.raises(ValueError, match="num_classes: expected None or at "
                                         "least 2"):
        models.SAGAN(num_classes=1)
