"""`fig9`: the paper's Fig. 9, DCGAN trained class by class (CIFAR-10
horse, automobile, ship, bird, ~5 000 images each) and samples that D
scores >= 0.99.

Analogue: the `fashion_mnist_dcgan` preset at batch 64 on four single
Fashion-MNIST classes (6 000 images each). Per class: domain FID and KID
against that class's 1 000 test images; then the D >= --min_d_score filter
(the paper's, as `tgs.metrics.discriminator_filtered` applies it; its
acceptance rate) and, as that absolute threshold may pass nothing, the
--top_share of samples D scores highest, both on one pool of
--fid_num_images / --top_share samples: FID, KID, the classifier's
confidence in the class and the share of samples it recognises as the
class, for filtered vs unfiltered samples at equal count. Does filtering
help, as the paper says?
"""

import math
import os

import numpy as np
from absl import flags

from experiments import common
from tfgan_suite import data, metrics, plots, runs
from tfgan_suite.data import sources

flags.DEFINE_list("fig9_classes", ["Sneaker", "Bag", "Dress", "Shirt"],
                  "fig9: the classes, one run each.")
flags.DEFINE_integer("class_steps", 2000, "fig9: steps of each class's run.")
flags.DEFINE_float("min_d_score", 0.99, "fig9: the paper's filter "
                   "threshold on D's score.")
flags.DEFINE_float("top_share", 0.1, "fig9: the relative filter keeps this "
                   "share of samples, those D scores highest.")
FLAGS = flags.FLAGS

PRESET = "fashion_mnist_dcgan"


def class_run(name):
    every = max(1, FLAGS.class_steps // 4)
    return common.train(
        f"fig9/{name}", PRESET, classes=[name], batch_size=64,
        steps=FLAGS.class_steps, steps_per_epoch=every,
        fid_every_n_steps=every, fid_num_images=FLAGS.fid_num_images,
        fid_metrics=["fid", "kid"], seed=FLAGS.seed,
        **common.RADFORD_DCGAN)


def sample_scores(extractor, real_features, images, class_index):
    """FID, KID and the classifier's view of `images` (one class)."""
    features, logits = extractor(images)
    probabilities = np.exp(logits - logits.max(-1, keepdims=True))
    probabilities /= probabilities.sum(-1, keepdims=True)
    return {"fid": metrics.frechet_distance(real_features, features),
            "kid": metrics.kernel_distance(real_features, features),
            "confidence": float(probabilities[:, class_index].mean()),
            "recognised": float((logits.argmax(-1) == class_index).mean())}


def d_scores(model, images, chunk=5000):
    return np.concatenate([model.discriminator_scores(images[i:i + chunk])
                           for i in range(0, len(images), chunk)])


def filter_class(out, name, extractor):
    """Filtered vs unfiltered samples of the run in `out` at equal count:
    those D scores >= --min_d_score (the paper's filter), and the top
    --top_share of a pool by D's score (a threshold relative to what D
    gives generated images)."""
    real = data.images_array(data.get_source(
        "fashion_mnist", split="test", classes=[name],
        data_dir=FLAGS.data_dir))
    real_features = extractor(real)[0]
    model = runs.load(out)
    index = sources.FASHION_MNIST_CLASSES.index(name)
    num = FLAGS.fid_num_images
    unfiltered = model.generate(num, seed=0)
    pool = model.generate(math.ceil(num / FLAGS.top_share), seed=10 ** 6)
    pool_scores = d_scores(model, pool)
    best = np.argsort(-pool_scores)[:num]  # the top share, best first
    top = pool[best]
    folder = os.path.join(FLAGS.results, "fig9")
    plots.save_grid(unfiltered[:64], os.path.join(folder,
                                                  f"{name}_unfiltered.png"))
    plots.save_grid(top[:64], os.path.join(folder, f"{name}_top.png"))
    result = {
        "d_score": {"real_mean": float(np.mean(d_scores(model, real))),
                    "generated_mean": float(np.mean(pool_scores)),
                    "generated_max": float(np.max(pool_scores))},
        "unfiltered": sample_scores(extractor, real_features, unfiltered,
                                    index),
        "top": {"share": FLAGS.top_share,
                "min_d_score": float(pool_scores[best[-1]]),
                **sample_scores(extractor, real_features, top, index)}}
    # The paper's absolute threshold on the same pool: its acceptance rate.
    passed = pool_scores >= FLAGS.min_d_score
    filtered = pool[passed][:num]
    result.update(acceptance_rate=float(np.mean(passed)),
                  pool_size=len(pool), num_compared=len(filtered))
    if len(filtered) >= 2:  # equal count: as many as passed.
        result["filtered"] = sample_scores(extractor, real_features,
                                           filtered, index)
        result["unfiltered_equal_count"] = sample_scores(
            extractor, real_features, unfiltered[:len(filtered)], index)
    return result


def fig9():
    extractor = metrics.domain_extractor("fashion_mnist", FLAGS.data_dir,
                                        FLAGS.classifier_path)
    results, rows, labels = {}, [], []
    for name in FLAGS.fig9_classes:
        out = class_run(name)
        values = common.scores(out)
        results[name] = {"steps": values["step"], "fid": values["fid"],
                         "kid": values["kid"],
                         **filter_class(out, name, extractor)}
        folder = os.path.join(FLAGS.results, "fig9")
        rows += [os.path.join(folder, f"{name}_unfiltered.png"),
                 os.path.join(folder, f"{name}_top.png")]
        labels += [f"{name}", f"{name}, top {FLAGS.top_share:.0%} by D"]
    common.image_row(rows, labels, os.path.join(FLAGS.results,
                                                "fig9_samples.png"), scale=1)
    threshold_helped = {
        name: r["filtered"]["fid"] < r["unfiltered_equal_count"]["fid"]
        for name, r in results.items() if "filtered" in r}
    top_helped = {name: r["top"]["fid"] < r["unfiltered"]["fid"]
                  for name, r in results.items()}
    common.write_json("fig9", {
        "preset": PRESET, **common.domain_classifier(),
        "batch_size": 64, "steps": FLAGS.class_steps,
        "min_d_score": FLAGS.min_d_score,
        "top_share": FLAGS.top_share,
        "filter_lowers_fid": threshold_helped,
        "top_filter_lowers_fid": top_helped, "classes": results})
