"""Command-line flags: model flags derived from the constructors, values
as Python literals, and one subprocess run for the exit status and the
quiet stderr."""

import glob
import os
import subprocess
import sys

import pytest
from absl import flags

from tests.conftest import REPO
from tfgan_suite import data, losses, models
from tfgan_suite.commands import cli, model_flags
from tfgan_suite.errors import ArgumentError


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


def test_every_constructor_argument_is_a_flag_with_its_help():
    values = flags.FlagValues()
    cli.define_model_flags(values)
    for cls in models.MODELS.values():
        for name in cls.init_args():
            if name not in model_flags.NOT_FLAGS:
                assert name in values, name
    assert "lambda = 100" in values["l1_lambda"].help
    assert "pix2pix: 100.0" in values["l1_lambda"].help


def test_every_model_argument_has_its_help_in_the_table():
    missing = {f"{name}.{arg}" for name, cls in models.MODELS.items()
               for arg in cls.init_args()
               if arg not in model_flags.NOT_FLAGS
               and not model_flags.HELP.get(arg)}
    assert not missing, (f"model arguments without help: {sorted(missing)}; "
                         f"add each to HELP in "
                         f"tfgan_suite/commands/model_flags.py")
    unused = set(model_flags.HELP) - set(cli.model_defaults())
    assert not unused, f"model_flags.HELP of no model's argument: {unused}"


def test_dataset_and_loss_help_list_what_is_registered():
    values = flags.FlagValues()
    cli.define_training_flags(values)
    for name in data.SOURCES:
        assert name in values["dataset"].help, name
    for name in losses.LOSSES:
        assert name in values["loss"].help, name


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


FLAGFILES = sorted(glob.glob(os.path.join(REPO, "benchmarks", "flagfiles",
                                          "*.flags")))


@pytest.mark.parametrize("path", FLAGFILES, ids=os.path.basename)
def test_each_seed_experiments_flag_file_is_a_run_configuration(path):
    from tfgan_suite import runs
    values = flags.FlagValues()
    cli.define_training_flags(values)
    values(["tfgan-train", f"--flagfile={path}", "--steps=7"])
    config = runs.make_config(values.preset, **cli.training_overrides(values))
    assert config.train.seed == 0 and values.out_dir.startswith("runs/")
    assert config.train.steps == 7  # a flag after the file wins
    if "--g_learning_rate" in open(path).read():
        assert config.compile.g_learning_rate > 0


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


def program_flags(*argv):
    """A program's flags, as `cli.flag_message` reads them: --direction
    (enum), --resume (bool), --out_dir, --label; `argv` given."""
    values = flags.FlagValues()
    flags.DEFINE_enum("direction", None, ["a_to_b", "b_to_a"], "",
                      flag_values=values)
    flags.DEFINE_bool("resume", False, "", flag_values=values)
    flags.DEFINE_string("out_dir", "runs/x", "", flag_values=values)
    flags.DEFINE_list("label", None, "", flag_values=values)
    flags.DEFINE_string("log_dir", None, "", flag_values=values,
                        module_name="absl.logging")
    values(["program", *argv])
    return values


@pytest.mark.parametrize("error, message", [
    # The argument it is about, by its flag.
    (ArgumentError("direction", "Pix2Pix translates one way only, got 'x'"),
     "--direction: Pix2Pix translates one way only, got 'x'"),
    (ValueError("out_dir: runs/x is an existing file"),
     "--out_dir: runs/x is an existing file"),
    # Arguments it mentions, as flags; a bool flag without a value.
    (ValueError("out_dir: holds a run; pass resume=True to continue it"),
     "--out_dir: holds a run; pass --resume to continue it"),
    (ValueError("x: pass resume=False, out_dir=/tmp/a=b or steps=3"),
     "x: pass --noresume, --out_dir=/tmp/a=b or steps=3"),
    # No flag of that name (or absl's own): the library's words stay.
    (ValueError("steps: expected a positive integer"),
     "steps: expected a positive integer"),
    (ValueError("log_dir: not writable; log_dir=/x"),
     "log_dir: not writable; log_dir=/x"),
    (ValueError("/data/x.png: not a readable image"),
     "/data/x.png: not a readable image"),
])
def test_a_library_error_is_told_in_the_programs_flags(error, message):
    assert cli.flag_message(error, program_flags()) == message


def test_an_argument_of_another_name_is_told_by_its_flag_when_given():
    error = ArgumentError("labels", "expected classes 0..2, got [4]")
    aliases = {"labels": "label"}
    assert (cli.flag_message(error, program_flags("--label=4"), aliases)
            == "--label: expected classes 0..2, got [4]")
    # Not given: the labels came from elsewhere; the library's words stay.
    assert cli.flag_message(error, program_flags(), aliases) == str(error)
    # A mention is advice: in the flag's words.
    assert (cli.flag_message("x: pass labels=[1]", program_flags(), aliases)
            == "x: pass --label=[1]")


def test_no_library_message_names_a_flag():
    """Outside `commands/`, the messages of errors and log lines speak of
    arguments (`direction: ...`, `pass resume=True`): no `--flag` (but
    those of another program they quote: saved_model_cli)."""
    import ast
    import pathlib
    import re
    package = pathlib.Path(REPO) / "tfgan_suite"
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] == "commands":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            is_log = (isinstance(node, ast.Call) and isinstance(
                node.func, ast.Attribute) and getattr(
                node.func.value, "id", None) == "logging")
            if not (isinstance(node, ast.Raise) or is_log):
                continue
            for part in ast.walk(node):
                if (isinstance(part, ast.Constant)
                        and isinstance(part.value, str)
                        and re.search(r"(?<![\w-])--[a-z]", part.value)
                        and "saved_model_cli" not in part.value):
                    found.append(f"{path.relative_to(package)}:"
                                 f"{part.lineno}: {part.value!r}")
    assert not found, "\n".join(found)


def test_sigterm_stops_a_program_as_ctrl_c_and_leaves_nothing(tmp_path):
    """Outside training, SIGTERM raises where the program is: the
    temporary folder it was writing goes, and it says "interrupted"."""
    program = (
        "import os, signal, time\n"
        "from tfgan_suite import files\n"
        "from tfgan_suite.commands import cli\n"
        "def main(argv):\n"
        "    with files.atomic_path(os.environ['OUT']) as tmp:\n"
        "        os.makedirs(tmp)\n"
        "        open(os.path.join(tmp, 'a.png'), 'w').write('x')\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        time.sleep(60)\n"
        "cli.run(main)\n")
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True,
        timeout=120, env={**os.environ, "OUT": str(tmp_path / "out"),
                          "PYTHONPATH": REPO})
    assert result.returncode == 143, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "interrupted"
    assert os.listdir(tmp_path) == []
