"""Metrics of image-to-image translation, on uint8 images as a user sees
them: L1, PSNR and SSIM against paired targets; for a model that
translates both ways between unpaired domains, the FID of each
direction's outputs against the other domain and the cycle-consistency
L1.

PSNR and SSIM are computed in float64: in float32 the SSIM map's mean over
a 256x256x3 image drifts by ~2e-4 (and its variance terms cancel
catastrophically near 1), and a one-level error in one pixel would round
to a PSNR cap."""

import numpy as np
import tensorflow as tf

#: SSIM's Gaussian window and constants (Wang et al. 2004; `tf.image.ssim`).
SSIM_WINDOW, SSIM_SIGMA, SSIM_K1, SSIM_K2 = 11, 1.5, 0.01, 0.03


def psnr(predicted, target, max_val=255.0):
    """Peak signal-to-noise ratio per image, 10 log10(max^2 / MSE) in dB,
    in float64; +inf for an image identical to its target (MSE 0)."""
    p = tf.cast(predicted, tf.float64)
    t = tf.cast(target, tf.float64)
    mse = tf.reduce_mean(tf.square(p - t), axis=[-3, -2, -1]).numpy()
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(max_val ** 2 / mse)


def ssim(predicted, target, max_val=255.0):
    """Structural similarity per image (Wang et al. 2004, eq. 13) with an
    11x11 Gaussian window (sigma 1.5) at the 'valid' positions, its map
    averaged over positions and channels: `tf.image.ssim`'s definition,
    computed in float64 throughout."""
    p = tf.cast(predicted, tf.float64)
    t = tf.cast(target, tf.float64)
    channels = p.shape[-1]
    coords = tf.range(SSIM_WINDOW, dtype=tf.float64) - (SSIM_WINDOW - 1) / 2
    g = tf.exp(-tf.square(coords) / (2 * SSIM_SIGMA ** 2))
    window = tf.tensordot(g, g, axes=0)
    window = window / tf.reduce_sum(window)

    def filtered(x):
        # depthwise_conv2d has no float64 kernel on CPU: channels become
        # the batch of a one-channel conv2d.
        shape = tf.shape(x)
        x = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [-1, shape[1],
                                                        shape[2], 1])
        y = tf.nn.conv2d(x, window[:, :, None, None], 1, "VALID")
        return tf.reshape(y, [shape[0], channels, tf.shape(y)[1],
                              tf.shape(y)[2]])

    c1 = (SSIM_K1 * max_val) ** 2
    c2 = (SSIM_K2 * max_val) ** 2
    mp, mt = filtered(p), filtered(t)
    vp = filtered(p * p) - tf.square(mp)
    vt = filtered(t * t) - tf.square(mt)
    cov = filtered(p * t) - mp * mt
    ssim_map = ((2 * mp * mt + c1) * (2 * cov + c2)
                / ((tf.square(mp) + tf.square(mt) + c1) * (vp + vt + c2)))
    return tf.reduce_mean(ssim_map, axis=[1, 2, 3]).numpy()


def paired_scores(predicted, target):
    """Per-image scores of uint8 images (N, H, W, C) against their targets.

    Returns {"l1": mean |p - t| / 255 (0 = equal, 1 = opposite),
             "psnr": dB (max 255; +inf for identical images),
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
    if min(predicted.shape[1:3]) < SSIM_WINDOW:
        raise ValueError(f"paired_scores: SSIM needs images of at least "
                         f"{SSIM_WINDOW}x{SSIM_WINDOW}, got "
                         f"{predicted.shape[1]}x{predicted.shape[2]}")
    l1 = tf.reduce_mean(tf.abs(tf.cast(predicted, tf.float64)
                               - tf.cast(target, tf.float64)),
                        axis=[1, 2, 3]) / 255.0
    return {"l1": l1.numpy(), "psnr": psnr(predicted, target),
            "ssim": ssim(predicted, target)}


def mean_scores(scores):
    """Means of `paired_scores` arrays over a test set, JSON-ready: PSNR
    over the pairs that differ (an identical pair's is infinite) with
    `identical_pairs` counting the others, None when every pair is
    identical."""
    psnr_values = np.asarray(scores["psnr"])
    finite = psnr_values[np.isfinite(psnr_values)]
    result = {k: float(np.mean(v)) for k, v in scores.items() if k != "psnr"}
    result["psnr"] = float(finite.mean()) if len(finite) else None
    result["identical_pairs"] = int(len(psnr_values) - len(finite))
    return result


def evaluate_translation(translate_uint8, pairs):
    """Mean L1 / PSNR / SSIM of `translate_uint8(inputs)` over `pairs`
    (`mean_scores`: PSNR over the pairs that differ, `identical_pairs`).

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
    result = mean_scores(scores)
    result["num_pairs"] = int(len(scores["l1"]))
    return result


def evaluate_unpaired(translate_uint8, images_a, images_b, extractor):
    """Scores of a two-way translator (`translate_uint8(images,
    direction=...)`, direction "a_to_b" or "b_to_a") on uint8 test images of
    domains A and B:

    - `a_to_b_fid`, `b_to_a_fid`: Frechet distance between the features
      (`extractor(images in [-1, 1])[0]`) of the translations A -> B and
      the B images, and of B -> A and the A images;
    - `a_b_fid`: the same distance between the A and B images themselves,
      what a translator that changes nothing scores: the scale of the two;
    - `cycle_l1_a`, `cycle_l1_b`: mean |F(G(a)) - a| / 255 and
      |G(F(b)) - b| / 255 (the cycle-consistency of Zhu et al. 2017, eq. 2).
    """
    from tfgan_suite.data.pipeline import to_float
    from tfgan_suite.metrics.distances import frechet_distance
    features = lambda x: extractor(to_float(x).numpy())[0]
    scores = {"a_b_fid": frechet_distance(features(images_a),
                                          features(images_b))}
    for there, back, images, other, letter in (
            ("a_to_b", "b_to_a", images_a, images_b, "a"),
            ("b_to_a", "a_to_b", images_b, images_a, "b")):
        translated = translate_uint8(images, direction=there)
        cycled = translate_uint8(translated, direction=back)
        scores[f"{there}_fid"] = frechet_distance(features(other),
                                                 features(translated))
        scores[f"cycle_l1_{letter}"] = float(
            paired_scores(cycled, images)["l1"].mean())
    scores.update(num_a=len(images_a), num_b=len(images_b))
    return scores
