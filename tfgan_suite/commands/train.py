"""Train a GAN of the suite.

    python scripts/train.py --model=dcgan --dataset=fashion_mnist --epochs=5
    python scripts/train.py --preset=cifar10_dcgan --data_dir=cifar-10-batches-py
    python scripts/train.py --out_dir=runs/x --resume     # after a crash
    python scripts/train.py --model=my_module:MyGAN --latent_dim=64  # your own
    python scripts/train.py --model=my_module:build --value_range=0,1  # any Keras GAN
"""

import os
import signal
import sys

from absl import flags, logging

import tfgan_suite as tgs
from tfgan_suite.commands import cli

cli.define_training_flags()
FLAGS = flags.FLAGS


def main(argv):
    overrides = cli.training_overrides(FLAGS)
    resume = FLAGS.resume and os.path.isfile(
        os.path.join(FLAGS.out_dir, tgs.runs.layout.CONFIG))
    if FLAGS.resume and not resume:
        # Preempted before its config was written: nothing to lose.
        logging.warning("--resume: %s holds no run yet (stopped before it "
                        "wrote %s); starting it as new with this command's "
                        "flags", FLAGS.out_dir, tgs.runs.layout.CONFIG)
    if resume:
        config = tgs.runs.resume_config(FLAGS.out_dir, preset=FLAGS.preset,
                                        **overrides)
    else:
        preset = FLAGS.preset or tgs.models.presets.default_for(
            FLAGS.model or tgs.models.DEFAULT_MODEL)
        config = tgs.runs.make_config(preset, **overrides)
    try:
        model, _ = tgs.training.run(config, FLAGS.out_dir, resume=resume)
    except tgs.training.Interrupted as e:
        name = signal.Signals(e.signum).name
        print(f"{name}: stopped after step {e.step}, checkpoint saved "
              f"({e.checkpoint}); continue with: {cli.program()} "
              f"--out_dir={FLAGS.out_dir} --resume", file=sys.stderr)
        sys.exit(e.exit_status)
    if model is not None and not tgs.training.runner.writes(
            model.distribute_strategy):
        print(f"run folder: {FLAGS.out_dir} (written by the cluster's "
              f"chief)")
        return
    print(summary(FLAGS.out_dir, config))


def summary(out_dir, config):
    """The end of the run of `config` in `out_dir` in a few lines: where
    its files are, its last FID (with what measured it) and how to train
    it on."""
    layout = tgs.runs.layout
    lines = [("run folder", out_dir)]
    samples = os.path.join(out_dir, "samples")
    if os.path.isdir(samples):
        grids = sorted((p for p in os.listdir(samples) if p.endswith(".png")),
                       key=lambda p: os.path.getmtime(os.path.join(samples, p)))
        lines.append(("samples", f"{samples}/" + (f" (last: {grids[-1]})"
                                                  if grids else "")))
    lines.append(("model", layout.keras_file(out_dir) or
                  "no model.keras (see model.json)"))
    exported = layout.exported(out_dir)
    if exported:
        lines.append(("exported", exported["path"]))
    fid = layout.last_fid(out_dir)
    if fid:
        lines.append(("last FID", f"{fid['fid']:.2f} ({fid['fid_features']}"
                                  f", step {fid['fid_step']})"))
    length, more = tgs.runs.checkpoints.further(
        os.path.join(out_dir, layout.CHECKPOINTS), config)
    lines.append(("train on", f"{cli.program()} --out_dir={out_dir} "
                              f"--resume --{length}={more}"))
    width = max(len(name) for name, _ in lines) + 1
    return "\n".join(f"{name + ':':<{width}} {value}" for name, value in lines)


def run():
    """Runs the program (started by `tfgan_launch.train`)."""
    # A bad optimizer setting is named by the flag that set it.
    cli.run(main, aliases={**cli.optimizer_flags(),
                           "features": "fid_features"})


if __name__ == "__main__":
    run()
