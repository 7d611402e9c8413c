"""Memorization: how close generated samples come to the training images,
against how close unseen real images come.

For every generated sample and every held-out real image, the distance to
its nearest training image, in a feature space:

    d(x) = min_i ||f(x) - f(t_i)||    over the training images t_i

A generator that copies its training images makes samples nearer to them
than fresh draws of the data are. Meehan, Chaudhuri & Dasgupta 2020 ("A
Non-Parametric Test to Detect Data-Copying in Generative Models") test for
this by comparing these two sets of distances (a Mann-Whitney test in each
cell of a partition of the space) in an embedding, not in pixels, where
nearest neighbours mislead for images (Theis et al. 2016, "A note on the
evaluation of generative models"); Bai et al. 2021 ("On Training Sample
Memorization", MiFID) likewise take each sample's nearest training image
in Inception features (by cosine distance). Here: Euclidean distances in
the features of the evaluation (the domain classifier's or Inception's),
the two sets summarized by their means and medians and by the
Mann-Whitney probability that a sample lies nearer to the training set
than a held-out image does (Meehan et al.'s statistic over one cell, the
whole space).
"""

import numpy as np

from tfgan_suite.metrics.manifold import (check_features,
                                          squared_distance_blocks)


def nearest_distances(queries, references, names=("queries", "references")):
    """The Euclidean distance from each row of `queries` (M, D) to its
    nearest row of `references` (N, D); `names` name them in errors."""
    references, queries = check_features(references, queries, k=None,
                                         names=names[::-1])
    nearest = np.empty(len(queries))
    for rows, squared in squared_distance_blocks(queries, references):
        nearest[rows] = squared.min(1)
    return np.sqrt(nearest)


def nearest_train_distance(train_features, sample_features,
                           held_out_features):
    """The nearest-training-image distances of samples and of held-out real
    images (see the module docstring), from their features.

    Args:
      train_features: (N, D) features of the images the model trained on.
      sample_features: (M, D) features of generated samples.
      held_out_features: (K, D) features of real images it never saw.

    Returns:
      {"samples", "heldout": mean distances; "ratio": samples / heldout
       (below 1: samples sit nearer to the training images than unseen
       real ones do; 0: copies); "samples_median", "heldout_median";
       "p_sample_nearer": the probability that a sample is nearer to the
       training set than a held-out image (Mann-Whitney U / (M K); 0.5:
       as near as unseen images, 1: every sample nearer than every one)}.
    """
    samples = nearest_distances(sample_features, train_features,
                                ("sample_features", "train_features"))
    held = nearest_distances(held_out_features, train_features,
                             ("held_out_features", "train_features"))
    from scipy import stats  # slow to import; only here.
    u = stats.mannwhitneyu(held, samples, alternative="two-sided").statistic
    return {"samples": float(samples.mean()), "heldout": float(held.mean()),
            # Held-out images that all duplicate training ones: no ratio.
            "ratio": (float(samples.mean() / held.mean()) if held.mean() > 0
                      else float("nan")),
            "samples_median": float(np.median(samples)),
            "heldout_median": float(np.median(held)),
            "p_sample_nearer": float(u / (len(samples) * len(held)))}
