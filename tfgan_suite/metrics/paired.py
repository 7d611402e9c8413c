"""Paired-image metrics for image-to-image translation (pix2pix): L1, PSNR
and SSIM (`tf.image`), computed on uint8 images as a user sees them."""

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
