"""Metrics of image-to-image translation, on uint8 images as a user sees
them: L1, PSNR and SSIM (`tf.image`) against paired targets; for a model
that translates both ways between unpaired domains, the FID of each
direction's outputs against the other domain and the cycle-consistency
L1."""

import numpy as np
import tensorflow as tf

#: PSNR of identical images is infinite; per image it is capped here (an MSE
#: of 255^2 * 1e-10), so means over a test set stay finite.
PSNR_CAP_DB = 100.0


def paired_scores(predicted, target):
    """Per-image scores of uint8 images (N, H, W, C) against their targets.

    Returns {"l1": mean |p - t| / 255 (0 = equal, 1 = opposite),
             "psnr": dB (max 255), capped at PSNR_CAP_DB,
             "ssim": structural similarity (1 = equal)}, each an array (N,).
    """
    predicted = tf.convert_to_tensor(predicted)
    target = tf.convert_to_tensor(target)
    if predicted.dtype != tf.uint8 or target.dtype != tf.uint8:
        raise ValueError(f"paired_scores: expected uint8 images, got "
                         f"{predicted.dtype.name} and {target.dtype.name}")
    if predicted.shape != target.shape:
        raise ValueError(f"paired_scores: predicted {predicted.shape} and "
                         f"target {target.shape} differ in shape")
    p = tf.cast(predicted, tf.float32)
    t = tf.cast(target, tf.float32)
    l1 = tf.reduce_mean(tf.abs(p - t), axis=[1, 2, 3]) / 255.0
    psnr = tf.minimum(tf.image.psnr(p, t, max_val=255.0), PSNR_CAP_DB)
    ssim = tf.image.ssim(p, t, max_val=255.0)
    return {"l1": l1.numpy(), "psnr": psnr.numpy(), "ssim": ssim.numpy()}


def evaluate_translation(translate_uint8, pairs):
    """Mean L1 / PSNR / SSIM of `translate_uint8(inputs)` over `pairs`.

    Args:
      translate_uint8: uint8 inputs -> uint8 outputs (e.g.
        `Pix2Pix.translate_uint8` or a SavedModel signature).
      pairs: iterable of (input, target) batches, float in [-1, 1].
    """
    from tfgan_suite.data.pipeline import to_uint8
    scores = {"l1": [], "psnr": [], "ssim": []}
    for inputs, targets in pairs:
        predicted = translate_uint8(to_uint8(inputs).numpy())
        for key, values in paired_scores(predicted, to_uint8(targets)).items():
            scores[key].append(values)
    scores = {k: np.concatenate(v) for k, v in scores.items()}
    if not len(scores["l1"]):
        raise ValueError("pairs: no test pairs to evaluate")
    result = {k: float(v.mean()) for k, v in scores.items()}
    result["num_pairs"] = int(len(scores["l1"]))
    return result


def evaluate_unpaired(translate_uint8, images_a, images_b, extractor):
    """Scores of a two-way translator (`translate_uint8(images,
    direction=...)`, direction "AtoB" or "BtoA") on uint8 test images of
    domains A and B:

    - `a_to_b_fid`, `b_to_a_fid`: Frechet distance between the features
      (`extractor(images in [-1, 1])[0]`) of the translations A -> B and
      the B images, and of B -> A and the A images;
    - `cycle_l1_a`, `cycle_l1_b`: mean |F(G(a)) - a| / 255 and
      |G(F(b)) - b| / 255 (the cycle-consistency of Zhu et al. 2017, eq. 2).
    """
    from tfgan_suite.data.pipeline import to_float
    from tfgan_suite.metrics.distances import frechet_distance
    features = lambda x: extractor(to_float(x).numpy())[0]
    scores = {}
    for there, back, images, other, letter in (
            ("AtoB", "BtoA", images_a, images_b, "a"),
            ("BtoA", "AtoB", images_b, images_a, "b")):
        translated = translate_uint8(images, direction=there)
        cycled = translate_uint8(translated, direction=back)
        name = f"{there[0].lower()}_to_{there[-1].lower()}"
        scores[f"{name}_fid"] = frechet_distance(features(other),
                                                 features(translated))
        scores[f"cycle_l1_{letter}"] = float(
            paired_scores(cycled, images)["l1"].mean())
    scores.update(num_a=len(images_a), num_b=len(images_b))
    return scores
