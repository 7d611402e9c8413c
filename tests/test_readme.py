"""The README's quick start runs as written (on two batches of the data)."""

import os
import re

import pytest

from tests.conftest import REPO
from tfgan_suite.data import sources


def quickstart():
    text = open(os.path.join(REPO, "README.md")).read()
    block = re.search(r"<!-- quickstart -->\s*```python\n(.*?)```", text, re.S)
    assert block, "README.md lost its quick start block"
    return block.group(1)


@pytest.mark.skipif(not os.path.isdir(sources.FASHION_MNIST_DIR),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_quickstart_runs(tmp_path, monkeypatch):
    import tfgan_suite as tgs
    load = tgs.data.load
    monkeypatch.setattr(tgs.data, "load",
                        lambda *a, **k: load(*a, **k).take(2))
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(quickstart(), "README.md", "exec"), scope)
    assert scope["images"].shape == (16, 28, 28, 1)
    assert os.path.isfile(tmp_path / "dcgan.keras")
    assert os.listdir(tmp_path / "samples")
    assert os.path.isfile(tmp_path / "saved_models" / "dcgan" / "1" /
                          "saved_model.pb")
