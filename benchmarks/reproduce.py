"""Experiments on real data, one command each; figures (PNG) and numbers
(JSON) land in results/.

    python benchmarks/reproduce.py --experiment=low_data

`low_data`: DCGAN (the `fashion_mnist_dcgan` preset) on 600 images of one
Fashion-MNIST class (10 % of it, the regime of the DiffAugment paper's 10 %
CIFAR-10 runs) without augmentation, with DiffAugment
(color,translation,cutout) and with ADA, at equal steps and seeds; domain
FID against that class's 1 000 test images, on --fid_num_images samples
from fixed seeds, every --fid_every steps.

Each run is `tgs.experiment.run` (what `scripts/train.py` does) in its own
folder under --runs; a run already finished there is reused, so an
interrupted experiment continues where it stopped.
"""

import json
import os

import numpy as np
from absl import flags

from tfgan_suite import callbacks, experiment, plots
from tfgan_suite.training import cli

flags.DEFINE_enum("experiment", "low_data", ["low_data"], "What to run.")
flags.DEFINE_string("runs", "runs/reproduce", "Folder of the runs.")
flags.DEFINE_string("results", "results", "Folder of the figures and JSON.")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds of each setting.")
flags.DEFINE_multi_string("augment", ["none", "color,translation,cutout",
                                       "ada"],
                          "A setting of augment= to compare (none: off); "
                          "repeat the flag for each.")
flags.DEFINE_string("classes", "Sneaker", "The one class (low_data).")
flags.DEFINE_integer("max_images", 600, "Training images (low_data).")
flags.DEFINE_integer("steps", 3000, "Training steps of each run.")
flags.DEFINE_integer("batch_size", 64, "Minibatch size.")
flags.DEFINE_integer("fid_every", 500, "Steps between FID evaluations.")
flags.DEFINE_integer("fid_num_images", 5000, "Samples per FID.")
FLAGS = flags.FLAGS


def low_data_run(augment, seed):
    name = f"{augment.replace(',', '+')}_seed{seed}"
    out = os.path.join(FLAGS.runs, "low_data", name)
    if not os.path.isfile(os.path.join(out, "model.keras")):
        config = experiment.make_config(
            "fashion_mnist_dcgan", classes=[FLAGS.classes],
            max_images=FLAGS.max_images, batch_size=FLAGS.batch_size,
            steps=FLAGS.steps, steps_per_epoch=FLAGS.fid_every,
            fid_every_n_steps=FLAGS.fid_every,
            fid_num_images=FLAGS.fid_num_images, seed=int(seed), verbose=2,
            model_args={} if augment == "none" else {"augment": augment})
        resume = bool(callbacks.list_checkpoints(
            os.path.join(out, "checkpoints")))
        if resume:
            config = experiment.resume_config(out)
        experiment.run(config, out, resume=resume)
    with open(os.path.join(out, "fid.csv")) as f:
        rows = [line.strip().split(",") for line in f][1:]
    with open(os.path.join(out, "health.json")) as f:
        health = json.load(f)["last"]
    return {"steps": [int(r[0]) for r in rows],
            "fid": [float(r[1]) for r in rows],
            "d_acc_real": health["d_acc_real"],
            "d_acc_fake": health["d_acc_fake"]}


def low_data():
    results = {"command": "python benchmarks/reproduce.py "
                          "--experiment=low_data "
                          f"--seeds={','.join(FLAGS.seeds)} "
                          f"--steps={FLAGS.steps}",
               "class": FLAGS.classes, "max_images": FLAGS.max_images,
               "steps": FLAGS.steps, "batch_size": FLAGS.batch_size,
               "fid_num_images": FLAGS.fid_num_images, "runs": {}}
    os.makedirs(FLAGS.results, exist_ok=True)
    path = os.path.join(FLAGS.results, "low_data_fid.json")
    for seed in FLAGS.seeds:  # seed by seed: partial results compare.
        for augment in FLAGS.augment:
            results["runs"].setdefault(augment, {})[seed] = low_data_run(
                augment, seed)
            summarize(results)
            with open(path, "w") as f:  # after every run: partial results.
                json.dump(results, f, indent=2)
    curves = {}
    for augment, runs in results["runs"].items():
        steps = next(iter(runs.values()))["steps"]
        curves[f"{augment} (mean of {len(runs)})"] = np.mean(
            [r["fid"] for r in runs.values()], axis=0)
    plots.save_loss_plot(np.asarray(steps), curves,
                         os.path.join(FLAGS.results, "low_data_fid.png"),
                         smoothing=1, ylabel="domain FID")
    print(json.dumps(results["summary"], indent=2))
    print(f"wrote {path}")


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


def main(argv):
    {"low_data": low_data}[FLAGS.experiment]()


if __name__ == "__main__":
    cli.run(main)
