"""Keras callbacks for GAN training: sample and translation grids, loss
history, FID, health, clean stops on signals, TensorBoard.

Every callback here counts steps with the model's own `step_counter` (calls
of `train_step`), so a resumed run continues its files, plots and
TensorBoard curves where it stopped."""

import csv
import functools
import glob
import io
import json
import math
import os
import signal
import threading

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from tfgan_suite import augment, data, files, metrics, plots
from tfgan_suite.data.pipeline import to_uint8


def step_of(model):
    """The model's step: its calls of `train_step` so far."""
    return int(model.step_counter.numpy())


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
            with _writer(self.log_dir).as_default():
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


#: Data kinds of models that translate images (their picture is drawn
#: from held-out examples, not from noise).
TRANSLATION_KINDS = ("pairs", "unpaired")


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


class Progress(keras.callbacks.ProgbarLogger):
    """Keras's progress bar, numbering epochs out of the run's `epochs`:
    the rest of an epoch a resumed run finishes in a `fit` of its own reads
    "Epoch 8/20", not "Epoch 8/8"."""

    def __init__(self, epochs):
        super().__init__()
        self.run_epochs = epochs

    def set_params(self, params):
        super().set_params(params)
        self.epochs = self.run_epochs


class Interrupt(keras.callbacks.Callback):
    """Turns SIGINT, SIGTERM and SIGHUP (a closed terminal) during `fit`
    into a clean stop: the step under way finishes, `fit` ends the epoch
    there (so the callbacks after this one, the checkpoint among them, see
    it), and `signal` records which signal came. The previous handlers are
    back after `fit`.

    On a multi-worker cluster the workers agree after every step (an
    all-reduce of the signal): a signal to any of them stops all at the
    same step, so they checkpoint that step together."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self):
        super().__init__()
        self.signal = None
        self._previous = {}
        self._received = 0

    def on_train_batch_end(self, batch, logs=None):
        strategy = self.model.distribute_strategy
        if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            return
        # How many workers got each signal (all-reduce has no max).
        got = [float(self._received == s) for s in self.SIGNALS]
        counts = strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(
            lambda: tf.constant(got)), axis=None).numpy()
        received = [s for s, n in zip(self.SIGNALS, counts) if n > 0]
        if received:
            self.signal = int(received[0])
            self.model.stop_training = True

    def on_train_begin(self, logs=None):
        if threading.current_thread() is not threading.main_thread():
            return  # handlers can only be set from the main thread.
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._stop)

    def _stop(self, signum, frame):
        self.signal = self._received = int(signum)
        if not isinstance(self.model.distribute_strategy,
                          tf.distribute.MultiWorkerMirroredStrategy):
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}


class HistoryCSV(keras.callbacks.Callback):
    """The epoch logs as a CSV file, one row per epoch, as
    `keras.callbacks.CSVLogger` writes them but without its always-NA
    `val_*` columns (a GAN's fit has no validation step), and with a column
    for every value logged so far: one that first appears in a later epoch
    (an FID every other epoch, a run resumed before its first FID) gets its
    column, empty in the rows without it. The file is rewritten whole
    (temporary file and rename) after each epoch.

    Args:
      filename: the CSV file.
      resume_epoch: for a resumed run, the epoch it resumes in: the file's
        rows of that epoch and later (an interrupted epoch's partial row,
        rows written after the checkpoint) are dropped, so that each epoch
        has one row. None: a new file.
    """

    def __init__(self, filename, resume_epoch=None):
        super().__init__()
        self.filename = filename
        self._resume_epoch = resume_epoch
        self._rows = None

    def on_train_begin(self, logs=None):
        # A run calls fit again for an epoch's rest or a shorter last
        # epoch: the rows carry over.
        if self._rows is None:
            self._rows = ([row for row in _read_csv(self.filename)
                           if int(row["epoch"]) < self._resume_epoch]
                          if self._resume_epoch is not None else [])

    def on_epoch_end(self, epoch, logs=None):
        self._rows.append({"epoch": epoch, **(logs or {})})
        keys = sorted({key for row in self._rows for key in row} - {"epoch"})
        _write_csv(self.filename, ["epoch", *keys],
                   [[row.get(key, "") for key in ("epoch", *keys)]
                    for row in self._rows])


class LossHistory(keras.callbacks.Callback):
    """Per-step losses to `losses.csv` and a plot `losses.png`.

    Each step's row holds what `train_step` returned. A value that is the
    running mean of one of the model's `metrics` (a tracker Keras resets
    every epoch) is recorded as the step's own value, recovered exactly as
    t * mean_t - (t - 1) * mean_{t-1} (with `steps_per_execution` > 1, the
    mean over each chunk of steps); any other value as it was returned.

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

    def on_train_begin(self, logs=None):
        step = step_of(self.model)
        if step and not self.steps:  # resumed: keep the rows up to it.
            for row in _read_csv(self.csv_path):
                if int(row["step"]) <= step:
                    self.steps.append(int(row["step"]))
                    for key, value in row.items():
                        if key != "step":
                            self.values.setdefault(key, []).append(
                                float(value))

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
        self.steps.append(step_of(self.model))
        means = {m.name for m in self.model.metrics}
        for key in keys:
            mean = float(logs[key])
            previous = self._previous.get(key, 0.0)
            value = ((done * mean - self._previous_batch * previous) / chunk
                     if key in means else mean)
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
        _write_csv(self.csv_path, ["step", *keys], [
            [step, *(f"{self.values[k][i]:.6g}" for k in keys)]
            for i, step in enumerate(self.steps)])
        finite = {k: v for k, v in self.values.items()
                  if all(math.isfinite(x) for x in v)}
        if finite:
            with files.atomic_path(self.plot_path) as tmp:
                plots.save_loss_plot(np.asarray(self.steps), finite, tmp,
                                     hlines=self.hlines)


class FID(keras.callbacks.Callback):
    """FID of generated images every `every_n_steps` (seed paper, Fig. 10),
    and on request KID and the k-NN manifold scores.

    Generates `num_images` images from fixed seeds, extracts features with
    `extractor` (a `tgs.metrics.DomainExtractor`, or an Inception extractor)
    and compares them with the real images' features, computed once (and
    cached in `real_cache` if given). `metrics` selects the scores, any of
    `FID.METRICS`: "fid", "kid" (`tgs.metrics.frechet_distance`,
    `kernel_distance`), "precision", "recall" (`precision_recall`, k = 3),
    "density", "coverage" (`density_coverage`, k = 5), "classes" (classes
    the extractor's classifier finds in the samples, each holding at least
    a quarter of its uniform share: `tgs.metrics.class_coverage`).

    Writes `fid.csv` to `out_dir` (a `step` column and one per score, named
    after the extractor's label: `domain_FID`, `domain_KID`,
    `domain_precision`, ...) with plots `fid.png`, `kid.png` and
    `manifold.png` (precision, recall, density, coverage) of the selected
    scores; adds the latest value of each score to the epoch logs under its
    name (`fid`, `kid`, ...: History, CSVLogger and TensorBoard see them
    when this callback is listed before them), and, with `log_dir`, writes
    them as TensorBoard scalars at their step.
    """

    METRICS = ("fid", "kid", "precision", "recall", "density", "coverage",
               "classes")
    _MANIFOLD = ("precision", "recall", "density", "coverage")

    def __init__(self, extractor, real_images=None, every_n_steps=1000,
                 num_images=5000, out_dir=None, seed=0, real_cache=None,
                 log_dir=None, metrics=("fid",)):
        super().__init__()
        if isinstance(metrics, str) or not metrics or any(
                m not in self.METRICS for m in metrics):
            raise ValueError(f"metrics: expected some of {self.METRICS}, got "
                             f"{metrics!r}")
        self.metrics = tuple(dict.fromkeys(metrics))
        self.extractor = extractor
        self.every_n_steps = every_n_steps
        self.num_images = num_images
        self.out_dir = out_dir
        self.seed = seed
        self.label = getattr(extractor, "label", "FID")
        self.real_features = self._real_features(real_images, real_cache)
        self.steps = []
        self.history = {name: [] for name in self.metrics}
        self._step = 0
        self.log_dir = log_dir

    def on_train_begin(self, logs=None):
        self._step = step_of(self.model)
        if self._step and self.out_dir and not self.steps:
            # Resumed: keep the values measured up to the step.
            for row in _read_csv(os.path.join(self.out_dir, "fid.csv")):
                step = int(row["step"])
                if step <= self._step:
                    self.steps.append(step)
                    for name in self.metrics:  # NaN: not measured then.
                        self.history[name].append(
                            float(row.get(self.column(name)) or "nan"))

    @property
    def values(self):
        """The values of the first selected score (FID by default)."""
        return self.history[self.metrics[0]]

    def column(self, name):
        """CSV column and TensorBoard tag of score `name`: the extractor's
        label for FID (`domain_FID`), that label's prefix for the others
        (`domain_KID`, `domain_precision`)."""
        if name == "fid":
            return self.label.replace(" ", "_")
        prefix = (self.label[:-len("FID")] if self.label.endswith("FID")
                  else self.label + " ")
        return (prefix + ("KID" if name == "kid" else name)).replace(" ", "_")

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
        """{score: value} of the selected scores, on fresh samples."""
        fake, logits = self.extractor(
            self.model.generate(self.num_images, seed=self.seed))
        real, selected, scores = self.real_features, set(self.metrics), {}
        if "fid" in selected:
            scores["fid"] = metrics.frechet_distance(real, fake)
        if "kid" in selected:
            scores["kid"] = metrics.kernel_distance(real, fake)
        if selected & {"precision", "recall"}:
            scores.update(metrics.precision_recall(real, fake))
        if selected & {"density", "coverage"}:
            scores.update(metrics.density_coverage(real, fake))
        if "classes" in selected:
            scores["classes"] = metrics.class_coverage(logits)["covered"]
        return {name: scores[name] for name in self.metrics}

    def on_train_batch_end(self, batch, logs=None):
        previous, self._step = self._step, step_of(self.model)
        if self._step // self.every_n_steps > previous // self.every_n_steps:
            self.steps.append(self._step)
            scores = self.measure()
            for name, value in scores.items():
                self.history[name].append(value)
            self.write()
            if self.log_dir:
                with _writer(self.log_dir).as_default():
                    for name, value in scores.items():
                        tf.summary.scalar(self.column(name), value,
                                          step=self._step)

    def on_epoch_end(self, epoch, logs=None):
        if self.steps and logs is not None:
            logs.update({name: values[-1]
                         for name, values in self.history.items()})

    def write(self):
        if not self.out_dir:
            return
        os.makedirs(self.out_dir, exist_ok=True)
        # FID keeps the 4 decimals of earlier files; KID needs digits.
        _write_csv(os.path.join(self.out_dir, "fid.csv"),
                   ["step", *map(self.column, self.metrics)],
                   [[step, *(format(self.history[name][i],
                                    ".4f" if name == "fid" else ".6g")
                             for name in self.metrics)]
                    for i, step in enumerate(self.steps)])
        steps = np.asarray(self.steps)
        for plot, names, ylabel in (
                ("fid.png", ["fid"], self.label),
                ("kid.png", ["kid"], self.column("kid").replace("_", " ")),
                ("manifold.png", self._MANIFOLD, "k-NN manifold score"),
                ("classes.png", ["classes"], "classes covered")):
            series = {self.column(n).replace("_", " "): self.history[n]
                      for n in names if n in self.history}
            if series:
                plots.save_loss_plot(steps, series,
                                     os.path.join(self.out_dir, plot),
                                     smoothing=1, ylabel=ylabel)


class HealthMonitor(keras.callbacks.Callback):
    """Watches a GAN's training health; stops on a non-finite loss.

    After every epoch, on a fixed batch of real data (`diagnose`): D's
    accuracy on real and generated data, its mean outputs, the gradient
    norms of G and D, what else the model reports (`health_values`: ADA's p,
    SAGAN's attention gammas), and for models that generate (not translate)
    the diversity of G's samples (mean pairwise distance, relative to the
    real batch's). With a fixed batch of `held_out` real data the model
    never trains on, how D tells the two apart (`overfitting`). They go
    into the epoch logs (so `CSVLogger` / TensorBoard record them when this
    callback is listed before them) and `health.json` at the end.

    Warns when D wins outright (accuracy >= `d_win_accuracy` on both real
    and fake for `window` epochs while G's loss climbs: the seed paper's
    SAGAN failure) and when samples collapse (diversity below
    `collapse_ratio` of its best so far). On a non-finite loss it stops training at once and
    records the step in `stopped_at`, so the caller can keep the last good
    checkpoint and refuse to save or export the weights.
    """

    def __init__(self, batch, out_dir=None, window=3, d_win_accuracy=0.95,
                 collapse_ratio=0.1, held_out=None):
        super().__init__()
        self.batch = batch
        self.held_out = held_out
        self.out_dir = out_dir
        self.window = window
        self.d_win_accuracy = d_win_accuracy
        self.collapse_ratio = collapse_ratio
        self.history, self.warnings = [], []
        self.stopped_at = None
        real = tf.nest.flatten(batch)[0]
        self._real_diversity = _diversity(np.asarray(real))

    def on_train_batch_end(self, batch, logs=None):
        losses = {k: float(v) for k, v in (logs or {}).items()
                  if k.endswith("loss")}
        if not all(math.isfinite(v) for v in losses.values()):
            self.stopped_at = step_of(self.model)
            self.model.stop_training = True
            self._warn(f"non-finite loss at step {self.stopped_at} "
                       f"({losses}): training stopped")

    def on_epoch_end(self, epoch, logs=None):
        if self.stopped_at is not None:
            return
        values, fake = diagnose(self.model, self.batch, self.held_out)
        if self.model.data_kind() not in TRANSLATION_KINDS:
            # A translation's spread follows its inputs: no collapse measure.
            values["diversity"] = (_diversity(fake) /
                                   max(self._real_diversity, 1e-12))
        values["g_loss"] = float((logs or {}).get("g_loss", np.nan))
        values["epoch"] = epoch + 1
        self.history.append(values)
        recent = self.history[-self.window:]
        if (len(recent) == self.window
                and all(v["d_acc_real"] >= self.d_win_accuracy and
                        v["d_acc_fake"] >= self.d_win_accuracy for v in recent)
                and recent[-1]["g_loss"] > recent[0]["g_loss"]):
            self._warn(f"epoch {epoch + 1}: D wins outright (accuracy >= "
                       f"{self.d_win_accuracy} on real and fake for "
                       f"{self.window} epochs, G loss climbing)")
        peak = max(v.get("diversity", 0.0) for v in self.history)
        if values.get("diversity", peak) < self.collapse_ratio * peak:
            self._warn(f"epoch {epoch + 1}: samples collapsing (diversity "
                       f"{values['diversity']:.3g} of the real data's, down "
                       f"from {peak:.3g})")
        if logs is not None:
            logs.update({k: v for k, v in values.items()
                         if k not in ("g_loss", "epoch")})

    def _warn(self, message):
        self.warnings.append(message)
        logging.warning("HealthMonitor: %s", message)

    def report(self):
        return {"last": self.history[-1] if self.history else None,
                "warnings": self.warnings, "stopped_at": self.stopped_at}

    def on_train_end(self, logs=None):
        if self.out_dir:
            os.makedirs(self.out_dir, exist_ok=True)
            files.write_text(os.path.join(self.out_dir, "health.json"),
                             json.dumps(self.report(), indent=2))


def health_forward(model, data):
    """(real logits, fake logits, generated examples) of a batch, in
    inference mode, or None where D keeps conventions of its own (a model
    without the suite's named loss: labels, logits or probabilities are
    its business). A model that translates declares its own
    `health_forward`. With pack > 1 the logits are D's per pack (of the
    batch's whole packs), as D judges in training."""
    if hasattr(model, "health_forward"):
        return model.health_forward(data)
    if model.adversarial_loss is None:
        return None
    images, labels = model.unpack(data)
    n = tf.shape(images)[0] // model.pack * model.pack  # whole packs.
    images = images[:n]
    fake = model.generator(model.conditioned(
        model.latent_from_seeds(tf.range(n, dtype=tf.int64)), labels),
        training=False)
    real_logits = model.discriminator(model.conditioned(
        model.packed(images), labels), training=False)
    fake_logits = model.discriminator(model.conditioned(
        model.packed(fake), labels), training=False)
    return real_logits, fake_logits, fake


def health_values(model):
    """Values of the model's own state: ADA's augmentation probability
    (`ada_p`), and what the model reports (its `health_values()`, e.g.
    SAGAN's attention gammas)."""
    values = {}
    augmenter = getattr(model, "augmenter", None)
    if augmenter is not None and augmenter.adaptive:
        values["ada_p"] = float(augmenter.p.numpy())
    if hasattr(model, "health_values"):
        values.update(model.health_values())
    return values


def diagnose(model, data, held_out=None):
    """(health values, generated examples) of `model` on one batch, in
    inference mode: D's accuracy on real and on generated data (logit > 0
    means "real"), its mean logits, the gradient norms of D's and G's
    losses (G's as its step computes it: the model's
    `generator_objective` where it adds to the adversarial loss, as
    pix2pix's L1), and `health_values`; with a batch of `held_out` real
    data, the `overfitting` values of D too."""
    with tf.GradientTape(persistent=True) as tape:
        forward = health_forward(model, data)
        if forward is None:  # D keeps its own conventions: no accuracy.
            n = int(tf.nest.flatten(data)[0].shape[0])
            return health_values(model), model.generate(n, seed=0)
        real_logits, fake_logits, fake = forward
        d_loss = model.adversarial_loss.discriminator(real_logits,
                                                      fake_logits)
        g_loss = (model.generator_objective(data, fake, fake_logits)
                  if hasattr(model, "generator_objective")
                  else model.generator_loss(fake_logits))
    norm = lambda loss, variables: float(tf.linalg.global_norm(
        [g for g in tape.gradient(loss, variables) if g is not None]))
    real_logits = tf.cast(real_logits, tf.float32)
    fake_logits = tf.cast(fake_logits, tf.float32)
    values = {
        "d_acc_real": float(tf.reduce_mean(tf.cast(real_logits > 0,
                                                   tf.float32))),
        "d_acc_fake": float(tf.reduce_mean(tf.cast(fake_logits < 0,
                                                   tf.float32))),
        "d_real_mean": float(tf.reduce_mean(real_logits)),
        "d_fake_mean": float(tf.reduce_mean(fake_logits)),
        "d_grad_norm": norm(d_loss, model.d_variables),
        "g_grad_norm": norm(g_loss, model.g_variables),
        **health_values(model),
    }
    del tape
    if held_out is not None:
        values.update(overfitting(real_logits,
                                  health_forward(model, held_out)[0]))
    return values, np.asarray(fake, np.float32)


def overfitting(train_logits, held_out_logits):
    """How D's logits on training reals differ from those on reals it never
    saw, from the same data (Karras et al. 2020, "Training Generative
    Adversarial Networks with Limited Data", Fig. 1 and eq. 1): as D
    memorizes its training images it scores them higher and unseen ones
    lower, while a D that generalizes scores both alike.

    Returns {"d_real_heldout": D's mean logit on the held-out reals,
    "d_overfit_gap": D's mean logit on the training reals minus that
    (`d_real_mean` - `d_real_heldout`), "rt_train", "rt_heldout": ADA's
    r_t = E[sign(D(x))] on each (`augment.sign_mean`): 1 when D calls all
    of them real, -1 when it calls all of them fake}.
    """
    train, held = (tf.cast(x, tf.float32) for x in (train_logits,
                                                    held_out_logits))
    return {"d_real_heldout": float(tf.reduce_mean(held)),
            "d_overfit_gap": float(tf.reduce_mean(train)
                                   - tf.reduce_mean(held)),
            "rt_train": float(augment.sign_mean(train)),
            "rt_heldout": float(augment.sign_mean(held))}


class TensorBoard(keras.callbacks.TensorBoard):
    """`keras.callbacks.TensorBoard` whose per-step curves go on at the
    model's step after a resume (Keras' own restart at step 1)."""

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._global_train_batch = step_of(self.model)


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


@functools.cache
def _writer(log_dir):
    """One TensorBoard summary writer per folder."""
    return tf.summary.create_file_writer(log_dir)


def _diversity(images):
    """Mean pairwise Euclidean distance of a batch."""
    flat = np.asarray(images, np.float64).reshape(len(images), -1)
    squared = (flat ** 2).sum(1)
    d2 = squared[:, None] + squared[None] - 2 * flat @ flat.T
    n = len(flat)
    return float(np.sqrt(np.maximum(d2, 0)).sum() / max(n * (n - 1), 1))


def _write_csv(path, header, rows):
    """A CSV file of `header` and `rows`, written whole and atomically."""
    lines = io.StringIO()
    writer = csv.writer(lines)
    writer.writerow(header)
    writer.writerows(rows)
    files.write_text(path, lines.getvalue())


def _read_csv(path):
    if not os.path.isfile(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
