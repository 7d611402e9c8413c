"""Training speed of `fit` against the TF tutorial's loop, in one process.

    python scripts/benchmark.py --model=dcgan --batch_size=256

Prints images/s of (a) `model.fit`, (b) the tutorial-style `tf.function`
loop over the same nets, batch and data, their ratio, and (c) the input
pipeline alone (real Fashion-MNIST when installed, else random data).
Timings are ratios inside one run: compare them, not absolute numbers
across machines.
"""

import json

import keras
import numpy as np
import tensorflow as tf
from absl import flags

from tfgan_suite import benchmarks, cli, data, models

flags.DEFINE_string("model", "dcgan", "Model to benchmark (dcgan).")
flags.DEFINE_integer("batch_size", 256, "Batch size.")
flags.DEFINE_integer("steps", 20, "Timed steps per measurement.")
flags.DEFINE_integer("filters", 64, "DCGAN width.")
flags.DEFINE_string("json", None, "Also write the results here.")
FLAGS = flags.FLAGS


def _images(batch_size):
    try:
        source = data.get_source("fashion_mnist", split="train")
        return data.build(source, batch_size=batch_size, repeat=True)
    except ValueError:
        source = data.from_arrays(np.random.randint(
            0, 255, (batch_size * 4, 28, 28, 1), np.uint8), name="random")
        return data.build(source, batch_size=batch_size, repeat=True)


def main(argv):
    if FLAGS.model != "dcgan":
        raise ValueError(f"--model: only dcgan is benchmarked so far, got "
                         f"{FLAGS.model!r}")
    b = FLAGS.batch_size
    ds = _images(b)
    batches = list(ds.take(FLAGS.steps + 3))
    fixed = tf.data.Dataset.from_tensor_slices(tf.stack(batches))

    gan = models.DCGAN(filters=FLAGS.filters)
    gan.compile()
    fit_s = benchmarks.time_fit(gan, fixed, FLAGS.steps)
    loop = benchmarks.tutorial_train_step(
        gan.generator, gan.discriminator, keras.optimizers.Adam(2e-4),
        keras.optimizers.Adam(2e-4), gan.latent_dim)
    loop_s = benchmarks.time_steps(loop, batches)
    pipe_s = benchmarks.time_pipeline(ds, 200)
    results = {
        "model": FLAGS.model, "batch_size": b, "filters": FLAGS.filters,
        "device": "GPU" if tf.config.list_physical_devices("GPU") else "CPU",
        "jit_compile": bool(gan.jit_compile),
        "fit_images_per_s": b / fit_s,
        "tutorial_loop_images_per_s": b / loop_s,
        "fit_over_loop": loop_s / fit_s,
        "pipeline_images_per_s": b / pipe_s,
        "matmul_fp32_gflops": benchmarks.matmul_gflops(tf.float32),
        "matmul_bf16_gflops": benchmarks.matmul_gflops(tf.bfloat16),
        "peak_rss_mib": benchmarks.peak_rss_mib(),
    }
    width = max(map(len, results))
    for key, value in results.items():
        shown = f"{value:.2f}" if isinstance(value, float) else value
        print(f"{key:<{width}}  {shown}")
    if FLAGS.json:
        with open(FLAGS.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    cli.run(main)
