import numpy as np

from tfgan_suite import data
from tfgan_suite.data import toy


def test_ring_and_grid_geometry():
    ring = toy.ring_centers()
    assert ring.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), 1.0)
    grid = toy.grid_centers()
    assert grid.shape == (25, 2)
    assert sorted(set(grid[:, 0])) == [-4, -2, 0, 2, 4]


def test_load_toy_points_without_rescaling():
    batch = next(iter(data.load("ring", batch_size=512)))
    assert batch.shape == (512, 2) and batch.dtype == "float32"
    radius = np.linalg.norm(batch.numpy(), axis=1)
    assert np.abs(radius - 1).max() < 0.1  # std 0.01: not scaled to [-1, 1]
    grid = next(iter(data.load("grid", batch_size=256))).numpy()
    assert np.abs(grid).max() > 3
    one_d = next(iter(data.load("gaussian_1d", batch_size=1000))).numpy()
    assert one_d.shape == (1000, 1) and abs(one_d.std() - 1) < 0.1
