"""`fig9`: the paper's Fig. 9, DCGAN trained class by class (CIFAR-10
horse, automobile, ship, bird, ~5 000 images each) and samples that D
scores >= 0.99.

Analogue: the `fashion_mnist_dcgan` preset at batch 64 on four single
Fashion-MNIST classes (6 000 images each). Per class: domain FID and KID
against that class's 1 000 test images; then the D >= --min_d_score filter
(`tgs.sampling.discriminator_filtered`): its acceptance rate, and FID,
KID, the classifier's confidence in the class and the share of samples it
recognises as the class, for filtered vs unfiltered samples at equal
count. Does filtering help, as the paper says?
"""

import math
import os

import numpy as np
from absl import flags

from experiments import common
from tfgan_suite import data, evaluation, plots
from tfgan_suite.data import sources
from tfgan_suite.evaluation import sampling
from tfgan_suite.training import runner

flags.DEFINE_list("fig9_classes", ["Sneaker", "Bag", "Dress", "Shirt"],
                  "fig9: the classes, one run each.")
flags.DEFINE_integer("class_steps", 2000, "fig9: steps of each class's run.")
flags.DEFINE_float("min_d_score", 0.99, "fig9: the filter's threshold.")
FLAGS = flags.FLAGS

PRESET = "fashion_mnist_dcgan"


def class_run(name):
    every = max(1, FLAGS.class_steps // 4)
    return common.train(
        f"fig9/{name}", PRESET, classes=[name], batch_size=64,
        steps=FLAGS.class_steps, steps_per_epoch=every,
        fid_every_n_steps=every, fid_num_images=FLAGS.fid_num_images,
        fid_metrics=["fid", "kid"], seed=FLAGS.seed)


def sample_scores(extractor, real_features, images, class_index):
    """FID, KID and the classifier's view of `images` (one class)."""
    features, logits = extractor(images)
    probabilities = np.exp(logits - logits.max(-1, keepdims=True))
    probabilities /= probabilities.sum(-1, keepdims=True)
    return {"fid": evaluation.frechet_distance(real_features, features),
            "kid": evaluation.kernel_distance(real_features, features),
            "confidence": float(probabilities[:, class_index].mean()),
            "recognised": float((logits.argmax(-1) == class_index).mean())}


def filter_class(out, name, extractor):
    """Filtered vs unfiltered samples of the run in `out` at equal count."""
    real = data.images_array(data.get_source(
        "fashion_mnist", split="test", classes=[name],
        data_dir=FLAGS.data_dir))
    real_features = extractor(real)[0]
    model = sampling.load(out)
    num = FLAGS.fid_num_images
    # Enough draws for acceptance rates down to 5 %.
    filtered, d_scores, rate = sampling.discriminator_filtered(
        model, num, min_d_score=FLAGS.min_d_score, seed=10 ** 6,
        max_batches=math.ceil(20 * num / 256), allow_fewer=True)
    num = len(filtered)  # equal count: as many as passed.
    if num < 2:
        return {"acceptance_rate": rate, "num_compared": num}
    unfiltered = model.generate(num, seed=0)
    index = sources.FASHION_MNIST_CLASSES.index(name)
    plots.save_grid(filtered[:64], os.path.join(
        FLAGS.results, "fig9", f"{name}_filtered.png"))
    plots.save_grid(unfiltered[:64], os.path.join(
        FLAGS.results, "fig9", f"{name}_unfiltered.png"))
    return {"acceptance_rate": rate, "num_compared": num,
            "mean_d_score_unfiltered": float(np.mean(
                model.discriminator_scores(unfiltered))),
            "unfiltered": sample_scores(extractor, real_features, unfiltered,
                                        index),
            "filtered": sample_scores(extractor, real_features, filtered,
                                      index)}


def fig9():
    extractor = runner.domain_extractor("fashion_mnist", FLAGS.data_dir,
                                        FLAGS.classifier_path)
    results, rows, labels = {}, [], []
    for name in FLAGS.fig9_classes:
        out = class_run(name)
        values = common.scores(out)
        results[name] = {"steps": values["step"], "fid": values["fid"],
                         "kid": values["kid"],
                         **filter_class(out, name, extractor)}
        folder = os.path.join(FLAGS.results, "fig9")
        if "filtered" not in results[name]:
            continue
        rows += [os.path.join(folder, f"{name}_unfiltered.png"),
                 os.path.join(folder, f"{name}_filtered.png")]
        labels += [f"{name}", f"{name}, D >= {FLAGS.min_d_score}"]
    if rows:
        common.image_row(rows, labels, os.path.join(FLAGS.results,
                                                    "fig9_samples.png"),
                         scale=1)
    helped = {name: r["filtered"]["fid"] < r["unfiltered"]["fid"]
              for name, r in results.items() if "filtered" in r}
    common.write_json("fig9", {
        "preset": PRESET, "batch_size": 64, "steps": FLAGS.class_steps,
        "min_d_score": FLAGS.min_d_score,
        "filter_lowers_fid": helped, "classes": results})
