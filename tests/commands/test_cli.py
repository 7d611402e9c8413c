"""Command-line flags: model flags derived from the constructors, values
as Python literals, and one subprocess run for the exit status and the
quiet stderr."""

import glob
import json
import os
import subprocess
import sys

import pytest
from absl import flags

from tests.conftest import REPO
from tfgan_suite import models
from tfgan_suite.commands import cli


@pytest.mark.parametrize("text, value", [
    ("64", 64), ("0.5", 0.5), ("None", None), ("auto", "auto"),
    ("28,28,1", (28, 28, 1)), ("true", True), ("batch", "batch")])
def test_values_are_python_literals(text, value):
    assert cli.parse_value(text) == value


def test_one_image_size_is_a_square():
    assert cli.image_size(["64"]) == [64, 64]
    assert cli.image_size(["64", "128"]) == [64, 128]
    with pytest.raises(ValueError, match="--image_size: expected a size"):
        cli.image_size(["a"])


def test_the_flag_table_is_what_the_models_declare(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cli.flag_table.cache_clear()
    try:
        assert not os.path.exists(cli.cache_path())
        table = cli.flag_table()  # read from the models, then cached
        assert table == json.loads(json.dumps(cli.model_flag_table()))
        with open(cli.cache_path()) as f:
            assert json.load(f) == table
    finally:
        cli.flag_table.cache_clear()


def test_a_changed_model_file_gets_a_new_flag_table(tmp_path, monkeypatch):
    copy = tmp_path / "models"
    copy.mkdir()
    for name in os.listdir(cli.MODELS_DIR):
        if name.endswith(".py"):
            (copy / name).write_text(
                open(os.path.join(cli.MODELS_DIR, name)).read())
    monkeypatch.setattr(cli, "MODELS_DIR", str(copy))
    before = cli.cache_path()
    (copy / "my_new_gan.py").write_text("# a new model file\n")
    assert cli.cache_path() != before


def test_flags_and_help_load_no_tensorflow():
    cli.flag_table.cache_clear()
    cli.flag_table()  # the cache a first command writes.
    code = ("import sys; sys.argv = ['train.py']; "
            "import tfgan_suite.commands.train; "
            "assert 'tensorflow' not in sys.modules, 'loaded TensorFlow'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO,
                   timeout=120)


def test_every_constructor_argument_is_a_flag_with_its_help():
    values = flags.FlagValues()
    cli.define_model_flags(cli.model_flag_table(), values)
    for cls in models.MODELS.values():
        for name in cls.init_args():
            if name not in cli.NOT_FLAGS:
                assert name in values, name
    assert "lambda = 100" in values["l1_lambda"].help
    assert "pix2pix: 100.0" in values["l1_lambda"].help


def test_bad_flag_value_is_one_line_and_exit_2_with_no_tf_noise(tmp_path):
    result = subprocess.run(
        [sys.executable, os.path.join(REPO, "scripts", "train.py"),
         "--batch_size=abc"], capture_output=True, text=True, cwd=tmp_path,
        timeout=300, env={k: v for k, v in os.environ.items()
                          if k != "TF_CPP_MIN_LOG_LEVEL"})
    assert result.returncode == 2, result.stderr
    assert "error: flag --batch_size=abc" in result.stderr
    assert "Traceback" not in result.stderr
    for noise in ("cudart_stub", "absl::InitializeLog", "cpu_feature_guard"):
        assert noise not in result.stderr


def test_console_script_help_lists_the_suite_flags_and_presets():
    program = os.path.join(os.path.dirname(sys.executable), "tfgan-train")
    if not os.path.isfile(program):
        pytest.skip("the package is not installed (pip install -e .)")
    result = subprocess.run([program, "--help"], capture_output=True,
                            text=True, timeout=120)
    # absl ends --help with status 1, its convention.
    assert "Traceback" not in result.stderr, result.stderr
    for text in ("--preset", "fashion_mnist_dcgan", "--l1_lambda",
                 "--augment", "--model_args"):
        assert text in result.stdout, text


def test_optimizer_and_tf_data_notes_and_tf_gan_deprecations_are_filtered():
    import logging
    import warnings

    import tfgan_suite.commands as commands
    for line in (
            "E0000 00:00:1795753050.601092   18290 meta_optimizer.cc:967] "
            "remapper failed: INVALID_ARGUMENT: Mutation::Apply error: fanout",
            "W0000 00:00:1795752982.825296   17757 cache_dataset_ops.cc:912] "
            "The calling iterator did not fully read the dataset being "
            "cached. In order to avoid unexpected truncation"):
        assert commands.NOISE.search(line), line
    assert not commands.NOISE.search("error: data_dir: x is not a directory")

    def record(message):
        return logging.LogRecord("tensorflow", logging.WARNING, "deprecation.py",
                                 50, message, None, None)
    assert not commands._quiet_tf_log(record(
        "From /venv/site-packages/tensorflow_gan/python/eval/classifier_"
        "metrics.py:1157: calling map_fn_v2 (from tensorflow.python.ops."
        "map_fn) with back_prop=False is deprecated and will be removed\n"
        "Instructions for updating:\nback_prop=False is deprecated."))
    assert commands._quiet_tf_log(record("From my_code.py:3: calling x is "
                                         "deprecated"))
    assert commands._quiet_tf_log in logging.getLogger("tensorflow").filters
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        for message in commands.PY_WARNING_NOISE:
            warnings.filterwarnings("ignore", message=message)
        warnings.warn("`shuffle=True` was passed, but will be ignored")
        warnings.warn("something else")
    assert [str(w.message) for w in caught] == ["something else"]


FLAGFILES = sorted(glob.glob(os.path.join(REPO, "benchmarks", "flagfiles",
                                          "*.flags")))


@pytest.mark.parametrize("path", FLAGFILES, ids=os.path.basename)
def test_each_seed_experiments_flag_file_is_a_run_configuration(path):
    from tfgan_suite import runs
    values = flags.FlagValues()
    cli.define_training_flags(values)
    values(["tfgan-train", f"--flagfile={path}", "--steps=7"])
    config = runs.make_config(values.preset, **cli.training_overrides(values))
    assert config["train"]["seed"] == 0 and values.out_dir.startswith("runs/")
    assert config["train"]["steps"] == 7  # a flag after the file wins
    if "--g_learning_rate" in open(path).read():
        assert config["compile"]["g_learning_rate"] > 0


def test_there_is_a_flag_file_per_seed_experiment():
    names = {os.path.basename(p)[:-6].split("_")[0] for p in FLAGFILES}
    assert {"fig8", "fig9", "fig10", "fig12", "toy", "cgan"} <= names


@pytest.mark.parametrize("name", ["train", "generate", "evaluate", "export"])
def test_help_starts_with_a_usage_line_and_examples(name):
    program = os.path.join(os.path.dirname(sys.executable), f"tfgan-{name}")
    if not os.path.isfile(program):
        pytest.skip("the package is not installed (pip install -e .)")
    result = subprocess.run([program, "--help"], capture_output=True,
                            text=True, timeout=120,
                            env=dict(os.environ, PYTHONPATH=REPO))
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"USAGE: tfgan-{name} [flags]"
    # The module's examples, in the words of the program that runs them.
    assert f"    tfgan-{name} --" in result.stdout
    assert "python scripts/" not in result.stdout.split("flags:")[0]
