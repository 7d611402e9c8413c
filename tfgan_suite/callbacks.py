"""Keras callbacks for GAN training."""

import csv
import math
import os

import keras
import numpy as np

from tfgan_suite import plots


class SampleGrid(keras.callbacks.Callback):
    """Renders a fixed batch of noise as a PNG grid during training (toy
    2-D data: a scatter plot).

    The same seeds are used every time, so the grids show one set of noise
    turning into images over training (the seed paper's Fig. 8). At the end
    of training the grids are also assembled into `progress.gif`.

    Args:
      out_dir: folder for `epoch_0001.png` / `step_000500.png` and the GIF.
      every_n_epochs: render after every n-th epoch (None: never).
      every_n_steps: render every n-th training step (None: never).
      num_images: images per grid.
      seed: seeds `seed .. seed + num_images - 1` (see `generate`).
      scale: enlarge small images (e.g. 2 for 28x28).
    """

    def __init__(self, out_dir, every_n_epochs=1, every_n_steps=None,
                 num_images=64, seed=0, gif=True, scale=1):
        super().__init__()
        self.out_dir = out_dir
        self.every_n_epochs = every_n_epochs
        self.every_n_steps = every_n_steps
        self.num_images = num_images
        self.seed = seed
        self.gif = gif
        self.scale = scale
        self.paths = []
        self._step = 0

    def render(self, name):
        images = self.model.generate(self.num_images, seed=self.seed)
        path = plots.save_samples(images, os.path.join(self.out_dir, name),
                                  scale=self.scale)
        self.paths.append(path)
        return path

    def on_train_begin(self, logs=None):
        if not self.paths:
            self.render("initial.png")

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self.every_n_steps and self._step % self.every_n_steps == 0:
            self.render(f"step_{self._step:06d}.png")

    def on_epoch_end(self, epoch, logs=None):
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self.render(f"epoch_{epoch + 1:04d}.png")

    def on_train_end(self, logs=None):
        if self.gif and len(self.paths) > 1:
            plots.save_gif(self.paths, os.path.join(self.out_dir,
                                                    "progress.gif"))


class TranslationGrid(SampleGrid):
    """Input / ground truth / prediction rows on fixed pairs during training
    (pix2pix, the seed paper's Fig. 12); same schedule and GIF as
    `SampleGrid`.

    Args:
      out_dir: folder for the PNGs and `progress.gif`.
      inputs, targets: fixed images, float in [-1, 1] or uint8 (N, H, W, C).
    """

    def __init__(self, out_dir, inputs, targets, every_n_epochs=1,
                 every_n_steps=None, gif=True, scale=1):
        super().__init__(out_dir, every_n_epochs, every_n_steps,
                         num_images=len(inputs), gif=gif, scale=scale)
        self.inputs = np.asarray(inputs)
        self.targets = np.asarray(targets)

    def render(self, name):
        from tfgan_suite.data.pipeline import to_uint8
        inputs, targets = (x if x.dtype == np.uint8 else to_uint8(x).numpy()
                           for x in (self.inputs, self.targets))
        predicted = self.model.translate_uint8(inputs)
        rows = np.stack([inputs, targets, predicted], axis=1)
        path = plots.save_grid(rows.reshape(-1, *inputs.shape[1:]),
                               os.path.join(self.out_dir, name),
                               rows=len(inputs), scale=self.scale)
        self.paths.append(path)
        return path


class LossHistory(keras.callbacks.Callback):
    """Per-step losses to `losses.csv` and a plot `losses.png`.

    Keras reports running means over the epoch at each batch end; the value
    of step t is recovered exactly as t * mean_t - (t - 1) * mean_{t-1}
    (with `steps_per_execution` > 1, the mean over each chunk of steps).

    Args:
      out_dir: folder for the CSV and PNG.
      keys: logged values to keep (default: every key ending in "loss").
      hlines: {label: y} reference lines, e.g. {"log 2": 0.693}.
      plot_every_n_epochs: also redraw the PNG during training.
    """

    def __init__(self, out_dir, keys=None, hlines=None, plot_every_n_epochs=1):
        super().__init__()
        self.out_dir = out_dir
        self.keys = keys
        self.hlines = hlines
        self.plot_every_n_epochs = plot_every_n_epochs
        self.steps, self.values = [], {}
        self._global_step = 0

    @property
    def csv_path(self):
        return os.path.join(self.out_dir, "losses.csv")

    @property
    def plot_path(self):
        return os.path.join(self.out_dir, "losses.png")

    def on_epoch_begin(self, epoch, logs=None):
        self._previous = {}
        self._previous_batch = 0

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        keys = self.keys or [k for k in logs if k.endswith("loss")]
        done = batch + 1  # steps finished in this epoch
        chunk = done - self._previous_batch
        self._global_step += chunk
        self.steps.append(self._global_step)
        for key in keys:
            mean = float(logs[key])
            previous = self._previous.get(key, 0.0)
            value = (done * mean - self._previous_batch * previous) / chunk
            self.values.setdefault(key, []).append(value)
            self._previous[key] = mean
        self._previous_batch = done

    def on_epoch_end(self, epoch, logs=None):
        if self.plot_every_n_epochs and (epoch + 1) % self.plot_every_n_epochs == 0:
            self.write()

    def on_train_end(self, logs=None):
        self.write()

    def write(self):
        if not self.steps:
            return
        os.makedirs(self.out_dir, exist_ok=True)
        keys = list(self.values)
        with open(self.csv_path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["step", *keys])
            for i, step in enumerate(self.steps):
                writer.writerow([step, *(f"{self.values[k][i]:.6g}" for k in keys)])
        finite = {k: v for k, v in self.values.items()
                  if all(math.isfinite(x) for x in v)}
        if finite:
            plots.save_loss_plot(np.asarray(self.steps), finite, self.plot_path,
                                 hlines=self.hlines)


class FID(keras.callbacks.Callback):
    """FID of generated images every `every_n_steps` (seed paper, Fig. 10).

    Generates `num_images` images from fixed seeds, extracts features with
    `extractor` (a `tgs.metrics.DomainExtractor`, or an Inception extractor)
    and compares them with the real images' features, computed once (and
    cached in `real_cache` if given). Writes `fid.csv` and `fid.png` to
    `out_dir`, and adds the latest value to the epoch logs as `fid` (so
    History, CSVLogger and TensorBoard see it when this callback is listed
    before them).
    """

    def __init__(self, extractor, real_images=None, every_n_steps=1000,
                 num_images=5000, out_dir=None, seed=0, real_cache=None):
        super().__init__()
        from tfgan_suite import metrics
        self.metrics = metrics
        self.extractor = extractor
        self.every_n_steps = every_n_steps
        self.num_images = num_images
        self.out_dir = out_dir
        self.seed = seed
        self.label = getattr(extractor, "label", "FID")
        self.real_features = self._real_features(real_images, real_cache)
        self.steps, self.values = [], []
        self._step = 0

    def _real_features(self, real_images, cache):
        if cache and os.path.isfile(cache):
            return np.load(cache)["features"]
        if real_images is None:
            raise ValueError("real_images: needed to compute the real "
                             "statistics (or an existing real_cache file)")
        features, _ = self.extractor(np.asarray(real_images))
        if cache:
            os.makedirs(os.path.dirname(os.path.abspath(cache)), exist_ok=True)
            np.savez(cache, features=features)
        return features

    def measure(self):
        features, _ = self.extractor(
            self.model.generate(self.num_images, seed=self.seed))
        return self.metrics.frechet_distance(self.real_features, features)

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self._step % self.every_n_steps == 0:
            self.steps.append(self._step)
            self.values.append(self.measure())
            self.write()

    def on_epoch_end(self, epoch, logs=None):
        if self.values and logs is not None:
            logs["fid"] = self.values[-1]

    def write(self):
        if not self.out_dir:
            return
        os.makedirs(self.out_dir, exist_ok=True)
        with open(os.path.join(self.out_dir, "fid.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["step", self.label.replace(" ", "_")])
            writer.writerows(zip(self.steps, (f"{v:.4f}" for v in self.values)))
        plots.save_loss_plot(np.asarray(self.steps), {self.label: self.values},
                             os.path.join(self.out_dir, "fid.png"),
                             smoothing=1, ylabel=self.label)
