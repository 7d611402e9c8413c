"""Datasets for GAN training: `tgs.data.load(name, ...)`."""

import hashlib
import inspect
import json
import os

from tfgan_suite.data import paired, pipeline, sources, toy, unpaired
from tfgan_suite.data.pipeline import (build, images_array, left_out, subset,
                                      to_float, to_uint8)
from tfgan_suite.data.sources import Source, from_arrays

#: Sources with "train" / "test" splits.
SPLIT_SOURCES = ("fashion_mnist", "cifar10", "folder", "facades", "pairs",
                 "synthetic_pairs", "fashion_edges", "unpaired",
                 "fashion_edges_unpaired")
#: Sources whose examples always have class labels (a folder has them
#: when it has class sub-folders).
LABELLED_SOURCES = ("fashion_mnist", "cifar10")
#: Sources of (input, target) image pairs.
PAIRED_SOURCES = ("facades", "pairs", "synthetic_pairs", "fashion_edges")
#: Sources of unpaired (a, b) images of two domains (CycleGAN).
UNPAIRED_SOURCES = ("unpaired", "fashion_edges_unpaired")
#: Source functions by name; each returns a `Source`.
SOURCES = {
    "fashion_mnist": sources.fashion_mnist,
    "cifar10": sources.cifar10,
    "folder": sources.folder,
    "facades": paired.facades,
    "pairs": paired.aligned,
    "synthetic_pairs": paired.synthetic_pairs,
    "fashion_edges": paired.fashion_edges,
    "unpaired": unpaired.unpaired,
    "fashion_edges_unpaired": unpaired.fashion_edges_unpaired,
    "ring": toy.ring,
    "grid": toy.grid,
    "gaussian_1d": toy.gaussian_1d,
}


#: Where a source reads its files when no data_dir is given.
DEFAULT_DIRS = {"fashion_mnist": sources.FASHION_MNIST_DIR}


def effective_options(name, options):
    """`options` of source `name` as they take effect: those left at None
    or given at the source's own default dropped, sequences as lists, so
    an option typed at its default and one left out are the same data."""
    fn = SOURCES.get(name)
    defaults = ({k: p.default for k, p in
                 inspect.signature(fn).parameters.items()} if fn else {})
    plain = lambda v: list(v) if isinstance(v, (list, tuple)) else v
    return {k: plain(v) for k, v in options.items()
            if v is not None and plain(v) != plain(defaults.get(k, object()))}


def fingerprint(name, data_dir=None, **options):
    """A short hash of a dataset's identity: the source, its effective
    options (`effective_options`) and the name, size and modification time
    of every file of its folder. Caches keyed by it (the domain
    classifier, the real FID statistics) are never reused for other
    data, and are found again whether an option was typed or left at its
    default."""
    digest = hashlib.sha256(json.dumps(
        [name, sorted((k, str(v)) for k, v in
                      effective_options(name, options).items())]).encode())
    folder = data_dir or DEFAULT_DIRS.get(name)
    if folder and os.path.isdir(folder):
        digest.update(os.path.abspath(folder).encode())
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            for n in sorted(names):
                stat = os.stat(os.path.join(root, n))
                digest.update(f"{os.path.relpath(os.path.join(root, n), folder)}"
                              f":{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:12]


def get_source(name, **kwargs):
    """Returns the `Source` `name`, passing on the keyword arguments it takes.

    Arguments left at None are ignored; one a source does not take is an error.
    """
    if name not in SOURCES:
        raise ValueError(f"dataset: expected one of {sorted(SOURCES)}, "
                         f"got {name!r}")
    fn = SOURCES[name]
    accepted = inspect.signature(fn).parameters
    given = {k: v for k, v in kwargs.items() if v is not None}
    for key in given:
        if key not in accepted:
            raise ValueError(f"{key}: not an option of the {name} dataset "
                             f"(it takes {', '.join(accepted)})")
    for key, p in accepted.items():
        if p.default is p.empty and key not in given:
            raise ValueError(f"{key}: the {name} dataset needs it (--{key} "
                             f"on the command line), and none was given")
    return fn(**given)


def load(name, split="train", batch_size=None, *, labels=False, classes=None,
         data_dir=None, image_size=None, channels=None, holdout=None,
         direction=None, resize=None, skip_bad_files=None, shuffle=None,
         repeat=False, seed=None):
    """Loads dataset `name` as float32 NHWC images in [-1, 1].

    Sources: `fashion_mnist` (tfds, else the Debian package's IDX files, or
    `data_dir`), `cifar10` (pickle batches in `data_dir`, or tfds;
    `classes=` by name or index), `folder` (every image below `data_dir`,
    `image_size`, `channels` 1 or 3 (default: read from the images); its
    "test" split is `test/` or a seeded `holdout` share, 0.1, and "train"
    the rest), the pairs `facades` and `pairs` (A|B images in
    `data_dir/{train,val,test}`, `direction` a_to_b / b_to_a) and
    `synthetic_pairs` (generated) and `fashion_edges` (edge maps of
    Fashion-MNIST -> the images), the unpaired `unpaired` (images of two
    domains in `data_dir/{trainA,trainB,testA,testB}`) and
    `fashion_edges_unpaired` (edge maps of one half of Fashion-MNIST, the
    images of the other), and the toy 2-D mixtures `ring` and `grid` (and
    `gaussian_1d`). Folders, pairs and unpaired images take `resize` (how
    images of another size are fitted: "stretch", "crop" or "pad") and
    `skip_bad_files` (leave out unreadable files, counted in the log,
    rather than raise a ValueError naming them all).

    Returns batches of images, or of (images, int32 labels) with
    `labels=True`, or of (input, target) images for the paired sources, or
    of (a, b) images for the unpaired ones.
    Shuffling defaults to on for the training split.

    Example:
        ds = tgs.data.load("cifar10", classes=["horse"], data_dir=d,
                           batch_size=64)
    """
    source = get_source(name, split=split if name in SPLIT_SOURCES else None,
                        labels=labels or None, classes=classes,
                        data_dir=data_dir, image_size=image_size,
                        channels=channels, holdout=holdout,
                        direction=direction, resize=resize,
                        skip_bad_files=skip_bad_files)
    if shuffle is None:
        shuffle = split == "train"
    return build(source, batch_size=batch_size, shuffle=shuffle,
                 repeat=repeat, seed=seed)


__all__ = ["DEFAULT_DIRS", "LABELLED_SOURCES", "PAIRED_SOURCES", "SOURCES",
           "Source", "UNPAIRED_SOURCES", "build",
           "fingerprint", "from_arrays", "get_source",
           "images_array", "left_out", "load",
           "paired", "pipeline", "sources", "subset", "to_float", "to_uint8",
           "toy", "unpaired"]
