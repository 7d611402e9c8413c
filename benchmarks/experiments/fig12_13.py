"""`fig12_13`: the paper's Figs. 12-13, pix2pix (lambda = 100) with
input / truth / prediction triplets and its losses read against log 2;
`pix2pix_inference`: its generator at test time in Keras' inference mode
and in the pix2pix paper's.

Facades are not on this machine, so the pairs are made the way
edges2shoes was made from photos (Isola et al. 2017, sec. 4): thresholded
Sobel edge maps of real Fashion-MNIST images -> the images (`fashion_edges`,
32x32x1). fig12_13 trains the `facades_pix2pix` recipe (U-Net G, PatchGAN
D, lambda = 100, Adam(2e-4, 0.5)) on them for --pix2pix_steps steps at
batch --pix2pix_batch with --pix2pix_filters filters, and, at equal steps,
the same model without the GAN term (`gan_weight=0`: L1 alone). On the
first --fid_num_images test pairs it measures L1 / PSNR / SSIM against the
truth, domain FID of the outputs against the 10 000 test images (the
domain classifier sees the 28x28 centre, the padding cut off) and the share
of outputs the classifier puts in their true class; it asks whether the
GAN term lowers FID at a small cost in L1 (the pix2pix paper's Table 1 /
Fig. 4 claim).

pix2pix_inference translates the same test pairs with the GAN run's G in
Keras' inference mode (training=False: dropout off, the moving averages of
batch norm) and in the paper's (sec. 3.3; the TF tutorial's
training=True: dropout on, the statistics of the test batch), the latter
at the run's batch size and one image at a time, each mode from a model
loaded afresh after seeding with --seed.
"""

import json
import os
import time

import keras
import numpy as np
from absl import flags

from experiments import common
from tfgan_suite import data, files, metrics, runs
from tfgan_suite.data import sources
from tfgan_suite.data.pipeline import to_float, to_uint8

flags.DEFINE_integer("pix2pix_steps", 1800, "fig12_13: steps of each run.")
flags.DEFINE_integer("pix2pix_batch", 16, "fig12_13: batch size.")
flags.DEFINE_integer("pix2pix_filters", 32, "fig12_13: first-layer width "
                     "of G and D.")
flags.DEFINE_integer("triplets", 8, "fig12_13 / pix2pix_inference: test "
                     "pairs in the figures.")
FLAGS = flags.FLAGS

PRESET = "facades_pix2pix"
#: label: (run name, gan_weight).
RUNS = {"pix2pix": ("fig12_13/pix2pix", 1.0),
        "L1 only": ("fig12_13/l1_only", 0.0)}


def pix2pix_run(label="pix2pix", steps=None):
    """The folder of run RUNS[label] (of --pix2pix_steps, or of `steps` in
    a folder of its own), trained first if it is not finished."""
    name, gan_weight = RUNS[label]
    if steps and steps != FLAGS.pix2pix_steps:
        name = f"{name}_{steps}_steps"
    steps = steps or FLAGS.pix2pix_steps
    return timed_train(
        name, PRESET, dataset="fashion_edges", image_size=32,
        batch_size=FLAGS.pix2pix_batch, steps=steps,
        steps_per_epoch=max(1, steps // 6), seed=FLAGS.seed,
        model_args={"filters": FLAGS.pix2pix_filters, "l1_lambda": 100.0,
                    "gan_weight": gan_weight})


def timed_train(name, preset, **arguments):
    """`common.train(name, preset, **arguments)`; a training done here
    records its time in the run's `train_time.json` (of the part after the
    checkpoint, for a resumed run)."""
    out = os.path.join(FLAGS.runs, name)
    finished = os.path.isfile(os.path.join(out, "model.keras"))
    resumed = os.path.isdir(os.path.join(out, "checkpoints"))
    wall, cpu = time.time(), time.process_time()
    common.train(name, preset, **arguments)
    if not finished and not FLAGS.report_only:
        files.write_text(os.path.join(out, "train_time.json"), json.dumps({
            "wall_s": time.time() - wall, "cpu_s": time.process_time() - cpu,
            "threads": FLAGS.threads, "resumed": resumed}) + "\n")
    return out


def run_summary(out):
    """What a run was: steps, batch, filters, gan_weight and the time its
    training took here (None if it was trained elsewhere)."""
    config = common.run_config(out)
    path = os.path.join(out, "train_time.json")
    timing = None
    if os.path.isfile(path):
        with open(path) as f:
            timing = json.load(f)
    return {"run": out, "steps": config.train.steps,
            "batch_size": config.data.batch_size,
            "filters": config.model_args["filters"],
            "gan_weight": config.model_args["gan_weight"],
            "train_time": timing}


class HeldOutPairs:
    """The first --fid_num_images test pairs (uint8 edge maps `inputs`,
    images `targets`, true class `labels`) and the domain classifier with
    the features of all test images, the real side of FID."""

    def __init__(self):
        source = data.get_source("fashion_edges", split="test",
                                 data_dir=FLAGS.data_dir)
        n = min(FLAGS.fid_num_images, source.num_examples)
        self.inputs, self.targets = (
            x.numpy() for x in next(iter(source.dataset.batch(n))))
        images, labels = sources.images_and_labels(data.get_source(
            "fashion_mnist", split="test", labels=True,
            data_dir=FLAGS.data_dir))
        self.labels = labels[:n]
        self.extractor = metrics.domain_extractor(
            "fashion_mnist", FLAGS.data_dir, FLAGS.classifier_path)
        self.real_features = self.extractor(to_float(images).numpy())[0]
        # fashion_edges pads the 28x28 images to 32x32 evenly.
        self.pad = (self.targets.shape[1] - images.shape[1]) // 2

    def scores(self, outputs):
        """Means of L1 / PSNR / SSIM of uint8 `outputs` against the truth,
        their domain FID and the share in their true class (`recognised`)."""
        paired = metrics.paired_scores(outputs, self.targets)
        p = self.pad
        features, logits = self.extractor(
            to_float(outputs[:, p:-p or None, p:-p or None]).numpy())
        return {**metrics.mean_scores(paired),
                "fid": metrics.frechet_distance(self.real_features,
                                                   features),
                "recognised": float(np.mean(np.argmax(logits, -1)
                                            == self.labels)),
                "num_pairs": len(outputs)}


def translated(out, inputs, training, batch_size):
    """uint8 G(`inputs`) of the run in `out`, from a model loaded afresh
    after seeding: `training=False` is Keras' inference mode, True the
    paper's (dropout on, batch norm with the statistics of each batch of
    `batch_size`)."""
    keras.utils.set_random_seed(FLAGS.seed)
    generator = runs.load(out).generator
    inputs = to_float(inputs).numpy()
    return np.concatenate([
        to_uint8(generator(inputs[i:i + batch_size],
                           training=training)).numpy()
        for i in range(0, len(inputs), batch_size)])


def columns_figure(path, columns, title):
    """The first --triplets test pairs, one per row, in labelled columns
    (`columns`: {label: uint8 images}), enlarged 3 times."""
    from PIL import Image, ImageDraw
    from tfgan_suite import plots
    images = np.stack([c[:FLAGS.triplets] for c in columns.values()], 1)
    rows = len(images)
    tile = Image.fromarray(plots.grid(images.reshape(-1, *images.shape[2:]),
                                      rows=rows))
    scale, header = 3, 32
    tile = tile.resize((tile.width * scale, tile.height * scale),
                       Image.NEAREST)
    canvas = Image.new("RGB", (tile.width, tile.height + header), "white")
    canvas.paste(tile.convert("RGB"), (0, header))
    draw = ImageDraw.Draw(canvas)
    draw.text((4, 2), title, fill="black")
    width = tile.width / len(columns)
    for i, label in enumerate(columns):
        draw.text((i * width + 6, header - 14), label, fill="black")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    canvas.save(path)
    print(f"wrote {path}")
    return path


def smoothed(values, window):
    """Moving average of `values` over `window` steps: one value per full
    window, at the step that ends it."""
    values = np.asarray(values, np.float64)
    window = max(1, min(window, len(values)))
    return np.convolve(values, np.ones(window) / window, mode="valid")


def fig12_13():
    outs = {label: pix2pix_run(label) for label in RUNS}
    test = HeldOutPairs()
    outputs = {label: runs.load(out).translate_uint8(
        test.inputs) for label, out in outs.items()}
    scores = {label: test.scores(o) for label, o in outputs.items()}
    truth = test.scores(test.targets)
    columns_figure(os.path.join(FLAGS.results, "fig12_13_triplets.png"),
                   {"input": test.inputs, "truth": test.targets, **outputs},
                   "fashion_edges test pairs, edges -> image")

    losses = {label: common.read_csv(os.path.join(out, "losses.csv"))
              for label, out in outs.items()}
    window = max(1, FLAGS.pix2pix_steps // 50)
    curve = lambda label, key: (
        losses[label]["step"][window - 1:],
        smoothed(losses[label][key], window))
    common.figure(os.path.join(FLAGS.results, "fig12_13_losses.png"), [
        ("GAN losses", {"d_loss (pix2pix)": curve("pix2pix", "d_loss"),
                        "g_gan_loss (pix2pix)": curve("pix2pix",
                                                      "g_gan_loss"),
                        "d_loss (L1 only)": curve("L1 only", "d_loss")},
         {"log 2": float(np.log(2))}),
        ("L1 loss", {f"g_l1_loss ({label})": curve(label, "g_l1_loss")
                     for label in RUNS}, None),
    ], title=f"fashion_edges pix2pix, moving average of {window} steps")

    last = max(1, len(losses["pix2pix"]["step"]) // 10)
    gan, l1 = scores["pix2pix"], scores["L1 only"]
    common.write_json("fig12_13", {
        "preset": PRESET, "dataset": "fashion_edges", "image_size": 32,
        "l1_lambda": 100.0,
        "runs": {label: run_summary(out) for label, out in outs.items()},
        "scores": scores,
        "truth_reference": {"fid": truth["fid"],
                            "recognised": truth["recognised"]},
        "recognised_means": "predicted class of the output == true label",
        "losses_last_tenth": {
            label: {key: float(np.mean(losses[label][key][-last:]))
                    for key in ("d_loss", "g_gan_loss", "g_l1_loss")}
            for label in RUNS},
        "log2": float(np.log(2)),
        "claim": "the GAN term lowers FID at a small cost in L1",
        "fid_change": gan["fid"] / l1["fid"] - 1,
        "l1_change": gan["l1"] / l1["l1"] - 1,
        "claim_held": {"lower_fid": bool(gan["fid"] < l1["fid"]),
                       "higher_l1": bool(gan["l1"] > l1["l1"])},
    })


def pix2pix_inference():
    out = pix2pix_run("pix2pix")
    test = HeldOutPairs()
    batch = common.run_config(out).data.batch_size
    modes = {"inference (training=False)": (False, batch),
             f"paper (training=True, batch {batch})": (True, batch),
             "paper (training=True, batch 1)": (True, 1)}
    outputs = {mode: translated(out, test.inputs, training, size)
               for mode, (training, size) in modes.items()}
    scores = {mode: test.scores(o) for mode, o in outputs.items()}
    columns_figure(os.path.join(FLAGS.results, "pix2pix_inference.png"),
                   {"input": test.inputs, "truth": test.targets,
                    "training=False": outputs[next(iter(modes))],
                    f"True, b={batch}": outputs[list(modes)[1]],
                    "True, b=1": outputs[list(modes)[2]]},
                   "pix2pix G at test time: Keras inference vs the paper's")
    keras_mode, paper_mode = scores[list(modes)[0]], scores[list(modes)[1]]
    common.write_json("pix2pix_inference", {
        "run": run_summary(out), "seed": FLAGS.seed, "scores": scores,
        "fid_change_paper_vs_inference": (paper_mode["fid"]
                                          / keras_mode["fid"] - 1),
        "paper_mode_better_fid": bool(paper_mode["fid"] < keras_mode["fid"]),
    })
