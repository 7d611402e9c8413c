"""Mode coverage on toy mixtures (VEEGAN, Srivastava et al. 2017; PacGAN,
Lin et al. 2018).

A sample is *high quality* when it lies within 3 standard deviations of its
nearest mode centre; a mode is *covered* when at least `min_share` (PacGAN:
1/5) of its expected count, n / number of modes, of high-quality samples
fall to it.
"""

import numpy as np


def mode_coverage(samples, centers, std, min_share=0.2):
    """Returns {"modes": covered modes, "high_quality": share, "counts": [...]}."""
    samples, centers = np.asarray(samples, np.float64), np.asarray(centers)
    if samples.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples: expected shape (N, {centers.shape[1]}), "
                         f"got {samples.shape}")
    distances = np.linalg.norm(samples[:, None, :] - centers[None], axis=-1)
    nearest, distance = distances.argmin(1), distances.min(1)
    good = distance <= 3 * std
    counts = np.bincount(nearest[good], minlength=len(centers))
    needed = min_share * len(samples) / len(centers)
    return {"modes": int((counts >= needed).sum()),
            "high_quality": float(good.mean()),
            "counts": counts.tolist()}
