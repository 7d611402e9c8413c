"""`r3gan_race`: R3GAN (Huang et al. 2024) against DCGAN on Fashion-MNIST at
equal CPU time.

The presets of --race_presets (`fashion_mnist_dcgan`, `fashion_mnist_r3gan`)
train on one seed each of --seeds until --race_budgets' largest budget of
process CPU seconds spent in training steps (`time.process_time`, run with
--threads=1 so a CPU second is a core second); every --race_eval_every
CPU-minutes, and at each budget, domain FID against the test images and
the classes covered on --fid_num_images samples from fixed seeds
(evaluation time is not counted). Learning rates are constant, so a run's
curve at the smaller budget is what a run of that budget alone would give;
one run per preset and seed serves every budget.

Each run is `tgs.training.run` in --runs/r3gan_race/<preset>_seed<s>, with
a callback that counts CPU seconds and evaluates: its CPU seconds per step
(`cpu.csv`) and its evaluations (`race.csv`) live beside the checkpoints,
so an interrupted run resumes at its last checkpoint with the CPU time it
had spent then. `r3gan_step_cost` measures the CPU seconds per step of the
presets, single-threaded, in one process.
"""

import csv
import os
import time

import harness  # benchmarks/, on the path of reproduce.py
import keras
import numpy as np
from absl import flags

from experiments import common, low_data  # noqa: F401  (--seeds)
from tfgan_suite import data, files, metrics, models
from tfgan_suite.training import callbacks as tgs_callbacks

flags.DEFINE_list("race_budgets", ["20", "60"], "r3gan_race: CPU-minute "
                  "budgets of a run (the largest is trained).")
flags.DEFINE_float("race_eval_every", 4.0, "r3gan_race: CPU minutes "
                   "between evaluations.")
flags.DEFINE_list("race_presets", ["fashion_mnist_dcgan",
                                   "fashion_mnist_r3gan"],
                  "r3gan_race: the presets that race (one process per "
                  "preset lets two share two cores).")
flags.DEFINE_integer("step_cost_steps", 300, "r3gan_step_cost: timed steps "
                     "per preset.")
flags.DEFINE_list("step_cost_variants", [], "r3gan_step_cost: instead of "
                  "--race_presets, these rows of STEP_COST_VARIANTS, timed "
                  "in --step_cost_rounds interleaved rounds of "
                  "--step_cost_steps steps each; "
                  "results/r3gan_step_cost_variants.json.")
flags.DEFINE_integer("step_cost_rounds", 3, "r3gan_step_cost: rounds of "
                     "--step_cost_variants.")
FLAGS = flags.FLAGS

#: Settings a preset races with besides its own: the DCGAN side was
#: measured at Radford et al.'s learning rate, loss and batch of 128 (the
#: preset's until it moved to 8e-4, then to batch 64 and the hinge loss).
PINNED = {"fashion_mnist_dcgan": common.RADFORD_DCGAN_BATCH_128}
#: What else a step could cost: {name: (preset, its model arguments
#: ("recorded": the race's, `harness.recorded_model_args`; otherwise these
#: over the preset's own), mixed precision)}.
STEP_COST_VARIANTS = {
    "dcgan_raced": ("fashion_mnist_dcgan", "recorded", False),
    "dcgan_preset_bf16": ("fashion_mnist_dcgan", {}, True),
    "dcgan_preset_fp32": ("fashion_mnist_dcgan", {}, False),
    "r3gan_preset": ("fashion_mnist_r3gan", {}, False),
    "r3gan_bf16": ("fashion_mnist_r3gan", {}, True),
    "r3gan_penalty_interval_16": ("fashion_mnist_r3gan",
                                  {"penalty_interval": 16}, False),
    "r3gan_no_penalties": ("fashion_mnist_r3gan",
                           {"r1_gamma": 0.0, "r2_gamma": 0.0}, False),
}
#: A run's length in steps: far beyond any budget (the CPU clock stops it).
_UNBOUNDED_STEPS = 10 ** 8
_CPU_CSV, _RACE_CSV = "cpu.csv", "race.csv"


def _read_rows(path):
    if not os.path.isfile(path):
        return []
    with open(path, newline="") as f:
        return [{k: int(float(v)) if k == "step" else float(v)
                 for k, v in row.items()} for row in csv.DictReader(f)]


def _write_rows(path, rows, fields):
    lines = [",".join(fields)] + [
        ",".join(repr(row[k]) for k in fields) for row in rows]
    files.write_text(path, "\n".join(lines) + "\n")


class CPURace(keras.callbacks.Callback):
    """Counts the process CPU seconds of training (from each batch's begin
    to its end, the other callbacks' per-step work included; the first
    step of each `fit`, which traces, not counted), evaluates
    every `eval_every` CPU seconds and at each of `budgets`, and stops
    training at the last budget.

    `evaluate(model)` returns {"fid", "covered"}. The run folder keeps the
    CPU seconds after every step (`cpu.csv`) and the evaluations
    (`race.csv`); resumed at a checkpoint's step, the clock restarts from
    that step's CPU seconds and later evaluations are dropped.
    """

    def __init__(self, out_dir, budgets, eval_every, evaluate):
        super().__init__()
        self.out_dir = out_dir
        self.budgets = sorted(budgets)
        self.eval_every = eval_every
        self.evaluate = evaluate

    def on_train_begin(self, logs=None):
        step = tgs_callbacks.step_of(self.model)
        cpu_path = os.path.join(self.out_dir, _CPU_CSV)
        cpu_rows = [r for r in _read_rows(cpu_path) if r["step"] <= step]
        self.cpu = cpu_rows[-1]["cpu_seconds"] if cpu_rows else 0.0
        self.evaluations = [r for r in _read_rows(
            os.path.join(self.out_dir, _RACE_CSV)) if r["step"] <= step]
        _write_rows(cpu_path, cpu_rows, ("step", "cpu_seconds"))
        self.cpu_file = open(cpu_path, "a")
        # The first step of each `fit` traces train_step (seconds to a
        # minute, once per process): not counted as training.
        self.tracing = True

    def on_train_end(self, logs=None):
        self.cpu_file.close()

    def next_evaluation(self):
        done = self.evaluations[-1]["cpu_seconds"] if self.evaluations else 0
        due = (np.floor(done / self.eval_every + 1e-9) + 1) * self.eval_every
        return min([due] + [b for b in self.budgets if b > done + 1e-9])

    def on_train_batch_begin(self, batch, logs=None):
        self.start = time.process_time()

    def on_train_batch_end(self, batch, logs=None):
        if not self.tracing:
            self.cpu += time.process_time() - self.start
        self.tracing = False
        step = tgs_callbacks.step_of(self.model)
        self.cpu_file.write(f"{step},{self.cpu!r}\n")
        self.cpu_file.flush()
        if self.cpu + 1e-9 < self.next_evaluation():
            return
        scores = self.evaluate(self.model)
        self.evaluations.append({"step": step, "cpu_seconds": self.cpu,
                                 "fid": scores["fid"],
                                 "covered": scores["covered"]})
        _write_rows(os.path.join(self.out_dir, _RACE_CSV), self.evaluations,
                    ("step", "cpu_seconds", "fid", "covered"))
        if self.cpu >= self.budgets[-1]:
            self.model.stop_training = True


def _evaluator():
    """evaluate(model) -> {"fid", "covered"}: domain FID against the test
    images and classes covered, on --fid_num_images samples of seeds 0..
    (the EMA generator's, when the model has one)."""
    extractor = metrics.domain_extractor(
        "fashion_mnist", data_dir=FLAGS.data_dir, path=FLAGS.classifier_path)
    test = data.get_source("fashion_mnist", split="test",
                           data_dir=FLAGS.data_dir)
    real_features, _ = extractor(data.images_array(test))

    def evaluate(model):
        features, logits = extractor(model.generate(FLAGS.fid_num_images,
                                                    seed=0))
        return {"fid": metrics.frechet_distance(real_features, features),
                "covered": metrics.class_coverage(logits, 10)["covered"]}
    return evaluate


def _train(name, preset, seed, budgets, evaluate):
    """The folder of run `name`, trained (or resumed) until its CPU clock
    reaches the largest budget (a run stopped at a smaller one goes on)."""
    out = os.path.join(FLAGS.runs, name)
    reached = _at_budget(_read_rows(os.path.join(out, _RACE_CSV)),
                         budgets[-1])
    if FLAGS.report_only or (common.finished(name) and reached):
        common.train(name, preset, **PINNED.get(preset, {}))
        if not reached:  # --report_only: a run short of the budget (its
            # model.keras may be that of a smaller budget's stop).
            common.UNFINISHED[name] = common.last_step(out)
        return out
    os.makedirs(out, exist_ok=True)
    race = CPURace(out, budgets, FLAGS.race_eval_every * 60, evaluate)
    resume = os.path.isdir(os.path.join(out, "checkpoints")) and os.listdir(
        os.path.join(out, "checkpoints"))
    from tfgan_suite import runs, training
    if resume:
        config = runs.resume_config(out)
    else:
        config = runs.make_config(
            preset, steps=_UNBOUNDED_STEPS, steps_per_epoch=200, seed=seed,
            fid_every_n_steps=0, verbose=2, data_dir=FLAGS.data_dir,
            classifier_path=FLAGS.classifier_path,
            mixed_precision=common.mixed_precision(),
            model_args=harness.recorded_model_args(preset),
            **PINNED.get(preset, {}))
    training.run(config, out, extra_callbacks=[race], resume=bool(resume))
    return out


def _at_budget(curve, budget):
    """The evaluation at `budget` CPU seconds: the first at or past it (the
    step that reached it), or None for a run that has not reached it."""
    reached = [p for p in curve if p["cpu_seconds"] >= budget - 1e-6]
    return reached[0] if reached else None


def r3gan_race():
    minutes = sorted(float(b) for b in FLAGS.race_budgets)
    budgets = [m * 60 for m in minutes]
    evaluate = None if FLAGS.report_only else _evaluator()
    curves = {}
    for preset in FLAGS.race_presets:
        for seed in map(int, FLAGS.seeds):
            name = os.path.join("r3gan_race", f"{preset}_seed{seed}")
            out = _train(name, preset, seed, budgets, evaluate)
            curves.setdefault(preset, {})[seed] = _read_rows(
                os.path.join(out, _RACE_CSV))
    summary = {}
    for preset, by_seed in curves.items():
        summary[preset] = {}
        for budget, label in zip(budgets, minutes):
            reached = {seed: _at_budget(curve, budget)
                       for seed, curve in by_seed.items()}
            reached = {seed: p for seed, p in reached.items() if p is not None}
            points = list(reached.values())
            fids = [p["fid"] for p in points]
            summary[preset][f"{label:g}_cpu_minutes"] = {
                # The seeds whose runs reached the budget, in the order of
                # the lists below.
                "seeds": list(reached),
                "fid_per_seed": fids,
                "fid_mean": float(np.mean(fids)) if fids else None,
                "covered_per_seed": [p["covered"] for p in points],
                "steps_per_seed": [p["step"] for p in points]}
    trained = {p: common.run_config(os.path.join(
        FLAGS.runs, "r3gan_race", f"{p}_seed{FLAGS.seeds[0]}"))
        for p in FLAGS.race_presets}
    record = {"budgets_cpu_minutes": minutes,
              "eval_every_cpu_minutes": FLAGS.race_eval_every,
              "threads": FLAGS.threads, "fid_num_images": FLAGS.fid_num_images,
              # What the runs trained with (their config.json), which may
              # predate a later change of the preset.
              "model_args": {p: c.model_args for p, c in trained.items()},
              "optimization": {p: common.optimization(c)
                               for p, c in trained.items()},
              "batch_size": {p: c.data.batch_size
                             for p, c in trained.items()},
              "curves": curves, "summary": summary}
    common.write_json("r3gan_race", {**record,
                                      **common.domain_classifier()})
    colors = {p: f"C{i}" for i, p in enumerate(FLAGS.race_presets)}
    panels = []
    for key, label in (("fid", "domain FID"), ("covered", "classes covered")):
        series = {}
        for preset, by_seed in curves.items():
            for seed, curve in by_seed.items():
                series[f"{preset} seed {seed}"] = (
                    [p["cpu_seconds"] / 60 for p in curve],
                    [p[key] for p in curve])
        panels.append((label, series, None))
    path = common.figure(
        os.path.join(FLAGS.results, "r3gan_race.png"), panels,
        title="R3GAN vs DCGAN at equal CPU time", xlabel="CPU minutes",
        colors={f"{p} seed {s}": colors[p] for p in curves
                for s in curves[p]})
    return record, path


def r3gan_step_cost():
    """CPU seconds per training step of each of --race_presets, on random
    images of the preset's batch, one after the other in this process
    (single-threaded with --threads=1); results/r3gan_step_cost.json."""
    if FLAGS.step_cost_variants:
        return _step_cost_variants()
    rows = {}
    for preset in FLAGS.race_presets:
        model = harness.preset_model(preset)
        name = type(model).cli_name
        _, source, batch = harness.speed_case(name)
        images = data.build(source, batch_size=batch, repeat=True, seed=0)
        model.fit(images.take(3), epochs=1, verbose=0)  # trace outside
        start = time.process_time()
        model.fit(images.take(FLAGS.step_cost_steps), epochs=1, verbose=0)
        seconds = (time.process_time() - start) / FLAGS.step_cost_steps
        rows[preset] = {"cpu_seconds_per_step": seconds, "batch_size": batch,
                        "images_per_cpu_second": batch / seconds}
    first = rows[FLAGS.race_presets[0]]["cpu_seconds_per_step"]
    for row in rows.values():
        row["relative_to_first"] = row["cpu_seconds_per_step"] / first
    common.write_json("r3gan_step_cost", {
        "threads": FLAGS.threads, "steps": FLAGS.step_cost_steps,
        "presets": rows})
    return rows


def _step_cost_variants():
    """r3gan_step_cost for --step_cost_variants: each row's model built
    under its precision, on random images of its preset's batch, timed in
    interleaved rounds (`harness.interleaved`); the CPU seconds of an image
    relative to the first row's, round by round."""
    from tfgan_suite.nets import common as nets_common
    from tfgan_suite.runs import config as config_lib
    unknown = [v for v in FLAGS.step_cost_variants
               if v not in STEP_COST_VARIANTS]
    if unknown:
        raise ValueError(f"--step_cost_variants: unknown {unknown}; "
                         f"expected some of {', '.join(STEP_COST_VARIANTS)}")
    measures, rows = {}, {}
    for name in FLAGS.step_cost_variants:
        preset, model_args, mixed = STEP_COST_VARIANTS[name]
        given = models.presets.get(preset)
        recorded = model_args == "recorded"
        if recorded:
            model_args = harness.recorded_model_args(preset)
        policy = config_lib.precision_policy(mixed)
        with nets_common.dtype_policy(policy):
            model = given["model_class"].from_preset(preset, **model_args)
            _, source, batch = harness.speed_case(
                type(model).cli_name,
                batch_size=PINNED.get(preset, {}).get("batch_size")
                if recorded else None)
            images = data.build(source, batch_size=batch, repeat=True,
                                seed=0)
            # Steps of the endless data, not a finite take of it: fit then
            # never runs out of data (an end-of-data error held by Keras'
            # iterator can hang the process as it exits).
            model.fit(images, steps_per_epoch=3, epochs=1, verbose=0)

        def measure(model=model, images=images, policy=policy):
            with nets_common.dtype_policy(policy):
                start = time.process_time()
                model.fit(images, steps_per_epoch=FLAGS.step_cost_steps,
                          epochs=1, verbose=0)
                return (time.process_time() - start) / FLAGS.step_cost_steps
        measures[name] = measure
        rows[name] = {"preset": preset, "model_args": model_args,
                      "precision": policy, "batch_size": batch}
    seconds = harness.interleaved(measures, FLAGS.step_cost_rounds)
    first = FLAGS.step_cost_variants[0]
    first_per_image = [s / rows[first]["batch_size"] for s in seconds[first]]
    for name, row in rows.items():
        per_image = [s / row["batch_size"] for s in seconds[name]]
        row.update({
            "cpu_seconds_per_step": seconds[name],
            "images_per_cpu_second": float(
                row["batch_size"] / np.median(seconds[name])),
            "image_cost_relative_to_first": harness.ratio_summary(
                per_image, first_per_image)})
    common.write_json("r3gan_step_cost_variants", {
        "threads": FLAGS.threads, "steps": FLAGS.step_cost_steps,
        "rounds": FLAGS.step_cost_rounds, "variants": rows})
    return rows
