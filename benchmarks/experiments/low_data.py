"""`low_data`: DCGAN (the `fashion_mnist_dcgan` preset) on 100 and 600
images of one class (--max_images; 600 is 10 % of it, the regime of the
DiffAugment paper's 10 % CIFAR-10 runs, 100 its 100-shot one), long enough
for D to overfit them (--low_data_steps, 10 000), without augmentation,
with DiffAugment (color,translation,cutout), with ADA at its default speed
and with ADA five times faster (`ada_kimg100`), at equal steps and seeds;
domain FID against that class's 1 000 test images every --fid_every steps,
and after every epoch of --fid_every steps the health values that show D
overfitting: its mean logit on a fixed batch of training images and on
one of the test images it never trains on, their gap, and ADA's r_t on
both (`tgs.training.callbacks.overfitting`).

Per image count n: runs/reproduce/low_data_<n>/<setting>_seed<s>_<steps>steps/,
results/low_data_<n>.json (the curves of every run; per setting the final
FID over seeds and the first step at which its mean FID curve is below
no augmentation's) and results/low_data_<n>.png (FID and the logit gap).
"""

import os
import re

import numpy as np
from absl import flags

from experiments import common

flags.DEFINE_multi_string(
    "augment", ["none", "color,translation,cutout", "ada", "ada_kimg100"],
    "low_data: a setting to compare, repeated for each: none (off), a "
    "DiffAugment policy list, ada, or ada_kimg<k> (ADA whose p can go from "
    "0 to 1 in k thousand images; ada: 500).")
flags.DEFINE_string("low_data_class", "Sneaker", "low_data: the class.")
flags.DEFINE_list("max_images", ["100", "600"], "low_data: training image "
                  "counts, one experiment each.")
flags.DEFINE_integer("low_data_steps", 10000, "low_data: steps of each run.")
flags.DEFINE_integer("fid_every", 1000, "low_data: steps between FIDs (and "
                     "between the health values: an epoch).")
FLAGS = flags.FLAGS

#: The health values of each run the JSON keeps, one per epoch.
HEALTH = ("d_real_mean", "d_real_heldout", "d_overfit_gap", "rt_train",
          "rt_heldout", "d_acc_real", "d_acc_fake", "ada_p")


def name(n):
    return f"low_data_{n}"


def batch_size(n):
    """The preset's 64, or all n images in one batch when fewer."""
    return min(64, n)


def model_args(setting):
    """The model arguments of a setting (see --augment)."""
    if setting == "none":
        return {}
    fast_ada = re.fullmatch(r"ada_kimg(\d+)", setting)
    if fast_ada:
        return {"augment": "ada", "ada_kimg": int(fast_ada[1])}
    return {"augment": setting}


def low_data_run(n, setting, seed):
    """{"steps", "fid", "health_steps", and the `HEALTH` values} of one
    run."""
    out = common.train(
        os.path.join(name(n), f"{setting.replace(',', '+')}_seed{seed}_"
                              f"{FLAGS.low_data_steps}steps"),
        "fashion_mnist_dcgan", classes=[FLAGS.low_data_class],
        max_images=n, batch_size=batch_size(n), steps=FLAGS.low_data_steps,
        steps_per_epoch=FLAGS.fid_every, fid_every_n_steps=FLAGS.fid_every,
        fid_num_images=FLAGS.fid_num_images, seed=int(seed),
        model_args=model_args(setting), **common.RADFORD_DCGAN)
    values = common.scores(out)
    health = common.read_csv(os.path.join(out, "history.csv"))
    return {"steps": [int(s) for s in values["step"]], "fid": values["fid"],
            "health_steps": [min((int(e) + 1) * FLAGS.fid_every,
                                 FLAGS.low_data_steps)
                             for e in health["epoch"]],
            **{key: health[key] for key in HEALTH if key in health}}


def low_data():
    for n in map(int, FLAGS.max_images):
        results = {"class": FLAGS.low_data_class, "max_images": n,
                   "steps": FLAGS.low_data_steps,
                   "batch_size": batch_size(n),
                   "fid_every": FLAGS.fid_every,
                   "fid_num_images": FLAGS.fid_num_images,
                   **common.domain_classifier(), "runs": {}}
        for seed in FLAGS.seeds:  # seed by seed: partial results compare.
            for setting in FLAGS.augment:
                results["runs"].setdefault(setting, {})[seed] = low_data_run(
                    n, setting, seed)
                summarize(results)
                common.write_json(name(n), results)
        figure(results, os.path.join(FLAGS.results, f"{name(n)}.png"))


def mean_curve(runs, key, steps_key="steps"):
    """(steps, the mean of `key` over the runs), up to the step all of
    them reached (an unfinished run of --report_only is shorter)."""
    length = min(len(r[key]) for r in runs.values())
    steps = next(iter(runs.values()))[steps_key][:length]
    return steps, np.mean([r[key][:length] for r in runs.values()], axis=0)


def crossing(steps, curve, base):
    """(the first step at which `curve` is below `base`, the step from
    which it stays below to the end), each None if there is none."""
    below = [float(a) < float(b) for a, b in zip(curve, base)]
    first = next((s for s, b in zip(steps, below) if b), None)
    stays = None
    for s, b in zip(reversed(steps), reversed(below)):
        if not b:
            break
        stays = s
    return first, stays


def summarize(results):
    """Per setting: the final and best FID (mean and spread over seeds),
    the final logit gap and r_t on held-out images (mean over seeds); for
    the augmentations, the change of the final FID against no
    augmentation and where the mean FID curves cross (`crossing`)."""
    summary = {}
    for setting, runs in results["runs"].items():
        final = [r["fid"][-1] for r in runs.values()]
        summary[setting] = {
            "final_fid_mean": float(np.mean(final)),
            "final_fid_std": float(np.std(final)),
            "best_fid_mean": float(np.mean([min(r["fid"])
                                            for r in runs.values()])),
            "seeds": len(runs)}
        for key in ("d_overfit_gap", "rt_heldout", "ada_p"):
            if all(key in r for r in runs.values()):
                summary[setting][f"final_{key}_mean"] = float(np.mean(
                    [r[key][-1] for r in runs.values()]))
    base = results["runs"].get("none")
    for setting, values in summary.items():
        if base is None or setting == "none":
            continue
        values["final_fid_change"] = (values["final_fid_mean"]
                                      / summary["none"]["final_fid_mean"] - 1)
        steps, curve = mean_curve(results["runs"][setting], "fid")
        _, base_curve = mean_curve(base, "fid")
        length = min(len(curve), len(base_curve))
        (values["first_below_none_step"],
         values["below_none_from_step"]) = crossing(
            steps[:length], curve[:length], base_curve[:length])
    results["summary"] = summary


def figure(results, path):
    """Mean FID curves, D's logit gap between training and held-out
    images and ADA's p, per setting (one color each)."""
    labels = {setting: f"{setting} (mean of {len(runs)})"
              for setting, runs in results["runs"].items()}
    panels = []
    for key, ylabel, hlines in (
            ("fid", "domain FID", None),
            ("d_overfit_gap", "D's mean logit: training - held-out images",
             {"no gap": 0.0}),
            ("ada_p", "ADA's p", None)):
        steps_key = "steps" if key == "fid" else "health_steps"
        series = {labels[setting]: mean_curve(runs, key, steps_key)
                  for setting, runs in results["runs"].items()
                  if all(key in r for r in runs.values())}
        if series:
            panels.append((ylabel, series, hlines))
    return common.figure(
        path, panels, title=f"{results['max_images']} {results['class']} "
                            f"images",
        colors={label: f"C{i}" for i, label in enumerate(labels.values())})
