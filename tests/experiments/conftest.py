"""The experiments of benchmarks/reproduce.py on a small Fashion-MNIST
stand-in: a few steps each, to test their code paths (the full runs are
what benchmarks/reproduce.py does)."""

import contextlib
import os
import sys

import numpy as np
import pytest
from absl import flags
from absl.testing import flagsaver

from tests.conftest import REPO, pattern_images
from tfgan_suite.data import idx

sys.path.insert(0, os.path.join(REPO, "benchmarks"))

from experiments import EXPERIMENTS, common  # noqa: E402,F401

FLAGS = flags.FLAGS


@pytest.fixture(scope="session")
def fashion(tmp_path_factory):
    """{"data_dir", "classifier_path"}: Fashion-MNIST's IDX layout with 64
    images per class in train and 16 in test, and a domain classifier
    trained on them for one epoch."""
    from tfgan_suite import metrics
    root = tmp_path_factory.mktemp("fashion")
    for prefix, n in (("train", 640), ("t10k", 160)):
        idx.write_idx(str(root / f"{prefix}-images-idx3-ubyte.gz"),
                      pattern_images(n, 28, 28, 1)[..., 0])
        idx.write_idx(str(root / f"{prefix}-labels-idx1-ubyte.gz"),
                      np.arange(n) % 10)
    path = str(root / "classifier.keras")
    metrics.train_domain_classifier("fashion_mnist", str(root), path, epochs=1)
    return {"data_dir": str(root), "classifier_path": path}


@contextlib.contextmanager
def reproduce_flags(fashion, tmp_path, **values):
    """benchmarks/reproduce.py's flags set to `values` (runs and results
    in tmp_path, the small data, 32 samples per FID); yields the results
    folder."""
    if not FLAGS.is_parsed():
        FLAGS(["reproduce"])
    results = tmp_path / "results"
    common.UNFINISHED.clear()
    with flagsaver.flagsaver(runs=str(tmp_path / "runs"),
                             results=str(results), fid_num_images=32,
                             **fashion, **values):
        yield results
