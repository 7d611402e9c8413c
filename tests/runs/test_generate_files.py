"""`tgs.runs.generate_files` and `tfgan-generate --out=DIR/`: a model's
samples as a folder of PNG files, the layout FID tools read."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO
from tests.tiny_models import tiny
from tfgan_suite import runs
from tfgan_suite.runs import loading

CLASSES = ["bag", "T-shirt/top", "shoe"]


def read(folder):
    return {os.path.relpath(os.path.join(root, n), folder):
            np.asarray(Image.open(os.path.join(root, n)))
            for root, _, names in os.walk(folder) for n in names}


def test_an_unconditional_model_writes_num_pngs(tmp_path):
    model = tiny("dcgan")
    out = str(tmp_path / "gen")
    assert runs.generate_files(model, out + "/", 5, seed=3,
                               verbose=False) == {"": 5}
    written = read(out)
    assert sorted(written) == [f"00000{i}.png" for i in range(5)]
    expected = model.generate_uint8(5, seed=3)[..., 0]
    for i in range(5):  # image i from seed + i, exactly as generate
        np.testing.assert_array_equal(written[f"00000{i}.png"], expected[i])


def test_a_conditional_model_writes_a_folder_per_class_name(tmp_path):
    model = tiny("cgan", class_names=CLASSES)
    out = str(tmp_path / "gen")
    counts = runs.generate_files(model, out, 7, verbose=False)
    assert counts == {"bag": 3, "T-shirt_top": 2, "shoe": 2}
    assert sorted(read(out)) == [
        "T-shirt_top/000001.png", "T-shirt_top/000004.png", "bag/000000.png",
        "bag/000003.png", "bag/000006.png", "shoe/000002.png",
        "shoe/000005.png"]
    only = str(tmp_path / "shoes")
    assert runs.generate_files(model, only, 4, labels="shoe",
                               verbose=False) == {"shoe": 4}
    np.testing.assert_array_equal(
        read(only)["shoe/000001.png"],
        model.generate_uint8(2, seed=0, labels=[2, 2])[1, ..., 0])


def test_a_non_empty_folder_is_refused_unless_overwritten(tmp_path):
    model = tiny("dcgan")
    out = tmp_path / "gen"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    with pytest.raises(ValueError, match="gen exists and is not empty"):
        runs.generate_files(model, str(out), 2, verbose=False)
    assert os.listdir(out) == ["mine.txt"]
    runs.generate_files(model, str(out), 2, overwrite=True, verbose=False)
    assert sorted(os.listdir(out)) == ["000000.png", "000001.png"]


def test_an_interrupted_call_leaves_no_folder(tmp_path, monkeypatch):
    model = tiny("dcgan")
    monkeypatch.setattr(loading, "GENERATE_BATCH", 2)
    calls = []

    def failing(n, seed=0, labels=None):
        calls.append(n)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return np.zeros((n, 28, 28, 1), np.uint8)

    monkeypatch.setattr(model, "generate_uint8", failing)
    with pytest.raises(KeyboardInterrupt):
        runs.generate_files(model, str(tmp_path / "gen"), 5, verbose=False)
    assert os.listdir(tmp_path) == []


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="num: expected a positive"):
        runs.generate_files(tiny("dcgan"), str(tmp_path / "g"), 0)
    with pytest.raises(ValueError, match="labels: DCGAN is not a conditional"):
        runs.generate_files(tiny("dcgan"), str(tmp_path / "g"), 2, labels=1)
    with pytest.raises(ValueError, match="labels: unknown class 'hat'"):
        runs.generate_files(tiny("cgan", class_names=CLASSES),
                            str(tmp_path / "g"), 2, labels="hat")
    assert not (tmp_path / "g").exists()


def test_the_command_writes_a_folder_with_a_progress_bar(tmp_path):
    path = str(tmp_path / "cgan.keras")
    model = tiny("cgan", class_names=CLASSES)
    model.compile()
    model.save(path)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    command = [sys.executable, os.path.join(REPO, "scripts", "generate.py"),
               f"--model_path={path}", "--num=4", "--label=bag"]
    result = subprocess.run([*command, f"--out={tmp_path / 'gen'}/"],
                            capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(os.listdir(tmp_path / "gen" / "bag")) == [
        f"00000{i}.png" for i in range(4)]
    assert "4/4" in result.stdout  # keras.utils.Progbar
    assert "wrote 4 images to" in result.stdout
    again = subprocess.run([*command, f"--out={tmp_path / 'gen'}",
                            f"--label=hat"], capture_output=True, text=True,
                           env=env, cwd=tmp_path, timeout=300)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines()[-1].endswith(
        "exists and is not empty; choose another folder, empty it, or pass "
        "--overwrite")
