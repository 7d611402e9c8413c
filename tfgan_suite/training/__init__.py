"""Training: the runner behind `scripts/train.py` (`runner`), Keras
callbacks (sample grids, FID, health, checkpoints), checkpoints, the
discriminator's augmentation (`augment`: DiffAugment, ADA) and the
command-line flags (`cli`). Modules load on first use: `models` imports
`augment` without pulling in the runner."""

import importlib

_MODULES = ("augment", "callbacks", "checkpoints", "cli", "runner")


def __getattr__(name):
    if name not in _MODULES:
        raise AttributeError(f"module 'tfgan_suite.training' has no "
                             f"attribute {name!r}")
    return importlib.import_module(f"{__name__}.{name}")


__all__ = list(_MODULES)
