"""Every model's export passes `tgs.export.verify` (issue 7)."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import export, models, serving
from tests.test_mixed_precision import batches, tiny


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    root = tmp_path_factory.mktemp("saved_models")
    made = {}
    for name in models.MODELS:
        model = tiny(name)
        model.compile()
        model.fit(batches(model).take(1), epochs=1, verbose=0)
        made[name] = (model, export.export_saved_model(model,
                                                       str(root / name)))
    return root, made


@pytest.mark.parametrize("name", list(models.MODELS))
def test_every_export_verifies_against_keras(exports, name):
    root, made = exports
    model, path = made[name]
    report = export.verify(path, model, cli=name == "dcgan")
    assert report["compared_with_keras"] and report["warmup_requests"] >= 2
    if name == "dcgan":
        assert report["saved_model_cli"]["run"] in report["signatures"]
    # Without the Keras model: the signatures and warm-up replays only.
    assert export.verify(path, cli=False)["signatures"] == report["signatures"]
    # The REST bodies beside the export match the signatures.
    loaded = tf.saved_model.load(path)
    rest = os.path.join(path, "assets.extra", export.REST_DIR)
    for signature in report["signatures"]:
        with open(os.path.join(rest, f"{signature}.json")) as f:
            body = json.load(f)
        spec = loaded.signatures[signature].structured_input_signature[1]
        assert body["signature_name"] == signature
        assert sorted(body["inputs"]) == sorted(spec)
        for key, value in body["inputs"].items():
            if spec[key].dtype == tf.string:
                assert "b64" in value[0]
            else:
                assert np.asarray(value).shape[1:] == tuple(spec[key].shape[1:])


def test_verify_catches_a_different_model(exports, tmp_path):
    _, made = exports
    _, path = made["dcgan"]
    other = tiny("dcgan")
    other.compile()
    with pytest.raises(ValueError, match="differs from the Keras model's"):
        export.verify(path, other, cli=False)


def test_models_config_with_a_missing_path(exports, tmp_path):
    root, _ = exports
    assert sorted(export.verify_models_config(str(root))) == sorted(models.MODELS)
    bad = tmp_path / "models.config"
    bad.write_text("model_config_list {\n  config {\n    name: 'ghost'\n"
                   "    base_path: '/models/ghost'\n"
                   "    model_platform: 'tensorflow'\n  }\n}\n")
    with pytest.raises(ValueError, match=r"model 'ghost' has base_path "
                                         r"/models/ghost, but .*ghost holds "
                                         r"no integer version"):
        export.verify_models_config(str(tmp_path))


def test_signatures_reject_wrong_dtypes_and_shapes(exports):
    _, made = exports
    loaded = tf.saved_model.load(made["dcgan"][1]).signatures
    with pytest.raises((TypeError, ValueError, tf.errors.InvalidArgumentError)):
        loaded["serving_default"](z=tf.zeros((1, 8), tf.int32))
    with pytest.raises((TypeError, ValueError, tf.errors.InvalidArgumentError)):
        loaded["serving_default"](z=tf.zeros((1, 9), tf.float32))


def test_rest_body_round_trip():
    body = serving.rest_body("sample", {"seed": np.arange(3, dtype=np.int64)},
                             row_format=True)
    assert body == {"signature_name": "sample",
                    "instances": [{"seed": 0}, {"seed": 1}, {"seed": 2}]}
    images = np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3)
    out = serving.outputs_from_rest({"outputs": images.tolist()})
    np.testing.assert_array_equal(out["output"], images)
    out = serving.outputs_from_rest({"predictions": [{"png_bytes": {"b64": "aGk="}}]})
    assert out["png_bytes"][0] == b"hi"
    with pytest.raises(ValueError, match="server: bad input"):
        serving.outputs_from_rest({"error": "bad input"})
