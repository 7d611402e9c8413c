"""The domain classifier: a small CNN trained on the dataset itself.

Its penultimate activations give a "domain FID" (and KID), its predictions
the classes covered by a generator. Scores from it are comparable with each
other, not with Inception FIDs in papers: they are always labelled
"domain FID".
"""

import os

import keras
import numpy as np
from absl import logging
from keras import layers

from tfgan_suite import data, files

FEATURES_LAYER = "features"


def build_classifier(image_shape, num_classes, name="domain_classifier"):
    """Two conv + pool blocks and a 128-unit feature layer (small: it trains
    in about a minute per Fashion-MNIST epoch on 2 CPU cores)."""
    images = keras.Input(image_shape, name="images")
    x = images
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu", name=FEATURES_LAYER)(x)
    x = layers.Dropout(0.3)(x)
    logits = layers.Dense(num_classes, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name=name)


def train_classifier(train, test, image_shape, num_classes, epochs=2,
                     path=None):
    """Trains on (images in [-1, 1], labels) batches; returns (model, accuracy).

    With `path`, the model is saved there (through a temporary file).
    """
    model = build_classifier(image_shape, num_classes)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(
                      from_logits=True),
                  metrics=["accuracy"])
    model.fit(train, epochs=epochs, validation_data=test, verbose=2)
    _, accuracy = model.evaluate(test, verbose=0)
    logging.info("domain classifier test accuracy: %.4f", accuracy)
    if path:
        with files.atomic_path(path) as tmp:
            model.save(tmp)
    return model, float(accuracy)


class DomainExtractor:
    """Features and logits of a trained domain classifier."""

    label = "domain FID"

    def __init__(self, classifier):
        self.classifier = classifier
        self.model = keras.Model(
            classifier.input,
            [classifier.get_layer(FEATURES_LAYER).output, classifier.outputs[0]])

    @classmethod
    def load(cls, path):
        if not os.path.isfile(path):
            raise ValueError(f"{path}: no domain classifier there; train one "
                             f"with tfgan-evaluate --train_classifier "
                             f"(scripts/evaluate.py in a checkout)")
        return cls(keras.models.load_model(path))

    def __call__(self, images, batch_size=500):
        """(features (N, 128), logits (N, classes)) for images in [-1, 1];
        images of another height and width than the classifier's are
        resized to its (bilinear), e.g. a model's translations at its own
        image size."""
        import tensorflow as tf
        size = tuple(self.model.inputs[0].shape[1:3])
        features, logits = [], []
        for i in range(0, len(images), batch_size):
            batch = images[i:i + batch_size]
            if tuple(batch.shape[1:3]) != size:
                batch = tf.image.resize(batch, size)
            f, l = self.model(batch, training=False)
            features.append(np.asarray(f))
            logits.append(np.asarray(l))
        return np.concatenate(features), np.concatenate(logits)


INCEPTION_NOTOP = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"


class InceptionExtractor:
    """InceptionV3 pool features (2048-d) for FID/KID, from a local file.

    Images in [-1, 1] (InceptionV3's own input range) are resized to
    299x299 and grayscale is repeated to RGB. Weights are never downloaded:
    give `weights_path`, or have Keras' cache hold the "notop" file.
    """

    label = "FID"

    def __init__(self, weights_path=None):
        cached = os.path.join(os.path.expanduser("~"), ".keras", "models",
                              INCEPTION_NOTOP)
        path = weights_path or (cached if os.path.isfile(cached) else None)
        if path is None or not os.path.isfile(path):
            raise ValueError(
                f"inception_weights: no InceptionV3 weights at "
                f"{weights_path or cached}; nothing is downloaded here: pass "
                f"the {INCEPTION_NOTOP} file, or use the domain classifier")
        self.model = keras.applications.InceptionV3(
            include_top=False, weights=path, pooling="avg",
            input_shape=(299, 299, 3))

    def __call__(self, images, batch_size=100):
        """(features (N, 2048), None) for images in [-1, 1]."""
        import tensorflow as tf
        features = []
        for i in range(0, len(images), batch_size):
            x = tf.convert_to_tensor(images[i:i + batch_size], tf.float32)
            if x.shape[-1] == 1:
                x = tf.repeat(x, 3, axis=-1)
            x = tf.image.resize(x, (299, 299))
            features.append(np.asarray(self.model(x, training=False)))
        return np.concatenate(features), None


def classifier_path(dataset, path=None, data_dir=None):
    """`path`, else the cache file of `dataset`'s domain classifier, named
    by the data's fingerprint (other files, other classifier)."""
    return path or os.path.expanduser(
        f"~/.cache/tfgan_suite/{dataset}-"
        f"{data.fingerprint(dataset, data_dir)}_classifier.keras")


def train_domain_classifier(dataset, data_dir=None, path=None, epochs=2):
    """Trains and saves the domain classifier of `dataset`.

    Returns (`DomainExtractor`, test accuracy).
    """
    path = classifier_path(dataset, path, data_dir)
    logging.info("training the %s domain classifier (saved to %s)", dataset,
                 path)
    source = data.get_source(dataset, split="train", labels=True,
                             data_dir=data_dir)
    test = data.get_source(dataset, split="test", labels=True,
                           data_dir=data_dir)
    model, accuracy = train_classifier(
        data.build(source, batch_size=min(128, source.num_examples)),
        data.build(test, batch_size=min(500, test.num_examples),
                   shuffle=False),
        source.image_shape, source.num_classes, epochs=epochs, path=path)
    return DomainExtractor(model), accuracy


def domain_extractor(dataset, data_dir=None, path=None):
    """The domain classifier of `dataset`, trained and saved on first use."""
    found = classifier_path(dataset, path, data_dir)
    if os.path.isfile(found):
        logging.info("domain classifier: %s", found)
        return DomainExtractor.load(found)
    return train_domain_classifier(dataset, data_dir, path)[0]
