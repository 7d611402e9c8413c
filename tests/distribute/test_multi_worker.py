"""Two worker processes on 127.0.0.1 train DCGAN with
`train.py --strategy=multi_worker` (MultiWorkerMirroredStrategy, cluster from
TF_CONFIG) and end with identical weights (issue 7). Slow: two TensorFlow
processes and gRPC collectives."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_end_with_identical_weights(tmp_path, idx_dir):
    import keras
    cluster = {"worker": [f"127.0.0.1:{p}" for p in free_ports(2)]}
    workers = []
    for index in range(2):
        env = dict(os.environ, PYTHONPATH=REPO, CUDA_VISIBLE_DEVICES="",
                   TF_CPP_MIN_LOG_LEVEL="2", TF_CONFIG=json.dumps({
                       "cluster": cluster,
                       "task": {"type": "worker", "index": index}}))
        # Each worker writes its own run folder (only the chief's would be
        # kept in practice; here both are compared).
        workers.append(subprocess.Popen(
            [sys.executable, os.path.join(REPO, "scripts", "train.py"),
             "--model=dcgan", "--dataset=fashion_mnist",
             f"--data_dir={idx_dir}", "--filters=8", "--latent_dim=16",
             "--batch_size=16", "--steps=4", "--steps_per_epoch=2",
             "--seed=0", "--fid_every_n_steps=0", "--strategy=multi_worker",
             f"--out_dir={tmp_path / f'worker{index}'}",
             f"--export={tmp_path / 'saved_models' / 'dcgan'}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True))
    outputs = []
    try:
        for worker in workers:
            outputs.append(worker.communicate(timeout=600)[0])
    finally:
        for worker in workers:
            worker.kill()
    for worker, output in zip(workers, outputs):
        assert worker.returncode == 0, output[-4000:]
    models = [keras.models.load_model(tmp_path / f"worker{i}" / "model.keras")
              for i in range(2)]
    for model in models:
        assert int(model.g_optimizer.iterations) == 4
        assert int(model.d_optimizer.iterations) == 4
    for a, b in zip(models[0].weights, models[1].weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    # Only the chief (worker 0) exports: one version, not two.
    assert os.listdir(tmp_path / "saved_models" / "dcgan") == ["1"]
