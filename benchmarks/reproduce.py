"""The tutorial paper's experiments (and the data-efficient ones beyond
it) on real data, one command each; figures (PNG) and numbers (JSON) land
in results/.

    python benchmarks/reproduce.py --experiment=fig8     # or: make reproduce EXPERIMENT=fig8

The only real images offline are Fashion-MNIST's, so each experiment runs
on its analogue there (docs/results.md states each analogy). One protocol
for every image model: domain FID and KID against the test images (of the
chosen classes for one-class runs) on --fid_num_images samples from fixed
seeds, features of the domain classifier.

Each training run is `tgs.training.run` (what `scripts/train.py` does) in
its own folder under --runs; a finished run there is reused and an
unfinished one resumed, so an interrupted experiment continues where it
stopped. The experiments live in `experiments/`, one module each.
"""

import os
import sys

import tfgan_launch

tfgan_launch.quiet_stderr()  # before TensorFlow loads: its start-up noise.

from absl import flags  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from experiments import EXPERIMENTS, common  # noqa: E402
from tfgan_suite.commands import cli  # noqa: E402

flags.DEFINE_enum("experiment", None, sorted(EXPERIMENTS), "What to run.")
flags.mark_flag_as_required("experiment")
FLAGS = flags.FLAGS


def main(argv):
    common.limit_threads(FLAGS.threads)
    EXPERIMENTS[FLAGS.experiment]()


if __name__ == "__main__":
    cli.run(main)
