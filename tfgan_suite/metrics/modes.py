"""Mode coverage on toy mixtures (VEEGAN, Srivastava et al. 2017; PacGAN,
Lin et al. 2018).

A sample is *high quality* when it lies within 3 standard deviations of its
nearest mode centre. Two rules for a *covered* mode:

* `modes`, the published rule: a mode is covered when at least one
  high-quality sample falls to it. VEEGAN proposed the measure and PacGAN's
  Table 1 reuses it; PacGAN's code (fjxmlzn/PacGAN,
  `synthetic_data_experiments/PacGAN/pacgan/extensions.py`, `MetricLogger`)
  counts the modes with a nonzero count of samples closer than 3 std.
* `modes_strict`, stricter and not from either paper: a mode is covered
  when it gets at least `min_share` (default 1/5) of its expected count,
  n / number of modes, of high-quality samples, so that a handful of stray
  samples does not count as capturing a mode. For min_share > 0 it never
  counts more modes than the published rule.
"""

import numpy as np


def mode_coverage(samples, centers, std, min_share=0.2):
    """Mode coverage of `samples` (N, d) on the mixture of `centers` (K, d)
    with isotropic `std`.

    Returns {"modes": modes with >= 1 high-quality sample (the VEEGAN /
    PacGAN rule), "modes_strict": modes with >= min_share * N / K of them,
    "high_quality": share of samples within 3 std of their nearest centre,
    "counts": high-quality samples per mode}. A sample exactly at 3 std
    counts as high quality (PacGAN's code: strictly closer; the boundary has
    probability zero).
    """
    samples, centers = np.asarray(samples, np.float64), np.asarray(centers)
    if samples.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples: expected shape (N, {centers.shape[1]}), "
                         f"got {samples.shape}")
    distances = np.linalg.norm(samples[:, None, :] - centers[None], axis=-1)
    nearest, distance = distances.argmin(1), distances.min(1)
    good = distance <= 3 * std
    counts = np.bincount(nearest[good], minlength=len(centers))
    needed = min_share * len(samples) / len(centers)
    return {"modes": int((counts >= 1).sum()),
            "modes_strict": int((counts >= needed).sum()),
            "high_quality": float(good.mean()),
            "counts": counts.tolist()}
