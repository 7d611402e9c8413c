"""Training health: D's accuracy, its mean logits, gradient norms, sample
diversity and D's overfitting on a fixed batch each epoch, with warnings
when D wins outright or samples collapse; a non-finite loss stops
training."""

import json
import math
import os

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from tfgan_suite import augment, files
from tfgan_suite.nets.common import as_in_training, pack
from tfgan_suite.models.arguments import TRANSLATION_KINDS
from tfgan_suite.training.logs import step_of


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
    callback is listed before them) and `health.json` at the end (strict
    JSON: a value that is not a number is null; G's epoch loss, `g_loss`,
    only when the model logs one).

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
        if "g_loss" in (logs or {}):  # a keras-io G may log G_loss, F_loss.
            values["g_loss"] = float(logs["g_loss"])
        values["epoch"] = epoch + 1
        self.history.append(values)
        recent = self.history[-self.window:]
        climbing = (len(recent) == self.window
                    and "g_loss" in recent[0] and "g_loss" in recent[-1]
                    and recent[-1]["g_loss"] > recent[0]["g_loss"])
        # No accuracy for a D with conventions of its own (health_forward).
        if (climbing and "d_acc_real" in values
                and all(v["d_acc_real"] >= self.d_win_accuracy and
                        v["d_acc_fake"] >= self.d_win_accuracy
                        for v in recent)):
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
                             json.dumps(finite_or_null(self.report()),
                                        indent=2, allow_nan=False))


def finite_or_null(value):
    """`value` (JSON-like) with every float that is not finite (NaN, inf:
    no JSON number) replaced by None (null)."""
    if isinstance(value, dict):
        return {k: finite_or_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_null(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value

def health_forward(model, data):
    """(real logits, fake logits, generated examples) of a batch, or None
    where D keeps conventions of its own (a model without the suite's
    named loss: labels, logits or probabilities are its business). A
    model that translates declares its own `health_forward`.

    D judges as in its training step: a batch of reals and one of G's
    samples, each on its own, in training mode (`as_in_training`). A
    batch-norm D in inference mode normalizes with moving statistics that
    mix real and fake batches, which shifts its logits away from the
    threshold its loss trained (0) and reads as a D that calls most reals
    fake. G's samples are its inference-mode outputs (those users see).
    With pack > 1 the logits are D's per pack (of the batch's whole
    packs), as D judges in training."""
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
    real_logits = as_in_training(model.discriminator, model.conditioned(
        pack(images, model.pack), labels))
    fake_logits = as_in_training(model.discriminator, model.conditioned(
        pack(fake, model.pack), labels))
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
    """(health values, generated examples) of `model` on one batch, as
    `health_forward` computes D's logits: D's accuracy on real and on
    generated data (above the loss's `threshold` means "real": 0 for
    logits, 0.5 for least squares), its mean logits, the gradient norms of D's and G's
    losses (G's as its step computes it: the model's
    `generator_objective` where it adds to the adversarial loss, as
    pix2pix's L1), and `health_values`; with a batch of `held_out` real
    data, the `overfitting` values of D too."""
    with tf.GradientTape(persistent=True) as tape:
        forward = health_forward(model, data)
        if forward is None:  # D keeps its own conventions: no accuracy.
            if model.data_kind() in TRANSLATION_KINDS:  # no diversity.
                return health_values(model), None
            n = int(tf.nest.flatten(data)[0].shape[0])
            return health_values(model), model.generate(n, seed=0)
        real_logits, fake_logits, fake = forward
        d_loss = model.adversarial_loss.discriminator(real_logits,
                                                      fake_logits)
        g_loss = (model.generator_objective(data, fake, fake_logits)
                  if hasattr(model, "generator_objective")
                  else model.generator_loss(fake_logits, real_logits))
    norm = lambda loss, variables: float(tf.linalg.global_norm(
        [g for g in tape.gradient(loss, variables) if g is not None]))
    real_logits = tf.cast(real_logits, tf.float32)
    fake_logits = tf.cast(fake_logits, tf.float32)
    threshold = model.adversarial_loss.threshold
    values = {
        "d_acc_real": float(tf.reduce_mean(tf.cast(real_logits > threshold,
                                                   tf.float32))),
        "d_acc_fake": float(tf.reduce_mean(tf.cast(fake_logits < threshold,
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
                                  health_forward(model, held_out)[0],
                                  threshold))
    return values, np.asarray(fake, np.float32)

def overfitting(train_logits, held_out_logits, threshold=0.0):
    """How D's logits on training reals differ from those on reals it never
    saw, from the same data (Karras et al. 2020, "Training Generative
    Adversarial Networks with Limited Data", Fig. 1 and eq. 1): as D
    memorizes its training images it scores them higher and unseen ones
    lower, while a D that generalizes scores both alike.

    Returns {"d_real_heldout": D's mean logit on the held-out reals,
    "d_overfit_gap": D's mean logit on the training reals minus that
    (`d_real_mean` - `d_real_heldout`), "rt_train", "rt_heldout": ADA's
    r_t = E[sign(D(x))] on each (`augment.sign_mean`; D's output less the
    loss's `threshold`): 1 when D calls all of them real, -1 when it calls
    all of them fake}.
    """
    train, held = (tf.cast(x, tf.float32) for x in (train_logits,
                                                    held_out_logits))
    return {"d_real_heldout": float(tf.reduce_mean(held)),
            "d_overfit_gap": float(tf.reduce_mean(train)
                                   - tf.reduce_mean(held)),
            "rt_train": float(augment.sign_mean(train - threshold)),
            "rt_heldout": float(augment.sign_mean(held - threshold))}

def _diversity(images):
    """Mean pairwise Euclidean distance of a batch."""
    flat = np.asarray(images, np.float64).reshape(len(images), -1)
    squared = (flat ** 2).sum(1)
    d2 = squared[:, None] + squared[None] - 2 * flat @ flat.T
    n = len(flat)
    return float(np.sqrt(np.maximum(d2, 0)).sum() / max(n * (n - 1), 1))
