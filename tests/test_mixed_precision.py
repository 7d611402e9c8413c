"""Every model trains a few steps under mixed precision without NaN, with a
policy set by user code before the model is built (issue 7)."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from absl import flags

from tfgan_suite import models, runs
from tfgan_suite.commands import cli
from tfgan_suite.errors import ArgumentError
from tfgan_suite.runs import config as config_lib
from tests import tiny_models


#: Variants (tests/tiny_models.py) trained here in place of their model:
#: the class-conditional SAGAN.
VARIANT = {"sagan": "sagan_conditional"}


def tiny(name):
    return tiny_models.tiny(VARIANT.get(name, name))


def batches(model, n=8):
    return tiny_models.batches(model, n=n, steps=3)


# Both policies are slow on a CPU: the default suite runs DCGAN under both
# and SAGAN (its spectral norm once gave NaN in float16) under bfloat16.
_DEFAULT = {("dcgan", "mixed_bfloat16"), ("dcgan", "mixed_float16"),
            ("sagan", "mixed_bfloat16")}
CASES = [pytest.param(name, policy, marks=() if (name, policy) in _DEFAULT
                      else pytest.mark.slow)
         for policy in ("mixed_bfloat16", "mixed_float16")
         for name in models.MODELS]


@pytest.fixture
def use_policy():
    yield keras.mixed_precision.set_global_policy
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("name,policy", CASES)
def test_trains_without_nan_under_mixed_precision(name, policy, use_policy):
    use_policy(policy)
    model = tiny(name)
    model.compile()
    assert model.dtype_policy.name == policy
    compute = policy.split("_")[1]
    assert any(w.dtype == "float32" for w in model.generator.weights)
    history = model.fit(batches(model), epochs=1, verbose=0)
    for key, values in history.history.items():
        assert np.isfinite(values).all(), (key, values)
    # float16 gradients need loss scaling; bfloat16 has float32's range.
    scaled = isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (compute == "float16")
    if model.data_kind() not in tiny_models.TRANSLATION_KINDS:
        images = model.generate(3, seed=0, labels=[0, 1, 2] if
                                model.num_classes else None)
        assert images.dtype == np.float32 and np.isfinite(images).all()


@pytest.mark.parametrize("name", ["dcgan", "cyclegan"])
def test_a_model_saved_under_mixed_precision_loads_under_it(
        name, use_policy, tmp_path):
    """Its own nets (and the EMA generator) are rebuilt in the saved
    policy, whatever the global one, so the loaded model's samples are the
    trained model's."""
    use_policy("mixed_bfloat16")
    model = tiny(name)
    model.compile()
    use_policy("float32")
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    nets = [n for n in ("generator", "discriminator", "generator_ba",
                        "ema_generator") if getattr(loaded, n, None)]
    assert {getattr(loaded, n).dtype_policy.name for n in nets} == {
        "mixed_bfloat16"}, nets
    assert keras.mixed_precision.global_policy().name == "float32"
    if name == "dcgan":
        np.testing.assert_array_equal(loaded.generate(3, seed=0),
                                      model.generate(3, seed=0))


@pytest.mark.parametrize("augment", ["color,translation,cutout", "ada"])
def test_augmentation_trains_under_mixed_precision(augment, use_policy):
    """The augmentation layer computes in float32 under any policy (its
    draws are float32; it once added them to bfloat16 images and failed)."""
    use_policy("mixed_bfloat16")
    model = models.DCGAN(image_shape=(28, 28, 1), latent_dim=8, filters=4,
                         augment=augment, seed=0)
    model.compile()
    images = tf.random.uniform((16, 28, 28, 1), -1, 1, seed=0)
    history = model.fit(tf.data.Dataset.from_tensor_slices(images).batch(8),
                        epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    assert model.augmenter.compute_dtype == "float32"


@pytest.mark.parametrize("has_bf16", [True, False])
def test_mixed_precision_on_a_cpu_without_bfloat16_warns(has_bf16, monkeypatch,
                                                         caplog):
    monkeypatch.setattr(config_lib, "cpu_has_bfloat16", lambda: has_bf16)
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind: [])
    with caplog.at_level("WARNING"):
        assert config_lib.precision_policy(True) == "mixed_bfloat16"
    warned = "has no bfloat16 instructions" in caplog.text
    assert warned is not has_bf16
    assert config_lib.precision_policy(False) == "float32"


@pytest.mark.parametrize("has_bf16, gpu, policy", [
    (True, False, "mixed_bfloat16"), (False, False, "float32"),
    (None, False, "float32"), (True, True, "float32")])
def test_auto_mixed_precision_is_bfloat16_where_the_cpu_has_it(
        has_bf16, gpu, policy, monkeypatch, caplog):
    """"auto": mixed_bfloat16 only on a CPU known to have bfloat16
    instructions (None: no /proc/cpuinfo), float32 elsewhere, silently."""
    monkeypatch.setattr(config_lib, "cpu_has_bfloat16", lambda: has_bf16)
    monkeypatch.setattr(tf.config, "list_physical_devices",
                        lambda kind: ["GPU:0"] if gpu else [])
    with caplog.at_level("WARNING"):
        assert config_lib.precision_policy("auto") == policy
    assert "bfloat16 instructions" not in caplog.text


@pytest.mark.parametrize("value", ["yes", 1, None, "true"])
def test_a_mixed_precision_other_than_true_false_auto_is_refused(value):
    with pytest.raises(ArgumentError, match="mixed_precision.*expected "
                                            "true, false or auto"):
        config_lib.precision_policy(value)


def test_the_flag_gives_true_false_or_auto():
    for text, value in (("auto", "auto"), ("true", True), ("false", False)):
        values = flags.FlagValues()
        cli.define_training_flags(values)
        values(["tfgan-train", f"--mixed_precision={text}"])
        given = cli.training_overrides(values)["mixed_precision"]
        assert given == value and type(given) is type(value)


@pytest.mark.parametrize("preset", ["fashion_mnist_dcgan",
                                    "fashion_mnist_cgan"])
def test_the_presets_measured_in_bfloat16_train_in_it_where_it_pays(preset):
    assert runs.make_config(preset).train.mixed_precision == "auto"


def _losses_on(model, real, z):
    """(D's loss, G's loss) on fixed real images and noise, both nets in
    training mode (batch statistics)."""
    fake = model.generator(z, training=True)
    real_logits = model.discriminator(real, training=True)
    fake_logits = model.discriminator(fake, training=True)
    assert (fake.dtype, real_logits.dtype, fake_logits.dtype) == (
        "float32", "float32", "float32")
    d_loss = model.discriminator_loss(real_logits, fake_logits)
    g_loss = model.generator_loss(fake_logits)
    assert (d_loss.dtype, g_loss.dtype) == ("float32", "float32")
    return float(d_loss), float(g_loss)


@pytest.mark.parametrize("trains", ["discriminator", "generator"])
def test_bfloat16_dcgan_learns_without_loss_scaling(trains, use_policy):
    """Under mixed_bfloat16 the DCGAN nets compute in bfloat16 (batch norm
    included) with float32 images, logits and losses and no loss scaling,
    and the net that trains (the other frozen) lowers its own loss."""
    use_policy("mixed_bfloat16")
    keras.utils.set_random_seed(0)
    model = tiny("dcgan")
    frozen, learning = (keras.optimizers.SGD(0.0),
                        keras.optimizers.Adam(1e-2, beta_1=0.5))
    model.compile(**({"d_optimizer": learning, "g_optimizer": frozen}
                     if trains == "discriminator"
                     else {"d_optimizer": frozen, "g_optimizer": learning}))
    assert not any(isinstance(o, keras.optimizers.LossScaleOptimizer)
                   for o in model.optimizers())
    norms = [layer for net in (model.generator, model.discriminator)
             for layer in net.layers if "_bn" in layer.name]
    assert norms and all(layer.compute_dtype == "bfloat16"
                         for layer in norms)
    real = np.tile(np.linspace(-1, 1, 28, dtype=np.float32)[:, None, None],
                   (16, 1, 28, 1))  # one striped image, 16 times
    z = np.random.default_rng(0).normal(size=(16, 8)).astype(np.float32)
    before = _losses_on(model, real, z)
    model.fit(tf.data.Dataset.from_tensors(real).repeat(20), epochs=1,
              verbose=0)
    after = _losses_on(model, real, z)
    own = 0 if trains == "discriminator" else 1
    assert after[own] < 0.85 * before[own], (before, after)


def test_a_model_trained_under_mixed_precision_exports_in_float32(
        use_policy, tmp_path):
    """The SavedModel computes in float32 (no bfloat16 op in it), from the
    trained weights, and serves what `in_float32(model)` computes."""
    from tfgan_suite import serving
    use_policy("mixed_bfloat16")
    model = models.DCGAN(image_shape=(28, 28, 1), latent_dim=8, filters=4,
                         ema_kimg=0.1, seed=0)
    model.compile()
    images = tf.random.uniform((16, 28, 28, 1), -1, 1, seed=0)
    model.fit(tf.data.Dataset.from_tensor_slices(images).batch(8), epochs=1,
              verbose=0)
    use_policy("float32")
    served = serving.in_float32(model)
    assert served.generator.dtype_policy.name == "float32"
    assert served.ema_generator.dtype_policy.name == "float32"
    for a, b in zip(served.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(served.generate(4, seed=1),
                               model.generate(4, seed=1), atol=0.05)
    path = serving.export_saved_model(
        model, str(tmp_path / "dcgan"),
        check=lambda tmp: serving.verify(tmp, model, cli=False))
    loaded = tf.saved_model.load(path)
    graph = str(loaded.signatures["sample"].graph.as_graph_def())
    assert "DT_FLOAT" in graph and "DT_BFLOAT16" not in graph
