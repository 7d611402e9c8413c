"""`cyclegan`: CycleGAN (Zhu et al. 2017) on unpaired domains against
pix2pix on the pairs, at equal steps.

Fashion-MNIST has no unpaired photo domains, so they are built from it
(`fashion_edges_unpaired`): domain A holds the thresholded Sobel edge maps
of the first half of the training images, domain B the other half's
images, no image in both. The `fashion_edges_cyclegan` preset (ResNet
generators of --cyclegan_blocks blocks, 70x70 PatchGANs, instance norm,
least squares, lambda = 10, identity 0.5, pools of 50, Adam(2e-4, 0.5)
constant for the first half of the steps and decayed linearly to 0 over
the second) trains --cyclegan_steps steps at batch --pix2pix_batch with
--cyclegan_filters filters. Beside it, fig12_13's pix2pix (the upper bound:
the same edges paired with their images) trained for the same steps and
batch, and the CycleGAN before any step.

The test set's edge maps and images are paired (`fashion_edges`' test
split), so each model's translations of the first --fid_num_images test
edge maps are scored as in fig12_13 (`HeldOutPairs`): the domain FID
against the 10 000 test images (Fashion-MNIST's domain classifier on the
28x28 centre), the share the classifier puts in the true image's class,
and the L1 / PSNR / SSIM to the true image, which CycleGAN never saw
paired. For CycleGAN also the cycle L1, |F(G(a)) - a| on the edge maps.
Target of the issue: A -> B FID within 2x of pix2pix's, classes kept
>= 60 %.
"""

import json
import os

import keras
from absl import flags

from experiments import common, fig12_13
from tfgan_suite import metrics, models, runs
from tfgan_suite.models.cyclegan import adam_linear_decay

flags.DEFINE_integer("cyclegan_steps", 1200, "cyclegan: steps of CycleGAN "
                     "and of pix2pix.")
flags.DEFINE_integer("cyclegan_filters", 32, "cyclegan: first-layer width "
                     "of CycleGAN's nets.")
flags.DEFINE_integer("cyclegan_blocks", 6, "cyclegan: residual blocks of "
                     "CycleGAN's generators.")
FLAGS = flags.FLAGS

PRESET = "fashion_edges_cyclegan"


def cyclegan_run():
    """The folder of the CycleGAN run, trained first if not finished."""
    steps = FLAGS.cyclegan_steps
    return fig12_13.timed_train(
        f"cyclegan/cyclegan_{steps}_steps", PRESET,
        dataset="fashion_edges_unpaired", image_size=32,
        batch_size=FLAGS.pix2pix_batch, steps=steps,
        steps_per_epoch=max(1, steps // 6), seed=FLAGS.seed,
        **adam_linear_decay(steps // 2, steps - steps // 2),
        model_args={"filters": FLAGS.cyclegan_filters,
                    "n_blocks": FLAGS.cyclegan_blocks})


def summary(out):
    """What a run was: its model, steps, batch, model arguments and the
    time its training took here (None if trained elsewhere)."""
    config = common.run_config(out)
    timing = os.path.join(out, "train_time.json")
    return {"run": out, "model": config.model,
            "steps": config.train.steps,
            "batch_size": config.data.batch_size,
            "model_args": {k: v for k, v in config.model_args.items()
                           if not isinstance(v, dict)},
            "train_time": (json.load(open(timing))
                           if os.path.isfile(timing) else None)}


def untrained(out):
    """The CycleGAN of run `out` before any step (its arguments, weights
    drawn after seeding with --seed)."""
    keras.utils.set_random_seed(FLAGS.seed)
    model = models.get("cyclegan").from_config(
        common.run_config(out).model_args)
    model.compile()
    return model


def cyclegan():
    cycle_out = cyclegan_run()
    pix2pix_out = fig12_13.pix2pix_run("pix2pix", FLAGS.cyclegan_steps)
    test = fig12_13.HeldOutPairs()
    trained = runs.load(cycle_out)
    before = untrained(cycle_out)
    outputs = {"pix2pix (pairs)": runs.load(pix2pix_out).translate_uint8(
                   test.inputs),
               "CycleGAN": trained.translate_uint8(test.inputs, "a_to_b"),
               "CycleGAN untrained": before.translate_uint8(test.inputs,
                                                            "a_to_b")}
    scores = {label: test.scores(o) for label, o in outputs.items()}
    for label, model in (("CycleGAN", trained),
                         ("CycleGAN untrained", before)):
        back = model.translate_uint8(outputs[label], "b_to_a")
        scores[label]["cycle_l1"] = float(
            metrics.paired_scores(back, test.inputs)["l1"].mean())
    truth = test.scores(test.targets)
    fig12_13.columns_figure(
        os.path.join(FLAGS.results, "cyclegan_translations.png"),
        {"edges (A)": test.inputs, "truth": test.targets,
         "pix2pix": outputs["pix2pix (pairs)"],
         "CycleGAN G(a)": outputs["CycleGAN"],
         "F(G(a))": trained.translate_uint8(outputs["CycleGAN"], "b_to_a"),
         "untrained": outputs["CycleGAN untrained"]},
        f"fashion_edges test edge maps -> images, {FLAGS.cyclegan_steps} "
        f"steps")
    cycle, pix2pix = scores["CycleGAN"], scores["pix2pix (pairs)"]
    fid_ratio = cycle["fid"] / pix2pix["fid"]
    common.write_json("cyclegan", {
        "preset": PRESET, "dataset": "fashion_edges_unpaired",
        "image_size": 32, "steps": FLAGS.cyclegan_steps,
        "reference_budget_share": reference_share(),
        "runs": {"CycleGAN": summary(cycle_out),
                 "pix2pix (pairs)": summary(pix2pix_out)},
        "scores": scores,
        "truth_reference": {"fid": truth["fid"],
                            "recognised": truth["recognised"]},
        "recognised_means": "predicted class of the output == true label",
        "target": "A -> B FID within 2x of pix2pix's, recognised >= 0.6",
        "fid_ratio_to_pix2pix": fid_ratio,
        "target_held": {"fid_within_2x": bool(fid_ratio <= 2.0),
                        "recognised_60": bool(cycle["recognised"] >= 0.6)},
    })


def reference_share():
    """Images each domain passes through training here, against the
    reference code's horse2zebra run (200 epochs of 1 334 steps at
    batch 1)."""
    reference = 200 * 1334
    here = FLAGS.cyclegan_steps * FLAGS.pix2pix_batch
    return {"images_here": here, "images_reference": reference,
            "share": here / reference}
