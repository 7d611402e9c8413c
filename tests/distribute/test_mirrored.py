"""Two virtual CPU devices: a MirroredStrategy step at global batch B equals
a single-device step at batch B (issue 7; CycleGAN's history pools
included); pix2pix, whose dropout masks
are drawn per device, is checked to train only. Runs in a subprocess, since
logical devices must be configured before TensorFlow initializes."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

SCRIPT = r'''
import sys
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
from tfgan_suite import models

name = sys.argv[1]
make = {
    "dcgan": lambda: models.DCGAN(latent_dim=8, filters=4, seed=0),
    "cgan": lambda: models.CGAN(num_classes=3, latent_dim=8, filters=4, seed=0),
    "sagan": lambda: models.SAGAN(image_shape=(32, 32, 3), latent_dim=8,
                                  filters=8, seed=0),
    "pix2pix": lambda: models.Pix2Pix(image_shape=(32, 32, 3), filters=4,
                                      seed=0),
    "cyclegan": lambda: models.CycleGAN(image_shape=(32, 32, 3), filters=4,
                                        n_blocks=1, pool_size=12, seed=0),
}[name]
rng = np.random.default_rng(0)
reference = make()
shape = reference.discriminator.inputs[0].shape[1:]
x = rng.uniform(-1, 1, (8, *shape)).astype("float32")
if name == "cgan":
    batch = (x, (np.arange(8) % 3).astype("int32"))
elif name in ("pix2pix", "cyclegan"):
    batch = (x, -x)
else:
    batch = x
initial = [w.numpy() for w in reference.weights]


def one_step(strategy):
    with strategy.scope():
        model = make()
        # SGD: Adam's first step is lr * sign(g), which turns rounding
        # noise in near-zero gradients into full steps.
        model.compile(g_optimizer=keras.optimizers.SGD(0.5),
                      d_optimizer=keras.optimizers.SGD(0.5))
    for w, value in zip(model.weights, initial):
        w.assign(value)
    ds = tf.data.Dataset.from_tensors(batch)
    model.fit(ds, epochs=1, verbose=0)
    return model, [w.numpy() for w in model.weights]


single_model, single = one_step(tf.distribute.OneDeviceStrategy("/cpu:0"))
mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
assert mirrored.num_replicas_in_sync == 2
model, multi = one_step(mirrored)
assert int(model.g_optimizer.iterations.numpy()) == 1
moved = max(float(np.abs(a - b).max()) for a, b in zip(initial, single))
worst = max(float(np.abs(a - b).max()) for a, b in zip(single, multi))
print(f"moved {moved:.3g} worst {worst:.3g}")
assert moved > 1e-3, moved
assert all(np.isfinite(w).all() for w in multi)
if name != "pix2pix":  # its dropout masks are drawn per device
    assert worst < 1e-4 * max(1.0, moved), worst
'''


@pytest.mark.parametrize("name", [
    "dcgan", pytest.param("sagan", marks=pytest.mark.slow),
    pytest.param("cgan", marks=pytest.mark.slow),
    pytest.param("pix2pix", marks=pytest.mark.slow),
    pytest.param("cyclegan", marks=pytest.mark.slow)])
def test_mirrored_step_equals_single_device_step(name):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO,
               CUDA_VISIBLE_DEVICES="")
    result = subprocess.run([sys.executable, "-c", SCRIPT, name],
                            capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "worst" in result.stdout, name
