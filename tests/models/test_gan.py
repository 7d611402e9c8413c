import numpy as np

from tfgan_suite import models


def ring(n, seed=0):
    rng = np.random.default_rng(seed)
    angles = rng.integers(0, 8, n) * np.pi / 4
    points = np.stack([np.cos(angles), np.sin(angles)], 1)
    return (points + rng.normal(0, 0.01, points.shape)).astype(np.float32)


def test_mlp_gan_algorithm_1_on_2d_points():
    import tensorflow as tf
    gan = models.GAN(data_shape=(2,), latent_dim=4, hidden=(32, 32),
                     d_steps=2, seed=0)
    gan.compile(loss="minimax")
    ds = tf.data.Dataset.from_tensor_slices(ring(512)).batch(64)
    history = gan.fit(ds, epochs=2, verbose=0)
    assert int(gan.d_optimizer.iterations) == 2 * int(gan.g_optimizer.iterations)
    assert np.isfinite(history.history["g_loss"]).all()
    assert gan.generate(10, seed=0).shape == (10, 2)


def test_maxout_takes_the_max_of_its_pieces():
    from tfgan_suite.nets.mlp import Maxout
    layer = Maxout(3, pieces=2)
    x = np.random.normal(size=(4, 5)).astype("float32")
    out = layer(x).numpy()
    kernel, bias = [w.numpy() for w in layer.dense.weights]
    pieces = (x @ kernel + bias).reshape(4, 3, 2)
    np.testing.assert_allclose(out, pieces.max(-1), rtol=1e-5)
    assert Maxout.from_config(layer.get_config()).pieces == 2
