"""tfgan_suite/training/health.py: health.json holds only values that were
computed, as strict JSON."""

import json
import math
import os

import numpy as np
import tensorflow as tf

from tfgan_suite import models
from tfgan_suite.training import callbacks


def strict_json(path):
    """The JSON file at `path`, refusing NaN / Infinity (not JSON)."""
    def refuse(constant):
        raise ValueError(f"{path}: {constant} is not JSON")
    with open(path) as f:
        return json.loads(f.read(), parse_constant=refuse)


def test_health_json_of_a_model_logging_no_g_loss_is_strict_json(tmp_path):
    """A keras-io model logs G_loss and F_loss, no g_loss: health.json
    leaves g_loss out (no made-up NaN); a value that is not a number is
    null."""
    gan = models.GAN(data_shape=(2,), latent_dim=4, hidden=(8,), seed=0)
    gan.compile()
    gan.health_values = lambda: {"gamma": math.nan}
    monitor = callbacks.HealthMonitor(
        tf.constant(np.random.default_rng(0).normal(size=(8, 2)),
                    tf.float32), out_dir=str(tmp_path))
    monitor.set_model(gan)
    for epoch in range(3):  # the D-wins check reads G's loss over 3 epochs
        monitor.on_epoch_end(epoch, {"G_loss": 0.5, "F_loss": 0.7})
    monitor.on_train_end()
    last = strict_json(os.path.join(tmp_path, "health.json"))["last"]
    assert "g_loss" not in last
    assert last["gamma"] is None
    assert last["epoch"] == 3 and math.isfinite(last["d_acc_real"])


def test_g_grad_norm_under_a_relativistic_loss_is_its_step_s():
    """RpGAN scores each sample against a real one: the health values
    read G's gradient of that loss (they raised at the first epoch's end,
    after a whole epoch of training, on every model without its own
    `generator_objective`)."""
    from tfgan_suite.training.health import diagnose, health_forward
    gan = models.GAN(data_shape=(2,), latent_dim=4, hidden=(8,), seed=0)
    gan.compile(loss="relativistic")
    real = tf.constant(np.random.default_rng(0).normal(size=(8, 2)),
                       tf.float32)
    values, fake = diagnose(gan, real)
    with tf.GradientTape() as tape:
        real_logits, fake_logits, _ = health_forward(gan, real)
        g_loss = gan.adversarial_loss.generator(fake_logits, real_logits)
    expected = float(tf.linalg.global_norm(
        [g for g in tape.gradient(g_loss, gan.g_variables)
         if g is not None]))
    assert math.isclose(values["g_grad_norm"], expected, rel_tol=1e-5)
    assert expected > 0
