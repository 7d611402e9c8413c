"""Training: the runner behind `scripts/train.py`, Keras callbacks
(sample grids, FID, health, checkpoints) and the command-line flags."""

from tfgan_suite.training import callbacks, cli, runner

__all__ = ["callbacks", "cli", "runner"]
