"""SavedModel export for TF Serving.

Layout (what TF Serving reads)::

    saved_models/
      models.config                      # model_config_list of every model here
      <name>/<version>/saved_model.pb
                       variables/
                       assets.extra/tf_serving_warmup_requests
                       assets.extra/manifest.json

A version is written to a hidden temporary folder beside its final place,
checked there (`check=`, e.g. `verify`), and renamed when complete, so TF
Serving (which only loads integer-named folders) never sees a half-written
or failed version, and an export that fails leaves no version folder.
`models.config` and the warm-up records are TF Serving's protos, from the
`tensorflow-serving-api` package (a dependency of the suite).
"""

import json
import os
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from tfgan_suite import files
from tfgan_suite.nets import common as nets_common
from tfgan_suite.serving import signatures

MODELS_CONFIG = "models.config"
WARMUP_FILE = "tf_serving_warmup_requests"
MANIFEST_FILE = "manifest.json"
#: REST request bodies, one per signature, beside the warm-up requests.
REST_DIR = "rest_requests"


def versions(export_root):
    """Sorted integer versions present under `export_root`."""
    if not os.path.isdir(export_root):
        return []
    return sorted(int(d) for d in os.listdir(export_root) if d.isdigit())


def _class_path(cls):
    from tfgan_suite import models
    return models.name_of(cls)


def _check_exportable(model, allow_untrained):
    from tfgan_suite.models import AdversarialModel
    if not isinstance(model, AdversarialModel):
        raise ValueError(f"model: expected a tfgan_suite model (a subclass "
                         f"of tgs.models.AdversarialModel), got "
                         f"{type(model).__name__}")
    step = int(model.step_counter.numpy())
    if not step and not allow_untrained:
        raise ValueError(
            f"model: {model.name} has never been trained (step 0); train it "
            f"first or pass allow_untrained=True")
    return step


def in_float32(model):
    """`model` if it computes in float32, else a copy of it that does,
    with its weights: what `export_saved_model` exports, so that a model
    trained under mixed precision serves on any machine (bfloat16 runs
    several times slower on a CPU without bfloat16 instructions, and some
    GPUs have no bfloat16 kernels). Nets handed in to the model keep their
    own policies."""
    if model.dtype_policy.name == "float32":
        return model
    config = dict(model.get_config(), dtype="float32")
    with nets_common.dtype_policy("float32"):
        copy = type(model).from_config(config)
    copy.set_weights(model.get_weights())
    return copy


def serving_protos():
    """The TF Serving proto modules (predict_pb2, prediction_log_pb2,
    model_server_config_pb2), or a ValueError naming the package."""
    try:
        from tensorflow_serving.apis import predict_pb2, prediction_log_pb2
        from tensorflow_serving.config import model_server_config_pb2
    except ImportError as e:
        raise ValueError(f"export: TF Serving's protos are missing ({e}); "
                         f"pip install tensorflow-serving-api") from None
    return predict_pb2, prediction_log_pb2, model_server_config_pb2


def export_saved_model(model, export_root, version=None, overwrite=False,
                       metrics=None, allow_untrained=False, check=None):
    """Exports `model`'s serving signatures to `export_root/<version>/`.

    Args:
      model: a tfgan_suite model (`signatures.endpoints(model)`: the
        signatures of what it does).
      export_root: `saved_models/<name>`.
      version: integer version; default one more than the largest present.
      overwrite: replace an existing version (else it is an error).
      metrics: dict stored in the manifest (e.g. a run's last FID,
        `tgs.runs.layout.last_fid`: {"fid": 31.2, "fid_features": "domain
        FID", "fid_step": 2000}).
      allow_untrained: export a model that has never been trained.
      check: called with the complete version in its temporary folder
        before the rename (e.g. `lambda path: verify(path, model)`); an
        error there leaves no version behind.

    A model under a mixed precision policy is exported in float32
    (`in_float32`), which `verify` compares the export with.

    Returns:
      The path of the version folder.
    """
    serving_protos()  # before anything is written.
    step = _check_exportable(model, allow_untrained)
    model = in_float32(model)
    existing = versions(export_root)
    version = int(version) if version is not None else (
        existing[-1] + 1 if existing else 1)
    if version < 1:
        raise ValueError(f"version: expected a positive integer, got {version}")
    final = os.path.join(export_root, str(version))
    if os.path.exists(final) and not overwrite:
        raise ValueError(f"{final}: version {version} already exists; pass "
                         f"overwrite=True or another version")
    with files.atomic_path(final) as tmp:
        archive = keras.export.ExportArchive()
        archive.track(model)
        endpoints = signatures.endpoints(model)
        for name, (fn, signature) in endpoints.items():
            archive.add_endpoint(name, fn, input_signature=signature)
        archive.write_out(tmp, verbose=False)
        extra = os.path.join(tmp, "assets.extra")
        os.makedirs(extra, exist_ok=True)
        name = os.path.basename(os.path.normpath(export_root))
        examples = signatures.examples(model)
        write_warmup_requests(os.path.join(extra, WARMUP_FILE), name,
                              examples)
        write_rest_bodies(os.path.join(extra, REST_DIR), examples)
        manifest = {
            "model": type(model).__name__,
            "class": _class_path(type(model)),
            "name": name,
            "version": version,
            "config": model.get_config(),
            "step": step,
            "metrics": metrics or {},
            "signatures": sorted(endpoints),
            "data_kind": model.data_kind(),
            # Of a model that translates both ways: each names a signature.
            "directions": list(getattr(model, "directions", None) or ()),
            "tfgan_suite_version": _package_version(),
            "tensorflow_version": tf.__version__,
            "keras_version": keras.__version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        with open(os.path.join(extra, MANIFEST_FILE), "w") as f:
            json.dump(manifest, f, indent=2, default=_jsonable)
        if check is not None:
            check(tmp)
        # Listed before the rename: a version never exists unlisted.
        write_models_config(os.path.dirname(os.path.abspath(export_root)),
                            also=(name,))
    # The commands say where it went, once (tfgan-export, the summary of
    # tfgan-train).
    logging.debug("exported %s", final)
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


def write_warmup_requests(path, model_name, examples):
    """TF Serving warm-up file: one PredictRequest per signature.

    `examples` maps signature name -> {input name: numpy array}.
    """
    predict_pb2, prediction_log_pb2, _ = serving_protos()
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


def write_rest_bodies(folder, examples):
    """`folder/<signature>.json`: TF Serving REST bodies of the examples
    in the row format (`{"signature_name": s, "instances": [{input:
    value}, ...]}`, one object per example, as docs/serving.md shows),
    ready for `curl -d @<signature>.json host:8501/v1/models/<name>:predict`."""
    from tfgan_suite.serving import client as serving
    os.makedirs(folder, exist_ok=True)
    for signature, inputs in examples.items():
        with open(os.path.join(folder, f"{signature}.json"), "w") as f:
            json.dump(serving.rest_body(signature, inputs, row_format=True),
                      f)


def read_warmup_requests(version_dir):
    """[(signature, {input: numpy array})] of the export's warm-up file."""
    from tensorflow_serving.apis import prediction_log_pb2
    path = os.path.join(version_dir, "assets.extra", WARMUP_FILE)
    requests = []
    for record in tf.data.TFRecordDataset(path):
        log = prediction_log_pb2.PredictionLog.FromString(record.numpy())
        request = log.predict_log.request
        requests.append((request.model_spec.signature_name,
                         {k: tf.make_ndarray(v)
                          for k, v in request.inputs.items()}))
    return requests


def expected_signatures(model):
    """{signature: ({input: (dtype, shape)}, {output: (dtype, shape)})}
    of `model` (`signatures.endpoints`): their inputs, and the
    outputs they give when traced on those inputs."""
    expected = {}
    for name, (fn, signature) in signatures.endpoints(model).items():
        traced = tf.function(fn).get_concrete_function(*signature)
        expected[name] = (
            {spec.name: (spec.dtype, spec.shape.as_list())
             for spec in signature},
            {key: (value.dtype, value.shape.as_list())
             for key, value in traced.structured_outputs.items()})
    return expected


def verify(path, model=None, cli=True):
    """Checks an export the way TF Serving will use it; raises ValueError.

    Loads the SavedModel (`path`: a version folder or its parent), checks
    every signature's input and output names, dtypes and shapes against
    the model's declared signatures (`expected_signatures`), replays every warm-up request through its signature and, with
    the Keras `model` (default: rebuilt from the manifest, without
    weights: signatures only), checks the served outputs equal the
    in-process Keras outputs exactly (of `in_float32(model)`, as
    exported). With `cli`, also runs
    `saved_model_cli show --all` and `saved_model_cli run` on one signature.

    Returns a report dict.
    """
    path = latest_version_dir(path)
    manifest = read_manifest(path)
    loaded = tf.saved_model.load(path)
    if model is not None:
        model = in_float32(model)  # as `export_saved_model` exports it.
    reference = model if model is not None else _model_from_manifest(manifest)
    expected = expected_signatures(reference)
    found = sorted(loaded.signatures)
    if found != sorted(expected):
        raise ValueError(f"{path}: expected signatures {sorted(expected)}, "
                         f"found {found}")
    for name, (inputs, outputs) in expected.items():
        fn = loaded.signatures[name]
        got_inputs = {k: (v.dtype, v.shape.as_list()) for k, v in
                      fn.structured_input_signature[1].items()}
        got_outputs = {k: (v.dtype, v.shape.as_list())
                       for k, v in fn.structured_outputs.items()}
        for kind, want, got in (("inputs", inputs, got_inputs),
                                ("outputs", outputs, got_outputs)):
            want = {k: (d, list(s)) for k, (d, s) in want.items()}
            if got != want:
                raise ValueError(f"{path}: signature {name} {kind}: expected "
                                 f"{_describe(want)}, found {_describe(got)}")
    requests = read_warmup_requests(path)
    if sorted({s for s, _ in requests}) != sorted(expected):
        raise ValueError(f"{path}: warm-up requests cover "
                         f"{sorted({s for s, _ in requests})}, expected "
                         f"{sorted(expected)}")
    endpoints = signatures.endpoints(model) if model is not None else {}
    for signature, inputs in requests:
        served = loaded.signatures[signature](
            **{k: tf.constant(v) for k, v in inputs.items()})
        if signature in endpoints:
            keras_out = endpoints[signature][0](
                **{k: tf.constant(v) for k, v in inputs.items()})
            for key, value in keras_out.items():
                if not np.array_equal(np.asarray(value),
                                      served[key].numpy()):
                    raise ValueError(f"{path}: signature {signature} output "
                                     f"{key} differs from the Keras model's")
    report = {"path": path, "signatures": found,
              "warmup_requests": len(requests),
              "compared_with_keras": model is not None}
    if cli:
        report["saved_model_cli"] = _saved_model_cli(path, requests[0])
    return report


def _describe(specs):
    return ", ".join(f"{k}: {d.name}{s}" for k, (d, s) in sorted(specs.items()))


def _model_from_manifest(manifest):
    from tfgan_suite import models
    cls = models.get(manifest.get("class", manifest["model"].lower()))
    config = {k: v for k, v in manifest["config"].items()
              if k not in ("name", "trainable", "dtype")}
    return cls.from_config(config)


def _saved_model_cli(path, request):
    """`saved_model_cli show --all` and `run` on one warm-up request."""
    import subprocess
    import sys
    signature, inputs = request
    with tempfile.TemporaryDirectory() as tmp:
        args = []
        out_dir = os.path.join(tmp, "out")
        for key, value in inputs.items():
            np.save(os.path.join(tmp, f"{key}.npy"), value)
            args.append(f"{key}={os.path.join(tmp, key + '.npy')}")
        cli = [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli"]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        show = subprocess.run(cli + ["show", "--dir", path, "--all"],
                              capture_output=True, text=True, env=env,
                              timeout=300)
        if show.returncode or f"signature_def['{signature}']" not in show.stdout:
            raise ValueError(f"{path}: saved_model_cli show failed: "
                             f"{show.stderr[-500:]}")
        run = subprocess.run(
            cli + ["run", "--dir", path, "--tag_set", "serve",
                   "--signature_def", signature, "--inputs", ";".join(args),
                   "--outdir", out_dir, "--overwrite"],
            capture_output=True, text=True, env=env, timeout=300)
        outputs = (sorted(os.listdir(out_dir)) if os.path.isdir(out_dir)
                   else [])
        if run.returncode or not outputs:
            raise ValueError(f"{path}: saved_model_cli run --signature_def "
                             f"{signature} failed: {run.stderr[-500:]}")
    return {"show": "ok", "run": signature, "outputs": outputs}


def read_models_config(root):
    """The `ModelServerConfig` proto of `root/models.config`."""
    from google.protobuf import text_format
    path = os.path.join(root, MODELS_CONFIG)
    if not os.path.isfile(path):
        raise ValueError(f"{path}: no models.config")
    config = serving_protos()[2].ModelServerConfig()
    with open(path) as f:
        try:
            text_format.Parse(f.read(), config)
        except text_format.ParseError as e:
            raise ValueError(f"{path}: not a TF Serving model config ({e})")
    return config


def verify_models_config(root):
    """Checks every entry of `root/models.config` names an export here
    (base_path /models/<name> -> root/<name> with an integer version)."""
    path = os.path.join(root, MODELS_CONFIG)
    entries = read_models_config(root).model_config_list.config
    if not entries:
        raise ValueError(f"{path}: lists no model")
    for entry in entries:
        local = os.path.join(root, os.path.relpath(entry.base_path, "/models"))
        if not versions(local):
            raise ValueError(f"{path}: model {entry.name!r} has base_path "
                             f"{entry.base_path}, but {local} holds no "
                             f"integer version folder")
    return [entry.name for entry in entries]


def write_models_config(root, also=()):
    """Writes `root/models.config` listing every exported model under `root`
    (and the names `also`, whose first version is on its way).

    Paths are given as /models/<name>, the folder TF Serving's Docker image
    serves (`docker run -v $PWD/saved_models:/models ...`).
    """
    from google.protobuf import text_format
    config = serving_protos()[2].ModelServerConfig()
    for name in sorted({d for d in os.listdir(root) if not d.startswith(".")
                        and versions(os.path.join(root, d))} | set(also)):
        entry = config.model_config_list.config.add()
        entry.name, entry.base_path = name, f"/models/{name}"
        entry.model_platform = "tensorflow"
    return files.write_text(os.path.join(root, MODELS_CONFIG),
                            text_format.MessageToString(config))


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
