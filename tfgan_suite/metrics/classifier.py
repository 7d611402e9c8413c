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
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        tmp = path + ".tmp.keras"
        model.save(tmp)
        os.replace(tmp, path)
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
                             f"with scripts/evaluate.py --train_classifier")
        return cls(keras.models.load_model(path))

    def __call__(self, images, batch_size=500):
        """(features (N, 128), logits (N, classes)) for images in [-1, 1]."""
        features, logits = [], []
        for i in range(0, len(images), batch_size):
            f, l = self.model(images[i:i + batch_size], training=False)
            features.append(np.asarray(f))
            logits.append(np.asarray(l))
        return np.concatenate(features), np.concatenate(logits)
