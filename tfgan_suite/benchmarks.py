"""Speed measurements as ratios inside one process (`scripts/benchmark.py`).

The reference is the TensorFlow DCGAN tutorial's training loop: one
`tf.function` with two `GradientTape`s over the same nets, batch and data.
"""

import os
import time

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite import losses


def tutorial_train_step(generator, discriminator, g_optimizer, d_optimizer,
                        latent_dim):
    """The TF tutorial's `train_step` (tensorflow.org/tutorials/generative/dcgan)."""

    @tf.function
    def train_step(images):
        noise = tf.random.normal([tf.shape(images)[0], latent_dim])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated, training=True)
            gen_loss = losses.non_saturating_generator_loss(fake_output)
            disc_loss = losses.minimax_discriminator_loss(real_output,
                                                          fake_output)
        g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
        d_grads = disc_tape.gradient(disc_loss,
                                     discriminator.trainable_variables)
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        d_optimizer.apply_gradients(zip(d_grads,
                                        discriminator.trainable_variables))
        return gen_loss, disc_loss

    return train_step


def time_steps(step, batches, warmup=3):
    """Seconds per call of `step(batch)` after `warmup` calls (compilation)."""
    iterator = iter(batches)
    for _ in range(warmup):
        out = step(next(iterator))
    _block(out)
    count, start = 0, time.perf_counter()
    for batch in iterator:
        out = step(batch)
        count += 1
    _block(out)
    return (time.perf_counter() - start) / max(count, 1)


def _block(out):
    for t in tf.nest.flatten(out):
        if hasattr(t, "numpy"):
            t.numpy()


def time_fit(model, dataset, steps, warmup=3):
    """Seconds per step of `model.fit` over `steps` steps (after warm-up)."""
    model.fit(dataset.take(warmup), epochs=1, verbose=0)

    class Clock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_train_end(self, logs=None):
            self.seconds = time.perf_counter() - self.start

    clock = Clock()
    model.fit(dataset.take(steps), epochs=1, verbose=0, callbacks=[clock])
    return clock.seconds / steps


def time_pipeline(dataset, batches):
    """Seconds per batch of just iterating `dataset`."""
    iterator = iter(dataset)
    next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return (time.perf_counter() - start) / batches


def matmul_gflops(dtype=tf.float32, n=2048, repeats=10):
    """Measured matmul throughput, the machine's practical peak."""
    a = tf.random.normal([n, n], dtype=tf.float32)
    a = tf.cast(a, dtype)
    matmul = tf.function(lambda x: tf.matmul(x, x))
    matmul(a).numpy()
    start = time.perf_counter()
    for _ in range(repeats):
        out = matmul(a)
    out.numpy()
    return 2 * n ** 3 * repeats / (time.perf_counter() - start) / 1e9


def peak_rss_mib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
