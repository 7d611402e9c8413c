"""Toy distributions for the vanilla GAN (Goodfellow et al. 2014) and the
mode-collapse benchmarks of VEEGAN / PacGAN.

* `ring`: 8 Gaussians, centres evenly on the unit circle, std 0.01.
* `grid`: 25 Gaussians, centres {-4, -2, 0, 2, 4}^2, std 0.05.
* `gaussian_1d`: one 1-D Gaussian (the 1-D illustration of the GAN paper).

Each is a fixed, seeded sample of `num_examples` float32 points (already in
data space: the pipeline does not rescale them).
"""

import numpy as np

from tfgan_suite.data.sources import Source

RING_STD = 0.01
GRID_STD = 0.05


def ring_centers(modes=8, radius=1.0):
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], 1)


def grid_centers():
    axis = np.arange(-4.0, 5.0, 2.0)
    return np.stack(np.meshgrid(axis, axis), -1).reshape(-1, 2)


def mixture(centers, std, num_examples, seed=0):
    """Samples of the equal-weight Gaussian mixture with these centres."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(centers), num_examples)
    points = centers[picks] + rng.normal(0, std, (num_examples, centers.shape[1]))
    return points.astype(np.float32)


def _points_source(points, name):
    import tensorflow as tf
    return Source(tf.data.Dataset.from_tensor_slices(points), len(points),
                  tuple(points.shape[1:]), None, name)


def ring(num_examples=100_000, seed=0):
    return _points_source(mixture(ring_centers(), RING_STD, num_examples,
                                  seed), "ring")


def grid(num_examples=100_000, seed=0):
    return _points_source(mixture(grid_centers(), GRID_STD, num_examples,
                                  seed), "grid")


def gaussian_1d(mean=0.0, std=1.0, num_examples=100_000, seed=0):
    rng = np.random.default_rng(seed)
    points = rng.normal(mean, std, (num_examples, 1)).astype(np.float32)
    return _points_source(points, "gaussian_1d")


#: name -> (centres, std) of the toy mixtures, for `metrics.modes`.
MIXTURES = {"ring": (ring_centers(), RING_STD),
            "grid": (grid_centers(), GRID_STD)}
