"""What every experiment shares: its flags, runs that resume, the
protocol's scores, figures and the JSON record."""

import copy
import csv
import json
import os
import shlex
import sys

import harness  # benchmarks/, on the path of reproduce.py
import keras
import numpy as np
from absl import flags

from tfgan_suite import files, metrics, models
from tfgan_suite import runs, training
from tfgan_suite.commands import cli
from tfgan_suite.runs import checkpoints
from tfgan_suite.training import callbacks

flags.DEFINE_string("runs", "runs/reproduce", "Folder of the training runs.")
flags.DEFINE_string("results", "results", "Folder of the figures and JSON.")
flags.DEFINE_integer("threads", 0, "TensorFlow threads (0: all cores); 1 "
                     "lets two experiments share two cores.")
flags.DEFINE_integer("fid_num_images", 5000, "Samples per FID.")
flags.DEFINE_string("data_dir", None, "Fashion-MNIST IDX folder (default: "
                    "tfds, then the Debian package's).")
flags.DEFINE_string("classifier_path", harness.CLASSIFIER, "Domain "
                    "classifier file: the default is the one every result "
                    "in results/ since it was added reads (a classifier "
                    "trained on another machine is another instrument).")
flags.DEFINE_bool("report_only", False, "Report on the runs as they are, "
                  "training none: an unfinished run reports its scores so "
                  "far, and the JSON lists it under unfinished_runs.")
flags.DEFINE_integer("seed", 0, "Seed of the runs (fig10, low_data and toy: "
                     "--seeds).")
flags.DEFINE_list("seeds", ["0", "1", "2"], "fig10 / low_data / toy: seeds "
                  "of each setting.")
flags.DEFINE_enum("mixed_precision", "false", ["auto", "true", "false"],
                  "Precision of every run whose experiment does not set "
                  "its own: false (float32: the same numbers on any CPU, "
                  "and what results/ holds unless a result says "
                  "otherwise), or train.py's --mixed_precision=auto|true.")
FLAGS = flags.FLAGS

#: {run name: its latest checkpoint's step} of the unfinished runs an
#: experiment reported on (--report_only).
UNFINISHED = {}

#: Every score the FID callback offers: the protocol's FID and KID, the
#: k-NN manifold scores and the classes covered.
ALL_METRICS = list(callbacks.Scores.METRICS)

#: Radford et al.'s Adam betas: the `fashion_mnist_dcgan` preset's until
#: it moved to StyleGAN2's and R3GAN's 0 and 0.99 (CHANGELOG).
RADFORD_BETAS = {"beta_1": 0.5, "beta_2": 0.999}
#: Radford et al.'s Adam for both nets (their learning rate and betas) and
#: the non-saturating loss: the `fashion_mnist_dcgan` preset's until it
#: moved to Adam 8e-4, then to the hinge loss and to other betas
#: (CHANGELOG). The experiments measured with them (fig9, fig10,
#: low_data, r3gan_race) keep them, so that their commands reproduce what
#: docs/results.md reports.
RADFORD_DCGAN = {"g_learning_rate": 2e-4, "d_learning_rate": 2e-4,
                 **RADFORD_BETAS, "loss": "non_saturating"}
RADFORD_DCGAN_BATCH_128 = {**RADFORD_DCGAN, "batch_size": 128}


def mixed_precision():
    """The `mixed_precision` of a run whose experiment sets none: the
    --mixed_precision flag's (float32 by default), whatever a preset
    says."""
    return cli.MIXED_PRECISION[FLAGS.mixed_precision]


def preset_args(preset):
    """Every model argument of `preset` as it is today: its own over the
    model's defaults."""
    given = models.presets.get(preset)
    return {**given["model_class"].init_args(), **given["model_args"]}


def preset_model_args(preset):
    """The model arguments of `harness.RECORDED_MODEL_ARGS` as `preset`
    gives them today (`preset_args`): what a run of the preset as it is
    asks for."""
    args = preset_args(preset)
    return {k: args.get(k)
            for k in harness.RECORDED_MODEL_ARGS.get(preset, {})}


def limit_threads(threads):
    if threads:
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def command():
    """The command line that produced a result."""
    return " ".join(["python", "benchmarks/reproduce.py",
                     *map(shlex.quote, sys.argv[1:])])


def finished(name, epochs=None, steps=None):
    """Whether run `name` under --runs has finished (`train` reuses it):
    it wrote its model.keras at its latest checkpoint (an extension that
    was interrupted has a newer checkpoint, or one short of its new
    length), at least as long as `epochs` or `steps` when one is given (a
    longer length extends it)."""
    out = os.path.join(FLAGS.runs, name)
    found = checkpoints.list_checkpoints(os.path.join(out, "checkpoints"))
    newest = found[-1] if found else None
    if runs.layout.keras_file(out, step=newest and checkpoints.step_of_prefix(
            newest)) is None:
        return False
    if not os.path.isfile(os.path.join(out, "config.json")):
        return True  # a model.keras alone: nothing to extend.
    trained = runs.read_config(out).train
    if steps is not None:
        return trained.steps is not None and trained.steps >= steps
    if epochs is not None and trained.steps is None:
        return trained.epochs >= epochs and (
            newest is None or checkpoints.epoch_of_prefix(newest) >= epochs)
    return True


def optimization(config):
    """How a run's config compiles its model, comparable across spellings:
    `Model.compile`'s arguments with each optimizer in full (the model's
    default Adam where the config sets none)."""
    cls = models.get(config.model)
    args = runs.config.compile_arguments(cls, config.compile)
    for net in ("g", "d"):
        args.setdefault(f"{net}_optimizer",
                        runs.config.default_optimizer(cls, net))
    return _plain(args)


def in_full(optimization_args):
    """`optimization`'s arguments with each optimizer's config as Keras
    fills it in (its defaults too): Adam spelled with beta_2 0.999 and
    without it are the same optimizer."""
    full = dict(optimization_args)
    for key in ("g_optimizer", "d_optimizer"):
        optimizer = keras.optimizers.get(copy.deepcopy(full[key]))
        config = _plain(optimizer.get_config())
        config.pop("name")  # unique per object: adam, adam_1, ...
        full[key] = {"class_name": type(optimizer).__name__,
                     "config": config}
    return full


def check_same_optimization(out, preset, overrides):
    """Raises ValueError if the run in `out` compiled its model otherwise
    than `preset` with `overrides` does now (the preset changed since), or
    trained at another precision: reusing or resuming it would report the
    old setting as the new."""
    if not os.path.isfile(os.path.join(out, "config.json")):
        return
    saved_config = runs.read_config(out)
    config = runs.make_config(preset, **{
        k: v for k, v in overrides.items()
        if runs.config.section_of(k) == "compile" or k == "mixed_precision"})
    saved, now = optimization(saved_config), optimization(config)
    if in_full(saved) != in_full(now):
        raise ValueError(
            f"{out} was trained with {saved}, but {preset} now trains with "
            f"{now}; give another --runs folder (or delete the run) to "
            f"train it anew")
    precisions = (saved_config.train.mixed_precision,
                  config.train.mixed_precision)
    if precisions[0] != precisions[1]:
        raise ValueError(
            f"{out} was trained with mixed_precision={precisions[0]!r}, "
            f"but this run asks for {precisions[1]!r}; give another --runs "
            f"folder (or delete the run) to train it anew")


def check_same_model(out, preset, model_args):
    """Raises ValueError if the run in `out` saved one of `model_args` (the
    model arguments a run is asked for, over its preset's) with another
    value (the model's default where it saved none)."""
    if not os.path.isfile(os.path.join(out, "config.json")):
        return
    saved = runs.read_config(out).model_args
    defaults = models.get(runs.make_config(preset).model).init_args()
    was = {k: saved.get(k, defaults.get(k)) for k in model_args}
    differ = sorted(k for k, v in model_args.items()
                    if _plain(was[k]) != _plain(v))
    if differ:
        told = ", ".join(f"{k}={was[k]!r} (now {model_args[k]!r})"
                         for k in differ)
        raise ValueError(
            f"{out} was trained with {told}; give another --runs folder "
            f"(or delete the run) to train it anew")


def train(name, preset, model_args=None, **overrides):
    """The folder of run `name` under --runs, trained first if it is not
    finished: from `preset` with `harness.recorded_model_args(preset,
    model_args)` and `overrides`, or resumed from its
    latest checkpoint (to the length, `epochs` or `steps`, given now). A
    run compiled or built otherwise than asked now is refused
    (`check_same_optimization`, `check_same_model`)."""
    out = os.path.join(FLAGS.runs, name)
    overrides.setdefault("mixed_precision", mixed_precision())
    model_args = harness.recorded_model_args(preset, model_args)
    check_same_optimization(out, preset, overrides)
    check_same_model(out, preset, model_args)
    if finished(name, overrides.get("epochs"), overrides.get("steps")):
        return out
    if FLAGS.report_only:
        if not os.path.isfile(os.path.join(out, "config.json")):
            raise ValueError(f"report_only: {out} holds no run yet")
        UNFINISHED[name] = last_step(out)
        return out
    resume = bool(checkpoints.list_checkpoints(
        os.path.join(out, "checkpoints")))
    if resume:
        config = runs.resume_config(out, epochs=overrides.get("epochs"),
                                      steps=overrides.get("steps"))
    else:
        overrides.setdefault("verbose", 2)
        overrides.setdefault("data_dir", FLAGS.data_dir)
        overrides.setdefault("classifier_path", FLAGS.classifier_path)
        config = runs.make_config(preset, model_args=model_args,
                                    **overrides)
    training.run(config, out, resume=resume)
    return out


def last_step(out):
    """The step of the latest checkpoint of an unfinished run."""
    found = checkpoints.list_checkpoints(os.path.join(out, "checkpoints"))
    return int(found[-1].rsplit("-", 1)[-1]) if found else 0


def read_csv(path):
    """{column: list of floats} of a CSV file with a header."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {key: [float(row[key]) if row[key] not in ("", None)
                  else float("nan") for row in rows]
            for key in (rows[0] if rows else [])}


def scores(out):
    """The run's FID-callback scores by short name: {"step": [...],
    "fid": [...], "kid": [...], ...}."""
    table = read_csv(os.path.join(out, "fid.csv"))
    renamed = {}
    for column, values in table.items():
        key = column.split("_", 1)[-1].lower() if column != "step" else column
        renamed[key] = values
    return renamed


def run_config(out):
    """The `RunConfig` of the run in `out`."""
    return runs.read_config(out)


def swing(values):
    """Mean absolute change from one evaluation to the next, relative to
    the mean value: how much a score jumps between evaluations."""
    values = np.asarray(values, np.float64)
    if len(values) < 2:
        return float("nan")
    return float(np.mean(np.abs(np.diff(values))) / np.mean(values))


def domain_classifier():
    """{"domain_classifier": {"path", "sha256"}}: the Fashion-MNIST domain
    classifier file the scores read (--classifier_path, else the cache's)
    and its digest (`metrics.evaluation.file_digest`, eval.json's
    `features_sha256`), for the JSON record. Domain FIDs compare only under one classifier, and
    one trained on another machine is another: its training is not
    bit-reproducible across CPUs."""
    path = metrics.classifier_path(
        "fashion_mnist", FLAGS.classifier_path, FLAGS.data_dir)
    if not os.path.isfile(path):
        return {"domain_classifier": None}
    return {"domain_classifier": {
        "path": path, "sha256": metrics.evaluation.file_digest(path)}}


def write_json(name, record):
    """results/<name>.json, atomically; returns its path."""
    record = {"command": command(), **record}
    if UNFINISHED:
        record["unfinished_runs"] = dict(UNFINISHED)
    path = os.path.join(FLAGS.results, f"{name}.json")
    os.makedirs(FLAGS.results, exist_ok=True)
    files.write_text(path, json.dumps(_plain(record), indent=2) + "\n")
    print(f"wrote {path}")
    return path


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def figure(path, panels, title=None, colors=None, xlabel="step"):
    """One row of line plots: `panels` is a list of
    (ylabel, {label: (x, y)}, hlines) with hlines {label: y} or None;
    `colors` {label: color} keeps a series' color across panels (default:
    by its place in its panel); `xlabel` names the x axis (a list: each
    panel's)."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(5.5 * len(panels), 4.2), dpi=100)
    for i, (ylabel, series, hlines) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        for j, (label, (x, y)) in enumerate(series.items()):
            marker = "o" if len(x) <= 40 else None
            ax.plot(x, y, color=(colors or {}).get(label, f"C{j}"),
                    marker=marker, markersize=3,
                    label=label)
        for label, y in (hlines or {}).items():
            ax.axhline(y, color="gray", linestyle="--", linewidth=1,
                       label=label)
        ax.set_xlabel(xlabel if isinstance(xlabel, str) else xlabel[i])
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path)
    print(f"wrote {path}")
    return path


def image_row(paths, labels, out, scale=2):
    """Images side by side, each with its label above: a progress strip."""
    from PIL import Image, ImageDraw
    images = [Image.open(p).convert("RGB") for p in paths]
    images = [im.resize((im.width * scale, im.height * scale), Image.NEAREST)
              for im in images]
    pad, label_h = 8, 16
    width = sum(im.width for im in images) + pad * (len(images) + 1)
    height = max(im.height for im in images) + label_h + 2 * pad
    canvas = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(canvas)
    x = pad
    for im, label in zip(images, labels):
        draw.text((x, pad // 2), label, fill="black")
        canvas.paste(im, (x, pad + label_h))
        x += im.width + pad
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    canvas.save(out)
    print(f"wrote {out}")
    return out
