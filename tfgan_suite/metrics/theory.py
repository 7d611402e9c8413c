"""Numerical checks of the theory of Goodfellow et al. 2014 in one dimension.

Proposition 1: for a fixed G, the optimal discriminator is
    D*(x) = p_data(x) / (p_data(x) + p_g(x)).
Theorem 1: C(G) = max_D V(D, G) = -log 4 + 2 JSD(p_data || p_g), whose global
minimum -log 4 is reached iff p_g = p_data (then D* = 1/2 everywhere).

Densities are callables on numpy arrays; integrals use the trapezoid rule on
a fine grid.
"""

import numpy as np


def gaussian_pdf(mean, std):
    return lambda x: np.exp(-0.5 * ((x - mean) / std) ** 2) / (
        std * np.sqrt(2 * np.pi))


def optimal_discriminator(p_data, p_g):
    """D*(x) of Proposition 1."""
    return lambda x: p_data(x) / (p_data(x) + p_g(x))


def value(d, p_data, p_g, grid):
    """V(D, G) = E_pdata[log D(x)] + E_pg[log(1 - D(x))] (eq. 1), integrated."""
    dx = np.clip(d(grid), 1e-12, 1 - 1e-12)
    return float(np.trapezoid(p_data(grid) * np.log(dx)
                              + p_g(grid) * np.log(1 - dx), grid))


def jensen_shannon(p, q, grid):
    """JSD(p || q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2."""
    pv, qv = p(grid), q(grid)
    m = (pv + qv) / 2

    def kl(a):
        # 0 log 0 = 0; where m underflows, a is negligible too.
        out, mask = np.zeros_like(a), (a > 0) & (m > 0)
        out[mask] = a[mask] * np.log(a[mask] / m[mask])
        return out

    return float(np.trapezoid((kl(pv) + kl(qv)) / 2, grid))


def virtual_training_criterion(p_data, p_g, grid):
    """C(G) = -log 4 + 2 JSD(p_data || p_g) (Theorem 1)."""
    return -np.log(4.0) + 2 * jensen_shannon(p_data, p_g, grid)
