"""Fidelity and diversity of samples from k-nearest-neighbour manifolds of
classifier features, and FID within each class.

Each set of features is covered by balls B(x, NND_k(x)), NND_k(x) being
the distance from x to its k-th nearest neighbour in its own set (x itself
excluded):

    precision = 1/M sum_j 1[exists i: Y_j in B(X_i, NND_k(X_i))]
    recall    = 1/N sum_i 1[exists j: X_i in B(Y_j, NND_k(Y_j))]
        (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric
        for Assessing Generative Models", eq. 1-2)
    density   = 1/(kM) sum_j sum_i 1[Y_j in B(X_i, NND_k(X_i))]
    coverage  = 1/N sum_i 1[exists j: Y_j in B(X_i, NND_k(X_i))]
        (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for
        Generative Models", eq. 3-4)

for N real features X and M generated features Y. Precision and density
measure fidelity (do samples lie where real data lies?), recall and coverage
diversity (is all of the real data reached?). Density is not bounded by 1:
it exceeds 1 where samples crowd around dense real regions, and is 1 in
expectation for two independent samples of the same distribution.

Balls are open (||y - x|| < NND_k(x)), as in the reference implementation of
Naeem et al. (github.com/clovaai/generative-evaluation-prdc); Kynkäänniemi
et al. write <=. The two differ only on ties: for continuous features
never, for a set compared with itself in density, which is then exactly 1
(with closed balls each X_i would also count its k-th neighbour: (k+1)/k).

Distances are computed a block of rows at a time (about 4M entries, 32 MB),
never as the whole N x M matrix: 10 000 x 10 000 features fit in a few
hundred MB.
"""

import numpy as np

from tfgan_suite.metrics.distances import frechet_distance

# Entries of one block of the distance matrix (float64: 32 MB).
_BLOCK_ELEMENTS = 2 ** 22


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    Args:
      real_features: (N, D) features of real samples.
      fake_features: (M, D) features of generated samples.
      k: neighbourhood size of the manifold estimate (the paper's choice: 3).

    Returns:
      {"precision": share of fake samples inside the real manifold,
       "recall": share of real samples inside the fake manifold}, in [0, 1].
    """
    real, fake = check_features(real_features, fake_features, k)
    # Squared distances against squared radii: the same order, no sqrt.
    real_radii, fake_radii = _squared_radii(real, k), _squared_radii(fake, k)
    fake_inside = np.zeros(len(fake), bool)
    real_inside = np.zeros(len(real), bool)
    for rows, squared in squared_distance_blocks(real, fake):
        fake_inside |= (squared < real_radii[rows, None]).any(0)
        real_inside[rows] = (squared < fake_radii[None]).any(1)
    return {"precision": float(fake_inside.mean()),
            "recall": float(real_inside.mean())}


def density_coverage(real_features, fake_features, k=5):
    """Density and coverage (Naeem et al. 2020), on the real manifold only.

    Args:
      real_features: (N, D) features of real samples.
      fake_features: (M, D) features of generated samples.
      k: neighbourhood size of the real manifold (the paper's choice: 5).

    Returns:
      {"density": 1/(kM) sum_j (real balls holding Y_j), in [0, N/k],
       "coverage": share of real balls holding a generated sample, in
       [0, 1]}.
    """
    real, fake = check_features(real_features, fake_features, k, fake_k=False)
    real_radii = _squared_radii(real, k)
    balls_holding = np.zeros(len(fake), np.int64)
    covered = np.zeros(len(real), bool)
    for rows, squared in squared_distance_blocks(real, fake):
        inside = squared < real_radii[rows, None]
        balls_holding += inside.sum(0)
        covered[rows] = inside.any(1)
    return {"density": float(balls_holding.sum() / (k * len(fake))),
            "coverage": float(covered.mean())}


def knn_radii(features, k):
    """NND_k: distance from each row of `features` (N, D) to its k-th
    nearest neighbour among the other rows (the row itself excluded, a
    duplicate of it not)."""
    return np.sqrt(_squared_radii(np.asarray(features, np.float64), k))


def intra_class_fid(real_features, real_labels, fake_features, fake_labels):
    """FID within each class, and its mean over the classes (Miyato &
    Koyama 2018, "cGANs with Projection Discriminator"): how well a
    conditional generator matches p(x | y), not only p(x).

    Args:
      real_features, fake_features: (N, D) and (M, D) features.
      real_labels, fake_labels: (N,) and (M,) integer classes; every class
        of either set needs at least 2 samples in both.

    Returns:
      {"per_class": {class: FID of that class}, "mean": their mean}.
    """
    real, fake = check_features(real_features, fake_features, k=None)
    real_labels = _labels(real_labels, len(real), "real_labels")
    fake_labels = _labels(fake_labels, len(fake), "fake_labels")
    per_class = {}
    for c in np.union1d(real_labels, fake_labels):
        counts = (real_labels == c).sum(), (fake_labels == c).sum()
        if min(counts) < 2:
            raise ValueError(f"labels: expected at least 2 real and 2 "
                             f"generated samples of class {c}, got "
                             f"{counts[0]} real and {counts[1]} generated")
        per_class[int(c)] = frechet_distance(real[real_labels == c],
                                             fake[fake_labels == c])
    return {"per_class": per_class,
            "mean": float(np.mean(list(per_class.values())))}


def _squared_radii(features, k):
    radii = np.empty(len(features))
    for rows, squared in squared_distance_blocks(features, features):
        squared[np.arange(len(rows)), rows] = np.inf
        radii[rows] = np.partition(squared, k - 1, axis=1)[:, k - 1]
    return radii


def squared_distance_blocks(a, b):
    """(row indices, squared Euclidean distances of those rows of `a` to all
    of `b`), a block of rows at a time; |x - y|^2 = |x|^2 + |y|^2 - 2 x.y."""
    b_squared = (b ** 2).sum(1)
    step = max(1, _BLOCK_ELEMENTS // len(b))
    for start in range(0, len(a), step):
        rows = np.arange(start, min(start + step, len(a)))
        block = a[rows]
        squared = block @ b.T
        squared *= -2
        squared += b_squared[None]
        squared += (block ** 2).sum(1)[:, None]
        # Rounding can leave a tiny negative for (near-)equal rows.
        yield rows, np.maximum(squared, 0, out=squared)


def check_features(real_features, fake_features, k, fake_k=True,
                   names=("real_features", "fake_features")):
    """(real, fake) as float64 matrices with the same number of columns,
    finite, and with more rows than `k` (the k-th neighbour among the other
    rows of a set: of both sets, or of `real` only when not `fake_k`; None
    skips this); ValueError naming `names` otherwise."""
    arrays = []
    for name, x in zip(names, (real_features, fake_features)):
        x = np.asarray(x, np.float64)
        if x.ndim != 2 or not len(x):
            raise ValueError(f"{name}: expected a matrix (N, D) with N >= 1, "
                             f"got shape {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError(f"{name}: expected finite values, got "
                             f"{np.size(x) - np.isfinite(x).sum()} NaN/inf")
        arrays.append(x)
    real, fake = arrays
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"{names[1]}: expected {real.shape[1]} features "
                         f"per row like {names[0]}, got {fake.shape[1]}")
    if k is not None:
        smallest = min(len(real), len(fake)) if fake_k else len(real)
        if not 1 <= k < smallest:
            raise ValueError(f"k: expected 1 <= k < {smallest} (k-th "
                             f"neighbour among the other samples of a set), "
                             f"got {k}")
    return real, fake


def _labels(labels, n, name):
    labels = np.asarray(labels)
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name}: expected {n} integer labels, got shape "
                         f"{labels.shape}, dtype {labels.dtype}")
    return labels
