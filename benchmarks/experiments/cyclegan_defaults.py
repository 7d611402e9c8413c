"""`cyclegan_defaults`: CycleGAN's defaults as a user gets them on two
folders of unpaired images, before and after they were sized to the data;
`cyclegan_defaults_step_cost`: what one step of each costs.

The data is `fashion_edges_unpaired` (the `cyclegan` experiment's) written
out as PNG files in the reference repository's layout: `trainA/` the edge
maps of the first 30 000 Fashion-MNIST training images, `trainB/` the other
30 000 images, `testA/` and `testB/` the test edge maps and images in one
order (32x32 greyscale). Each setting trains as `train.py --model=cyclegan
--dataset=unpaired --data_dir=<those folders>` does, with no preset flag,
for --cyclegan_defaults_steps steps (checkpoints every 300 steps; the
seed --seed):

- `now`: the model's default preset today (`unpaired_cyclegan`): the
  nets sized to the 32-pixel images (32 filters, 6 residual blocks),
  batch 16;
- `before`: what the same command trained before, the horse2zebra preset
  the model started from: the images stretched to 256x256, 64 filters, 9
  blocks, batch 1;
- `before_32`: that, with `--image_size=32` added (the data's own size).

Both keep Adam(2e-4, beta_1=0.5) at a constant rate over these steps,
least squares, lambda = 10, identity 0.5, pools of 50. The first
--fid_num_images test edge maps are translated A -> B and scored as in
`cyclegan` (`fig12_13.HeldOutPairs`): "recognised" is the share of outputs
the Fashion-MNIST classifier puts in the true image's class (the issue's
"classes kept"; target >= 60 % for `now`), beside the domain FID, L1 /
PSNR / SSIM to the true image and the cycle L1. A setting trained at
another size than the test images (`before`) translates them resized to
its size and back. Training resumes from the latest checkpoint, so a run
stopped by a signal (e.g. `timeout -s TERM`) continues where it stopped;
each stretch of training adds its CPU seconds to the run's
`train_chunks.csv`.
"""

import csv
import io
import json
import os
import time

from absl import flags

from experiments import common, fig12_13
from tfgan_suite import data, files, metrics, models, runs
from tfgan_suite.data import paired, sources, unpaired
from tfgan_suite.models import cyclegan as cyclegan_model
from tfgan_suite.nets import resnet
from tfgan_suite.training import runner

flags.DEFINE_integer("cyclegan_defaults_steps", 3000, "cyclegan_defaults: "
                     "steps of each run.")
flags.DEFINE_list("cyclegan_defaults_settings", ["now", "before_32"],
                  "cyclegan_defaults: the settings to train and score, of "
                  "now, before (256x256: about 24 CPU-s a step), before_32.")
FLAGS = flags.FLAGS

#: {setting: (preset, overrides)}: what `train.py --model=cyclegan
#: --dataset=unpaired --data_dir=...` trains, now and before the defaults
#: were sized to the data (when the model started from the horse2zebra
#: preset); `before_32` adds --image_size=32.
SETTINGS = {
    "now": (models.presets.default_for("cyclegan"), {}),
    "before": ("horse2zebra_cyclegan", {}),
    "before_32": ("horse2zebra_cyclegan", {"image_size": 32}),
}
#: Steps between checkpoints (and sample pictures) of a run.
CHECKPOINT_STEPS = 300
_CHUNKS = "train_chunks.csv"


def write_domain_folders(out, split_arrays):
    """`out/<split><A|B>/NNNNN.png` of {split: (uint8 A images, uint8 B
    images)}, the whole folder written at once (a temporary folder
    renamed); returns `out`."""
    from PIL import Image
    with files.atomic_path(out) as tmp:
        for split, domains in split_arrays.items():
            for letter, images in zip(unpaired.DOMAINS, domains):
                folder = os.path.join(tmp, split + letter)
                os.makedirs(folder)
                for i, image in enumerate(images):
                    Image.fromarray(image[..., 0]).save(
                        os.path.join(folder, f"{i:05d}.png"))
    return out


def fashion_edge_folders():
    """The folder of `fashion_edges_unpaired` as image files (see the
    module docstring), written first if it is not there."""
    out = os.path.join(FLAGS.runs, "cyclegan_defaults", "fashion_edges")
    if os.path.isdir(out):
        return out
    images, edges = paired.fashion_edge_arrays("train", FLAGS.data_dir)
    half = len(images) // 2
    test_images, test_edges = paired.fashion_edge_arrays("test",
                                                         FLAGS.data_dir)
    return write_domain_folders(out, {
        "train": (edges[:half], images[half:]),
        "test": (test_edges, test_images)})


def overrides(setting):
    """(preset, overrides of `common.train`) of `setting`."""
    if setting not in SETTINGS:
        raise ValueError(f"cyclegan_defaults_settings: expected some of "
                         f"{', '.join(SETTINGS)}, got {setting!r}")
    preset, extra = SETTINGS[setting]
    steps = FLAGS.cyclegan_defaults_steps
    return preset, {"dataset": "unpaired", "data_dir": fashion_edge_folders(),
                    "steps": steps, "seed": FLAGS.seed,
                    "steps_per_epoch": min(steps, CHECKPOINT_STEPS), **extra}


def trained(setting):
    """The folder of the run of `setting`, trained first (or on) if it is
    not finished; the CPU and wall seconds of this stretch of training are
    added to its `train_chunks.csv`, also when a signal stops it."""
    preset, arguments = overrides(setting)
    name = f"cyclegan_defaults/{setting}_{arguments['steps']}_steps"
    out = os.path.join(FLAGS.runs, name)
    if common.finished(name) or FLAGS.report_only:
        return common.train(name, preset, **arguments)
    first = common.last_step(out)
    cpu, wall = time.process_time(), time.time()
    try:
        return common.train(name, preset, **arguments)
    finally:
        rows = read_chunks(out) + [{
            "from_step": first, "to_step": common.last_step(out),
            "cpu_s": time.process_time() - cpu, "wall_s": time.time() - wall,
            "threads": FLAGS.threads}]
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(rows[-1]))
        writer.writeheader()
        writer.writerows(rows)
        files.write_text(os.path.join(out, _CHUNKS), text.getvalue())


def read_chunks(out):
    """The rows of the run's `train_chunks.csv` (none before it trained)."""
    path = os.path.join(out, _CHUNKS)
    if not os.path.isfile(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def nets_of(model):
    """The sizes the model's nets were built with (its defaults resolved)."""
    shape = model.data_shape
    return {"image_shape": list(shape),
            "filters": model.filters or cyclegan_model.default_filters(shape),
            "n_blocks": (resnet.default_blocks(shape)
                         if model.n_blocks is None else model.n_blocks),
            "generator_parameters": model.generator.count_params(),
            "discriminator_parameters": model.discriminator.count_params()}


def summary(out, model):
    """What the run was and what its training cost here."""
    config = common.run_config(out)
    chunks = read_chunks(out)
    cpu = sum(float(row["cpu_s"]) for row in chunks)
    trained_steps = sum(int(row["to_step"]) - int(row["from_step"])
                        for row in chunks)
    return {"run": out, "preset": config.preset,
            "steps": config.train.steps,
            "batch_size": config.data.batch_size,
            "image_size": config.data.image_size,
            "nets": nets_of(model),
            "train_cpu_s": cpu, "train_chunks": len(chunks),
            "cpu_s_per_step": cpu / trained_steps if trained_steps else None}


def translate(model, images, direction="a_to_b"):
    """uint8 translations of uint8 `images` by `model`: resized to the
    model's size (as its data was) and back when they differ."""
    size = tuple(images.shape[1:3])
    wanted = tuple(model.data_shape[:2])
    if size == wanted:
        return model.translate_uint8(images, direction)
    out = model.translate_uint8(
        sources.resize_uint8(images, wanted).numpy(), direction)
    return sources.resize_uint8(out, size, antialias=True).numpy()


def cyclegan_defaults():
    outs = {s: trained(s) for s in FLAGS.cyclegan_defaults_settings}
    test = fig12_13.HeldOutPairs()
    trained_models = {s: runs.load(out) for s, out in outs.items()}
    outputs = {s: translate(m, test.inputs)
               for s, m in trained_models.items()}
    scores = {}
    for setting, model in trained_models.items():
        scores[setting] = test.scores(outputs[setting])
        back = translate(model, outputs[setting], "b_to_a")
        scores[setting]["cycle_l1"] = float(
            metrics.paired_scores(back, test.inputs)["l1"].mean())
    truth = test.scores(test.targets)
    steps = FLAGS.cyclegan_defaults_steps
    fig12_13.columns_figure(
        os.path.join(FLAGS.results, "cyclegan_defaults.png"),
        {"edges (A)": test.inputs, "truth": test.targets,
         **{f"G(a) {s}": o for s, o in outputs.items()}},
        f"unpaired folders, no preset: held-out edge maps -> images, "
        f"{steps} steps")
    record = {
        "dataset": "unpaired (fashion_edges_unpaired as PNG folders)",
        "steps": steps,
        "settings": {s: {"preset": SETTINGS[s][0],
                         "overrides": SETTINGS[s][1]} for s in outs},
        "runs": {s: summary(out, trained_models[s])
                 for s, out in outs.items()},
        "scores": scores,
        "truth_reference": {"fid": truth["fid"],
                            "recognised": truth["recognised"]},
        "recognised_means": "predicted class of G(a) == true label of the "
                            "image the held-out edge map came from",
        "target": "now: recognised >= 0.6 after 3 000 steps",
    }
    if "now" in scores:
        record["target_held"] = bool(scores["now"]["recognised"] >= 0.6)
    common.write_json("cyclegan_defaults", record)


def cyclegan_defaults_step_cost():
    """CPU seconds per step of each of --cyclegan_defaults_settings, its
    model built from the folders as its run builds it, over
    --step_cost_steps steps after 2 of warm-up, on batches read in file
    order and not cached (no buffer of the whole data: at 256x256 its
    60 000 float32 images take 15.7 GB); results/
    cyclegan_defaults_step_cost.json with the estimate of a run of
    --cyclegan_defaults_steps. The settings
    measured before by another command stay in the file, each row with
    its command."""
    path = os.path.join(FLAGS.results, "cyclegan_defaults_step_cost.json")
    rows = {}
    if os.path.isfile(path):
        with open(path) as f:
            rows = json.load(f)["settings"]
    for setting in FLAGS.cyclegan_defaults_settings:
        preset, arguments = overrides(setting)
        config = runs.make_config(preset, **arguments)
        source = runs.examples.training_source(config)
        model = runner.build_model(config, source)
        batch = config.data.batch_size
        batches = data.build(source, batch_size=batch, shuffle=False,
                             cache=False, repeat=True)
        model.fit(batches.take(2), epochs=1, verbose=0)  # traced outside
        start = time.process_time()
        model.fit(batches.take(FLAGS.step_cost_steps), epochs=1, verbose=0)
        seconds = (time.process_time() - start) / FLAGS.step_cost_steps
        rows[setting] = {
            "command": common.command(), "threads": FLAGS.threads,
            "timed_steps": FLAGS.step_cost_steps,
            "run_steps": FLAGS.cyclegan_defaults_steps, "preset": preset, "overrides": SETTINGS[setting][1],
            "batch_size": batch, "nets": nets_of(model),
            "cpu_s_per_step": seconds,
            "cpu_s_per_image": seconds / batch,
            "estimated_cpu_h_per_run": (seconds * FLAGS.cyclegan_defaults_steps
                                        / 3600)}
    common.write_json("cyclegan_defaults_step_cost", {"settings": rows})
    return rows
