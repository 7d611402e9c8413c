"""`cgan_recipe`: the `fashion_mnist_cgan` preset, which carries the
`fashion_mnist_dcgan` preset's recipe (32 filters, D's final stride-1
convolution, the EMA generator, batch 64, the hinge loss, Adam 8e-4 with
betas 0 / 0.99), against the CGAN with Radford et al.'s settings (64
filters, no EMA, batch 128, the non-saturating loss, Adam 2e-4 with betas
0.5 / 0.999: the preset until it took the recipe); with
--cgan_candidates=preset,preset_bf16, the preset in float32 against the
preset in mixed_bfloat16 (its precision where the CPU has bfloat16
instructions).

Each candidate trains --cgan_epochs epochs on each of --seeds, scored
after every epoch (domain FID, KID, classes covered on --fid_num_images
samples); its final model is scored as `manifold` scores it (precision /
recall / density / coverage, label accuracy, intra-class FID), and an
epoch's CPU time is measured as `dcgan_screen` measures it.
"""

import os

import numpy as np
from absl import flags

from experiments import common, ema_ramp, fig8, manifold
from tfgan_suite import metrics

flags.DEFINE_integer("cgan_epochs", 3, "cgan_recipe: epochs of each run.")
flags.DEFINE_list("cgan_candidates", ["preset", "radford"], "cgan_recipe: "
                  "the candidates to train and score; other than the "
                  "default, or other than 3 epochs, the record is "
                  "cgan_recipe_<candidates>_<epochs>_epochs.json.")
FLAGS = flags.FLAGS

PRESET = "fashion_mnist_cgan"
#: {name: (what it is, batch size, model_args, compile overrides)}.
CANDIDATES = {
    "preset": ("the preset as it is, in float32 (its precision on a CPU "
               "without bfloat16 instructions): the DCGAN preset's recipe",
               64, {}, {}),
    "radford": ("Radford et al.'s settings: 64 filters, no EMA, batch 128, "
                "the non-saturating loss, Adam 2e-4 with betas 0.5 / 0.999 "
                "(the preset until it took the recipe)", 128,
                {"filters": 64, "d_final_convs": 0, "ema_kimg": None},
                common.RADFORD_DCGAN),
    "preset_bf16": ("the preset as it is, in mixed_bfloat16 (its precision, "
                    "auto, on a CPU with bfloat16 instructions)", 64, {},
                    {"mixed_precision": True}),
}


def cgan_recipe():
    for name in FLAGS.cgan_candidates:
        if name not in CANDIDATES:
            raise ValueError(f"--cgan_candidates: expected names among "
                             f"{', '.join(CANDIDATES)}, got {name!r}")
    extractor = metrics.domain_extractor("fashion_mnist", FLAGS.data_dir,
                                        FLAGS.classifier_path)
    images, cache, results = fig8.train_images(), {}, {}
    for name in FLAGS.cgan_candidates:
        what, batch, model_args, overrides = CANDIDATES[name]
        per_epoch = images // batch
        seeds = {}
        for seed in map(int, FLAGS.seeds):
            out = common.train(
                f"cgan_recipe/{name}_seed{seed}", PRESET,
                model_args=model_args, epochs=FLAGS.cgan_epochs,
                batch_size=batch, fid_every_n_steps=per_epoch,
                fid_num_images=FLAGS.fid_num_images,
                fid_metrics=["fid", "kid", "classes"], seed=seed,
                **overrides)
            values = common.scores(out)
            cpu = ema_ramp.epoch_cpu_seconds(out, per_epoch)
            epochs = [s / per_epoch for s in values["step"]]
            seeds[str(seed)] = {
                "by_epoch": {
                    **{k: values[k] for k in ("step", "fid", "kid",
                                              "classes")},
                    "epoch": epochs,
                    # Training CPU time at each score: epochs x an epoch's.
                    "cpu_minutes": [e * cpu / 60 for e in epochs]},
                "final": manifold.score(out, extractor, cache),
                "epoch_cpu_seconds": cpu}
        finals = [s["final"] for s in seeds.values()]
        results[name] = {
            "what": what, "batch_size": batch, "model_args": model_args,
            "compile": dict(overrides), "seeds": seeds,
            "mean_final_fid": float(np.mean([f["fid"] for f in finals])),
            "mean_label_accuracy": float(np.mean(
                [f["label_accuracy"]["mean"] for f in finals])),
            "mean_epoch_cpu_seconds": float(np.mean(
                [s["epoch_cpu_seconds"] for s in seeds.values()]))}
    record = "cgan_recipe"
    if (FLAGS.cgan_candidates != FLAGS["cgan_candidates"].default
            or FLAGS.cgan_epochs != FLAGS["cgan_epochs"].default):
        record += (f"_{'_'.join(FLAGS.cgan_candidates)}"
                   f"_{FLAGS.cgan_epochs}_epochs")
    panels = [("domain FID", {
        f"{name} seed {seed}": (values["by_epoch"][x],
                                values["by_epoch"]["fid"])
        for name, result in results.items()
        for seed, values in result["seeds"].items()}, None)
        for x in ("epoch", "cpu_minutes")]
    common.figure(os.path.join(FLAGS.results, f"{record}.png"), panels,
                  title=f"{PRESET}: " + " against ".join(results),
                  xlabel=["epoch", "CPU minutes (epochs x an epoch's)"])
    common.write_json(record, {
        "preset": PRESET, "epochs": FLAGS.cgan_epochs,
        "fid_num_images": FLAGS.fid_num_images, **common.domain_classifier(),
        "candidates": results})
