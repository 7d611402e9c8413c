"""Sampling from trained models: loading by path, discriminator filtering."""

import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite.serving import export


class SavedModelGenerator:
    """The `sample` signature of an exported generator, behind `generate_uint8`."""

    def __init__(self, path):
        self.path = export.latest_version_dir(path)
        self.loaded = tf.saved_model.load(self.path)
        if "sample" not in self.loaded.signatures:
            raise ValueError(f"{self.path}: expected a generator SavedModel "
                             f"with a 'sample' signature, found "
                             f"{sorted(self.loaded.signatures)}")

    @property
    def num_classes(self):
        return export.read_manifest(self.path)["config"].get("num_classes")

    @property
    def kind(self):
        """What the model trained on: "labelled" or "images" (a generator
        SavedModel never translates pairs)."""
        return "labelled" if self.num_classes else "images"

    def generate_uint8(self, n, seed=0, labels=None):
        inputs = {"seed": tf.range(seed, seed + n, dtype=tf.int64)}
        signature = self.loaded.signatures["sample"]
        if "label" in signature.structured_input_signature[1]:
            if labels is None:
                labels = np.arange(n) % self.num_classes
            inputs["label"] = tf.constant(np.broadcast_to(labels, (n,)),
                                          tf.int32)
        elif labels is not None:
            raise ValueError(f"labels: {self.path} is not a conditional model")
        return signature(**inputs)["images"].numpy()

    #: uint8 images: what the SavedModel serves.
    generate = generate_uint8

    def attention_maps(self, *args, **kwargs):
        raise ValueError(f"attention_maps: needs the Keras model (a run "
                         f"folder or .keras file), not the SavedModel "
                         f"{self.path}")

    def discriminator_scores(self, *args, **kwargs):
        raise ValueError("min_d_score: needs the discriminator; load the run "
                         "folder or .keras file, not a SavedModel")


def load(path, kind=None):
    """A model from a run folder, a `.keras` file or a SavedModel folder.

    Run folders and `.keras` files give the full Keras model (generator and
    discriminator; a run folder without `model.keras` gives its latest
    checkpoint); a SavedModel gives a `SavedModelGenerator`. With `kind`
    (e.g. "sagan", the scripts' --model), a Keras model of another class is
    an error.
    """
    given = path
    if os.path.isdir(path) and os.path.isfile(os.path.join(path, "model.keras")):
        path = os.path.join(path, "model.keras")
    elif os.path.isfile(os.path.join(path, "config.json")):
        from tfgan_suite.training import runner
        return _checked(runner.model_from_run(path), kind, given)
    if path.endswith(".keras"):
        if not os.path.isfile(path):
            raise ValueError(f"{path}: no such model file")
        import tfgan_suite.models  # noqa: F401  registers the classes.
        return _checked(keras.models.load_model(path), kind, given)
    if os.path.isdir(path):
        return SavedModelGenerator(path)
    raise ValueError(f"{path}: expected a run folder (with model.keras), a "
                     f".keras file or a SavedModel folder")


def _checked(model, kind, given):
    found = type(model).__name__.lower()
    if kind and kind != found:
        raise ValueError(f"--model: expected a {kind} model at {given}, "
                         f"found {found}")
    return model


def discriminator_filtered(model, num, min_d_score=0.99, batch_size=256,
                           max_batches=200, seed=0, **conditioning):
    """Samples that the discriminator scores >= `min_d_score` (seed paper, Fig. 9).

    Draws batches of `batch_size` with consecutive seeds until `num` samples
    pass or `max_batches` batches were tried.

    Returns:
      (images float32 [num, H, W, C], their D scores, acceptance rate).

    Raises:
      ValueError: if fewer than `num` passed after `max_batches` batches.
    """
    kept, scores, tried = [], [], 0
    for b in range(max_batches):
        images = model.generate(batch_size, seed=seed + b * batch_size,
                                **conditioning)
        s = model.discriminator_scores(images, **conditioning)
        tried += len(images)
        kept.append(images[s >= min_d_score])
        scores.append(s[s >= min_d_score])
        if sum(len(k) for k in kept) >= num:
            break
    images, scores = np.concatenate(kept), np.concatenate(scores)
    rate = len(images) / tried
    if len(images) < num:
        raise ValueError(
            f"min_d_score: only {len(images)} of {tried} samples "
            f"({rate:.2%}) scored >= {min_d_score}, {num} wanted; lower "
            f"--min_d_score or raise --max_batches")
    return images[:num], scores[:num], rate
