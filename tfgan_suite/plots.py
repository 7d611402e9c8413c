"""Figures: image grids (PNG, GIF) and loss histories (PNG)."""

import math
import os

import numpy as np
from PIL import Image

from tfgan_suite.data.pipeline import to_uint8


def grid(images, rows=None, padding=2):
    """Tiles images (N, H, W, C), float in [-1, 1] or uint8, into one uint8 image."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = to_uint8(images).numpy()
    n, h, w, c = images.shape
    rows = rows or int(math.ceil(math.sqrt(n)))
    cols = int(math.ceil(n / rows))
    canvas = np.full((rows * (h + padding) + padding,
                      cols * (w + padding) + padding, c), 255, np.uint8)
    for i, image in enumerate(images):
        r, col = divmod(i, cols)
        y, x = padding + r * (h + padding), padding + col * (w + padding)
        canvas[y:y + h, x:x + w] = image
    return canvas[..., 0] if c == 1 else canvas


def save_grid(images, path, rows=None, scale=1):
    """Writes `grid(images)` to `path` (PNG), enlarged `scale` times."""
    image = Image.fromarray(grid(images, rows))
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale),
                             Image.NEAREST)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    image.save(path)
    return path


def save_points(points, path, reference=None, title=None):
    """Scatter plot of 1-D or 2-D samples (toy data), over `reference`
    points (e.g. the mixture's centres) when given."""
    from matplotlib.figure import Figure
    points = np.asarray(points)
    fig = Figure(figsize=(5, 5), dpi=100)
    ax = fig.add_subplot()
    if points.shape[-1] == 1:
        ax.hist(points.ravel(), bins=100, density=True, color="C0")
    else:
        ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, color="C0")
        if reference is not None:
            reference = np.asarray(reference)
            ax.scatter(reference[:, 0], reference[:, 1], s=30, marker="x",
                       color="C3")
        ax.set_aspect("equal")
    ax.set_title(title or f"{len(points)} samples")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path)
    return path


def save_samples(samples, path, scale=1):
    """Images as a grid, toy points as a scatter plot."""
    samples = np.asarray(samples)
    if samples.ndim == 4:
        return save_grid(samples, path, scale=scale)
    return save_points(samples, path)


def save_gif(frame_paths, path, duration_ms=300):
    """Animated GIF of the PNG frames (e.g. the sample grids over training)."""
    frames = [Image.open(p).convert("RGB") for p in frame_paths]
    frames[0].save(path, save_all=True, append_images=frames[1:],
                   duration=duration_ms, loop=0)
    return path


def save_loss_plot(steps, series, path, hlines=None, title=None,
                   smoothing=50, ylabel="loss"):
    """Per-step curves (light) with their moving average (dark).

    Args:
      steps: x values.
      series: {name: values}.
      hlines: {label: y}, e.g. {"log 2": 0.693} to read losses against chance.
      smoothing: moving-average window (at most a tenth of the points);
        1 draws the points themselves, with markers.
    """
    from matplotlib.figure import Figure  # no pyplot: no global state.
    fig = Figure(figsize=(8, 4.5), dpi=100)
    ax = fig.add_subplot()
    for i, (name, values) in enumerate(series.items()):
        color = f"C{i}"
        values = np.asarray(values, np.float64)
        if smoothing <= 1:
            ax.plot(steps, values, color=color, marker="o", label=name)
            continue
        ax.plot(steps, values, color=color, alpha=0.25, linewidth=0.8)
        window = max(1, min(smoothing, len(values) // 10))
        smooth = np.convolve(values, np.ones(window) / window, mode="valid")
        ax.plot(steps[window - 1:], smooth, color=color, label=name)
    for label, y in (hlines or {}).items():
        ax.axhline(y, color="gray", linestyle="--", linewidth=1, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"training {ylabel}")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    return path
