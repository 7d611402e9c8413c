"""The training picture: grids of a fixed noise batch (or of fixed
held-out translations) during training, and their GIF."""

import glob
import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite import data, files, plots
from tfgan_suite.data.pipeline import to_uint8
from tfgan_suite.models.arguments import TRANSLATION_KINDS
from tfgan_suite.training.logs import step_of, summary_writer


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
      log_dir: also write each grid there as a TensorBoard image summary
        at its training step.
    """

    def __init__(self, out_dir, every_n_epochs=1, every_n_steps=None,
                 num_images=64, seed=0, gif=True, scale=1, log_dir=None):
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
        self.log_dir = log_dir

    def render(self, name):
        images = self.model.generate(self.num_images, seed=self.seed)
        path = os.path.join(self.out_dir, name)
        with files.atomic_path(path) as tmp:
            plots.save_samples(images, tmp, scale=self.scale)
        return self.add(path)

    def add(self, path):
        """Records a rendered PNG (for the GIF and TensorBoard)."""
        self.paths.append(path)
        if self.log_dir:
            image = tf.io.decode_png(tf.io.read_file(path))
            with summary_writer(self.log_dir).as_default():
                tf.summary.image("samples", image[None], step=self._step)
        return path

    def on_train_begin(self, logs=None):
        self._step = step_of(self.model)
        if self._step and not self.paths:
            # Resumed: keep the grids drawn before the interruption.
            self.paths = sorted(
                glob.glob(os.path.join(self.out_dir, "*.png")),
                key=lambda p: (not p.endswith("initial.png"), p))
        if not self.paths:
            self.render("initial.png")

    def on_train_batch_end(self, batch, logs=None):
        previous, self._step = self._step, step_of(self.model)
        if (self.every_n_steps and self._step // self.every_n_steps >
                previous // self.every_n_steps):
            self.render(f"step_{self._step:06d}.png")

    def on_epoch_end(self, epoch, logs=None):
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self.render(f"epoch_{epoch + 1:04d}.png")

    def on_train_end(self, logs=None):
        if self.gif and len(self.paths) > 1:
            with files.atomic_path(os.path.join(self.out_dir,
                                                "progress.gif")) as tmp:
                plots.save_gif(self.paths, tmp)

class TranslationGrid(SampleGrid):
    """Rows the model draws from fixed held-out examples during training
    (`model.picture_rows`): input / ground truth / prediction for pairs
    (the seed paper's Fig. 12), A -> B -> A and B -> A -> B for unpaired
    domains; same schedule and GIF as `SampleGrid`.

    Args:
      out_dir: folder for the PNGs and `progress.gif`.
      inputs, targets: fixed images, float in [-1, 1] or uint8 (N, H, W, C):
        (input, target) pairs, or the images of domains A and B.
    """

    def __init__(self, out_dir, inputs, targets, every_n_epochs=1,
                 every_n_steps=None, gif=True, scale=1, log_dir=None):
        super().__init__(out_dir, every_n_epochs, every_n_steps,
                         num_images=len(inputs), gif=gif, scale=scale,
                         log_dir=log_dir)
        self.inputs = np.asarray(inputs)
        self.targets = np.asarray(targets)

    def render(self, name):
        inputs, targets = (x if x.dtype == np.uint8 else to_uint8(x).numpy()
                           for x in (self.inputs, self.targets))
        rows = np.asarray(self.model.picture_rows((inputs, targets)))
        path = os.path.join(self.out_dir, name)
        with files.atomic_path(path) as tmp:
            plots.save_grid(rows.reshape(-1, *rows.shape[2:]), tmp,
                            rows=len(rows), scale=self.scale)
        return self.add(path)

def picture(model, out_dir, held_out, every_n_steps=None, log_dir=None,
            num_pairs=4):
    """The picture drawn during training, chosen by the model's data kind:
    for a model that translates, the rows it draws from fixed held-out
    examples (`TranslationGrid`: input / target / prediction for pairs, the
    seed paper's Fig. 12; A -> B -> A and B -> A -> B for unpaired
    domains), else a grid of samples from fixed noise (`SampleGrid`, Fig.
    8; a scatter plot for points). `held_out`: a `tgs.data.Source`."""
    if model.data_kind() in TRANSLATION_KINDS:
        pairs = list(data.build(held_out, batch_size=None, shuffle=False,
                                augment=False, cache=False).take(num_pairs))
        return TranslationGrid(out_dir, np.stack([p[0] for p in pairs]),
                               np.stack([p[1] for p in pairs]),
                               every_n_steps=every_n_steps, log_dir=log_dir)
    images = len(model.data_shape) == 3
    return SampleGrid(
        out_dir, every_n_epochs=1, every_n_steps=every_n_steps,
        num_images=64 if images else 1000,
        scale=2 if images and max(model.data_shape[:2]) <= 32 else 1,
        log_dir=log_dir)
