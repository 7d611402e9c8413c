"""Sampling from trained models: loading by path, discriminator filtering,
scoring a conditional model label by label, translating image files."""

import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite.data.pipeline import to_float
from tfgan_suite.evaluation.manifold import intra_class_fid
from tfgan_suite.serving import export


class SavedModelGenerator:
    """The `sample` signature of an exported generator, behind `generate_uint8`."""

    def __init__(self, path, loaded=None):
        """`loaded`: the SavedModel of `path` if the caller loaded it."""
        self.path = export.latest_version_dir(path)
        self.loaded = loaded or tf.saved_model.load(self.path)
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


class SavedModelTranslator:
    """The `serving_default` signature of an exported translator (uint8
    image -> uint8 image), behind `translate_uint8`."""

    kind = "pairs"

    def __init__(self, path, loaded=None):
        self.path = export.latest_version_dir(path)
        self.loaded = loaded or tf.saved_model.load(self.path)
        signature = self.loaded.signatures["serving_default"]
        self.image_shape = tuple(
            signature.structured_input_signature[1]["image"].shape[1:])

    def translate_uint8(self, images):
        return self.loaded.signatures["serving_default"](
            image=tf.constant(np.asarray(images, np.uint8)))["image"].numpy()


def translate_files(model, inputs, out):
    """Translates an image file, or every image of a folder, with a pair
    model (Keras or SavedModel); writes PNGs of the model's size.

    Inputs are read as RGB (as greyscale for a one-channel model) and
    resized to the model's image shape when they differ. `out`: a PNG path for one file, a folder for a folder.
    Returns the paths written.
    """
    from PIL import Image
    from tfgan_suite.data.sources import IMAGE_EXTENSIONS
    if model.kind != "pairs":
        raise ValueError(f"--input: translating images needs a model that "
                         f"trains on pairs, got {type(model).__name__}")
    if os.path.isdir(inputs):
        names = sorted(n for n in os.listdir(inputs)
                       if n.lower().endswith(IMAGE_EXTENSIONS))
        if not names:
            raise ValueError(f"--input: {inputs} holds no image (expected "
                             f"files ending in {', '.join(IMAGE_EXTENSIONS)})")
        sources = [os.path.join(inputs, n) for n in names]
        targets = [os.path.join(out, os.path.splitext(n)[0] + ".png")
                   for n in names]
    elif os.path.isfile(inputs):
        sources, targets = [inputs], [out]
    else:
        raise ValueError(f"--input: {inputs} is neither an image file nor a "
                         f"folder")
    height, width, channels = model.image_shape
    written = []
    for source, target in zip(sources, targets):
        try:
            image = Image.open(source).convert("L" if channels == 1 else "RGB")
        except OSError as e:
            raise ValueError(f"{source}: not a readable image ({e})") from None
        if image.size != (width, height):
            image = image.resize((width, height), Image.BILINEAR)
        pixels = np.asarray(image).reshape(height, width, channels)
        translated = model.translate_uint8(pixels[None])[0]
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        Image.fromarray(translated.squeeze(-1) if translated.shape[-1] == 1
                        else translated).save(target)
        written.append(target)
    return written


def load(path, kind=None):
    """A model from a run folder, a `.keras` file or a SavedModel folder.

    Run folders and `.keras` files give the full Keras model (generator and
    discriminator; a run folder without `model.keras` gives its latest
    checkpoint); a SavedModel gives a `SavedModelGenerator` (or a
    `SavedModelTranslator` for an image-to-image export). With `kind`
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
        version = export.latest_version_dir(path)
        loaded = tf.saved_model.load(version)  # once: it is slow.
        if "image" in loaded.signatures[
                "serving_default"].structured_input_signature[1]:
            return SavedModelTranslator(version, loaded)
        return SavedModelGenerator(version, loaded)
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


def conditional_scores(model, extractor, real_features, real_labels,
                       per_label=1000):
    """On `per_label` images generated for each label y: the share the
    domain classifier assigns to y, per label (how well a conditional model
    obeys), and the intra-class FID against the real images of y.

    The FID leaves out labels with fewer than 2 real test images (a
    covariance needs 2); they are listed under "skipped".
    """
    accuracy, fake_features = {}, []
    for label in range(model.num_classes):
        images = to_float(model.generate_uint8(
            per_label, seed=label * per_label, labels=label)).numpy()
        features, logits = extractor(images)
        accuracy[str(label)] = float((logits.argmax(-1) == label).mean())
        fake_features.append(features)
    accuracy["mean"] = float(np.mean(list(accuracy.values())))
    fake_labels = np.repeat(np.arange(model.num_classes), per_label)
    measured = [c for c in range(model.num_classes)
                if (real_labels == c).sum() >= 2]
    intra = {"per_class": {}, "mean": None}
    if measured:
        real_kept, fake_kept = (np.isin(real_labels, measured),
                                np.isin(fake_labels, measured))
        intra = intra_class_fid(
            real_features[real_kept], real_labels[real_kept],
            np.concatenate(fake_features)[fake_kept], fake_labels[fake_kept])
    intra["skipped"] = sorted(set(range(model.num_classes)) - set(measured))
    return accuracy, intra
