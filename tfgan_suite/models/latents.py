"""Latent controls of sampling, as functions of z: truncation (the
trade of variety for fidelity) and spherical interpolation (latent walks).

Truncation, by `method`:

* "mean" (the default): z is pulled toward the mean latent,
  z_avg + psi (z - z_avg) -- StyleGAN's truncation trick in W (Karras et
  al. 2019, "A Style-Based Generator Architecture for GANs", Sec. 2.1 and
  Appendix B: w_avg + psi (w - w_avg)). The suite's generators have no
  mapping network, so the mean latent is the mean of z's prior, z_avg = 0,
  and the pull is z * psi. psi = 1 leaves z unchanged; psi = 0 gives every
  seed the same image (of the mean latent).
* "truncated_normal": z drawn from N(0, I) truncated to [-psi, psi] per
  component -- BigGAN's truncation trick (Brock et al. 2019, "Large Scale
  GAN Training for High Fidelity Natural Image Synthesis", Sec. 3.1:
  values above the threshold are resampled). Here by the inverse CDF of
  the seed's own normal draw, z' = Phi^-1(Phi(-psi) + Phi(z) (Phi(psi) -
  Phi(-psi))): the same distribution as resampling, stateless, without a
  loop, and monotone in z, so a seed keeps its image's identity as psi
  changes. Even psi = 1 truncates (at one standard deviation).
"""

import contextlib

import keras
import numpy as np
import tensorflow as tf

#: The truncation methods, the default first.
TRUNCATION_METHODS = ("mean", "truncated_normal")


def check_truncation(truncation, method="mean", n=None):
    """`truncation` (None, one psi, or n values) as float32 numpy of
    shape [n] (or [1] for one value when n is None), or None; a
    ValueError naming the argument for anything else."""
    if method not in TRUNCATION_METHODS:
        raise ValueError(f"truncation_method: expected one of "
                         f"{', '.join(TRUNCATION_METHODS)}, got {method!r}")
    if truncation is None:
        return None
    try:
        psi = np.atleast_1d(np.asarray(truncation, np.float32))
    except (TypeError, ValueError):
        raise ValueError(f"truncation: expected a number psi or one per "
                         f"sample, got {truncation!r}") from None
    if psi.ndim != 1 or (n is not None and len(psi) not in (1, n)):
        raise ValueError(f"truncation: expected one psi or {n} (one per "
                         f"sample), got shape {psi.shape}")
    lowest = 0.0 if method == "mean" else np.nextafter(np.float32(0), 1)
    if not np.all(np.isfinite(psi)) or np.any(psi < lowest):
        what = (">= 0 (1: no truncation)" if method == "mean" else
                "> 0 (the bound of |z|)")
        raise ValueError(f"truncation: expected psi {what}, got "
                         f"{truncation!r}")
    return psi if n is None else np.broadcast_to(psi, (n,)).copy()


def truncate(z, truncation, method="mean"):
    """z [N, D] (standard normal) truncated by psi = `truncation` (a
    scalar, [1] or [N]) with `method` (see the module docstring)."""
    z = tf.convert_to_tensor(z, tf.float32)
    psi = tf.reshape(tf.cast(truncation, tf.float32), [-1, 1])
    if method == "mean":
        return z * psi  # z_avg + psi (z - z_avg) with z_avg = 0.
    low = _normal_cdf(-psi)  # Phi(psi) - Phi(-psi) = 1 - 2 Phi(-psi).
    truncated = tf.math.ndtri(low + _normal_cdf(z) * (1 - 2 * low))
    return tf.clip_by_value(truncated, -psi, psi)  # float32 rounding.


def _normal_cdf(x):
    """Phi(x), the standard normal CDF."""
    return 0.5 * tf.math.erfc(-x / np.sqrt(2.0).astype(np.float32))


def slerp(a, b, t):
    """Spherical linear interpolation between latents a and b [D] at
    fractions t [T]: (sin((1 - t) W) a + sin(t W) b) / sin W, W the angle
    between a and b (Shoemake 1985; for GAN latents White 2016, "Sampling
    Generative Networks"): intermediate latents keep the norm a Gaussian
    latent typically has, where a straight line passes near the origin.
    Linear when a and b are parallel. Returns float32 [T, D]; t = 0 and 1
    give a and b exactly."""
    a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
    t = np.asarray(t, np.float64)[:, None]
    cos = np.dot(a64, b64) / (np.linalg.norm(a64) * np.linalg.norm(b64))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        mixed = (1 - t) * a64 + t * b64
    else:
        mixed = (np.sin((1 - t) * omega) * a64
                 + np.sin(t * omega) * b64) / np.sin(omega)
    mixed = mixed.astype(np.float32)
    mixed[t[:, 0] == 0] = np.asarray(a, np.float32)
    mixed[t[:, 0] == 1] = np.asarray(b, np.float32)
    return mixed


def class_embeddings(net, num_classes):
    """The `keras.layers.Embedding` layers of `net` (nested ones too) that
    look up one of `num_classes` labels: where a conditional generator's
    class enters (DCGAN/CGAN's concatenated embedding, conditional batch
    norm's gains and biases)."""
    # Keras tracks sub-layers held as attributes (conditional batch norm's
    # scale and shift) only in its layer walk, not in `layers`.
    return [layer for layer in net._flatten_layers(include_self=False)
            if isinstance(layer, keras.layers.Embedding)
            and layer.input_dim == num_classes]


@contextlib.contextmanager
def class_between(net, num_classes, a, b, t):
    """Within the block, class `a` of `net` means (1 - t) a + t b: every
    class embedding's row a is the linear mix of rows a and b (BigGAN's
    interpolation between classes, Brock et al. 2019, Fig. 8); the rows
    are restored on exit. A ValueError when `net` has no class
    embeddings."""
    layers = class_embeddings(net, num_classes)
    if not layers:
        raise ValueError(f"labels: interpolating between classes needs a "
                         f"generator whose label enters through Keras "
                         f"Embedding layers of {num_classes} rows; "
                         f"{net.name} has none")
    kept = [layer.embeddings.numpy() for layer in layers]
    try:
        for layer, table in zip(layers, kept):
            mixed = table.copy()
            mixed[a] = (1 - t) * table[a] + t * table[b]
            layer.embeddings.assign(mixed)
        yield
    finally:
        for layer, table in zip(layers, kept):
            layer.embeddings.assign(table)
