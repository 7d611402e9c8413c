"""The notebooks in notebooks/ run, every cell, at tiny sizes.

Each notebook's first code cell reads `TFGAN_NOTEBOOK_TINY=1` and shrinks
its data, nets and steps; the rest of the notebook (training, export, the
SavedModel's signatures, the REST body) runs as a user runs it, in a
Jupyter kernel of this interpreter, in a folder of its own. The committed
notebooks carry no outputs.
"""

import glob
import json
import os
import sys

import pytest

from tests.conftest import REPO
from tfgan_suite.data import sources

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

NOTEBOOKS = sorted(glob.glob(os.path.join(REPO, "notebooks", "*.ipynb")))


def test_there_are_notebooks():
    assert [os.path.basename(p) for p in NOTEBOOKS] == [
        "dcgan_fashion_mnist.ipynb", "pix2pix.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path}: outputs stored; clear them before committing")


@pytest.mark.parametrize("page", ["README.md", "docs/README.md"])
def test_the_docs_link_every_notebook(page):
    with open(os.path.join(REPO, page)) as f:
        text = f.read()
    for path in NOTEBOOKS:
        assert f"notebooks/{os.path.basename(path)})" in text, (
            f"{page} does not link {os.path.relpath(path, REPO)}")


def this_interpreters_kernel(directory):
    """A Jupyter path holding kernel `python3` = this interpreter (the
    venv's), found before any user- or system-wide `python3` kernel."""
    spec = os.path.join(directory, "kernels", "python3")
    os.makedirs(spec)
    with open(os.path.join(spec, "kernel.json"), "w") as f:
        json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher",
                            "-f", "{connection_file}"],
                   "display_name": "Python 3", "language": "python"}, f)
    return directory


@pytest.mark.skipif(not os.path.isdir(sources.FASHION_MNIST_DIR),
                    reason="Debian package dataset-fashion-mnist not installed")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_notebook_runs_at_tiny_sizes(path, tmp_path, monkeypatch):
    monkeypatch.setenv("TFGAN_NOTEBOOK_TINY", "1")
    monkeypatch.setenv("JUPYTER_PATH",
                       this_interpreters_kernel(str(tmp_path / "jupyter")))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [REPO] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    work = tmp_path / "work"
    work.mkdir()
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(work)}}
                            ).execute()
    errors = [output for cell in notebook.cells
              for output in cell.get("outputs", [])
              if output.output_type == "error"]
    assert not errors
    # It wrote where it was run, and the export is a served version.
    assert glob.glob(str(work / "*" / "saved_models" / "*" / "1" /
                         "saved_model.pb"))
