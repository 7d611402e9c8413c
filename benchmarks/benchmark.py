"""Speed and sample quality against the TF DCGAN tutorial, in one process.

Speed (default):
    python benchmarks/benchmark.py --model=all [--mixed_precision]
prints a table: per model, images/s and step time of `model.fit`, of the
tutorial-style `tf.function` loop over the same nets, batch and data (dcgan,
pix2pix), their ratio, the input pipeline alone and peak memory, and the
machine's matmul peak (fp32, bf16). Under --mixed_precision, float32 `fit`
and the float32 tutorial loop on float32 copies of the nets run in the same
rounds. Each speed is the median of --repeats interleaved rounds, each
ratio the median (and min, max) of its round-by-round ratios. On a busy
machine, `--clock=cpu --threads=1` times this process's CPU time instead of
wall time. Where the time goes, by TF's profiler:
    python benchmarks/benchmark.py --model=dcgan --mixed_precision \
        --update=simultaneous --profile=/tmp/dcgan_profile
prints each op type's time per step in `fit` and in the tutorial loops.

Toy mode coverage is an experiment of its own:
    python benchmarks/reproduce.py --experiment=toy

Quality at equal compute (--quality):
    python benchmarks/benchmark.py --quality --minutes=8
trains the tutorial (its nets, Adam 1e-4, batch 256) and our DCGAN defaults
for the same training time on real Fashion-MNIST, measuring domain FID
(against the 10 000 test images) and classes covered every --eval_every_s.
Presets race by name, at equal CPU time:
    python benchmarks/benchmark.py --quality --norace_tutorial --minutes=4 \
        --race_presets=fashion_mnist_dcgan,fashion_mnist_wgan_gp \
        --race_clock=cpu

Timings are ratios inside one run: compare them, not absolute numbers
across machines.
"""

import json
import os
import shlex
import sys
import time

import tfgan_launch

tfgan_launch.quiet_stderr()  # before TensorFlow loads: its start-up noise.

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import flags  # noqa: E402

import harness as benchmarks  # noqa: E402
from tfgan_suite import data, files, metrics, models  # noqa: E402
from tfgan_suite.runs import config as config_lib  # noqa: E402
from tfgan_suite.commands import cli  # noqa: E402

flags.DEFINE_string("model", "dcgan", "Model to time (a name of "
                    "tgs.models.MODELS, at its default preset's size) or all; "
                    "with --quality: dcgan (the TF DCGAN tutorial's race).")
flags.DEFINE_enum("update", None, ["alternating", "simultaneous"],
                  "GAN update rule to time (default: the model's, "
                  "Algorithm 1); --model=all times DCGAN with both.")
flags.DEFINE_bool("mixed_precision", False, "Time under mixed precision "
                  "(bfloat16 on CPU, float16 on GPU).")
flags.DEFINE_integer("batch_size", None, "Batch size (default: the "
                     "model's default preset's).")
flags.DEFINE_integer("steps", 20, "Timed steps per measurement.")
flags.DEFINE_integer("repeats", 3, "Interleaved measurements of fit and "
                     "the tutorial loop; the median of each is reported, "
                     "and the median, min and max of their ratios round "
                     "by round.")
flags.DEFINE_enum("clock", "wall", ["wall", "cpu"], "What the speed "
                  "measurements time: wall time, or the CPU time of this "
                  "process (all threads), which other processes on the "
                  "machine shift less.")
flags.DEFINE_integer("threads", 0, "TensorFlow threads (0: all cores); "
                     "with --clock=cpu, 1 keeps idle threads' spinning out "
                     "of the CPU time on a busy machine.")
flags.DEFINE_string("profile", None, "Also trace --steps steps of fit and "
                    "of each tutorial loop with TF's profiler into this "
                    "folder and print the time of each op type side by "
                    "side (TensorBoard's profile plugin reads the traces).")
flags.DEFINE_float("profile_min_ms", 0.5, "--profile: leave out op types "
                   "under this many ms per step.")
flags.DEFINE_bool("quality", False, "Run the equal-compute quality race.")
flags.DEFINE_list("race_filters", ["64"], "DCGAN widths to race against "
                  "the tutorial (--quality).")
flags.DEFINE_list("race_updates", ["alternating"], "DCGAN update rules "
                  "to race (--quality): alternating, simultaneous.")
flags.DEFINE_bool("race_tutorial", True, "Include the TF tutorial in the "
                  "race (--quality).")
flags.DEFINE_list("race_presets", [], "Presets to race by name "
                  "(--quality), e.g. fashion_mnist_dcgan,fashion_mnist_wgan_gp"
                  ": each model built by Model.from_preset and trained at its "
                  "preset's batch size; Fashion-MNIST presets only. With it, "
                  "DCGAN widths race only if --race_filters is given.")
flags.DEFINE_enum("race_clock", "wall", ["wall", "cpu"], "Training time of "
                  "the race (--quality): wall time, or the CPU time of this "
                  "process (all threads), which other processes on the "
                  "machine do not shift.")
flags.DEFINE_float("minutes", 8.0, "Training minutes per contender.")
flags.DEFINE_float("eval_every_s", 60.0, "Seconds of training between "
                   "evaluations.")
flags.DEFINE_string("classifier_path", benchmarks.CLASSIFIER, "Domain "
                    "classifier file (default: the experiments' one).")
flags.DEFINE_integer("matmul_size", 2048, "n of the n x n matmul that "
                     "measures the machine's peak.")
flags.DEFINE_string("json", None, "Also write the results here.")
FLAGS = flags.FLAGS


def _train_images(batch_size, repeat=True):
    try:
        source = data.get_source("fashion_mnist", split="train")
    except ValueError:
        source = data.from_arrays(np.random.randint(
            0, 255, (batch_size * 4, 28, 28, 1), np.uint8), name="random")
    return data.build(source, batch_size=batch_size, repeat=repeat)


def _net_copies(name, update, policy):
    """(model, unbatched source, batch size) of `speed_case`, its nets built
    under the Keras dtype `policy`, compiled."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        model, source, b = benchmarks.speed_case(name, FLAGS.batch_size,
                                                 update)
        model.compile()  # its loss picks the tutorial loop.
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return model, source, b


#: The ratios a row reports, each measured round by round:
#: {name: (numerator, denominator)} of seconds per step (higher: `fit` or
#: the precision in the name is faster).
RATIOS = {"fit_over_tutorial": ("tutorial", "fit"),
          "fit_over_fp32_tutorial": ("tutorial_fp32", "fit"),
          "fp32_fit_over_fp32_tutorial": ("tutorial_fp32", "fit_fp32"),
          "fit_mixed_over_fp32": ("fit_fp32", "fit"),
          "tutorial_mixed_over_fp32": ("tutorial_fp32", "tutorial")}


def speed_one(name, update=None):
    """Images/s of `fit` (and of the tutorial loop on the same nets), each
    the median of --repeats interleaved measurements, and their ratios,
    measured round by round (median, min and max over the rounds). Under
    --mixed_precision, float32 copies of the nets are timed in the same
    rounds: the float32 tutorial loop (the reference of the mixed
    precision target) and float32 `fit`."""
    policy = config_lib.precision_policy(FLAGS.mixed_precision)
    model, source, b = _net_copies(name, update, policy)
    ds = data.build(source, batch_size=b, repeat=True, augment=False)
    batches = list(ds.take(FLAGS.steps + 3))
    fixed = tf.data.Dataset.from_tensor_slices(
        tuple(tf.stack(x) for x in zip(*batches))
        if isinstance(batches[0], tuple) else tf.stack(batches))
    clock = {"wall": time.perf_counter, "cpu": time.process_time}[
        FLAGS.clock]
    fits = {"fit": model}
    loops = {"tutorial": benchmarks.tutorial_step_for(model)}
    nets_of = {"fit": model, "tutorial": model}
    if policy != "float32":
        fp32_model = _net_copies(name, update, "float32")[0]
        fits["fit_fp32"] = fp32_model
        loops["tutorial_fp32"] = benchmarks.tutorial_step_for(fp32_model)
        nets_of.update(fit_fp32=fp32_model, tutorial_fp32=fp32_model)
    loops = {key: loop for key, loop in loops.items() if loop is not None}
    measures = {
        **{key: (lambda m=m: benchmarks.time_fit(m, fixed, FLAGS.steps,
                                                 clock=clock))
           for key, m in fits.items()},
        **{key: (lambda loop=loop: benchmarks.time_steps(loop, batches,
                                                         clock=clock))
           for key, loop in loops.items()}}
    # Profiled first: TF's executor stops tracing the ops it has learnt
    # are cheap (it runs them inline) after some hundred steps.
    profiled = (profile(fits, loops, nets_of, fixed, batches)
                if FLAGS.profile else None)
    seconds = benchmarks.interleaved(measures, FLAGS.repeats)
    median = {key: float(np.median(values))
              for key, values in seconds.items()}
    result = {
        "model": name, "update": getattr(model, "update", "-"),
        "batch_size": b,
        "image_shape": list(source.data_shape), "precision": policy,
        "devices": len(tf.config.list_logical_devices(
            "GPU" if tf.config.list_physical_devices("GPU") else "CPU")),
        "device": "GPU" if tf.config.list_physical_devices("GPU") else "CPU",
        "jit_compile": bool(model.jit_compile),
        "steps": FLAGS.steps, "repeats": FLAGS.repeats,
        "clock": FLAGS.clock, "seconds_per_step": seconds,
        "fit_step_ms": 1000 * median["fit"],
        "fit_images_per_s": b / median["fit"],
        "pipeline_images_per_s": b / benchmarks.time_pipeline(ds, 200),
        "ratios": {},
    }
    for key in ("tutorial", "tutorial_fp32", "fit_fp32"):
        if key in median:
            result[f"{key}_images_per_s"] = b / median[key]
    if "tutorial" in median:
        result["tutorial_step_ms"] = 1000 * median["tutorial"]
    for ratio, (a, c) in RATIOS.items():
        if a in seconds and c in seconds:
            result["ratios"][ratio] = benchmarks.ratio_summary(seconds[a],
                                                               seconds[c])
            result[ratio] = result["ratios"][ratio]["median"]
    if profiled:
        result["profile"] = profiled
    result["peak_rss_mib"] = benchmarks.peak_rss_mib()
    if tf.config.list_physical_devices("GPU"):
        result["peak_gpu_mib"] = tf.config.experimental.get_memory_info(
            "GPU:0")["peak"] / 2**20
    return result


def profile(fits, loops, nets_of, fixed, batches):
    """{key: {"by_type": {op type: [ms, ops]}, "by_layer": {layer class
    (+ " gradient"), "optimizer" or "other": [ms, ops]}}} per step of each
    timed `fit` and loop (`nets_of[key]`: the model whose nets and
    optimizers it runs) over --steps steps after 3 steps of warm-up, from
    TF's profiler (traces under --profile); prints both side by side."""
    steps = FLAGS.steps
    runs = {
        **{key: (lambda n, m=m: m.fit(fixed.take(n), epochs=1, verbose=0))
           for key, m in fits.items()},
        **{key: (lambda n, loop=loop: benchmarks.block(
            [loop(batch) for batch in batches[:n]]))
           for key, loop in loops.items()}}
    per_step = {}
    for key, run in runs.items():
        run(3)
        ops = benchmarks.profile_ops(lambda: run(steps),
                                     os.path.join(FLAGS.profile, key))
        kinds = benchmarks.layer_kinds(nets_of[key])
        tables = per_step[key] = {"by_type": {}, "by_layer": {}}
        for (name, kind), (seconds, count) in ops.items():
            for table, group in (("by_type", kind), ("by_layer",
                                 benchmarks.op_group(name, kinds))):
                cell = tables[table].setdefault(group, [0.0, 0.0])
                cell[0] += 1000 * seconds / steps
                cell[1] += count / steps
    for table, title in (("by_layer", "layer"), ("by_type", "op type")):
        _print_profile({key: tables[table] for key, tables in
                        per_step.items()}, title)
    return per_step


def _print_profile(per_step, title):
    keys = list(per_step)
    groups = sorted({g for cells in per_step.values() for g in cells},
                    key=lambda g: -max(cells.get(g, [0])[0]
                                       for cells in per_step.values()))
    print(f"\nprofile by {title}, ms per step (ops per step), summed over "
          f"threads:\n{title:34}" + "".join(f"{key:>22}" for key in keys))
    for group in groups:
        cells = [per_step[key].get(group, [0.0, 0]) for key in keys]
        if max(ms for ms, _ in cells) >= FLAGS.profile_min_ms:
            print(f"{group[:34]:34}" + "".join(
                f"{ms:13.2f} ({n:5.0f})" for ms, n in cells))
    print(f"{'all ops':34}" + "".join(
        f"{sum(v[0] for v in per_step[key].values()):13.2f} "
        f"({sum(v[1] for v in per_step[key].values()):5.0f})"
        for key in keys))


def speed():
    if FLAGS.model == "all":
        # DCGAN twice: Algorithm 1 (the default) and the tutorial's update
        # rule, which does the same arithmetic as the tutorial loop.
        cases = [(name, None) for name in models.MODELS]
        cases.insert(cases.index(("dcgan", None)) + 1,
                     ("dcgan", "simultaneous"))
    else:
        cases = [(FLAGS.model, FLAGS.update)]
    rows = [speed_one(name, update) for name, update in cases]
    n = FLAGS.matmul_size
    peaks = {"matmul_size": n,
             "matmul_fp32_gflops": benchmarks.matmul_gflops(tf.float32, n),
             "matmul_bf16_gflops": benchmarks.matmul_gflops(tf.bfloat16, n),
             **benchmarks.cpu()}
    print(f"\n{'model':8} {'update':>12} {'batch':>5} {'precision':>15} "
          f"{'fit img/s':>10} "
          f"{'step ms':>8} {'tutorial img/s':>15} {'fit/tutorial':>12} "
          f"{'pipeline img/s':>15} {'RSS MiB':>8}")
    for r in rows:
        tut = (f"{r['tutorial_images_per_s']:15.1f} "
               f"{r['fit_over_tutorial']:12.2f}" if "fit_over_tutorial" in r
               else f"{'-':>15} {'-':>12}")
        print(f"{r['model']:8} {r['update']:>12} {r['batch_size']:5d} "
              f"{r['precision']:>15} "
              f"{r['fit_images_per_s']:10.1f} {r['fit_step_ms']:8.1f} {tut} "
              f"{r['pipeline_images_per_s']:15.0f} {r['peak_rss_mib']:8.0f}")
        for ratio, spread in r["ratios"].items():
            print(f"    {ratio:28} median {spread['median']:5.2f}  "
                  f"(min {spread['min']:.2f}, max {spread['max']:.2f}, "
                  f"{len(spread['per_round'])} rounds)")
    print(f"matmul {n}^2: fp32 {peaks['matmul_fp32_gflops']:.0f} GFLOP/s, "
          f"bf16 {peaks['matmul_bf16_gflops']:.0f} GFLOP/s; {peaks['cpu']}, "
          f"bfloat16 instructions: "
          f"{'yes' if peaks['bfloat16_instructions'] else 'no'}")
    return {"rows": rows, **peaks}


def quality():
    for preset in FLAGS.race_presets:
        config = models.presets.get(preset)
        trains_on = (config["data"].get("dataset"),
                     config["data"].get("classes"))
        if trains_on != ("fashion_mnist", None):
            raise ValueError(f"--race_presets: the race measures FID on all "
                             f"of Fashion-MNIST; {preset} trains on "
                             f"{' '.join(str(v) for v in trains_on if v)}")
        kind = config["model_class"].data_kind(config["model_args"])
        if kind != "images":
            raise ValueError(f"--race_presets: the race trains on unlabelled "
                             f"images; {preset} trains on {kind} examples")
    extractor = metrics.domain_extractor("fashion_mnist",
                                            path=FLAGS.classifier_path)
    test = data.get_source("fashion_mnist", split="test")
    real = data.images_array(test)
    real_features, _ = extractor(real)
    contenders, batch_images = [], {}
    if FLAGS.race_tutorial:
        contenders.append(benchmarks.tutorial_contender(_train_images(256)))
        batch_images["tf_tutorial"] = 256
    for preset in FLAGS.race_presets:
        contender, batch = benchmarks.preset_contender(preset, _train_images)
        contenders.append(contender)
        batch_images[preset] = batch
    dcgan_widths = (FLAGS.race_filters if not FLAGS.race_presets
                    or FLAGS["race_filters"].present else [])
    for filters in map(int, dcgan_widths):
        for update in FLAGS.race_updates:
            ours = models.DCGAN(filters=filters, update=update)
            ours.compile()
            name = f"tfgan_suite_dcgan_f{filters}" + (
                "" if update == "alternating" else f"_{update}")
            contenders.append(benchmarks.model_contender(name, ours,
                                                         _train_images(128)))
            batch_images[name] = 128
    race = benchmarks.quality_race(
        contenders, extractor, real_features, 10, FLAGS.minutes * 60,
        FLAGS.eval_every_s, batch_images,
        clock={"wall": time.perf_counter, "cpu": time.process_time}[
            FLAGS.race_clock])
    summary = {}
    for name, curve in race.items():
        fids = [p["fid"] for p in curve]
        late = fids[len(fids) // 2:]
        summary[name] = {
            "final_fid": fids[-1], "best_fid": min(fids),
            "late_fid_std": float(np.std(late)),
            "min_covered_late": min(p["covered"] for p in curve[len(fids) // 2:]),
            "final_covered": curve[-1]["covered"], "images": curve[-1]["images"],
            "steps": curve[-1]["steps"],
        }
        print(f"\n{name}: seconds  steps  images  domain-FID  covered  KL")
        for p in curve:
            print(f"  {p['seconds']:7.0f} {p['steps']:6d} {p['images']:7d} "
                  f"{p['fid']:10.2f} {p['covered']:8d} "
                  f"{p['kl_from_uniform']:.3f}")
    print("\nsummary (domain FID: lower is better)")
    print(json.dumps(summary, indent=2))
    return {"minutes": FLAGS.minutes, "clock": FLAGS.race_clock,
            "batch_images": batch_images, "curves": race, "summary": summary}


def main(argv):
    if FLAGS.threads:
        tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
        tf.config.threading.set_inter_op_parallelism_threads(FLAGS.threads)
    if FLAGS.quality:
        results = quality()
    else:
        results = speed()
    if FLAGS.json:
        command = " ".join(["python", "benchmarks/benchmark.py",
                            *map(shlex.quote, sys.argv[1:])])
        files.write_text(FLAGS.json, json.dumps(
            {"command": command, **results}, indent=2) + "\n")


if __name__ == "__main__":
    cli.run(main)
