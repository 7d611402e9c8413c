"""`fig8`: the paper's Fig. 8, DCGAN on all of Fashion-MNIST with fixed
noise over training (the same preset with an EMA generator: the `ema`
experiment, experiments/ema_ramp.py).

fig8 trains the `fashion_mnist_dcgan` preset for --epochs epochs and
measures after every epoch, on --fid_num_images samples from fixed seeds:
domain FID and KID against the 10 000 test images, precision / recall /
density / coverage and the classes covered. It asks whether FID swings or
classes drop late (they do in the TensorFlow tutorial's DCGAN).
"""

import os

import numpy as np
from absl import flags

from experiments import common
from tfgan_suite import data, models

flags.DEFINE_integer("epochs", 20, "fig8 (and ema unless --ema_epochs): "
                     "epochs of the preset.")
FLAGS = flags.FLAGS

PRESET = "fashion_mnist_dcgan"
NAME = "fig8/dcgan"
BATCH = models.presets.get(PRESET)["data"]["batch_size"]


def train_images():
    """The number of Fashion-MNIST training images (reads the files)."""
    return data.get_source("fashion_mnist", split="train",
                           data_dir=FLAGS.data_dir).num_examples


def _run(name, model_args=None, epochs=None, batch_size=BATCH,
         fid_metrics=common.ALL_METRICS, **overrides):
    """Run `name` of the preset (at the preset's batch unless
    `batch_size`), scored after every epoch."""
    per_epoch = train_images() // batch_size
    return common.train(
        name, PRESET, model_args=model_args, epochs=epochs or FLAGS.epochs,
        batch_size=batch_size, fid_every_n_steps=per_epoch,
        fid_num_images=FLAGS.fid_num_images, fid_metrics=fid_metrics,
        seed=FLAGS.seed, **overrides)


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


def preset_ema():
    """(ema_kimg, ema_rampup) of the preset as it is."""
    args = common.preset_args(PRESET)
    return args["ema_kimg"], args["ema_rampup"]


def preset_run():
    """fig8's run: the preset as it is (`common.preset_model_args`), every
    epoch's checkpoint kept (the `ema` experiment scores raw G at each)."""
    return _run(NAME, model_args=common.preset_model_args(PRESET),
                keep_checkpoints=FLAGS.epochs + 1)


def fig8():
    out = preset_run()
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
        "summary": summary(values), "scores": values,
        **common.domain_classifier()})
