"""Latent walks as files: a model's `interpolate` frames written as one
grid PNG (the frames in a row) and an animated GIF beside it."""

import os

from tfgan_suite import files, plots
from tfgan_suite.errors import ArgumentError
from tfgan_suite.models import arguments


def write_interpolation(model, out, seed_a, seed_b, frames, labels=None,
                        truncation=None, truncation_method="mean", scale=2,
                        duration_ms=120):
    """Writes `model.interpolate(seed_a, seed_b, frames, labels, ...)` as
    the grid `out` (a .png file: the frames left to right) and the GIF
    `out` with the extension .gif (one frame each, `duration_ms` apart),
    both enlarged `scale` times; each file is written under a temporary
    name and renamed, so a failed call leaves neither. Returns (png, gif).
    """
    if not str(out).lower().endswith(".png"):
        raise ArgumentError("out", "expected a .png file name for the "
                                   "interpolation grid (its GIF is written "
                                   f"beside it), got {out!r}")
    if not hasattr(model, "interpolate"):
        raise ArgumentError("out", "a latent walk needs a Keras model that "
                                   "generates from noise (a run folder or "
                                   ".keras file), got "
                                   f"{arguments.shown_name(model)}")
    images = model.interpolate(seed_a, seed_b, frames, labels=labels,
                               truncation=truncation,
                               truncation_method=truncation_method)
    if images.ndim != 4:
        raise ArgumentError("out", f"{arguments.shown_name(model)} generates "
                                   f"points of shape {images.shape[1:]}, not "
                                   "images")
    gif = os.path.splitext(out)[0] + ".gif"
    with files.atomic_path(out) as png_tmp, files.atomic_path(gif) as gif_tmp:
        plots.save_grid(images, png_tmp, rows=1, scale=scale)
        plots.save_animation(images, gif_tmp, scale=scale,
                             duration_ms=duration_ms)
    return out, gif
