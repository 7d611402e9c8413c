"""Training: the runner behind `scripts/train.py` (`run`, `make_config`,
`resume_config`, `distribution`, `Interrupted`) and the Keras callbacks of
a run (`training.callbacks`: sample grids, FID, health, loss history)."""

from tfgan_suite.runs.config import make_config, resume_config
from tfgan_suite.training import callbacks, runner
from tfgan_suite.training.runner import Interrupted, distribution, run

__all__ = ["Interrupted", "callbacks", "distribution", "make_config",
           "resume_config", "run", "runner"]
