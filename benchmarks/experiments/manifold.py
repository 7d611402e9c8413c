"""`manifold`: precision / recall (Kynkäänniemi et al. 2019) and density /
coverage (Naeem et al. 2020) beside FID and KID for the final model of
every finished image run under --runs (the other experiments' runs: the
presets' models as trained there), on --fid_num_images samples from fixed
seeds against the test images of the run's data (its classes only for
one-class runs), features of the domain classifier; for a conditional
model also its label accuracy and intra-class FID (as `evaluate.py`
reports them).
"""

import json
import os

import numpy as np

from experiments import common
from tfgan_suite import data, metrics, models, runs

FLAGS = common.FLAGS
SCORES = ("precision", "recall", "density", "coverage")


def finished_runs(root):
    """Run folders under `root` with a final model of generated images."""
    found = []
    for folder, _, names in sorted(os.walk(root)):
        if "model.keras" in names and "config.json" in names:
            config = common.run_config(folder)
            if (config.data.dataset == "fashion_mnist"
                    and models.get(config.model).data_kind(config.model_args) != "pairs"):
                found.append(folder)
    return found


def score(out, extractor, real_cache):
    config = common.run_config(out)
    classes = config.data.classes
    key = json.dumps(classes)
    if key not in real_cache:
        test = data.get_source("fashion_mnist", split="test", labels=True,
                               classes=classes, data_dir=FLAGS.data_dir)
        images, labels = data.sources.images_and_labels(test)
        real_cache[key] = (extractor(data.to_float(images).numpy())[0],
                           labels)
    real, real_labels = real_cache[key]
    model = runs.load(out)
    fake, logits = extractor(model.generate(FLAGS.fid_num_images, seed=0))
    record = {"model": config.model, "preset": config.preset,
              "optimization": common.optimization(config),
              "classes": classes, "epochs": config.train.epochs,
              "steps": config.train.steps,
              "fid": metrics.frechet_distance(real, fake),
              "kid": metrics.kernel_distance(real, fake),
              **metrics.precision_recall(real, fake),
              **metrics.density_coverage(real, fake),
              "classes_covered": metrics.class_coverage(logits)["covered"]}
    if model.num_classes:  # how well it obeys its labels, class by class
        record["label_accuracy"], record["intra_class_fid"] = (
            metrics.conditional_scores(
                model, extractor, real, real_labels,
                per_label=FLAGS.fid_num_images // model.num_classes))
    return record


def manifold():
    extractor = metrics.domain_extractor("fashion_mnist", FLAGS.data_dir,
                                        FLAGS.classifier_path)
    cache, results = {}, {}
    for out in finished_runs(FLAGS.runs):
        results[os.path.relpath(out, FLAGS.runs)] = score(out, extractor,
                                                          cache)
    if not results:
        raise ValueError(f"runs: no finished image run under {FLAGS.runs}; "
                         f"run the other experiments first")
    plot(results, os.path.join(FLAGS.results, "manifold.png"))
    common.write_json("manifold", {"fid_num_images": FLAGS.fid_num_images,
                                   **common.domain_classifier(),
                                   "runs": results})


def plot(results, path):
    """The k-NN manifold scores of `results` ({run: record}), run by run."""
    names = list(results)
    from matplotlib.figure import Figure
    fig = Figure(figsize=(max(6, 0.9 * len(names)), 4.5), dpi=100)
    ax = fig.add_subplot()
    x, width = np.arange(len(names)), 0.2
    for i, key in enumerate(SCORES):
        ax.bar(x + (i - 1.5) * width, [results[n][key] for n in names],
               width, label=key)
    ax.set_xticks(x, names, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("k-NN manifold score")
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path)
