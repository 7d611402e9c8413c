"""The Inception network of the published FIDs, as a feature extractor.

FID as papers report it (Heusel et al. 2017, the TTUR code; TF-GAN's
`eval`) uses one network: the Inception graph of 2015-12-05, its 2048
`pool_3` activations, on images resized to 299x299 (bilinear) and scaled
to [-1, 1]. TF-GAN serves it on TF Hub (`INCEPTION_TFHUB`, the handle of
`tensorflow_gan.eval.inception_metrics`), a SavedModel called on float32
images that returns {"pool_3": [N, 2048], "logits": [N, 1008]}.

`InceptionExtractor` loads, in this order: a handle or local SavedModel of
that signature given to it (or in the environment variable
`TFGAN_INCEPTION`); a local Keras InceptionV3 "notop" weights file given
to it; TF-GAN's network through `tensorflow_hub` (fetched once into
`TFHUB_CACHE_DIR`); Keras' InceptionV3 ImageNet weights (fetched once into
`~/.keras/models`), a retrained network whose FIDs are close to, not equal
to, the published ones. Offline without a local copy it is one ValueError
naming what could not be fetched and how to provide it.
"""

import hashlib
import os
import tempfile

import numpy as np
from absl import logging

#: TF-GAN's evaluation network (tensorflow_gan.eval.INCEPTION_TFHUB).
INCEPTION_TFHUB = "https://tfhub.dev/tensorflow/tfgan/eval/inception/1"
#: A TF Hub handle or local SavedModel used instead of `INCEPTION_TFHUB`.
INCEPTION_ENV = "TFGAN_INCEPTION"
#: Keras' InceptionV3 ImageNet weights without the classifier.
INCEPTION_NOTOP = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
#: The input size of both networks.
INCEPTION_SIZE = 299


def tfhub_module_dir(handle=INCEPTION_TFHUB):
    """Where `tensorflow_hub` caches `handle`: $TFHUB_CACHE_DIR (else the
    system's temporary folder)/tfhub_modules/<sha1 of the handle>."""
    root = os.environ.get("TFHUB_CACHE_DIR") or os.path.join(
        tempfile.gettempdir(), "tfhub_modules")
    return os.path.join(root, hashlib.sha1(handle.encode("utf8")).hexdigest())


def keras_weights_path():
    """Where Keras caches InceptionV3's "notop" ImageNet weights."""
    root = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras")
    return os.path.join(root, "models", INCEPTION_NOTOP)


def _reason(error):
    """The first line of an exception, for a one-line message."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}"


class InceptionExtractor:
    """Inception `pool_3` features (2048-d) and logits for FID / KID / IS
    comparable with published numbers (see the module docstring).

    Args:
      weights_path: a local Keras InceptionV3 "notop" weights file.
      handle: a TF Hub handle or a local SavedModel with TF-GAN's signature
        (default: $TFGAN_INCEPTION, else TF-GAN's network).
      download: fetch what is not cached (False: local copies only).
    """

    label = "FID"

    def __init__(self, weights_path=None, handle=None, download=True):
        handle = handle or os.environ.get(INCEPTION_ENV)
        self.module = self.model = None
        if weights_path:
            if not os.path.isfile(weights_path):
                raise ValueError(
                    f"inception_weights: no InceptionV3 weights at "
                    f"{weights_path}; expected the {INCEPTION_NOTOP} file")
            self._load_keras(weights_path)
        elif handle:
            try:
                self._load_hub(handle)
            except Exception as e:  # noqa: BLE001 -- hub raises many types.
                raise ValueError(
                    f"inception: cannot load {handle} ({_reason(e)}); expected "
                    f"a TF Hub handle or a SavedModel folder returning "
                    f"pool_3 features") from None
        else:
            self._load_default(download)
        logging.info("Inception features: %s", self.network)

    def _load_hub(self, handle):
        import tensorflow_hub as hub  # slow import: only when needed.
        self.module = hub.load(handle)
        self.network = handle
        self.path = handle if os.path.exists(handle) else tfhub_module_dir(
            handle)

    def _load_keras(self, weights):
        import keras
        self.model = keras.applications.InceptionV3(
            include_top=False, weights=weights, pooling="avg",
            input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3))
        self.network = ("Keras InceptionV3, ImageNet weights (not TF-GAN's "
                        "network: close to, not equal to, published FIDs)")
        self.path = weights if weights != "imagenet" else keras_weights_path()

    def _load_default(self, download):
        hub_dir, keras_file = tfhub_module_dir(), keras_weights_path()
        cached_hub = os.path.isfile(os.path.join(hub_dir, "saved_model.pb"))
        if cached_hub or download:
            try:
                return self._load_hub(INCEPTION_TFHUB)
            except Exception as e:  # noqa: BLE001 -- offline, moved, ...
                hub_error = _reason(e)
        else:
            hub_error = "not cached"
        if os.path.isfile(keras_file) or download:
            try:
                self._load_keras(keras_file if os.path.isfile(keras_file)
                                 else "imagenet")
                logging.warning("TF-GAN's Inception (%s) could not be had "
                                "(%s): using %s", INCEPTION_TFHUB, hub_error,
                                self.network)
                return None
            except Exception as e:  # noqa: BLE001
                keras_error = _reason(e)
        else:
            keras_error = "not cached"
        raise ValueError(
            f"inception: could not {'fetch' if download else 'find'} TF-GAN's "
            f"Inception ({INCEPTION_TFHUB}: {hub_error}) nor Keras' "
            f"InceptionV3 ImageNet weights ({keras_error}); provide one "
            f"locally: the TF Hub module's folder as {hub_dir} "
            f"(TFHUB_CACHE_DIR), its SavedModel folder in ${INCEPTION_ENV}, "
            f"or {INCEPTION_NOTOP} as {keras_file}")

    def __call__(self, images, batch_size=100):
        """(features (N, 2048), logits (N, 1008) or None) for images in
        [-1, 1]: grayscale repeated to RGB, resized to 299x299 (bilinear)."""
        import tensorflow as tf
        features, logits = [], []
        for i in range(0, len(images), batch_size):
            x = tf.convert_to_tensor(images[i:i + batch_size], tf.float32)
            if x.shape[-1] == 1:
                x = tf.repeat(x, 3, axis=-1)
            x = tf.image.resize(x, (INCEPTION_SIZE, INCEPTION_SIZE))
            if self.module is not None:
                out = self.module(x)
                flat = lambda t: np.asarray(t).reshape(len(t), -1)
                features.append(flat(out["pool_3"]))
                if "logits" in out:
                    logits.append(flat(out["logits"]))
            else:
                features.append(np.asarray(self.model(x, training=False)))
        return (np.concatenate(features),
                np.concatenate(logits) if logits else None)
