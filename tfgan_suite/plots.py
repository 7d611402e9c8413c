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
    return _write_gif([Image.open(p).convert("RGB") for p in frame_paths],
                      path, duration_ms)


def save_animation(images, path, scale=1, duration_ms=120):
    """Animated GIF whose frames are `images` (N, H, W, C), float in
    [-1, 1] or uint8, each enlarged `scale` times (e.g. a latent walk)."""
    frames = [Image.fromarray(grid(image[None], padding=0))
              for image in np.asarray(images)]
    if scale > 1:
        frames = [f.resize((f.width * scale, f.height * scale),
                           Image.NEAREST) for f in frames]
    return _write_gif(frames, path, duration_ms)


def _write_gif(frames, path, duration_ms):
    frames[0].save(path, format="GIF", save_all=True,
                   append_images=frames[1:], duration=duration_ms, loop=0)
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


def save_attention_maps(images, attention, queries, path):
    """SAGAN Fig. 1: where query pixels attend, one row per image.

    Args:
      images: (N, H, W, C) uint8 or float in [-1, 1].
      attention: (N, h*w, h*w) attention rows of an h x w feature map
        (row q: the distribution over positions that query q attends to).
      queries: [(row, col)] in feature-map coordinates, drawn as coloured
        dots on the image; each gets a column showing its map over the image.
    """
    from matplotlib.figure import Figure
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = to_uint8(images).numpy()
    attention = np.asarray(attention)
    n, height, width = images.shape[:3]
    side = int(round(math.sqrt(attention.shape[-1] * width / height)))
    h, w = attention.shape[-1] // side, side
    fig = Figure(figsize=(1.6 * (len(queries) + 1), 1.6 * n), dpi=100)
    axes = fig.subplots(n, len(queries) + 1, squeeze=False)
    scale_y, scale_x = height / h, width / w
    for i in range(n):
        shown = images[i, ..., 0] if images.shape[-1] == 1 else images[i]
        axes[i, 0].imshow(shown, cmap="gray")
        for k, (r, c) in enumerate(queries):
            centre = ((c + 0.5) * scale_x - 0.5, (r + 0.5) * scale_y - 0.5)
            axes[i, 0].scatter(*centre, s=25, color=f"C{k}",
                               edgecolors="white")
            attended = attention[i, r * w + c].reshape(h, w)
            axes[i, k + 1].imshow(shown, cmap="gray")
            axes[i, k + 1].imshow(attended, cmap="inferno", alpha=0.6,
                                  extent=(-0.5, width - 0.5, height - 0.5,
                                          -0.5), interpolation="nearest")
            axes[i, k + 1].scatter(*centre, s=25, color=f"C{k}",
                                   edgecolors="white")
    for ax in axes.ravel():
        ax.set_axis_off()
    for k in range(len(queries)):
        axes[0, k + 1].set_title(f"query {k + 1}", fontsize=8,
                                 color=f"C{k}")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path)
    return path
