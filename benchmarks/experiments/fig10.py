"""`fig10`: the paper's Fig. 10, SAGAN on 5 000 CIFAR-10 horses (10 000
steps, batch 64, FID every 1 000 steps on 5 000 images), read as "SAGAN
beats DCGAN", with D overpowering G; and, beyond the paper, the same SAGAN
with DiffAugment, the fix the data-efficient GAN work found for that
regime.

Analogue: one Fashion-MNIST class (--fig10_class, 6 000 images); the
`fashion_mnist_sagan` preset (hinge, TTUR, spectral norm, self-attention),
the `fashion_mnist_dcgan` preset and SAGAN with
augment="color,translation,cutout", all at the same steps and batch 64;
domain FID every --fig10_fid_every steps on --fid_num_images samples
against the class's 1 000 test images; G and D losses and D's accuracy on
real and generated images (does D overpower G?). Each run on every seed of
--seeds (SAGAN and DCGAN of a seed first, the DiffAugment runs last);
the JSON is written after each run, so a partial measurement reports.
"""

import os

import numpy as np
from absl import flags

from experiments import common

flags.DEFINE_string("fig10_class", "Sneaker", "fig10: the one class.")
flags.DEFINE_integer("fig10_steps", 10000, "fig10: steps of each run.")
flags.DEFINE_integer("fig10_fid_every", 1000, "fig10: steps between FIDs.")
FLAGS = flags.FLAGS

RUNS = {  # label: (preset, model arguments, compile fields)
    "SAGAN": ("fashion_mnist_sagan", {}, {}),
    "DCGAN": ("fashion_mnist_dcgan", {}, common.RADFORD_DCGAN),
    "SAGAN + DiffAugment": ("fashion_mnist_sagan",
                            {"augment": "color,translation,cutout"}, {}),
}


def run(label, seed):
    preset, model_args, compile_fields = RUNS[label]
    name = label.lower().replace(" + ", "_").replace(" ", "_")
    return common.train(
        f"fig10/{FLAGS.fig10_class}/{name}_seed{seed}", preset,
        model_args=model_args,
        classes=[FLAGS.fig10_class], batch_size=64, steps=FLAGS.fig10_steps,
        steps_per_epoch=FLAGS.fig10_fid_every,
        fid_every_n_steps=FLAGS.fig10_fid_every,
        fid_num_images=FLAGS.fid_num_images, fid_metrics=["fid", "kid"],
        seed=int(seed), **compile_fields)


def balance(out):
    """Per-epoch losses and D's accuracies of a run, and whether D
    overpowers G at the end (D right on >= 95 % of real and of generated
    images in the last quarter of training)."""
    history = common.read_csv(os.path.join(out, "history.csv"))
    last = max(1, len(history["d_acc_real"]) // 4)
    acc_real = float(np.mean(history["d_acc_real"][-last:]))
    acc_fake = float(np.mean(history["d_acc_fake"][-last:]))
    return {"epochs": [int(e) + 1 for e in history["epoch"]],
            "d_loss": history["d_loss"], "g_loss": history["g_loss"],
            "d_acc_real": history["d_acc_real"],
            "d_acc_fake": history["d_acc_fake"],
            "late_d_acc_real": acc_real, "late_d_acc_fake": acc_fake,
            "d_overpowers_g": acc_real >= 0.95 and acc_fake >= 0.95}


def record(out):
    values = common.scores(out)
    return {"steps": values["step"], "fid": values["fid"],
            "kid": values["kid"], "final_fid": values["fid"][-1],
            "best_fid": min(values["fid"]), **balance(out)}


def fig10():
    order = ([(label, seed) for seed in FLAGS.seeds
              for label in ("SAGAN", "DCGAN")]
             + [("SAGAN + DiffAugment", seed) for seed in FLAGS.seeds])
    results = {}
    for label, seed in order:
        results.setdefault(label, {})[seed] = record(run(label, seed))
        report(results)


def report(results):
    """The JSON and figure of the runs done so far: per run and seed, and
    per run the mean of its seeds' curves and final FIDs."""
    mean = {label: {key: np.mean([r[key] for r in seeds.values()], axis=0)
                    for key in ("fid", "d_loss", "g_loss", "d_acc_real",
                                "d_acc_fake")}
            for label, seeds in results.items()}
    first = {label: next(iter(seeds.values()))
             for label, seeds in results.items()}
    steps = {label: np.asarray(r["epochs"]) * FLAGS.fig10_fid_every
             for label, r in first.items()}
    n = {label: len(seeds) for label, seeds in results.items()}
    common.figure(os.path.join(FLAGS.results, "fig10_fid.png"), [
        ("domain FID (mean of seeds)", {
            f"{label} ({n[label]})": (first[label]["steps"], m["fid"])
            for label, m in mean.items()}, None),
        ("loss (mean of each epoch and of seeds)", {
            f"{label} {net}": (steps[label], m[f"{net}_loss"])
            for label, m in mean.items() for net in ("d", "g")}, None),
        ("D accuracy (fixed real batch / fresh fakes)", {
            f"{label} {kind}": (steps[label], m[f"d_acc_{kind}"])
            for label, m in mean.items() for kind in ("real", "fake")},
         None),
    ], title=f"one class ({FLAGS.fig10_class}), batch 64, equal steps")
    finals = {label: [r["final_fid"] for r in seeds.values()]
              for label, seeds in results.items()}
    summary = {label: {"final_fid_mean": float(np.mean(f)),
                       "final_fid_std": float(np.std(f)),
                       "seeds": len(f)} for label, f in finals.items()}
    record = {"class": FLAGS.fig10_class, "batch_size": 64,
              "steps": FLAGS.fig10_steps, "fid_every": FLAGS.fig10_fid_every,
              "fid_num_images": FLAGS.fid_num_images, "summary": summary}
    paired = [s for s in results.get("DCGAN", {})
              if s in results.get("SAGAN", {})]
    if paired:  # seeds with both runs: SAGAN lower on each, and on average.
        record["sagan_beats_dcgan_per_seed"] = {
            s: results["SAGAN"][s]["final_fid"]
            < results["DCGAN"][s]["final_fid"] for s in paired}
        record["sagan_beats_dcgan"] = bool(np.mean(
            [results["SAGAN"][s]["final_fid"] for s in paired]) < np.mean(
            [results["DCGAN"][s]["final_fid"] for s in paired]))
    if "SAGAN + DiffAugment" in summary:
        record["diffaugment_vs_sagan_final_fid_change"] = (
            summary["SAGAN + DiffAugment"]["final_fid_mean"]
            / summary["SAGAN"]["final_fid_mean"] - 1)
    record["runs"] = results
    common.write_json("fig10", {**record, **common.domain_classifier()})
