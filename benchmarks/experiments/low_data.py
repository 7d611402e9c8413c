"""`low_data`: DCGAN (the `fashion_mnist_dcgan` preset) on --max_images
images of one class (600: 10 % of it, the regime of the DiffAugment
paper's 10 % CIFAR-10 runs) without augmentation, with DiffAugment
(color,translation,cutout) and with ADA, at equal steps and seeds; domain
FID against that class's 1 000 test images every --fid_every steps.
Runs and results are named by the image count: runs/reproduce/low_data_600/,
results/low_data_600.json and .png.
"""

import os

import numpy as np
from absl import flags

from experiments import common
from tfgan_suite import plots

flags.DEFINE_multi_string("augment", ["none", "color,translation,cutout",
                                       "ada"],
                          "low_data: a setting of augment= to compare "
                          "(none: off); repeat the flag for each.")
flags.DEFINE_string("low_data_class", "Sneaker", "low_data: the class.")
flags.DEFINE_integer("max_images", 600, "low_data: training images.")
flags.DEFINE_integer("low_data_steps", 2000, "low_data: steps of each run.")
flags.DEFINE_integer("fid_every", 500, "low_data: steps between FIDs.")
FLAGS = flags.FLAGS


def name():
    return f"low_data_{FLAGS.max_images}"


def low_data_run(augment, seed):
    out = common.train(
        os.path.join(name(), f"{augment.replace(',', '+')}_seed{seed}"),
        "fashion_mnist_dcgan", classes=[FLAGS.low_data_class],
        max_images=FLAGS.max_images, batch_size=64,
        steps=FLAGS.low_data_steps, steps_per_epoch=FLAGS.fid_every,
        fid_every_n_steps=FLAGS.fid_every,
        fid_num_images=FLAGS.fid_num_images, seed=int(seed),
        model_args={} if augment == "none" else {"augment": augment})
    values = common.scores(out)
    health = common.read_csv(os.path.join(out, "history.csv"))
    record = {"steps": [int(s) for s in values["step"]], "fid": values["fid"],
              "d_acc_real": health["d_acc_real"][-1],
              "d_acc_fake": health["d_acc_fake"][-1]}
    if "ada_p" in health:  # ADA's augmentation probability at each epoch
        record["ada_p"] = health["ada_p"]
    return record


def low_data():
    results = {"class": FLAGS.low_data_class,
               "max_images": FLAGS.max_images,
               "steps": FLAGS.low_data_steps, "batch_size": 64,
               "fid_num_images": FLAGS.fid_num_images, "runs": {}}
    for seed in FLAGS.seeds:  # seed by seed: partial results compare.
        for augment in FLAGS.augment:
            results["runs"].setdefault(augment, {})[seed] = low_data_run(
                augment, seed)
            summarize(results)
            common.write_json(name(), results)
    curves = {}
    for augment, runs in results["runs"].items():
        steps = next(iter(runs.values()))["steps"]
        curves[f"{augment} (mean of {len(runs)})"] = np.mean(
            [r["fid"] for r in runs.values()], axis=0)
    plots.save_loss_plot(np.asarray(steps), curves,
                         os.path.join(FLAGS.results, f"{name()}.png"),
                         smoothing=1, ylabel="domain FID")


def summarize(results):
    """Final and best FID per setting: mean and spread over seeds, and the
    change against no augmentation."""
    summary = {}
    for augment, runs in results["runs"].items():
        final = [r["fid"][-1] for r in runs.values()]
        best = [min(r["fid"]) for r in runs.values()]
        summary[augment] = {"final_fid_mean": float(np.mean(final)),
                            "final_fid_std": float(np.std(final)),
                            "best_fid_mean": float(np.mean(best)),
                            "seeds": len(runs)}
    base = summary.get("none")
    for augment, values in summary.items():
        if base and augment != "none":
            values["final_fid_change"] = (values["final_fid_mean"]
                                          / base["final_fid_mean"] - 1)
    results["summary"] = summary
