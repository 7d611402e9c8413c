"""serve_client.py against a stand-in for TF Serving's REST API: a local
HTTP server that answers `:predict` with the exported SavedModel."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfgan_suite import models, serving
from tests.scripts.test_scripts import script


def fake_tf_serving(saved_models):
    """REST predict (columnar "inputs" format) over the exports in
    `saved_models`, answering as TF Serving does."""
    loaded = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            name = self.path.split("/v1/models/")[1].split(":")[0]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if name not in loaded:
                loaded[name] = tf.saved_model.load(
                    serving.latest_version_dir(str(saved_models / name)))
            fn = loaded[name].signatures[body["signature_name"]]
            spec = fn.structured_input_signature[1]
            inputs = {}
            for key, value in body["inputs"].items():
                if spec[key].dtype == tf.string:
                    value = [base64.b64decode(v["b64"]) for v in value]
                inputs[key] = tf.constant(value, spec[key].dtype)
            out = {}
            for key, value in fn(**inputs).items():
                value = value.numpy()
                out[key] = ([{"b64": base64.b64encode(v).decode()} for v in value]
                            if value.dtype == object else value.tolist())
            reply = json.dumps({"outputs": out if len(out) > 1
                                else next(iter(out.values()))}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("saved_models")
    dcgan = models.DCGAN(latent_dim=8, filters=4, seed=0)
    cgan = models.CGAN(num_classes=3, latent_dim=8, filters=4, seed=0)
    pix = models.Pix2Pix(image_shape=(32, 32, 3), filters=4, seed=0)
    for name, model in (("dcgan", dcgan), ("cgan", cgan), ("pix2pix", pix)):
        model.compile()
        serving.export_saved_model(model, str(root / name), allow_untrained=True)
    server = fake_tf_serving(root)
    yield f"127.0.0.1:{server.server_address[1]}", dcgan, cgan, pix
    server.shutdown()


def test_generator_grid_equals_keras(served, tmp_path):
    address, dcgan, cgan, _ = served
    out = tmp_path / "grid.png"
    result = script("serve_client.py", f"--server={address}", "--model=dcgan",
                    "--num=4", "--scale=1", f"--out={out}")
    assert result.returncode == 0, result.stderr[-3000:]
    from tfgan_suite.plots import grid
    expected = grid(dcgan.generate_uint8(4, seed=0))
    np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)
    result = script("serve_client.py", f"--server={address}", "--model=cgan",
                    "--num=3", "--label=2", "--scale=1", f"--out={out}")
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_array_equal(
        np.asarray(Image.open(out)), grid(cgan.generate_uint8(3, seed=0,
                                                              labels=2)))


def test_pix2pix_bytes(served, tmp_path):
    address, _, _, pix = served
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), np.uint8)
    Image.fromarray(image).save(tmp_path / "in.png")
    result = script("serve_client.py", f"--server={address}",
                    "--model=pix2pix", f"--image={tmp_path / 'in.png'}",
                    f"--out={tmp_path / 'out.png'}")
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "out.png")),
                                  pix.translate_uint8(image[None])[0])


def test_unreachable_server_is_one_line():
    result = script("serve_client.py", "--server=127.0.0.1:9", "--num=2")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        "error: --server: cannot reach http://127.0.0.1:9/v1/models/dcgan:predict")
