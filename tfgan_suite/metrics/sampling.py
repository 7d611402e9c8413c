"""Scores that sample a trained model: discriminator-filtered sampling
(the seed paper's Fig. 9) and a conditional model scored label by label."""

import numpy as np

from tfgan_suite.data.pipeline import to_float
from tfgan_suite.metrics.manifold import intra_class_fid


def discriminator_filtered(model, num, min_d_score=0.99, batch_size=256,
                           max_batches=200, seed=0, **conditioning):
    """Samples that the discriminator scores >= `min_d_score` (seed paper, Fig. 9).

    Draws batches of `batch_size` with consecutive seeds until `num` samples
    pass or `max_batches` batches were tried.

    Returns:
      (images float32 [num, H, W, C], their D scores, acceptance rate).

    Raises:
      ValueError: if fewer than `num` passed after `max_batches` batches.
    """
    kept, scores, tried = [], [], 0
    for b in range(max_batches):
        images = model.generate(batch_size, seed=seed + b * batch_size,
                                **conditioning)
        s = model.discriminator_scores(images, **conditioning)
        tried += len(images)
        kept.append(images[s >= min_d_score])
        scores.append(s[s >= min_d_score])
        if sum(len(k) for k in kept) >= num:
            break
    images, scores = np.concatenate(kept), np.concatenate(scores)
    rate = len(images) / tried
    if len(images) < num:
        raise ValueError(
            f"min_d_score: only {len(images)} of {tried} samples "
            f"({rate:.2%}) scored >= {min_d_score}, {num} wanted; lower "
            f"min_d_score={min_d_score} or raise max_batches={max_batches}")
    return images[:num], scores[:num], rate


def conditional_scores(model, extractor, real_features, real_labels,
                       per_label=1000):
    """On `per_label` images generated for each label y: the share the
    domain classifier assigns to y, per label (how well a conditional model
    obeys), and the intra-class FID against the real images of y.

    The FID leaves out labels with fewer than 2 real test images (a
    covariance needs 2); they are listed under "skipped".
    """
    accuracy, fake_features = {}, []
    for label in range(model.num_classes):
        images = to_float(model.generate_uint8(
            per_label, seed=label * per_label, labels=label)).numpy()
        features, logits = extractor(images)
        accuracy[str(label)] = float((logits.argmax(-1) == label).mean())
        fake_features.append(features)
    accuracy["mean"] = float(np.mean(list(accuracy.values())))
    fake_labels = np.repeat(np.arange(model.num_classes), per_label)
    measured = [c for c in range(model.num_classes)
                if (real_labels == c).sum() >= 2]
    intra = {"per_class": {}, "mean": None}
    if measured:
        real_kept, fake_kept = (np.isin(real_labels, measured),
                                np.isin(fake_labels, measured))
        intra = intra_class_fid(
            real_features[real_kept], real_labels[real_kept],
            np.concatenate(fake_features)[fake_kept], fake_labels[fake_kept])
    intra["skipped"] = sorted(set(range(model.num_classes)) - set(measured))
    return accuracy, intra
