"""tfgan_launch: the commands start with TensorFlow's start-up noise
filtered from standard error (TFGAN_VERBOSE_STDERR=1 shows it), and
importing the package reroutes nothing."""

import logging
import os
import subprocess
import sys
import warnings

import pytest

import tfgan_launch
from tests.conftest import REPO


def test_optimizer_and_tf_data_notes_are_noise():
    for line in (
            "E0000 00:00:1795753050.601092   18290 meta_optimizer.cc:967] "
            "remapper failed: INVALID_ARGUMENT: Mutation::Apply error: fanout",
            "W0000 00:00:1795752982.825296   17757 cache_dataset_ops.cc:912] "
            "The calling iterator did not fully read the dataset being "
            "cached. In order to avoid unexpected truncation",
            "E0000 00:00:1796570070.054316   18761 node_def_util.cc:682] "
            "NodeDef mentions attribute use_unbounded_threadpool which is "
            "not in the op definition: Op<name=MapDataset; ..."):
        assert tfgan_launch.NOISE.search(line), line
    assert not tfgan_launch.NOISE.search(
        "error: data_dir: x is not a directory")


def test_tf_gan_deprecations_and_the_shuffle_note_are_noise():
    def record(message):
        return logging.LogRecord("tensorflow", logging.WARNING,
                                 "deprecation.py", 50, message, None, None)
    assert not tfgan_launch.quiet_tf_log(record(
        "From /venv/site-packages/tensorflow_gan/python/eval/classifier_"
        "metrics.py:1157: calling map_fn_v2 (from tensorflow.python.ops."
        "map_fn) with back_prop=False is deprecated and will be removed\n"
        "Instructions for updating:\nback_prop=False is deprecated."))
    assert tfgan_launch.quiet_tf_log(record("From my_code.py:3: calling x "
                                            "is deprecated"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        for message in tfgan_launch.PY_WARNING_NOISE:
            warnings.filterwarnings("ignore", message=message)
        warnings.warn("`shuffle=True` was passed, but will be ignored")
        warnings.warn("something else")
    assert [str(w.message) for w in caught] == ["something else"]


def _python(code, **env):
    environ = {k: v for k, v in os.environ.items()
               if k not in ("TF_CPP_MIN_LOG_LEVEL", "TFGAN_VERBOSE_STDERR")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, cwd=REPO, timeout=300,
                          env={**environ, "PYTHONPATH": REPO, **env})


def test_importing_the_package_leaves_stderr_alone():
    result = _python(
        "import os; before = os.fstat(2).st_ino\n"
        "import sys, tfgan_suite.commands.train\n"
        "assert os.fstat(2).st_ino == before, 'fd 2 rerouted'\n"
        # Slow imports only where used: a command starts faster.
        "slow = {'tensorflow_probability', 'scipy.stats'} & set(sys.modules)\n"
        "assert not slow, f'imported on start: {slow}'\n"
        "import logging, tfgan_launch\n"
        "assert tfgan_launch.quiet_tf_log not in "
        "logging.getLogger('tensorflow').filters")
    assert result.returncode == 0, result.stderr[-2000:]


def _noise(stderr):
    return {match.group() for match in map(tfgan_launch.NOISE.search,
                                           stderr.splitlines()) if match}


@pytest.fixture(scope="module")
def tf_noise():
    """What of `NOISE` importing TensorFlow writes to stderr here,
    unfiltered (e.g. "cpu_feature_guard")."""
    result = _python("import tensorflow")
    noise = sorted(_noise(result.stderr))
    if not noise:
        pytest.skip("TensorFlow prints no start-up noise on this machine")
    return noise


def test_a_command_shows_the_noise_when_verbose(tf_noise):
    # Filtered without TFGAN_VERBOSE_STDERR: tests/commands/test_cli.py.
    result = _python("import sys; sys.argv = ['tfgan-train', '--help']\n"
                     "import tfgan_launch; tfgan_launch.train()",
                     TFGAN_VERBOSE_STDERR="1")
    assert "--preset" in result.stdout, result.stderr[-2000:]
    assert _noise(result.stderr) == set(tf_noise), result.stderr[-2000:]


#: What an export and a multi-worker run whose other worker was lost
#: printed (as captured), the command's own lines last.
EXPORT_AND_MULTI_WORKER_NOISE = """\
I1206 03:43:51.299546 139787785100160 signature_serialization.py:156] Function `from_latent` contains input name(s) resource with unsupported characters which will be renamed to generator_1_to_image_1_reshape_readvariableop_resource in the SavedModel.
INFO:tensorflow:Assets written to: saved_models/dcgan/.1.jtle5xrv.tmp/assets
I1206 03:43:52.716432 139787785100160 builder_impl.py:838] Assets written to: saved_models/dcgan/.1.jtle5xrv.tmp/assets
I1206 03:43:52.717991 139787785100160 fingerprinting_utils.py:49] Writing fingerprint to saved_models/dcgan/.1.jtle5xrv.tmp/fingerprint.pb
INFO:tensorflow:Enabled multi-worker collective ops with available devices: ['/job:worker/replica:0/task:0/device:CPU:0', '/job:worker/replica:0/task:1/device:CPU:0']
I1206 03:47:38.277872 140376757685120 mirrored_strategy.py:423] Using MirroredStrategy with devices ('/job:worker/task:0/device:CPU:0',)
INFO:tensorflow:Check health not enabled.
INFO:tensorflow:MultiWorkerMirroredStrategy with cluster_spec = {'worker': ['127.0.0.1:54275', '127.0.0.1:52953']}, task_type = 'worker', task_id = 0, num_workers = 2
W0000 00:00:1796528860.206566   20075 dataset.cc:997] Input of GeneratorDatasetOp::Dataset will not be optimized because the dataset does not implement the AsGraphDefInternal() method needed to apply optimizations.
I1206 03:47:41.349263 140376757685120 cross_device_ops.py:1154] Collective all_reduce tensors: 1 all_reduces, num_devices = 1, group_size = 2, implementation = CommunicationImplementation.AUTO, num_packs = 1
WARNING:tensorflow:Using CollectiveAllReduceStrategy eagerly has significant overhead currently. We will be working on improving this in the future
E0000 00:00:1796528878.466441   20337 base_collective_executor.cc:252] BaseCollectiveExecutor::StartAbort UNAVAILABLE: Error reported from /job:worker/task:1: The following tasks are unhealthy (stopped sending heartbeats):
/job:worker/replica:0/task:1
The tasks have crashed. Check the task logs for an earlier error, or scheduler events (e.g. preemption, eviction) to debug further. [type.googleapis.com/tensorflow.CoordinationServiceError='']
E0000 00:00:1796528878.466529   20337 ring_alg.cc:291] Aborting RingReduce with UNAVAILABLE: Collective ops is aborted by: Error reported from /job:worker/task:1
The error could be from a previous operation. Restart your program to reset. [type.googleapis.com/tensorflow.DerivedStatus='']
W0000 00:00:1796528878.466784   20702 local_rendezvous.cc:412] Local rendezvous is aborting with status: UNAVAILABLE: Collective ops is aborted by: Error reported from /job:worker/task:1
Additional GRPC error information from remote target /job:worker/replica:0/task:1 while calling /tensorflow.WorkerService/RecvBuf:
:UNKNOWN:Error received from peer  {grpc_message:"recvmsg:Connection reset by peer", grpc_status:14}
\t [[{{function_node __inference_one_step_on_data_5104}}{{node CollectiveReduceV2_8}}]] [type.googleapis.com/tensorflow.DerivedStatus='']
I1206 03:43:58.466048 139787785100160 export.py:148] exported saved_models/dcgan/1
I1206 03:49:05.538305 139734489783168 runner.py:418] dcgan on fashion_mnist: 64 examples, batch 16, 8 steps (4 epochs of 2)
error: strategy: lost worker 1 (worker:1 of TF_CONFIG) at step 2 (Graph execution error:); last good checkpoint: run/checkpoints/ckpt-2; restart every worker with the same command and --resume
"""


def test_export_and_multi_worker_notes_are_noise():
    lines = EXPORT_AND_MULTI_WORKER_NOISE.splitlines(keepends=True)
    kept = [line for line in lines if not tfgan_launch.NOISE.search(line)]
    assert [line.split("]")[-1].split(":")[0].strip() for line in kept] == [
        "exported saved_models/dcgan/1",
        "dcgan on fashion_mnist", "error"], kept


def test_what_the_runtime_prints_while_the_process_ends_is_filtered():
    # Registered first, so it runs last at exit: as TensorFlow's runtime
    # prints while the interpreter ends (a cluster's shutdown).
    result = _python(
        "import atexit, os, sys\n"
        "atexit.register(os.write, 2, b'I0000 cpu_feature_guard.cc:227] "
        "noise\\nlate words\\n')\n"
        "import tfgan_launch; tfgan_launch.quiet_stderr()\n"
        "print('last line', file=sys.stderr)\n")
    assert result.returncode == 0
    assert result.stderr.splitlines() == ["last line", "late words"], (
        result.stderr)


def test_a_full_disk_under_tensorboard_is_the_commands_line_alone():
    said = """\
W0000 00:00:1796538661.287491   32641 op_kernel.cc:1858] OP_REQUIRES failed at summary_kernels.cc:65 : RESOURCE_EXHAUSTED: run/logs/train/events.out.tfevents.1796538661.vm.32641.0.v2; No space left on device
\tFailed to flush 1 events to run/logs/train/events.out.tfevents.1796538661.vm.32641.0.v2
\tFlushing first event.
\tCould not initialize events writer.
\tCould not flush events file.
error: run/logs/train/events.out.tfevents.1796538661.vm.32641.0.v2: No space left on device while training; no checkpoint yet (--resume starts it again)
"""
    kept = [line for line in said.splitlines()
            if not tfgan_launch.NOISE.search(line)]
    assert kept == said.splitlines()[-1:], kept
