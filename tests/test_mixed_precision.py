"""Every model trains a few steps under mixed precision without NaN, with a
policy set by user code before the model is built (issue 7)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import models


def tiny(name):
    return {
        "gan": lambda: models.GAN(data_shape=(2,), latent_dim=2,
                                  hidden=(16, 16)),
        "dcgan": lambda: models.DCGAN(latent_dim=8, filters=4),
        "cgan": lambda: models.CGAN(num_classes=3, latent_dim=8, filters=4),
        "sagan": lambda: models.SAGAN(image_shape=(32, 32, 3), latent_dim=8,
                                      filters=8, num_classes=3),
        "pix2pix": lambda: models.Pix2Pix(image_shape=(32, 32, 3), filters=4),
    }[name]()


def batches(model, n=8):
    rng = np.random.default_rng(0)
    shape = model.discriminator.inputs[0].shape[1:]
    x = rng.uniform(-1, 1, (n * 3, *shape)).astype("float32")
    if isinstance(model, models.Pix2Pix):
        return tf.data.Dataset.from_tensor_slices((x, -x)).batch(n)
    if model.num_classes:
        y = (np.arange(len(x)) % 3).astype("int32")
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(n)
    return tf.data.Dataset.from_tensor_slices(x).batch(n)


# float16 on a CPU is slow: the default suite runs it for DCGAN only.
CASES = [(name, "mixed_bfloat16") for name in models.MODELS] + [
    pytest.param(name, "mixed_float16",
                 marks=() if name == "dcgan" else pytest.mark.slow)
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
    if name != "pix2pix":
        images = model.generate(3, seed=0, labels=[0, 1, 2] if
                                model.num_classes else None)
        assert images.dtype == np.float32 and np.isfinite(images).all()


@pytest.mark.parametrize("has_bf16", [True, False])
def test_mixed_precision_on_a_cpu_without_bfloat16_warns(has_bf16, monkeypatch,
                                                         caplog):
    from tfgan_suite import experiment
    monkeypatch.setattr(experiment, "_cpu_has_bfloat16", lambda: has_bf16)
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind: [])
    with caplog.at_level("WARNING"):
        assert experiment.precision_policy(True) == "mixed_bfloat16"
    warned = "has no bfloat16 instructions" in caplog.text
    assert warned is not has_bf16
    assert experiment.precision_policy(False) == "float32"
