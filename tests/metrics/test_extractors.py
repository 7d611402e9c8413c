"""`tgs.metrics.extractor`: the features FID is measured with, by name."""

import keras
import numpy as np
import pytest

from tfgan_suite import metrics


def test_a_saved_keras_classifier_gives_its_last_layer_but_one(tmp_path):
    images = keras.Input((8, 8, 1))
    hidden = keras.layers.Dense(5, name="penultimate")(
        keras.layers.Flatten()(images))
    path = str(tmp_path / "mine.keras")
    keras.Model(images, keras.layers.Dense(3)(hidden)).save(path)
    extractor = metrics.extractor(path)
    features, logits = extractor(np.zeros((4, 8, 8, 1), np.float32))
    assert features.shape == (4, 5) and logits.shape == (4, 3)
    assert extractor.label == "classifier FID"
    assert extractor.image_shape == (8, 8, 1) and extractor.path == path


def test_a_datasets_domain_classifier_by_name(tmp_path, gray_folder):
    path = str(tmp_path / "c.keras")
    with pytest.raises(ValueError, match="c.keras: no domain classifier "
                                         "there; train one"):
        metrics.extractor("folder", "folder", gray_folder,
                          classifier_path=path, train=False)
    trained = metrics.extractor("folder", "folder", gray_folder,
                                classifier_path=path)  # trained on first use
    assert trained.label == "domain FID" and trained.image_shape == (16, 16, 1)
    assert metrics.labelled("folder", gray_folder)
    assert metrics.extractor(None, "folder", gray_folder,
                             classifier_path=path).path == path
    with pytest.raises(ValueError, match="features: expected inception, a "
                                         "dataset's name"):
        metrics.extractor("imagenet")
