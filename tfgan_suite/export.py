"""SavedModel export for TF Serving.

Layout (what TF Serving reads)::

    saved_models/
      models.config                      # model_config_list of every model here
      <name>/<version>/saved_model.pb
                       variables/
                       assets.extra/tf_serving_warmup_requests
                       assets.extra/manifest.json

A version is written to a hidden temporary folder beside its final place
and renamed when complete, so TF Serving (which only loads integer-named
folders) never sees a half-written version.
"""

import json
import os
import shutil
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf
from absl import logging

MODELS_CONFIG = "models.config"
WARMUP_FILE = "tf_serving_warmup_requests"
MANIFEST_FILE = "manifest.json"


def versions(export_root):
    """Sorted integer versions present under `export_root`."""
    if not os.path.isdir(export_root):
        return []
    return sorted(int(d) for d in os.listdir(export_root) if d.isdigit())


def _check_exportable(model, allow_untrained):
    if not getattr(model, "built", False) or not hasattr(model, "generator"):
        raise ValueError(f"model: expected a built tfgan_suite model, got "
                         f"{type(model).__name__}")
    optimizer = getattr(model, "g_optimizer", None)
    trained = optimizer is not None and int(optimizer.iterations.numpy()) > 0
    if not trained and not allow_untrained:
        raise ValueError(
            f"model: {model.name} has never been trained (no generator step); "
            f"train it first or pass allow_untrained=True")
    return int(optimizer.iterations.numpy()) if optimizer is not None else 0


def export_saved_model(model, export_root, version=None, overwrite=False,
                       metrics=None, allow_untrained=False):
    """Exports `model`'s serving signatures to `export_root/<version>/`.

    Args:
      model: a tfgan_suite model (its `serving_endpoints()` define the
        signatures).
      export_root: `saved_models/<name>`.
      version: integer version; default one more than the largest present.
      overwrite: replace an existing version (else it is an error).
      metrics: dict stored in the manifest (e.g. {"fid": 31.2}).
      allow_untrained: export a model that has never been trained.

    Returns:
      The path of the version folder.
    """
    step = _check_exportable(model, allow_untrained)
    existing = versions(export_root)
    version = int(version) if version is not None else (
        existing[-1] + 1 if existing else 1)
    if version < 1:
        raise ValueError(f"version: expected a positive integer, got {version}")
    final = os.path.join(export_root, str(version))
    if os.path.exists(final) and not overwrite:
        raise ValueError(f"{final}: version {version} already exists; pass "
                         f"overwrite=True (--overwrite) or another version")
    os.makedirs(export_root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{version}.tmp-", dir=export_root)
    try:
        archive = keras.export.ExportArchive()
        archive.track(model)
        endpoints = model.serving_endpoints()
        for name, (fn, signature) in endpoints.items():
            archive.add_endpoint(name, fn, input_signature=signature)
        archive.write_out(tmp, verbose=False)
        extra = os.path.join(tmp, "assets.extra")
        os.makedirs(extra, exist_ok=True)
        name = os.path.basename(os.path.normpath(export_root))
        write_warmup_requests(os.path.join(extra, WARMUP_FILE), name,
                              model.serving_examples())
        manifest = {
            "model": type(model).__name__,
            "name": name,
            "version": version,
            "config": model.get_config(),
            "step": step,
            "metrics": metrics or {},
            "signatures": sorted(endpoints),
            "tfgan_suite_version": _package_version(),
            "tensorflow_version": tf.__version__,
            "keras_version": keras.__version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        with open(os.path.join(extra, MANIFEST_FILE), "w") as f:
            json.dump(manifest, f, indent=2, default=_jsonable)
        _fsync_tree(tmp)
        if os.path.exists(final):
            old = tempfile.mkdtemp(prefix=f".{version}.old-", dir=export_root)
            os.rename(final, os.path.join(old, "v"))
            os.rename(tmp, final)
            shutil.rmtree(old)
        else:
            os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    write_models_config(os.path.dirname(os.path.abspath(export_root)))
    logging.info("exported %s", final)
    return final


def _package_version():
    from tfgan_suite import __version__
    return __version__


def _jsonable(value):
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def _fsync_tree(root):
    for directory, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(directory, name), "rb") as f:
                os.fsync(f.fileno())


def write_warmup_requests(path, model_name, examples):
    """TF Serving warm-up file: one PredictRequest per signature.

    `examples` maps signature name -> {input name: numpy array}. Needs the
    `tensorflow-serving-api` protos (extra `[serving]`); without them the
    file is skipped with a warning.
    """
    try:
        from tensorflow_serving.apis import (predict_pb2,  # noqa: F401
                                             prediction_log_pb2)
    except ImportError:
        logging.warning("tensorflow-serving-api is not installed: no warm-up "
                        "requests written (pip install 'tfgan_suite[serving]')")
        return None
    with tf.io.TFRecordWriter(path) as writer:
        for signature, inputs in examples.items():
            request = predict_pb2.PredictRequest()
            request.model_spec.name = model_name
            request.model_spec.signature_name = signature
            for key, value in inputs.items():
                request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
            log = prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request))
            writer.write(log.SerializeToString())
    return path


def write_models_config(root):
    """Writes `root/models.config` listing every exported model under `root`.

    Paths are given as /models/<name>, the folder TF Serving's Docker image
    serves (`docker run -v $PWD/saved_models:/models ...`).
    """
    names = sorted(d for d in os.listdir(root)
                   if not d.startswith(".") and versions(os.path.join(root, d)))
    entries = "".join(
        f"  config {{\n    name: '{n}'\n    base_path: '/models/{n}'\n"
        f"    model_platform: 'tensorflow'\n  }}\n" for n in names)
    path = os.path.join(root, MODELS_CONFIG)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"model_config_list {{\n{entries}}}\n")
    os.replace(tmp, path)
    return path


def read_manifest(version_dir):
    with open(os.path.join(version_dir, "assets.extra", MANIFEST_FILE)) as f:
        return json.load(f)


def latest_version_dir(path):
    """`path` itself if it is a version folder, else its newest version."""
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return path
    found = versions(path)
    if not found:
        raise ValueError(f"{path}: expected a SavedModel or a folder of "
                         f"integer versions, found neither")
    return os.path.join(path, str(found[-1]))
