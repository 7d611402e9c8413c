"""tfgan-generate's checks of its flags, run in process: `main` of
tfgan_suite/commands/generate.py with the flags given, its errors in the
words of the flags (`cli.flag_message`), as the program prints them."""

import functools
import importlib.util
import os

import absl
import pytest
from absl import flags
from PIL import Image

import tfgan_suite as tgs
from tests.conftest import pattern_images
from tfgan_suite.commands import cli


@pytest.fixture
def generate(monkeypatch):
    """`run(*argv)`: the program's `main` with `argv` parsed, returning
    what it printed, or raising its error as the program tells it (a
    ValueError of `cli.flag_message`). The module is loaded afresh with
    flags of its own: the global absl FLAGS of a test process may hold
    flags of the same names (benchmarks/experiments: --seed)."""
    values = flags.FlagValues()
    own = type(flags)("flags")
    own.__dict__.update(vars(flags))
    for name in dir(flags):
        if name.startswith("DEFINE"):
            setattr(own, name, functools.partial(getattr(flags, name),
                                                 flag_values=values))
    own.FLAGS = values
    path = os.path.join(os.path.dirname(cli.__file__), "generate.py")
    spec = importlib.util.spec_from_file_location("generate_in_test", path)
    module = importlib.util.module_from_spec(spec)
    with monkeypatch.context() as patch:
        patch.setattr(absl, "flags", own)
        spec.loader.exec_module(module)

    def run(*argv):
        values.unparse_flags()
        values(["tfgan-generate", *argv])
        try:
            module.main([])
        except ValueError as e:
            raise ValueError(cli.flag_message(e, values,
                                              module.ALIASES)) from None
    return run


@pytest.fixture(scope="module")
def cyclegan():
    return tgs.models.CycleGAN(image_shape=(32, 32, 3), filters=4,
                               n_blocks=0, pool_size=2)


def test_a_translating_model_asked_to_generate_names_the_flags(
        generate, cyclegan, monkeypatch):
    monkeypatch.setattr(tgs.runs, "load", lambda path, model=None: cyclegan)
    for argv in (["--num=4"], ["--num=4", "--out=gen/"]):
        with pytest.raises(ValueError, match=(
                r"^--input: runs/cyc holds a CycleGAN, which translates "
                r"images and does not generate them from noise; give "
                r"--input=FILE_OR_FOLDER and --direction=a_to_b or b_to_a "
                r"\(--out: a .png file for a file, a folder for a folder\)$")):
            generate("--model_path=runs/cyc", *argv)


def test_input_folder_out_is_refused_when_not_empty_unless_overwrite(
        generate, cyclegan, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(tgs.runs, "load", lambda path, model=None: cyclegan)
    inputs = tmp_path / "in"
    inputs.mkdir()
    Image.fromarray(pattern_images(1, 32, 32, 3)[0]).save(inputs / "a.jpg")
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.png").write_bytes(b"earlier")
    given = ["--model_path=runs/cyc", f"--input={inputs}", f"--out={out}/"]
    with pytest.raises(ValueError, match=r"^--out: .*out/ exists and is not "
                                         r"empty; choose another folder, "
                                         r"empty it, or pass --overwrite$"):
        generate(*given)
    generate(*given, "--overwrite")
    assert os.listdir(out) == ["a.png"]
    assert capsys.readouterr().out.startswith("translated 1 image(s) into ")
    with pytest.raises(ValueError, match=r"^--out: expected a .png file path "
                                         r"for one input file"):
        generate(*given[:1], f"--input={inputs / 'a.jpg'}", f"--out={out}/")
