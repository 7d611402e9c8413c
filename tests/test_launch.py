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
            "cached. In order to avoid unexpected truncation"):
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
        "import tfgan_suite.commands.train\n"
        "assert os.fstat(2).st_ino == before, 'fd 2 rerouted'\n"
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
