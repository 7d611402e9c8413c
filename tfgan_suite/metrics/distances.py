"""Sample-quality scores from classifier activations, via TF-GAN.

    FID = |mu_r - mu_g|^2 + Tr(S_r + S_g - 2 (S_r S_g)^(1/2))   (Heusel et al. 2017)
    KID = unbiased MMD^2 with the kernel k(x, y) = (x.y / d + 1)^3  (Binkowski et al. 2018)
    IS  = exp(E_x KL(p(y|x) || p(y)))                            (Salimans et al. 2016)
"""

import numpy as np
import tensorflow as tf

from tfgan_suite.compat import tfgan


def _metrics():
    """TF-GAN's eval module, loaded on first use: it imports
    tensorflow_probability, a second or two that importing the suite (and
    every command's start) does without."""
    return tfgan.classifier_metrics


def _features(x):
    x = tf.convert_to_tensor(np.asarray(x), tf.float64)
    if x.shape.rank != 2:
        raise ValueError(f"activations: expected a matrix (N, D), got shape "
                         f"{x.shape}")
    return x


def frechet_distance(real_activations, fake_activations):
    """FID between two sets of activations (N, D)."""
    return float(_metrics().frechet_classifier_distance_from_activations(
        _features(real_activations), _features(fake_activations)))


def kernel_distance(real_activations, fake_activations):
    """KID (unbiased; can be slightly negative for equal distributions)."""
    return float(_metrics().kernel_classifier_distance_from_activations(
        _features(real_activations), _features(fake_activations)))


def inception_score(logits):
    """IS from classifier logits (N, classes)."""
    return float(_metrics().classifier_score_from_logits(
        tf.convert_to_tensor(np.asarray(logits), tf.float32)))


def class_coverage(logits, num_classes=None, min_share=0.25):
    """How evenly generated samples spread over the classes.

    Returns a dict: `histogram` (share of samples predicted as each class),
    `covered` (classes holding at least `min_share` of the uniform share
    1/num_classes) and `kl_from_uniform` (KL(histogram || uniform), 0 when
    all classes are equally frequent).
    """
    logits = np.asarray(logits)
    num_classes = num_classes or logits.shape[-1]
    counts = np.bincount(logits.argmax(-1), minlength=num_classes)
    share = counts / counts.sum()
    nonzero = share[share > 0]
    return {
        "histogram": share.round(4).tolist(),
        "covered": int((share >= min_share / num_classes).sum()),
        "kl_from_uniform": float((nonzero * np.log(nonzero * num_classes)).sum()),
    }
