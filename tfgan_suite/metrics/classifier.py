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
from tfgan_suite.metrics.inception import InceptionExtractor

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
    model.fit(train, epochs=epochs, validation_data=test, verbose="auto")
    _, accuracy = model.evaluate(test, verbose=0)
    logging.info("domain classifier test accuracy: %.4f", accuracy)
    if path:
        with files.atomic_path(path) as tmp:
            model.save(tmp)
    return model, float(accuracy)


class DomainExtractor:
    """Features and logits of a trained classifier: the domain classifier
    (its "features" layer), or any Keras classifier (its last layer but
    one; scores labelled "classifier FID")."""

    def __init__(self, classifier, path=None, data=None):
        """`data`: "<dataset>-<fingerprint>" of the data a domain
        classifier was trained on, where known (its identity in eval.json)."""
        self.classifier, self.path, self.data = classifier, path, data
        names = [layer.name for layer in classifier.layers]
        ours = FEATURES_LAYER in names
        self.label = "domain FID" if ours else "classifier FID"
        features = (classifier.get_layer(FEATURES_LAYER) if ours
                    else classifier.layers[-2])
        self.model = keras.Model(classifier.input,
                                 [features.output, classifier.outputs[0]])

    @property
    def image_shape(self):
        """The shape of the images the classifier takes."""
        return tuple(self.classifier.input_shape[1:])

    @classmethod
    def load(cls, path, data=None):
        if not os.path.isfile(path):
            raise ValueError(
                f"{path}: no domain classifier there; train one "
                f"(train=True, or features=<dataset>) -- a new "
                f"classifier: its FIDs compare only with FIDs of that "
                f"classifier, not with a run's fid.csv measured with "
                f"another one; to score like a run, give the classifier its "
                f"FID used (features=<run folder>, classifier_path=<file>)")
        try:
            classifier = keras.models.load_model(path)
        except Exception as e:  # noqa: BLE001 -- Keras raises many types.
            raise ValueError(f"{path}: not a Keras classifier file "
                             f"({type(e).__name__}: {e})") from None
        return cls(classifier, path, data)

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


def classifier_path(dataset, path=None, data_dir=None, **options):
    """`path`, else the cache file of `dataset`'s domain classifier, named
    by the data's fingerprint (other files or options -- a folder's image
    size, channels, held-out share -- other classifier)."""
    return path or os.path.expanduser(
        f"~/.cache/tfgan_suite/{dataset}-"
        f"{data.fingerprint(dataset, data_dir, **options)}_classifier.keras")


def train_domain_classifier(dataset, data_dir=None, path=None, epochs=2,
                            **options):
    """Trains and saves the domain classifier of `dataset` (with the
    source `options`, e.g. a folder's image_size) on its train split,
    tested on its test split (a folder's held-out images).

    Returns (`DomainExtractor`, test accuracy).
    """
    path = classifier_path(dataset, path, data_dir, **options)
    logging.info("training the %s domain classifier (saved to %s)", dataset,
                 path)
    trained_on = f"{dataset}-{data.fingerprint(dataset, data_dir, **options)}"
    source, test = (data.get_source(dataset, split=split, labels=True,
                                    data_dir=data_dir, **options)
                    for split in ("train", "test"))
    model, accuracy = train_classifier(
        data.build(source, batch_size=min(128, source.num_examples)),
        data.build(test, batch_size=min(500, test.num_examples),
                   shuffle=False, drop_remainder=False),
        source.data_shape, source.num_classes, epochs=epochs, path=path)
    return DomainExtractor(model, path, trained_on), accuracy


def domain_extractor(dataset, data_dir=None, path=None, train=True,
                     **options):
    """The domain classifier of `dataset`, trained and saved on first use
    (with `train`; else a ValueError saying how to train it)."""
    found = classifier_path(dataset, path, data_dir, **options)
    if os.path.isfile(found) or not train:
        logging.info("domain classifier: %s", found)
        return DomainExtractor.load(
            found, f"{dataset}-{data.fingerprint(dataset, data_dir, **options)}")
    return train_domain_classifier(dataset, data_dir, path, **options)[0]


def labelled(dataset, data_dir=None, **options):
    """Whether `dataset` has the class labels a domain classifier learns:
    the labelled sources, and folders of at least two class sub-folders."""
    if dataset != "folder":
        return dataset in data.LABELLED_SOURCES
    try:
        source = data.get_source(dataset, labels=True, data_dir=data_dir,
                                 **options)
    except ValueError:
        return False
    return source.num_classes >= 2


def extractor(features=None, dataset=None, data_dir=None,
              classifier_path=None, train=True, download=True, **options):
    """The feature extractor of FID and friends that `features` names:

    * "inception": the network of published FIDs (`InceptionExtractor`,
      fetched once with `download`);
    * a dataset's name (fashion_mnist, cifar10, folder with `data_dir`):
      its domain classifier, from its cache (trained there first with
      `train`), `classifier_path` if given;
    * a saved Keras classifier file;
    * None: `dataset`'s domain classifier when it has labels, else
      Inception from a local copy only (never a download unasked).
    """
    if features is None:
        if dataset is None:
            raise ValueError("features: expected inception, a dataset's name "
                             "or a classifier file (no dataset to default "
                             "to)")
        if not labelled(dataset, data_dir, **options):
            try:
                return InceptionExtractor(download=False)
            except ValueError as e:
                raise ValueError(
                    f"features: {data_dir or dataset} has no classes for a "
                    f"domain classifier, and no local Inception: {e}; "
                    f"features=inception fetches it") from None
        features = dataset
    if features == "inception":
        return InceptionExtractor(download=download)
    if features in data.SOURCES:
        if features != dataset:  # another dataset: its own files.
            data_dir, options = None, {}
        return domain_extractor(features, data_dir, classifier_path, train,
                                **options)
    if os.path.isfile(features):
        return DomainExtractor.load(features)
    raise ValueError(f"features: expected inception, a dataset's name "
                     f"({', '.join(data.LABELLED_SOURCES)}, folder) or a "
                     f"saved Keras classifier file, got {features!r}")
