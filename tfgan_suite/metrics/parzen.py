"""Gaussian Parzen-window log-likelihood (Breuleux et al. 2011), the
estimate of Goodfellow et al. 2014, Table 1.

A kernel density of width sigma on N generated samples mu_i (flattened to
D values each) gives a point x the density

    p(x) = 1/N sum_i N(x; mu_i, sigma^2 I)
    log p(x) = logsumexp_i(-|x - mu_i|^2 / (2 sigma^2)) - log N
               - D/2 log(2 pi sigma^2).

The paper reports the mean of log p(x) over the test set with its standard
error (std / sqrt(n), as its `parzen_ll.py`), sigma chosen by the mean
log-likelihood of a validation set (a grid, `numpy.logspace(-1, 0, 10)`
there). Its MNIST pixels are in [0, 1]: numbers are comparable only on data
of the same scale and dimension.
"""

import numpy as np


def _flat(x, name):
    x = np.asarray(x, np.float64)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"{name}: expected a non-empty batch (N, ...), got "
                         f"shape {x.shape}")
    return x.reshape(len(x), -1)


def log_likelihoods(samples, points, sigmas, batch_size=500):
    """log p(x) of every point under the Parzen window of each sigma:
    an array (len(sigmas), len(points)).

    The squared distances are computed once per batch of points and serve
    every sigma; as |x|^2 - 2 x.mu + |mu|^2 in float64 they take
    batch_size x N numbers, not batch_size x N x D.
    """
    samples, points = _flat(samples, "samples"), _flat(points, "points")
    if samples.shape[1] != points.shape[1]:
        raise ValueError(f"points: expected {samples.shape[1]} values each, "
                         f"as the samples, got {points.shape[1]}")
    sigmas = np.asarray(sigmas, np.float64).reshape(-1)
    if (sigmas <= 0).any():
        raise ValueError(f"sigma: expected positive widths, got {sigmas}")
    n, d = samples.shape
    samples_sq = np.sum(samples ** 2, axis=1)
    normalizer = np.log(n) + 0.5 * d * np.log(2 * np.pi * sigmas ** 2)
    out = np.empty((len(sigmas), len(points)))
    for start in range(0, len(points), batch_size):
        x = points[start:start + batch_size]
        distances = (np.sum(x ** 2, axis=1)[:, None] - 2 * x @ samples.T
                     + samples_sq[None])
        # Rounding can leave tiny negatives where a point equals a sample.
        np.maximum(distances, 0, out=distances)
        for j, sigma in enumerate(sigmas):
            exponents = -distances / (2 * sigma ** 2)
            peak = exponents.max(axis=1)
            out[j, start:start + len(x)] = (
                peak + np.log(np.exp(exponents - peak[:, None]).sum(axis=1))
                - normalizer[j])
    return out


def parzen_log_likelihood(samples, points, sigma, batch_size=500):
    """(mean, standard error) of log p(x) over `points` under a Gaussian
    Parzen window of width `sigma` centred on `samples`.

    Both are batches of any shape (N, ...), flattened; the standard error
    is std / sqrt(len(points)). Goodfellow et al. 2014 (Table 1) report
    225 +- 2 for their MLP GAN on the MNIST test set (pixels in [0, 1],
    10 000 samples), after Breuleux et al. 2011.
    """
    values = log_likelihoods(samples, points, [sigma], batch_size)[0]
    return float(values.mean()), float(values.std() / np.sqrt(len(values)))


def select_sigma(samples, validation, sigmas, batch_size=500):
    """The width of `sigmas` that maximises the mean log-likelihood of the
    `validation` points, as Goodfellow et al. 2014 cross-validated it.

    Returns (best sigma, [mean validation log-likelihood of each sigma]).
    """
    means = log_likelihoods(samples, validation, sigmas, batch_size).mean(1)
    return float(np.asarray(sigmas)[np.argmax(means)]), means.tolist()
