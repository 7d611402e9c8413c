"""Worker processes on 127.0.0.1 train DCGAN with `train.py
--strategy=multi_worker` (MultiWorkerMirroredStrategy, cluster from
TF_CONFIG) into ONE shared --out_dir, as on a cluster's shared filesystem:
only the chief writes the run's files; SIGTERM to every worker checkpoints
and exits 143; a worker lost to kill -9 stops the others with one line, and
--resume of all ends as an uninterrupted run ends: the same per-step losses,
checkpoints and weights, bit for bit. Slow: several TensorFlow processes and
gRPC collectives."""

import glob
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import REPO, write_idx

pytestmark = pytest.mark.slow

#: Every run's length: 4 epochs of 2 steps.
STEPS = 8


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def launch(idx_dir, out_dir, workers=2, extra=()):
    """Starts `workers` processes of one cluster, every one with the same
    command line; returns them (stdout and stderr joined). The global
    batch: 16 on 2 workers, 18 on 3 (a multiple of each)."""
    cluster = {"worker": [f"127.0.0.1:{p}" for p in free_ports(workers)]}
    processes = []
    for index in range(workers):
        env = dict(os.environ, PYTHONPATH=REPO, CUDA_VISIBLE_DEVICES="",
                   TF_CPP_MIN_LOG_LEVEL="2", TF_CONFIG=json.dumps({
                       "cluster": cluster,
                       "task": {"type": "worker", "index": index}}))
        processes.append(subprocess.Popen(
            [sys.executable, os.path.join(REPO, "scripts", "train.py"),
             "--model=dcgan", "--dataset=fashion_mnist",
             f"--data_dir={idx_dir}", "--filters=8", "--latent_dim=16",
             f"--batch_size={16 if workers == 2 else 18}", f"--steps={STEPS}",
             "--steps_per_epoch=2",
             "--seed=0", "--fid_every_n_steps=0", "--strategy=multi_worker",
             "--keep_checkpoints=10", f"--out_dir={out_dir}", *extra],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True))
    return processes


def wait(processes, timeout=600):
    outputs = []
    try:
        for process in processes:
            outputs.append(process.communicate(timeout=timeout)[0])
    finally:
        for process in processes:
            process.kill()
    return [p.returncode for p in processes], outputs


def one_set_of_files(out_dir, kept=(), launches=1):
    """The shared folder holds what one process per launch writes:
    TensorBoard files of `launches` processes
    (events.out.tfevents.<time>.<host>.<pid>...), one row per step, one
    checkpoint per epoch."""
    events = glob.glob(os.path.join(out_dir, "logs", "**", "events*"),
                       recursive=True)
    assert events and len({os.path.basename(e).split(".")[5]
                           for e in events}) == launches, events
    with open(os.path.join(out_dir, "losses.csv")) as f:
        assert [int(r.split(",")[0]) for r in f.read().split()[1:]] == list(
            range(1, STEPS + 1))
    names = sorted(os.listdir(os.path.join(out_dir, "checkpoints")))
    assert names == ["checkpoint"] + sorted(
        f"ckpt-{s}.{ext}" for s in {*range(2, STEPS + 1, 2), *kept}
        for ext in ("data-00000-of-00001", "index"))
    assert not [n for n in os.listdir(out_dir) if n.startswith(".")]


def wait_for_checkpoint(out_dir, step, processes, limit=300):
    path = os.path.join(out_dir, "checkpoints", f"ckpt-{step}.index")
    start = time.time()
    while not os.path.exists(path):
        assert time.time() - start < limit, "no checkpoint in time"
        assert all(p.poll() is None for p in processes), "ended early"
        time.sleep(0.2)


def kill9_then_resume(idx_dir, out, workers, victim, extra=()):
    """kill -9 of worker `victim` once the run (started with `extra`) has
    its next checkpoint; the others stop with the lost-worker line; then
    every worker again with --resume finishes the run."""
    processes = launch(idx_dir, out, workers, extra=extra)
    found = [int(os.path.basename(p)[5:-6]) for p in glob.glob(
        os.path.join(out, "checkpoints", "ckpt-*.index"))]
    wait_for_checkpoint(out, max(found, default=0) // 2 * 2 + 2, processes)
    processes[victim].send_signal(signal.SIGKILL)
    codes, outputs = wait(processes, timeout=300)
    assert codes[victim] == -signal.SIGKILL
    assert codes[0] == 2, outputs[0][-4000:]
    errors = [line for line in outputs[0].splitlines()
              if line.startswith("error:")]
    assert len(errors) == 1 and f"lost worker {victim}" in errors[0], (
        outputs[0][-3000:])
    assert "--resume" in errors[0]
    codes, outputs = wait(launch(idx_dir, out, workers, extra=["--resume"]))
    assert codes == [0] * workers, outputs[-1][-4000:]


def training_state(checkpoint):
    """{name: value} of a checkpoint's model and random states."""
    reader = tf.train.load_checkpoint(checkpoint)
    return {name: reader.get_tensor(name)
            for name in reader.get_variable_to_shape_map()
            if name.startswith(("model/", "seed_states/"))}


def assert_same_run(straight, resumed):
    """Bit for bit: the per-step losses, every checkpoint of the straight
    run (weights, optimizer slots, random states) and the final weights."""
    with open(os.path.join(straight, "losses.csv")) as f, \
            open(os.path.join(resumed, "losses.csv")) as g:
        assert f.read() == g.read()
    for path in glob.glob(os.path.join(straight, "checkpoints", "*.index")):
        name = os.path.basename(path)[:-len(".index")]
        a = training_state(path[:-len(".index")])
        b = training_state(os.path.join(resumed, "checkpoints", name))
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=name + key)
    a, b = (keras.models.load_model(os.path.join(run, "model.keras"))
            for run in (straight, resumed))
    assert int(a.step_counter) == int(b.step_counter) == STEPS
    for x, y in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(x.numpy(), y.numpy(), err_msg=x.path)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """workers -> (folder, run folder, worker folders in the temporary
    directory before it) of one uninterrupted launch of STEPS steps with an
    export, made once per cluster size: the run the interrupted ones must
    equal."""
    runs = {}

    def of(workers):
        if workers not in runs:
            root = tmp_path_factory.mktemp(f"uninterrupted{workers}")
            before = set(glob.glob(os.path.join(tempfile.gettempdir(),
                                                "tfgan-worker-*")))
            out = str(root / "run")
            codes, outputs = wait(launch(
                write_idx(root), out, workers,
                extra=[f"--export={root / 'saved_models' / 'dcgan'}"]))
            assert codes == [0] * workers, outputs[-1][-4000:]
            runs[workers] = root, out, before
        return runs[workers]
    return of


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_share_one_run_folder_and_only_the_chief_writes(
        uninterrupted, workers):
    root, out, before = uninterrupted(workers)
    one_set_of_files(out)
    assert sorted(os.listdir(out)) == [
        "checkpoints", "config.json", "export.json", "health.json",
        "history.csv", "logs", "losses.csv", "losses.png", "model.keras",
        "samples"]
    model = keras.models.load_model(os.path.join(out, "model.keras"))
    assert int(model.step_counter) == STEPS
    assert os.listdir(root / "saved_models" / "dcgan") == ["1"]
    # The other workers' saves went to folders of their own, now removed.
    assert set(glob.glob(os.path.join(tempfile.gettempdir(),
                                      "tfgan-worker-*"))) <= before


def test_sigterm_then_kill9_then_resume_ends_as_an_uninterrupted_run(
        tmp_path, idx_dir, uninterrupted):
    out = str(tmp_path / "run")

    # A preempted cluster: SIGTERM to every worker (mid-epoch: the step
    # after the first checkpoint).
    processes = launch(idx_dir, out)
    wait_for_checkpoint(out, 2, processes)
    for p in processes:
        p.send_signal(signal.SIGTERM)
    codes, outputs = wait(processes)
    assert codes == [143, 143], outputs[0][-4000:]
    assert "SIGTERM: stopped after step" in outputs[0]
    stopped = int(outputs[0].split("stopped after step ")[1].split(",")[0])
    assert os.path.exists(os.path.join(out, "checkpoints",
                                       f"ckpt-{stopped}.index"))

    # Resumed, then a worker lost: kill -9 of worker 1; worker 0 stops with
    # one line; every worker again with --resume ends the run as the
    # uninterrupted one, with one set of files.
    kill9_then_resume(idx_dir, out, 2, victim=1, extra=["--resume"])
    one_set_of_files(out, kept=[stopped], launches=3)
    assert_same_run(uninterrupted(2)[1], out)


def test_kill9_of_one_of_three_workers_then_resume_ends_as_uninterrupted(
        tmp_path, idx_dir, uninterrupted):
    out = str(tmp_path / "run")
    kill9_then_resume(idx_dir, out, 3, victim=2)
    one_set_of_files(out, launches=2)
    assert_same_run(uninterrupted(3)[1], out)
