"""The command-line programs: `scripts/<name>.py` in a checkout, and the
console scripts `tfgan-train`, `tfgan-generate`, `tfgan-evaluate`,
`tfgan-export` and `tfgan-serve-client` of the installed package. Each
module defines its absl flags and `main(argv)`; `run()` starts it.

Importing this package (before TensorFlow loads) filters from the process'
standard error the start-up lines TensorFlow's C++ runtime prints on every
machine without a GPU (no CUDA driver, CPU feature notes): they are not
the user's concern. Everything else passes through unchanged; set
TFGAN_VERBOSE_STDERR=1 to see all of it.
"""

import atexit
import os
import re
import sys
import threading

#: Start-up lines of TensorFlow's runtime that say nothing to a user.
NOISE = re.compile(
    r"All log messages before absl::InitializeLog|cudart_stub|cuda_dnn|"
    r"cuda_fft|cuda_blas|Unable to register cu|cpu_feature_guard|"
    r"oneDNN custom operations|TF-TRT Warning|computation placer|"
    r"failed call to cuInit|This TensorFlow binary is optimized|"
    r"rebuild TensorFlow with the appropriate compiler flags|"
    r"Sharding callback duration")


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


if not os.environ.get("TFGAN_VERBOSE_STDERR") and "tensorflow" not in sys.modules:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    _filter_stderr()
