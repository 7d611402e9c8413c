import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import serving


@pytest.fixture
def trained(tiny_dcgan, tiny_dataset):
    tiny_dcgan.fit(tiny_dataset.take(1), epochs=1, verbose=0)
    return tiny_dcgan


def test_served_images_equal_keras_images(tmp_path, trained):
    path = serving.export_saved_model(trained, str(tmp_path / "dcgan"))
    assert path == str(tmp_path / "dcgan" / "1")
    served = tf.saved_model.load(path)
    assert set(served.signatures) == {"serving_default", "sample",
                                      "sample_truncated"}
    seeds = np.arange(6, dtype=np.int64)
    expected = trained.generate_uint8(6, seed=0)
    sampled = served.signatures["sample"](seed=tf.constant(seeds))["images"]
    assert sampled.dtype == tf.uint8 and sampled.shape == (6, 28, 28, 1)
    np.testing.assert_array_equal(sampled.numpy(), expected)
    z = trained.latent_from_seeds(seeds)
    from_z = served.signatures["serving_default"](z=z)["images"]
    np.testing.assert_array_equal(from_z.numpy(), expected)


def test_served_truncated_samples_equal_keras_truncated_samples(tmp_path,
                                                               trained):
    path = serving.export_saved_model(trained, str(tmp_path / "dcgan"))
    signature = tf.saved_model.load(path).signatures["sample_truncated"]
    seeds = tf.constant(np.arange(4, dtype=np.int64))
    one = signature(seed=seeds, truncation=tf.constant([0.6]))["images"]
    np.testing.assert_array_equal(
        one.numpy(), trained.generate_uint8(4, seed=0, truncation=0.6))
    psis = [0.5, 0.7, 0.9, 1.0]
    each = signature(seed=seeds, truncation=tf.constant(psis))["images"]
    np.testing.assert_array_equal(
        each.numpy(), trained.generate_uint8(4, seed=0, truncation=psis))
    # psi = 1 is the untruncated `sample`.
    np.testing.assert_array_equal(each.numpy()[3],
                                  trained.generate_uint8(1, seed=3)[0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="truncation"):
        signature(seed=seeds, truncation=tf.constant([-0.5]))
    assert serving.verify(path, trained, cli=False)["compared_with_keras"]
    from tfgan_suite import runs  # tfgan-generate --truncation on an export
    np.testing.assert_array_equal(
        runs.load(path).generate_uint8(4, seed=0, truncation=0.6),
        one.numpy())
    with pytest.raises(ValueError, match="truncation: .* serves only the "
                                         "'mean' truncation"):
        runs.load(path).generate_uint8(
            4, truncation=0.6, truncation_method="truncated_normal")


def test_layout_manifest_warmup_and_models_config(tmp_path, trained):
    path = serving.export_saved_model(trained, str(tmp_path / "dcgan"),
                                     metrics={"fid": 12.5})
    manifest = serving.read_manifest(path)
    assert manifest["model"] == "DCGAN" and manifest["step"] == 1
    assert manifest["config"]["latent_dim"] == 8
    assert manifest["metrics"] == {"fid": 12.5}
    assert manifest["tensorflow_version"] == tf.__version__
    warmup = os.path.join(path, "assets.extra", "tf_serving_warmup_requests")
    from tensorflow_serving.apis import prediction_log_pb2
    logs = [prediction_log_pb2.PredictionLog.FromString(r.numpy())
            for r in tf.data.TFRecordDataset(warmup)]
    assert {log.predict_log.request.model_spec.signature_name
            for log in logs} == {"serving_default", "sample",
                                 "sample_truncated"}
    config = open(tmp_path / "models.config").read()
    assert 'name: "dcgan"' in config
    assert 'base_path: "/models/dcgan"' in config


def test_versions_increment_and_existing_ones_are_refused(tmp_path, trained):
    root = str(tmp_path / "dcgan")
    serving.export_saved_model(trained, root)
    assert serving.export_saved_model(trained, root).endswith("2")
    with pytest.raises(ValueError, match="version 2 already exists"):
        serving.export_saved_model(trained, root, version=2)
    serving.export_saved_model(trained, root, version=2, overwrite=True)
    assert sorted(os.listdir(root)) == ["1", "2"]


def test_untrained_models_are_refused(tmp_path, tiny_dcgan):
    with pytest.raises(ValueError, match="never been trained"):
        serving.export_saved_model(tiny_dcgan, str(tmp_path / "dcgan"))
    assert serving.export_saved_model(tiny_dcgan, str(tmp_path / "dcgan"),
                                     allow_untrained=True)


def test_a_failed_export_leaves_nothing_behind(tmp_path, trained, monkeypatch):
    def broken(*args):
        raise OSError("disk full")
    # The module that writes the version (tgs.serving is its package).
    monkeypatch.setattr(serving.export, "write_warmup_requests", broken)
    with pytest.raises(OSError, match="disk full"):
        serving.export_saved_model(trained, str(tmp_path / "dcgan"))
    assert os.listdir(tmp_path / "dcgan") == []


@pytest.mark.slow  # saved_model_cli in the default suite: test_verify
def test_saved_model_cli_lists_both_signatures(tmp_path, trained):
    path = serving.export_saved_model(trained, str(tmp_path / "dcgan"))
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    out = subprocess.run([cli, "show", "--all", "--dir", path],
                         capture_output=True, text=True, check=True).stdout
    assert "signature_def['serving_default']" in out
    assert "signature_def['sample']" in out
    assert "DT_UINT8" in out and "DT_INT64" in out


def test_exports_keep_class_names_and_check_labels(tmp_path):
    from tfgan_suite import models, runs
    cgan = models.CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=4,
                       filters=4, class_names=["bag", "shirt", "shoe"])
    cgan.compile()
    path = serving.export_saved_model(cgan, str(tmp_path / "cgan"),
                                      allow_untrained=True)
    assert serving.read_manifest(path)["config"]["class_names"] == [
        "bag", "shirt", "shoe"]
    served = runs.load(path)
    np.testing.assert_array_equal(served.generate_uint8(2, labels="shoe"),
                                  cgan.generate_uint8(2, seed=0, labels=2))
    with pytest.raises(ValueError, match=r"labels: expected classes 0..2 "
                                         r"\(bag, shirt, shoe\), got \[4\]"):
        served.generate_uint8(2, labels=4)
    with pytest.raises(ValueError, match="unknown class 'sock'; expected one"
                                         " of bag, shirt, shoe"):
        served.generate_uint8(2, labels="sock")
    # TF Serving's clients get the reason too.
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"label: expected classes 0..2"):
        served.loaded.signatures["sample"](seed=tf.constant([0], tf.int64),
                                           label=tf.constant([4]))


def test_a_failed_check_leaves_no_version_and_no_listing(tmp_path, trained):
    seen = []

    def failing(path):
        seen.append(os.path.isfile(os.path.join(path, "saved_model.pb")))
        raise ValueError("signature sample: differs from the Keras model's")
    with pytest.raises(ValueError, match="differs"):
        serving.export_saved_model(trained, str(tmp_path / "dcgan"),
                                   check=failing)
    assert seen == [True]  # the complete version, before its rename
    assert os.listdir(tmp_path / "dcgan") == []
    assert not (tmp_path / "models.config").exists()
    path = serving.export_saved_model(
        trained, str(tmp_path / "dcgan"),
        check=lambda p: serving.verify(p, trained, cli=False))
    assert path.endswith("1") and serving.verify_models_config(
        str(tmp_path)) == ["dcgan"]


def test_rest_bodies_are_in_the_row_format_the_docs_show(tmp_path, trained):
    import json
    import re
    from tests.conftest import REPO
    path = serving.export_saved_model(trained, str(tmp_path / "dcgan"))
    with open(os.path.join(path, "assets.extra", "rest_requests",
                           "sample.json")) as f:
        body = json.load(f)
    docs = open(os.path.join(REPO, "docs", "serving.md")).read()
    shown = json.loads(re.search(r"curl -d '(\{.*?\})'", docs).group(1))
    assert sorted(body) == sorted(shown) == ["instances", "signature_name"]
    assert body["signature_name"] == shown["signature_name"] == "sample"
    assert [sorted(i) for i in body["instances"]] == [
        sorted(i) for i in shown["instances"]] == [["seed"], ["seed"]]
    assert "rest_requests/sample.json" in docs


def test_the_manifest_records_the_runs_last_fid(tmp_path, trained):
    from tfgan_suite import runs
    from tfgan_suite.runs import layout
    from tfgan_suite.training import runner
    out = tmp_path / "run"
    out.mkdir()
    assert layout.last_fid(str(out)) == {}
    (out / "fid.csv").write_text("step,domain_FID\n2,41.5\n4,30.25\n6,\n")
    assert layout.last_fid(str(out)) == {
        "fid": 30.25, "fid_features": "domain FID", "fid_step": 4}
    config = runs.RunConfig(export=str(tmp_path / "saved" / "dcgan"))
    runner.finish(trained, config, str(out), tf.distribute.get_strategy())
    manifest = serving.read_manifest(layout.exported(str(out))["path"])
    assert manifest["metrics"] == {"fid": 30.25, "fid_features": "domain FID",
                                   "fid_step": 4}
