"""Shared fixtures: tiny datasets written on the fly, tiny models."""

import os
import sys
import pickle

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Under pytest-xdist, TensorFlow's thread pools (in the workers and in the
# commands they start) are sized to each worker's share of the cores: pools
# sized to every core oversubscribe the machine, and a test could run
# several times slower while its neighbour trained.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    _THREADS = str(max(1, (os.cpu_count() or 1) // _WORKERS))
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", _THREADS)
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", _THREADS)

import numpy as np
import pytest
from PIL import Image

from tfgan_suite.data import idx
from tfgan_suite.training import runner

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """`@pytest.mark.slow_cases(ids)`: the test's parametrized cases whose
    id is in `ids` are `slow` (before `-m "not slow"` deselects)."""
    for item in items:
        marker = item.get_closest_marker("slow_cases")
        callspec = getattr(item, "callspec", None)
        if marker and callspec and callspec.id in marker.args[0]:
            item.add_marker(pytest.mark.slow)


def pattern_images(n, height, width, channels, seed=0):
    """Images with structure (a bright square at a random place) and noise."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 60, (n, height, width, channels), dtype=np.uint8)
    for image in images:
        y, x = rng.integers(0, height // 2), rng.integers(0, width // 2)
        image[y:y + height // 2, x:x + width // 2] = 220
    return images


def write_idx(directory):
    """Fashion-MNIST layout in `directory`: 64 train and 16 test images,
    gzip IDX (the same every time)."""
    for prefix, n in (("train", 64), ("t10k", 16)):
        idx.write_idx(str(directory / f"{prefix}-images-idx3-ubyte.gz"),
                      pattern_images(n, 28, 28, 1)[..., 0])
        idx.write_idx(str(directory / f"{prefix}-labels-idx1-ubyte.gz"),
                      np.arange(n) % 10)
    return str(directory)


@pytest.fixture
def ops_not_deterministic():
    """TensorFlow's ops not deterministic for the test, as it found them
    after: Keras compiles no XLA while they are (a seeded run earlier in
    the process may have left them so)."""
    before = runner.ops_determinism(False)
    yield
    runner.ops_determinism(before)


@pytest.fixture
def idx_dir(tmp_path):
    """Fashion-MNIST layout: 64 train and 16 test images, gzip IDX."""
    return write_idx(tmp_path)


def write_cifar(directory):
    """CIFAR-10 python layout: 5 train batches of 20 and a test batch of 10."""
    root = directory / "cifar-10-batches-py"
    root.mkdir()
    for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)]
                             + ["test_batch"]):
        n = 10 if name == "test_batch" else 20
        images = pattern_images(n, 32, 32, 3, seed=i)
        batch = {b"data": images.transpose(0, 3, 1, 2).reshape(n, 3072),
                 b"labels": [int(j % 10) for j in range(n)]}
        with open(root / name, "wb") as f:
            pickle.dump(batch, f)
    return str(directory)


@pytest.fixture
def cifar_dir(tmp_path):
    return write_cifar(tmp_path)


@pytest.fixture
def image_folder(tmp_path):
    """Two class sub-folders of PNG/JPEG images of mixed sizes and modes."""
    root = tmp_path / "images"
    for c, mode in (("cats", "RGB"), ("dogs", "L")):
        (root / c).mkdir(parents=True)
        for i in range(6):
            array = pattern_images(1, 40 + i, 36, 3 if mode == "RGB" else 1,
                                   seed=i)[0]
            image = Image.fromarray(array if mode == "RGB" else array[..., 0])
            image.save(root / c / f"{i}.{'png' if i % 2 else 'jpg'}")
    return str(root)


def write_gray_classes(directory, classes=("bag", "shirt", "shoe"), n=10,
                       size=16):
    """A labelled folder of grayscale PNGs: one sub-folder per class, `n`
    images each."""
    root = directory / "gray"
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i, array in enumerate(pattern_images(n, size, size, 1, seed=k)):
            Image.fromarray(array[..., 0]).save(root / name / f"{i}.png")
    return str(root)


def folder_config(folder, preset="fashion_mnist_dcgan", **overrides):
    """A run config of `preset` on an image folder, tiny and short."""
    from tfgan_suite import runs
    settings = dict(dataset="folder", data_dir=folder, batch_size=8,
                    steps=2, steps_per_epoch=1, verbose=0,
                    fid_every_n_steps=0,
                    model_args={"filters": 4, "latent_dim": 8})
    return runs.make_config(preset, **{**settings, **overrides})


@pytest.fixture
def gray_folder(tmp_path):
    """Three classes (bag, shirt, shoe) of ten 16x16 grayscale PNGs."""
    return write_gray_classes(tmp_path)


@pytest.fixture
def tiny_dcgan():
    """A compiled 28x28 DCGAN small enough for a few CPU steps per test."""
    from tests import tiny_models
    gan = tiny_models.tiny("dcgan", seed=1)
    gan.compile()
    return gan


@pytest.fixture
def tiny_dataset():
    from tfgan_suite import data
    source = data.from_arrays(pattern_images(64, 28, 28, 1), name="tiny")
    return data.build(source, batch_size=16, seed=0)


def write_pairs(directory, size=64, counts=(("train", 8), ("val", 2),
                                            ("test", 4))):
    """pix2pix layout: split folders of A|B JPEGs, B = the colour negative
    of A (a mapping the U-Net can learn in a few steps)."""
    root = directory / "pairs"
    for split, n in counts:
        (root / split).mkdir(parents=True)
        for i, a in enumerate(pattern_images(n, size, size, 3, seed=len(split))):
            pair = np.concatenate([a, 255 - a], axis=1)
            Image.fromarray(pair).save(root / split / f"{i}.jpg", quality=95)
    return str(root)


@pytest.fixture
def pairs_dir(tmp_path):
    return write_pairs(tmp_path)


def user_modules(tmp_path, monkeypatch, **sources):
    """Modules of a user's own ({name: source}) in their own folder, on
    sys.path as PYTHONPATH would put them; yields the folder, then forgets
    the modules (a generator for a fixture: `yield from`)."""
    folder = tmp_path / "code"
    folder.mkdir()
    for name, source in sources.items():
        (folder / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(folder))
    yield str(folder)
    for name in sources:
        sys.modules.pop(name, None)


def forbid_writes_under(folders, setattr=setattr):
    """Makes every write below `folders` fail as on read-only storage
    (EROFS): a file opened for writing, a rename, a removal, a new folder
    or temporary file, and `os.access` say so (the tests run as root, whom
    chmod does not stop).
    `setattr`: how to patch (`monkeypatch.setattr` undoes it after a
    test)."""
    import builtins
    import errno
    import io
    import tempfile
    folders = tuple(os.path.abspath(folder) for folder in folders)

    def under(path):
        return os.path.abspath(os.fspath(path)).startswith(folders)

    def read_only(path):
        if under(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)

    def guard(owner, name, writes=lambda *a, **k: True):
        real = getattr(owner, name)

        def guarded(*args, **kwargs):
            if writes(*args, **kwargs):
                read_only(args[0] if args else kwargs.get("dir", ""))
            return real(*args, **kwargs)
        setattr(owner, name, guarded)

    for owner in (builtins, io):
        guard(owner, "open", lambda file, mode="r", *a, **k: isinstance(
            file, (str, os.PathLike)) and any(c in mode for c in "wax+"))
    for name in ("replace", "rename", "remove", "mkdir", "makedirs", "rmdir"):
        guard(os, name)
    guard(tempfile, "mkstemp")
    access = os.access  # on read-only storage, no one may write
    setattr(os, "access", lambda path, mode, *args, **kwargs: (
        not (mode & os.W_OK and under(path))
        and access(path, mode, *args, **kwargs)))
