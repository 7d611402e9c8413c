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
