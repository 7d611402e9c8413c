"""The TF Serving signatures of a model, chosen by what it does.

A model that makes samples from noise (any model with a `generator` of z,
or [z, label] with `num_classes`):

| signature | inputs | outputs |
|---|---|---|
| `serving_default` | `z` float32 [N, latent_dim] (+ `label` int32 [N]) | `images` uint8 |
| `sample` | `seed` int64 [N] (+ `label`) | `images` uint8, stateless |
| `sample_truncated` | `seed` int64 [N], `truncation` float32 [N] or [1] (+ `label`) | `images` uint8 |

`sample_truncated` is `sample` with z pulled toward the mean latent by psi
= `truncation` (one per seed, or one for all): `generate(...,
truncation=psi)`, the default "mean" method of `models.latents`.

A model that translates images (its `data_kind()` is "pairs" or
"unpaired") is served by its `uint8_translation(direction)`, a
`tf.function` of uint8 images to uint8 images through
`output_net(direction)`, in each of its `directions` (each the name of its
signature: CycleGAN's ("a_to_b", "b_to_a"); none for one way):

| signature | inputs | outputs |
|---|---|---|
| `serving_default` (one way), else each direction | `image` uint8 [N, H, W, C] | `image` uint8 |
| `translate_bytes` (one way), else `<direction>_bytes` | `image_bytes` string [N] (JPEG/PNG) | `png_bytes` string [N] |

The same functions make the in-process outputs a served output must equal
(`export.verify`), so both go through one graph.
"""

import numpy as np
import tensorflow as tf

from tfgan_suite.data.pipeline import to_uint8
from tfgan_suite.data.sources import resize_uint8
from tfgan_suite.models import arguments
from tfgan_suite.models import ema as ema_lib


def translates(model):
    """Whether `model` translates images: it trains on pairs or on
    unpaired images of two domains, and its `uint8_translation(direction)`
    makes the signatures."""
    return model.data_kind() in arguments.TRANSLATION_KINDS


def endpoints(model):
    """{signature: (fn, input_signature)} of `model` (see the module
    docstring), what the exporter writes and `verify` checks."""
    if translates(model):
        return _translation_endpoints(model)
    return _generator_endpoints(model)


def examples(model, n=2):
    """{signature: {input: array}}: the warm-up requests of the export."""
    if translates(model):
        images = np.random.default_rng(0).integers(
            0, 256, (n, *model.data_shape), dtype=np.uint8)
        png = np.array([tf.io.encode_png(image).numpy() for image in images],
                       object)
        return {name: ({"image_bytes": png} if name.endswith("bytes")
                       else {"image": images}) for name in endpoints(model)}
    seeds = np.arange(n, dtype=np.int64)
    found = {"serving_default": {"z": model.latent_from_seeds(seeds).numpy()},
             "sample": {"seed": seeds},
             "sample_truncated": {"seed": seeds, "truncation": np.full(
                 n, 0.7, np.float32)}}
    if model.num_classes:
        for inputs in found.values():
            inputs["label"] = np.arange(n, dtype=np.int32) % model.num_classes
    return found


def _generator_endpoints(model):
    ema_lib.refresh_statistics(model)  # before the signatures are traced.

    def from_latent(z, label=None):
        if label is not None:  # a served label out of range: a clear error.
            message = f"label: expected classes 0..{model.num_classes - 1}"
            with tf.control_dependencies([
                    tf.debugging.assert_non_negative(label, message),
                    tf.debugging.assert_less(label, model.num_classes,
                                             message)]):
                label = tf.identity(label)
        return {"images": to_uint8(model.generate_from_latent(z, label))}

    def from_seeds(seed, label=None):
        return from_latent(model.latent_from_seeds(seed), label)

    def from_seeds_truncated(seed, truncation, label=None):
        message = "truncation: expected psi >= 0, one per seed or one for all"
        with tf.control_dependencies([
                tf.debugging.assert_non_negative(truncation, message),
                tf.debugging.assert_all_finite(truncation, message)]):
            truncation = tf.identity(truncation)
        return from_latent(model.latent_from_seeds(seed, truncation), label)

    label = ([tf.TensorSpec([None], tf.int32, name="label")]
             if model.num_classes else [])
    return {
        "serving_default": (from_latent, [tf.TensorSpec(
            [None, model.latent_dim], tf.float32, name="z"), *label]),
        "sample": (from_seeds, [tf.TensorSpec([None], tf.int64,
                                              name="seed"), *label]),
        "sample_truncated": (from_seeds_truncated, [
            tf.TensorSpec([None], tf.int64, name="seed"),
            tf.TensorSpec([None], tf.float32, name="truncation"), *label]),
    }


def _translation_endpoints(model):
    images = [tf.TensorSpec([None, *model.data_shape], tf.uint8,
                            name="image")]
    encoded = [tf.TensorSpec([None], tf.string, name="image_bytes")]
    directions = tuple(getattr(model, "directions", None) or ())
    found = {}
    for direction in directions or (None,):
        translate = model.uint8_translation(direction)
        name = direction or "serving_default"
        found[name] = (_image_endpoint(translate), images)
        found[f"{direction}_bytes" if direction else "translate_bytes"] = (
            _bytes_endpoint(translate, model.data_shape), encoded)
    if directions:
        found["serving_default"] = found[directions[0]]
    return found


def _image_endpoint(translate):
    return lambda image: {"image": translate(image)}


def _bytes_endpoint(translate, image_shape):
    return lambda image_bytes: {"png_bytes": translate_bytes(
        translate, image_shape, image_bytes)}


def translate_bytes(translate_images, image_shape, image_bytes):
    """PNG bytes of `translate_images` (uint8 images -> uint8 images) of
    the JPEG/PNG bytes `image_bytes` [N], decoded to `image_shape` (H, W,
    C; resized when they differ). Bytes that are not an image fail the
    request with InvalidArgumentError, as any bad input would."""
    height, width, channels = image_shape

    def decode(data):
        # A resize to the same size returns the pixels unchanged.
        return resize_uint8(tf.io.decode_image(
            data, channels=channels, expand_animations=False),
            (height, width))

    images = tf.map_fn(decode, image_bytes, fn_output_signature=tf.TensorSpec(
        (height, width, channels), tf.uint8))
    return tf.map_fn(tf.io.encode_png, translate_images(images),
                     fn_output_signature=tf.string)
