"""`fig8`: the paper's Fig. 8, DCGAN on all of Fashion-MNIST with fixed
noise over training; `ema`: the same run with an EMA generator.

fig8 trains the `fashion_mnist_dcgan` preset for --epochs epochs and
measures after every epoch, on --fid_num_images samples from fixed seeds:
domain FID and KID against the 10 000 test images, precision / recall /
density / coverage and the classes covered. It asks whether FID swings or
classes drop late (they do in the TensorFlow tutorial's DCGAN).

ema trains the same preset with `ema_decay=--ema_decay` and compares it
with fig8's run at equal steps: final FID, and the swings the average is
meant to damp: over the second half of the evaluations, how often FID
rose, and the mean absolute change between evaluations relative to its
mean (a steady fall counts there too).
"""

import os

import numpy as np
from absl import flags

from experiments import common
from tfgan_suite import data

flags.DEFINE_integer("epochs", 20, "fig8 / ema: epochs of the preset.")
flags.DEFINE_float("ema_decay", 0.999, "ema: decay of the EMA generator.")
flags.DEFINE_integer("ema_epochs", None, "ema: epochs of the EMA run "
                     "(default --epochs); compared with the plain run's "
                     "scores at the same steps.")
FLAGS = flags.FLAGS

PRESET = "fashion_mnist_dcgan"


def _run(name, model_args=None, epochs=None):
    batch = 128  # the preset's
    per_epoch = data.get_source("fashion_mnist", split="train",
                                data_dir=FLAGS.data_dir).num_examples // batch
    return common.train(
        name, PRESET, model_args=model_args, epochs=epochs or FLAGS.epochs,
        batch_size=batch, fid_every_n_steps=per_epoch,
        fid_num_images=FLAGS.fid_num_images, fid_metrics=common.ALL_METRICS,
        seed=FLAGS.seed)


def summary(values):
    """Final, best and late behaviour of a run's scores."""
    fid, classes = np.asarray(values["fid"]), np.asarray(values["classes"])
    best = int(np.argmin(fid))
    late = fid[len(fid) // 2:]
    return {
        "final_fid": float(fid[-1]), "best_fid": float(fid[best]),
        "best_step": int(values["step"][best]),
        "final_kid": float(values["kid"][-1]),
        "final_classes": int(classes[-1]),
        "min_classes_second_half": int(classes[len(classes) // 2:].min()),
        "fid_swing_second_half": common.swing(late),
        "fid_rises_second_half": int((np.diff(late) > 0).sum()),
        "fid_rise_after_best": float(fid[best:].max() / fid[best] - 1),
        **{k: float(values[k][-1])
           for k in ("precision", "recall", "density", "coverage")},
    }


def fig8():
    out = _run("fig8/dcgan")
    values = common.scores(out)
    samples = os.path.join(out, "samples")
    epochs = sorted(f for f in os.listdir(samples) if f.startswith("epoch_"))
    chosen = [epochs[i] for i in sorted({0, 1, 4, 9, len(epochs) - 1} &
                                        set(range(len(epochs))))]
    common.image_row([os.path.join(samples, f) for f in chosen],
                     [f"epoch {int(f[6:10])}" for f in chosen],
                     os.path.join(FLAGS.results, "fig8_progress.png"))
    steps = values["step"]
    common.figure(os.path.join(FLAGS.results, "fig8_scores.png"), [
        ("domain FID", {"FID": (steps, values["fid"])}, None),
        ("classes covered", {"classes": (steps, values["classes"])},
         {"all 10": 10}),
        ("k-NN manifold score", {k: (steps, values[k]) for k in
                                 ("precision", "recall", "density",
                                  "coverage")}, None),
    ], title=f"{PRESET}, fixed seeds, after every epoch")
    common.write_json("fig8", {
        "preset": PRESET, "epochs": FLAGS.epochs,
        "steps": int(steps[-1]), "fid_num_images": FLAGS.fid_num_images,
        "summary": summary(values), "scores": values})


def _scored_to(out, step):
    """Whether the run in `out` has scores up to `step` (it may still be
    training: fig8 and ema can run side by side)."""
    try:
        return common.scores(out)["step"][-1] >= step
    except (OSError, KeyError, IndexError):
        return False


def ema():
    # _v2: the EMA of tfgan_suite.models.ema (warm-up decay, batch-norm
    # statistics re-estimated for the average); a finished run of the old
    # EMA (constant decay, G's statistics copied), fig8/dcgan_ema<decay>,
    # is not reused for it.
    averaged = _run(f"fig8/dcgan_ema{FLAGS.ema_decay}_v2",
                    model_args={"ema_decay": FLAGS.ema_decay},
                    epochs=FLAGS.ema_epochs)
    last = common.scores(averaged)["step"][-1]
    plain = os.path.join(FLAGS.runs, "fig8", "dcgan")
    if not _scored_to(plain, last):  # else fig8's run, finished or not.
        plain = _run("fig8/dcgan")
    runs = {"no EMA": plain, f"EMA {FLAGS.ema_decay}": averaged}
    values = {name: common.scores(out) for name, out in runs.items()}
    # Equal steps: the plain run's scores up to the EMA run's last step.
    values["no EMA"] = {key: [v for v, s in zip(column, values["no EMA"][
        "step"]) if s <= last] for key, column in values["no EMA"].items()}
    common.figure(os.path.join(FLAGS.results, "ema_fid.png"), [
        ("domain FID", {n: (v["step"], v["fid"]) for n, v in values.items()},
         None),
        ("classes covered", {n: (v["step"], v["classes"])
                             for n, v in values.items()}, None),
    ], title=f"{PRESET}: EMA generator on vs off, equal steps")
    summaries = {name: summary(v) for name, v in values.items()}
    plain, averaged = summaries.values()
    common.write_json("ema", {
        "preset": PRESET, "steps": int(last),
        "ema_decay": FLAGS.ema_decay, "fid_num_images": FLAGS.fid_num_images,
        "summary": summaries,
        "final_fid_change": averaged["final_fid"] / plain["final_fid"] - 1,
        "swing_ratio": (averaged["fid_swing_second_half"]
                        / plain["fid_swing_second_half"]),
        "scores": values})
