"""FID (and KID, precision / recall, ...) measured during training, to
`fid.csv`, a plot and TensorBoard."""

import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite import metrics, plots
from tfgan_suite.training.logs import (read_csv, step_of, summary_writer,
                                       write_csv)


class Scores(keras.callbacks.Callback):
    """Scores of generated images during training: FID every
    `every_n_steps` (seed paper, Fig. 10), and on request KID and the k-NN
    manifold scores.

    Generates `num_images` images from fixed seeds, extracts features with
    `extractor` (a `tgs.metrics.DomainExtractor`, or an Inception extractor)
    and compares them with the real images' features, computed once (and
    cached in `real_cache` if given). `metrics` selects the scores, any of
    `Scores.METRICS`: "fid", "kid" (`tgs.metrics.frechet_distance`,
    `kernel_distance`), "precision", "recall" (`precision_recall`, k = 3),
    "density", "coverage" (`density_coverage`, k = 5), "classes" (classes
    the extractor's classifier finds in the samples, each holding at least
    a quarter of its uniform share: `tgs.metrics.class_coverage`).

    Writes `fid.csv` to `out_dir` (a `step` column and one per score, named
    after the extractor's label: `domain_FID`, `domain_KID`,
    `domain_precision`, ...) with plots `fid.png`, `kid.png` and
    `manifold.png` (precision, recall, density, coverage) of the selected
    scores; adds the value of each score measured in an epoch to that
    epoch's logs under its name (`fid`, `kid`, ...: History, CSVLogger and
    TensorBoard see them when this callback is listed before them; an
    epoch that measured none has none), and, with `log_dir`, writes
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
            for row in read_csv(os.path.join(self.out_dir, "fid.csv")):
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
                with summary_writer(self.log_dir).as_default():
                    for name, value in scores.items():
                        tf.summary.scalar(self.column(name), value,
                                          step=self._step)

    def on_epoch_begin(self, epoch, logs=None):
        self._measured_before = len(self.steps)

    def on_epoch_end(self, epoch, logs=None):
        # Only an epoch that measured has scores: a value carried over
        # from an earlier epoch would read as a new measurement.
        if len(self.steps) > getattr(self, "_measured_before", 0) and (
                logs is not None):
            logs.update({name: values[-1]
                         for name, values in self.history.items()})

    def write(self):
        if not self.out_dir:
            return
        os.makedirs(self.out_dir, exist_ok=True)
        # FID keeps the 4 decimals of earlier files; KID needs digits.
        write_csv(os.path.join(self.out_dir, "fid.csv"),
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
