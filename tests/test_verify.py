"""`tgs.serving.verify` and models.config checks (issue 7); every model's
export is verified in tests/models/test_harness.py."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import serving
from tests.tiny_models import batches, tiny


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """A tiny DCGAN exported as two models of one root. (Every model's
    export is verified by tests/models/test_harness.py.)"""
    root = tmp_path_factory.mktemp("saved_models")
    model = tiny("dcgan")
    model.compile()
    model.fit(batches(model).take(1), epochs=1, verbose=0)
    made = {name: (model, serving.export_saved_model(model, str(root / name)))
            for name in ("dcgan", "dcgan_copy")}
    return root, made


def test_verify_with_saved_model_cli(exports):
    _, made = exports
    model, path = made["dcgan"]
    report = serving.verify(path, model, cli=True)
    assert report["compared_with_keras"] and report["warmup_requests"] >= 2
    assert report["saved_model_cli"]["run"] in report["signatures"]
    assert report["saved_model_cli"]["outputs"]


def test_verify_catches_a_different_model(exports, tmp_path):
    _, made = exports
    _, path = made["dcgan"]
    other = tiny("dcgan")
    other.compile()
    with pytest.raises(ValueError, match="differs from the Keras model's"):
        serving.verify(path, other, cli=False)


def test_models_config_with_a_missing_path(exports, tmp_path):
    root, _ = exports
    assert sorted(serving.verify_models_config(str(root))) == ["dcgan",
                                                              "dcgan_copy"]
    bad = tmp_path / "models.config"
    bad.write_text("model_config_list {\n  config {\n    name: 'ghost'\n"
                   "    base_path: '/models/ghost'\n"
                   "    model_platform: 'tensorflow'\n  }\n}\n")
    with pytest.raises(ValueError, match=r"model 'ghost' has base_path "
                                         r"/models/ghost, but .*ghost holds "
                                         r"no integer version"):
        serving.verify_models_config(str(tmp_path))


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
