"""Starts the command-line programs of tfgan_suite: the console scripts
`tfgan-train`, `tfgan-generate`, `tfgan-evaluate`, `tfgan-export` and
`tfgan-serve-client`, and `scripts/<name>.py` in a checkout. Each function
here filters standard error (`quiet_stderr`), then imports and runs its
program, `tfgan_suite.commands.<name>.run`.

The filter drops the start-up lines TensorFlow's C++ runtime prints on
every machine without a GPU (no CUDA driver, CPU feature notes), and the
notes of its graph optimizer and tf.data that say nothing actionable
(grappler's `remapper failed`, the partial-cache warning of
`cache_dataset_ops`), of the SavedModel writer (assets, fingerprint,
renamed inputs), and of tf.distribute's multi-worker strategy (its set-up,
per-step collective notes, and the abort every collective op repeats when
a worker is lost -- the command says which in one line) and of an
event file TensorBoard's writer cannot write (a full disk: the command
says so in one line too); TF-GAN's
deprecation warnings (its metrics call `tf.map_fn` with arguments
TensorFlow deprecated) are dropped from TensorFlow's logger, and Keras' note that `fit` ignores `shuffle` for a
`tf.data.Dataset` from Python's warnings. Everything else passes through
unchanged; set TFGAN_VERBOSE_STDERR=1 to see all of it.

This module lives beside the package, not in it, because importing
`tfgan_suite` loads TensorFlow, whose runtime prints its start-up lines
during that import: the filter has to be in place before.
"""

import atexit
import importlib
import logging
import os
import re
import select
import subprocess
import sys
import warnings

#: Start-up lines of TensorFlow's runtime that say nothing to a user.
NOISE = re.compile(
    r"All log messages before absl::InitializeLog|cudart_stub|cuda_dnn|"
    r"cuda_fft|cuda_blas|Unable to register cu|cpu_feature_guard|"
    r"oneDNN custom operations|TF-TRT Warning|computation placer|"
    r"failed call to cuInit|This TensorFlow binary is optimized|"
    r"rebuild TensorFlow with the appropriate compiler flags|"
    r"Sharding callback duration|meta_optimizer.cc.*remapper failed|"
    r"did not fully read the dataset being cached|"
    r"oneDNN supports DT_UINT8 only on platforms with AVX-512|"
    # tf.data's own graphs name an attribute its kernels do not know yet.
    r"NodeDef mentions attribute use_unbounded_threadpool|"
    # SavedModel export: notes on names and files the export itself reports.
    r"contains input name\(s\) .* with unsupported characters|"
    r"Assets written to: |Writing fingerprint to |"
    # tf.distribute's multi-worker set-up and per-step notes.
    r"Enabled multi-worker collective ops|Using MirroredStrategy with devices|"
    r"Check health not enabled|MultiWorkerMirroredStrategy with cluster_spec|"
    r"Collective all_reduce tensors: |"
    r"Using CollectiveAllReduceStrategy eagerly|"
    r"GeneratorDatasetOp::Dataset will not be optimized|"
    # A lost worker's abort, told again by every collective op in flight
    # (the command names the lost worker in one line of its own).
    r"BaseCollectiveExecutor::StartAbort|Aborting RingReduce|"
    r"Local rendezvous is aborting|^/job:worker/replica:\d+/task:\d+$|"
    r"^The tasks have crashed\. Check the task logs|"
    r"^The error could be from a previous operation|"
    r"^Additional GRPC error information from remote target|"
    r"^:UNKNOWN:Error received from peer|"
    r"^\t \[\[\{\{function_node .*\{\{node Collective|"
    # A TensorBoard event file that cannot be written (a full disk): the
    # runtime's note of the failed op and its writer's, the command says
    # it in one line of its own.
    r"OP_REQUIRES failed at summary_kernels\.cc|"
    r"^\t(Failed to flush \d+ events to |Flushing first event\.$|"
    r"Could not initialize events writer\.$|Could not flush events file\.$)")
#: Records of TensorFlow's Python logger that say nothing to a user: the
#: deprecations TF-GAN's own code triggers.
TF_LOG_NOISE = re.compile(r"tensorflow_gan/.*is deprecated", re.S)
#: Python warnings that say nothing to a user, by message.
PY_WARNING_NOISE = (r"`shuffle=True` was passed",)


def quiet_tf_log(record):
    """A `logging` filter: False for a record of `TF_LOG_NOISE`."""
    return not TF_LOG_NOISE.search(record.getMessage())


def quiet_stderr():
    """Filters `NOISE`, `TF_LOG_NOISE` and `PY_WARNING_NOISE` out of this
    process' standard error, unless TFGAN_VERBOSE_STDERR is set. Call it
    before TensorFlow is imported: the lines it prints then are only
    filtered if file descriptor 2 is rerouted before."""
    if os.environ.get("TFGAN_VERBOSE_STDERR"):
        return
    logging.getLogger("tensorflow").addFilter(quiet_tf_log)
    for message in PY_WARNING_NOISE:
        warnings.filterwarnings("ignore", message=message)
    if "tensorflow" not in sys.modules:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
        _filter_fd2()


#: The filter's program: its standard input to its standard output but
#: the lines that match the pattern it is given (argv[1]); on the line
#: argv[2] it writes a byte to the file descriptor argv[3] instead.
_FILTER = ("import os, re, sys\n"
           "noise = re.compile(sys.argv[1])\n"
           "mark, ack = sys.argv[2].encode() + b'\\n', int(sys.argv[3])\n"
           "out = sys.stdout.buffer\n"
           "for line in sys.stdin.buffer:\n"
           "    if line.endswith(mark):\n"
           "        out.write(line[:-len(mark)])\n"
           "        out.flush()\n"
           "        os.write(ack, b'.')\n"
           "    elif not noise.search(line.decode(errors='replace')):\n"
           "        out.write(line)\n"
           "        out.flush()\n")


def _filter_fd2():
    """Routes file descriptor 2 through a child process that drops `NOISE`
    lines. A process, not a thread: it outlives the interpreter, so what
    TensorFlow's runtime prints while this process ends (a cluster's
    workers losing each other at shutdown) is filtered too; it ends when
    this process, the pipe's last writer, has. At exit this process waits
    (up to 5 s) until the filter has passed on everything written before,
    so a command's last line comes before the shell's prompt. Its own
    session keeps a Ctrl-C meant for the command from ending it first."""
    read_fd, write_fd = os.pipe()
    ack_read, ack_write = os.pipe()
    mark = f"tfgan-launch-{os.getpid()}-drained"
    sys.stderr.flush()
    subprocess.Popen([sys.executable, "-S", "-c", _FILTER, NOISE.pattern,
                      mark, str(ack_write)], stdin=read_fd, stdout=2,
                     pass_fds=(ack_write,), start_new_session=True)
    os.close(read_fd)
    os.close(ack_write)
    os.dup2(write_fd, 2)
    os.close(write_fd)

    def drain():
        sys.stderr.flush()
        os.write(2, mark.encode() + b"\n")
        select.select([ack_read], [], [], 5)

    atexit.register(drain)


def _run(name):
    quiet_stderr()
    importlib.import_module(f"tfgan_suite.commands.{name}").run()


def train():
    """`tfgan-train`."""
    _run("train")


def generate():
    """`tfgan-generate`."""
    _run("generate")


def evaluate():
    """`tfgan-evaluate`."""
    _run("evaluate")


def export():
    """`tfgan-export`."""
    _run("export")


def serve_client():
    """`tfgan-serve-client`."""
    _run("serve_client")
