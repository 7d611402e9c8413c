"""The Inception extractor on a tiny local stand-in with the signature of
TF-GAN's TF Hub module (nothing is downloaded), and its one-line refusal
when no copy can be had."""

import os

import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import metrics
from tfgan_suite.metrics import inception


class StandIn(tf.Module):
    """TF-GAN's signature: float32 images of 299x299 in [-1, 1] ->
    {"pool_3": [N, 1, 1, D], "logits": [N, K]} (here D = 6, K = 12)."""

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3],
                                                tf.float32)])
    def __call__(self, x):
        tf.debugging.assert_equal(tf.shape(x)[1:3], [299, 299])
        tf.debugging.assert_less_equal(tf.reduce_max(tf.abs(x)), 1.0)
        stats = tf.concat([tf.reduce_mean(x, [1, 2]),
                           tf.math.reduce_std(x, [1, 2])], -1)
        return {"pool_3": tf.reshape(stats, [-1, 1, 1, 6]),
                "logits": tf.tile(stats, [1, 2])}


def write_stand_in(path):
    tf.saved_model.save(StandIn(), str(path))
    return str(path)


@pytest.fixture
def no_download(monkeypatch, tmp_path):
    """Empty caches, and loaders that fail as offline ones do."""
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "tfhub"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(inception.INCEPTION_ENV, raising=False)
    calls = []

    def offline(self, source):
        calls.append(source)
        raise OSError(f"<urlopen error [Errno -2] Name or service not known>"
                      f" ({source})")
    monkeypatch.setattr(inception.InceptionExtractor, "_load_hub", offline)
    monkeypatch.setattr(inception.InceptionExtractor, "_load_keras", offline)
    return calls


def test_features_of_a_local_module_with_tf_gans_signature(tmp_path,
                                                           monkeypatch):
    path = write_stand_in(tmp_path / "inception")
    images = np.random.default_rng(0).uniform(-1, 1, (5, 16, 16, 1))
    features, logits = metrics.InceptionExtractor(handle=path)(images,
                                                               batch_size=2)
    assert features.shape == (5, 6) and logits.shape == (5, 12)
    # Grayscale is repeated to RGB: the three means are equal.
    np.testing.assert_allclose(features[:, 0], features[:, 2], atol=1e-6)
    monkeypatch.setenv(inception.INCEPTION_ENV, path)
    by_name = metrics.extractor("inception")
    assert by_name.label == "FID" and by_name.network == path
    np.testing.assert_allclose(by_name(images)[0], features, atol=1e-6)


def test_tf_gans_network_is_read_from_the_tf_hub_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "tfhub"))
    monkeypatch.delenv(inception.INCEPTION_ENV, raising=False)
    write_stand_in(inception.tfhub_module_dir())  # as tensorflow_hub caches
    found = metrics.InceptionExtractor(download=False)
    assert found.network == inception.INCEPTION_TFHUB
    assert found(np.zeros((2, 8, 8, 3)))[0].shape == (2, 6)


def test_offline_it_is_one_line_naming_what_and_where(no_download):
    with pytest.raises(ValueError) as error:
        metrics.extractor("inception")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("inception: could not fetch TF-GAN's "
                              "Inception (https://tfhub.dev/tensorflow/tfgan/"
                              "eval/inception/1: OSError: <urlopen error")
    for part in ("nor Keras' InceptionV3 ImageNet weights", "TFHUB_CACHE_DIR",
                 "$TFGAN_INCEPTION", inception.keras_weights_path()):
        assert part in message
    assert no_download == [inception.INCEPTION_TFHUB, "imagenet"]


def test_without_download_only_local_copies_are_tried(no_download):
    with pytest.raises(ValueError, match="could not find TF-GAN's Inception "
                                         r"\(.*: not cached\)"):
        metrics.InceptionExtractor(download=False)
    assert no_download == []


def test_a_missing_weights_file_or_module_is_named(tmp_path):
    with pytest.raises(ValueError, match="inception_weights: no InceptionV3 "
                                         "weights at .*missing.h5"):
        metrics.InceptionExtractor(str(tmp_path / "missing.h5"))
    with pytest.raises(ValueError, match=r"inception: cannot load .*nothing "
                                         r"\(.*\); expected a TF Hub handle"):
        metrics.InceptionExtractor(handle=str(tmp_path / "nothing"))
    assert not os.listdir(tmp_path)
