"""`tgs.runs.write_interpolation` and `tfgan-generate --interpolate`."""

import os
import subprocess
import sys

import pytest
from PIL import Image

from tests.conftest import REPO
from tests.tiny_models import tiny
from tfgan_suite import runs


def test_a_walk_is_a_grid_and_a_gif_of_the_frames(tmp_path):
    out = str(tmp_path / "walk.png")
    png, gif = runs.write_interpolation(tiny("dcgan"), out, 0, 1, 6, scale=1)
    assert (png, gif) == (out, str(tmp_path / "walk.gif"))
    grid = Image.open(png)
    assert grid.height == 28 + 4 and grid.width == 6 * 30 + 2  # one row.
    animation = Image.open(gif)
    assert animation.n_frames == 6 and animation.size == (28, 28)
    with pytest.raises(ValueError, match="out: expected a .png file name"):
        runs.write_interpolation(tiny("dcgan"), str(tmp_path / "w.gif"), 0, 1,
                                 3)
    assert sorted(os.listdir(tmp_path)) == ["walk.gif", "walk.png"]


def generate(tmp_path, *flags):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    return subprocess.run(
        [sys.executable, os.path.join(REPO, "scripts", "generate.py"),
         f"--model_path={tmp_path / 'cgan.keras'}", *flags],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


def test_the_command_walks_between_classes(tmp_path):
    model = tiny("cgan", class_names=["shoe", "bag", "coat"])
    model.compile()
    model.save(str(tmp_path / "cgan.keras"))
    done = generate(tmp_path, "--interpolate=3,3", "--frames=4",
                    "--label=shoe,coat", "--truncation=0.7", "--out=w.png")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "wrote a walk of 4 frames" in done.stdout
    assert Image.open(tmp_path / "w.gif").n_frames == 4


@pytest.mark.slow
@pytest.mark.parametrize("flags, message", [
    (["--interpolate=3"],
     "--interpolate: expected SEED_A,SEED_B (two integers), got 3"),
    (["--interpolate=1,2", "--frames=1"],
     "--frames: expected an integer >= 2, got 1"),
    (["--truncation=-1"], "--truncation: expected psi >= 0 (1: no "
                          "truncation), got -1.0"),
    (["--frames=3"], "--frames: applies to a latent walk; give "
                     "--interpolate=SEED_A,SEED_B")])
def test_bad_flags_are_one_line_naming_the_flag(tmp_path, flags, message):
    model = tiny("cgan", class_names=["shoe", "bag", "coat"])
    model.compile()
    model.save(str(tmp_path / "cgan.keras"))
    refused = generate(tmp_path, *flags, "--out=x.png")
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines()[-1].endswith(message), (
        refused.stderr[-2000:])
    assert not (tmp_path / "x.png").exists()
