"""The command-line programs: `scripts/<name>.py` in a checkout, and the
console scripts `tfgan-train`, `tfgan-generate`, `tfgan-evaluate`,
`tfgan-export` and `tfgan-serve-client` of the installed package. Each
module defines its absl flags and `main(argv)`; `run()` starts it.

Importing this package (before TensorFlow loads) filters from the process'
standard error the start-up lines TensorFlow's C++ runtime prints on every
machine without a GPU (no CUDA driver, CPU feature notes), and the
notes of its graph optimizer and tf.data that say nothing actionable
(grappler's `remapper failed`, the partial-cache warning of
`cache_dataset_ops`); TF-GAN's deprecation warnings (its metrics call
`tf.map_fn` with arguments TensorFlow deprecated) are dropped from
TensorFlow's logger, and Keras' note that `fit` ignores `shuffle` for a
`tf.data.Dataset` from Python's warnings. They are not the user's
concern. Everything else passes through unchanged; set
TFGAN_VERBOSE_STDERR=1 to see all of it.
"""

import atexit
import logging
import os
import re
import sys
import threading
import warnings

#: Start-up lines of TensorFlow's runtime that say nothing to a user.
NOISE = re.compile(
    r"All log messages before absl::InitializeLog|cudart_stub|cuda_dnn|"
    r"cuda_fft|cuda_blas|Unable to register cu|cpu_feature_guard|"
    r"oneDNN custom operations|TF-TRT Warning|computation placer|"
    r"failed call to cuInit|This TensorFlow binary is optimized|"
    r"rebuild TensorFlow with the appropriate compiler flags|"
    r"Sharding callback duration|meta_optimizer.cc.*remapper failed|"
    r"did not fully read the dataset being cached")
#: Records of TensorFlow's Python logger that say nothing to a user: the
#: deprecations TF-GAN's own code triggers.
TF_LOG_NOISE = re.compile(r"tensorflow_gan/.*is deprecated", re.S)
#: Python warnings that say nothing to a user, by message.
PY_WARNING_NOISE = (r"`shuffle=True` was passed",)


def _quiet_tf_log(record):
    """A `logging` filter: False for a record of `TF_LOG_NOISE`."""
    return not TF_LOG_NOISE.search(record.getMessage())


def _filter_stderr():
    """Routes file descriptor 2 through a thread that drops `NOISE` lines."""
    read_fd, write_fd = os.pipe()
    original = os.dup(2)
    sys.stderr.flush()
    os.dup2(write_fd, 2)
    os.close(write_fd)

    def pump():
        with os.fdopen(read_fd, "rb") as source:
            for line in source:
                if not NOISE.search(line.decode(errors="replace")):
                    os.write(original, line)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()

    def drain():
        sys.stderr.flush()
        os.dup2(original, 2)  # closes the pipe's last writer: pump ends.
        thread.join(timeout=5)

    atexit.register(drain)


if not os.environ.get("TFGAN_VERBOSE_STDERR"):
    logging.getLogger("tensorflow").addFilter(_quiet_tf_log)
    for _message in PY_WARNING_NOISE:
        warnings.filterwarnings("ignore", message=_message)
    if "tensorflow" not in sys.modules:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
        _filter_stderr()
