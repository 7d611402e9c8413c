"""Data sources: each returns a `Source` holding an unbatched `tf.data.Dataset`
of uint8 images (H, W, C) -- or (image, int32 label) pairs -- and its metadata.

Normalisation, caching, shuffling and batching happen in one place,
`tfgan_suite.data.pipeline.build`.
"""

import dataclasses
import os
import pickle
from typing import Callable, Optional, Sequence

import numpy as np
import tensorflow as tf
from absl import logging

from tfgan_suite import files
from tfgan_suite.data import idx

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog",
                   "frog", "horse", "ship", "truck")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


@dataclasses.dataclass
class Source:
    """An unbatched dataset of uint8 images, (image, label) pairs or, for
    `paired` sources, (input image, target image) pairs; for `unpaired`
    ones, (a, b) images of two domains drawn independently (`domains`)."""

    dataset: tf.data.Dataset
    num_examples: int
    data_shape: tuple
    class_names: Optional[Sequence[str]] = None
    name: str = ""
    #: Elements are (input, target) image pairs (pix2pix).
    paired: bool = False
    #: Augmentation the pipeline applies by default (e.g. pix2pix jitter).
    augment: Optional[Callable] = None
    #: Unpaired (CycleGAN): the two domains' own sources of single images,
    #: which the pipeline shuffles (and augments) independently; `dataset`
    #: then zips them, the smaller one repeated, to `num_examples` (the
    #: larger's size, an epoch of the reference code).
    domains: Optional[tuple] = None

    @property
    def num_classes(self):
        return len(self.class_names) if self.class_names else None

    @property
    def unpaired(self):
        """Elements are (a, b) images of two domains, not pairs."""
        return self.domains is not None


def zip_domains(a, b, num_a, num_b):
    """(a, b) elements of two domain datasets of `num_a` and `num_b`
    elements: the smaller repeated, so the zip runs for the larger (and
    forever when both repeat)."""
    if num_a < num_b:
        a = a.repeat()
    elif num_b < num_a:
        b = b.repeat()
    return tf.data.Dataset.zip(a, b)


#: How an image of another size is fitted to a source's size: stretched
#: to it (its aspect ratio lost), scaled to cover it and cropped at the
#: centre, or scaled to fit inside it and padded with black.
RESIZE_POLICIES = ("stretch", "crop", "pad")


def check_resize(resize):
    """A ValueError unless `resize` is one of `RESIZE_POLICIES`."""
    if resize not in RESIZE_POLICIES:
        raise ValueError(f"resize: expected one of "
                         f"{', '.join(RESIZE_POLICIES)}, got {resize!r}")


def resize_uint8(image, size, antialias=False, resize="stretch"):
    """`image` (uint8) fitted to `size` (H, W) by the policy `resize`
    (`RESIZE_POLICIES`), rounded back to uint8."""
    height, width = size
    if resize == "stretch":
        image = tf.image.resize(image, size, antialias=antialias)
    elif resize == "pad":
        image = tf.image.resize_with_pad(image, height, width,
                                         antialias=antialias)
    else:  # crop: the smallest scale that covers the size.
        shape = tf.cast(tf.shape(image)[:2], tf.float32)
        scale = tf.reduce_max(tf.constant(size, tf.float32) / shape)
        image = tf.image.resize(image, tf.cast(tf.math.ceil(shape * scale),
                                               tf.int32), antialias=antialias)
        image = tf.image.resize_with_crop_or_pad(image, height, width)
    return tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)


#: The (folder, count, size, policy) reports `report_resize` has logged.
_REPORTED = set()


def report_resize(where, sizes, size, resize, log=logging.warning):
    """Logs (with `log`), in one line, how many of the images of `sizes`
    ((H, W) each) are not of `size` and the policy `resize` that fits
    them; once per process for one folder, size and policy (a command
    reads a folder for training, for its held-out images and for its
    classifier)."""
    others = sum(1 for s in sizes if tuple(s) != tuple(size))
    report = (where, others, len(sizes), tuple(size), resize)
    if others and report not in _REPORTED:
        _REPORTED.add(report)
        log(
            "%s: %d of %d images are not %dx%d; resize=%r fits them (%s)",
            where, others, len(sizes), size[1], size[0], resize,
            "the default; 'crop' and 'pad' keep their aspect ratio"
            if resize == "stretch" else "their aspect ratio kept")


def from_arrays(images, labels=None, class_names=None, name=""):
    """A `Source` over in-memory uint8 images (N, H, W, C) and optional labels."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.dtype != np.uint8:
        raise ValueError(f"{name or 'images'}: expected uint8 images, "
                         f"got {images.dtype}")
    if len(images) == 0:
        raise ValueError(f"{name or 'images'}: the dataset is empty")
    tensors = images if labels is None else (
        images, np.asarray(labels, dtype=np.int32))
    return Source(tf.data.Dataset.from_tensor_slices(tensors), len(images),
                  tuple(images.shape[1:]), class_names, name)


def images_and_labels(source):
    """(uint8 images, int labels or None) of an in-memory `Source`."""
    element = next(iter(source.dataset.batch(source.num_examples)))
    if isinstance(element, tuple):
        return element[0].numpy(), element[1].numpy()
    return element.numpy(), None


def _tfds_prepared(name, data_dir=None):
    """Whether tfds has `name` prepared (its dataset_info.json on disk), or
    tfds is already in use (e.g. mocked): tfds is probed only then, which
    keeps its import and its probing messages out of other runs."""
    import glob
    import sys
    if "tensorflow_datasets" in sys.modules:
        return True
    root = data_dir or os.environ.get("TFDS_DATA_DIR") or os.path.expanduser(
        "~/tensorflow_datasets")
    return bool(glob.glob(os.path.join(root, name, "*", "dataset_info.json")))


def _tfds_arrays(name, split, data_dir=None):
    """(images, labels) of a prepared tfds dataset, or None if not prepared."""
    if not _tfds_prepared(name, data_dir):
        return None
    import tensorflow_datasets as tfds  # slow import: only when needed.
    try:
        ds = tfds.load(name, split=split, data_dir=data_dir, download=False,
                       as_supervised=True)
    except (AssertionError, OSError, tfds.core.registered.DatasetNotFoundError):
        return None
    # One batch holding the whole split (batch_size=-1 aborts on tfds mocks).
    images, labels = next(iter(tfds.as_numpy(ds.batch(1 << 30))))
    logging.info("%s/%s: %d examples from tfds", name, split, len(images))
    return images, labels


def _idx_arrays(directory, prefix):
    """(images, labels) from `<prefix>-{images-idx3,labels-idx1}-ubyte[.gz]`."""
    image_path = idx.find_idx(directory, f"{prefix}-images-idx3-ubyte")
    if image_path is None:
        return None
    label_path = idx.find_idx(directory, f"{prefix}-labels-idx1-ubyte")
    if label_path is None:
        raise ValueError(f"{directory}: found {image_path} but no "
                         f"{prefix}-labels-idx1-ubyte[.gz] beside it")
    images, labels = idx.read_idx(image_path), idx.read_idx(label_path)
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(f"{image_path}: expected N x H x W images matching "
                         f"{len(labels)} labels, got shape {images.shape}")
    return images, labels


def fashion_mnist(split="train", data_dir=None, labels=False, classes=None):
    """Fashion-MNIST (Xiao et al. 2017): 28x28x1, 60 000 train / 10 000 test.

    `classes` keeps only the named (or indexed) classes, e.g. ["Sneaker"]:
    6 000 / 1 000 images each, the offline analogue of the seed paper's
    one-CIFAR-10-class runs.

    Looked up in this order: IDX files in `data_dir` (if given), tfds (in
    `data_dir`, or its default directory), the IDX files of the Debian package
    `dataset-fashion-mnist` in /usr/share/datasets/fashion-mnist.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split: fashion_mnist has 'train' and 'test', "
                         f"got {split!r}")
    prefix = "train" if split == "train" else "t10k"
    keep = _class_indices(classes, FASHION_MNIST_CLASSES) if classes else None
    if data_dir is not None and not os.path.isdir(data_dir):
        raise ValueError(f"data_dir: {data_dir} is not a directory")
    arrays = _idx_arrays(data_dir, prefix) if data_dir else None
    if arrays is None:
        arrays = _tfds_arrays("fashion_mnist", split, data_dir)
    if arrays is None and os.path.isdir(FASHION_MNIST_DIR):
        arrays = _idx_arrays(FASHION_MNIST_DIR, prefix)
    if arrays is None:
        raise ValueError(
            f"fashion_mnist: no data found in {data_dir or 'the tfds directory'} "
            f"or {FASHION_MNIST_DIR}; install it with "
            f"`apt-get install -y dataset-fashion-mnist` or pass data_dir= a "
            f"folder holding {prefix}-images-idx3-ubyte.gz")
    images, all_labels = _keep_classes(*arrays, keep,
                                       f"fashion_mnist/{split}")
    return from_arrays(images, all_labels if labels else None,
                       FASHION_MNIST_CLASSES, "fashion_mnist")


def _class_indices(classes, class_names):
    indices = []
    for c in classes:
        if isinstance(c, str) and c.strip().isdigit():
            c = int(c)
        if isinstance(c, (int, np.integer)) and 0 <= c < len(class_names):
            indices.append(int(c))
        elif isinstance(c, str) and c.strip() in class_names:
            indices.append(list(class_names).index(c.strip()))
        else:
            raise ValueError(f"classes: unknown class {c!r}; expected a name in "
                             f"{list(class_names)} or an index "
                             f"0..{len(class_names) - 1}")
    return indices


def _unpickle(path):
    try:
        with open(path, "rb") as f:
            return pickle.load(f, encoding="bytes")
    except Exception as e:  # pickle raises many types on bad bytes.
        raise ValueError(f"{path}: expected a CIFAR-10 python pickle batch "
                         f"({type(e).__name__}: {e})") from e


def _cifar_pickles(data_dir, split):
    """(images, labels) from the python version of CIFAR-10, or None."""
    for directory in (data_dir, os.path.join(data_dir, "cifar-10-batches-py")):
        names = ([f"data_batch_{i}" for i in range(1, 6)] if split == "train"
                 else ["test_batch"])
        paths = [os.path.join(directory, n) for n in names]
        present = [p for p in paths if os.path.isfile(p)]
        if not present:
            continue
        images, labels = [], []
        for path in present:
            batch = _unpickle(path)
            if not isinstance(batch, dict) or b"data" not in batch:
                raise ValueError(f"{path}: expected a dict with b'data' and "
                                 f"b'labels' (CIFAR-10 python format)")
            data = np.asarray(batch[b"data"], dtype=np.uint8)
            if data.ndim != 2 or data.shape[1] != 3072:
                raise ValueError(f"{path}: expected data of shape (N, 3072), "
                                 f"got {data.shape}")
            images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
            labels.append(np.asarray(batch[b"labels"], dtype=np.int32))
        logging.info("cifar10/%s: %d pickle batches from %s", split,
                     len(present), directory)
        return np.concatenate(images), np.concatenate(labels)
    return None


def cifar10(split="train", data_dir=None, labels=False, classes=None):
    """CIFAR-10 (32x32x3): the python pickle batches in `data_dir`, else tfds.

    `classes` keeps only the named (or indexed) classes, e.g. ["horse"], as
    the seed paper trains DCGAN and SAGAN one class at a time.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split: cifar10 has 'train' and 'test', got {split!r}")
    keep = _class_indices(classes, CIFAR10_CLASSES) if classes else None
    if data_dir is not None and not os.path.isdir(data_dir):
        raise ValueError(f"data_dir: {data_dir} is not a directory")
    arrays = _cifar_pickles(data_dir, split) if data_dir else None
    if arrays is None:
        arrays = _tfds_arrays("cifar10", split, data_dir)
    if arrays is None:
        where = (f"in {data_dir}" if data_dir else
                 "in a folder (pass data_dir=<folder>)")
        raise ValueError(
            f"cifar10: no data found; expected data_batch_1..5 / test_batch "
            f"(CIFAR-10 python version) {where} or a prepared tfds cifar10")
    images, all_labels = _keep_classes(*arrays, keep, f"cifar10/{split}")
    return from_arrays(images, all_labels if labels else None,
                       CIFAR10_CLASSES, "cifar10")


def _keep_classes(images, labels, keep, name):
    """The images (and labels) of the class indices `keep` (None: all)."""
    if keep is None:
        return images, labels
    mask = np.isin(labels, keep)
    if not mask.any():
        raise ValueError(f"{name}: no images of classes {list(keep)}")
    return images[mask], labels[mask]


def list_images(data_dir, labels=False, skip=()):
    """(paths, first-level sub-folder of each) of the files under
    `data_dir` but hidden ones, in sorted order, the sub-folders `skip`
    left out (`usable_images` checks them); a ValueError naming the folder
    that holds none."""
    if not os.path.isdir(data_dir):
        raise ValueError(f"data_dir: {data_dir} is not a directory")
    paths, class_of, hidden = [], [], 0
    for root, dirs, found in os.walk(data_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (
            root == data_dir and d in skip))
        for name in sorted(found):
            if name.startswith("."):
                hidden += 1
                continue
            paths.append(os.path.join(root, name))
            class_of.append(os.path.relpath(root, data_dir).split(os.sep)[0])
    if not paths:
        raise ValueError(f"{data_dir}: no images found (expected files ending "
                         f"in {', '.join(IMAGE_EXTENSIONS)}; found "
                         f"{f'{hidden} hidden file(s)' if hidden else 'no files'})")
    if labels and "." in class_of:
        raise ValueError(f"{data_dir}: labels=True needs one sub-folder per "
                         f"class; found images directly in the folder")
    return paths, class_of


def read_image(path):
    """(height, width) of the image file at `path`, decoded in full (a
    truncated file fails here, not in the middle of training); a
    ValueError saying why it is not a usable image."""
    if not path.lower().endswith(IMAGE_EXTENSIONS):
        raise ValueError(f"not an image; expected only files ending in "
                         f"{', '.join(IMAGE_EXTENSIONS)}")
    from PIL import Image
    try:
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            image.load()  # verify() skips the pixel data of a JPEG.
            return image.height, image.width
    except Exception as e:  # PIL raises many types on bad bytes.
        raise ValueError(f"not a readable image ({e or type(e).__name__})"
                         ) from e


#: Bad files an error names in its own text (the listing has them all).
BAD_FILES_SHOWN = 3


def usable_images(paths, where, skip_bad_files=False, check=read_image,
                  log=logging.warning):
    """{path: check(path)} of the `paths` that pass `check` (default: a
    readable image, by its (height, width)), read in one pass.

    Every file that fails is named at once: a ValueError (for `where`)
    with their count, the first few and a text file listing all of them
    with the reason of each; with `skip_bad_files` one line (logged
    with `log`) saying how many were left out (and that listing) instead.
    """
    good, bad = {}, []
    for path in paths:
        try:
            good[path] = check(path)
        except ValueError as e:
            bad.append((path, str(e)))
    if not bad:
        return good
    listing = bad_files_listing(where, bad)
    if not good:
        raise ValueError(f"{where}: none of the {len(paths)} files is a "
                         f"usable image, e.g. {bad[0][0]}: {bad[0][1]} (all "
                         f"listed in {listing})")
    if skip_bad_files:
        log("%s: skipped %d bad file(s) of %d, using the other %d (listed "
            "in %s)", where, len(bad), len(paths), len(good), listing)
        return good
    shown = "; ".join(f"{path}: {reason}"
                      for path, reason in bad[:BAD_FILES_SHOWN])
    more = (f"; and {len(bad) - BAD_FILES_SHOWN} more"
            if len(bad) > BAD_FILES_SHOWN else "")
    raise ValueError(f"{where}: {len(bad)} of {len(paths)} files are not "
                     f"usable images: {shown}{more}. All {len(bad)} are "
                     f"listed in {listing}; remove them, or pass "
                     f"skip_bad_files=True to use the other {len(good)}")


def bad_files_listing(where, bad):
    """Writes `bad` ([(path, reason)]), the unreadable files of the folder
    `where`, one a line, to the temporary folder, and returns the file:
    one per folder, replaced by each read of it (a run reads its folder
    for training, FID and its health values, each command again)."""
    import hashlib
    import tempfile
    digest = hashlib.sha256(os.path.abspath(where).encode()).hexdigest()
    path = os.path.join(tempfile.gettempdir(),
                        f"tfgan_bad_files_{digest[:12]}.txt")
    return files.write_text(path, "".join(f"{file}\t{reason}\n"
                                          for file, reason in bad))


#: The share of a folder's images held out (the test split) when it has
#: no test/ sub-folder.
HOLDOUT = 0.1
#: The seed of that pick: the same images for every command and run.
HOLDOUT_SEED = 0
#: PIL modes of single-channel images.
GRAYSCALE_MODES = ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "F")


def held_out(class_of, share, seed=HOLDOUT_SEED):
    """Which images a seeded pick holds out: `share` of each sub-folder's
    (at least one, at most all but one), as a boolean array."""
    class_of = np.asarray(class_of)
    held = np.zeros(len(class_of), bool)
    if not share:
        return held
    rng = np.random.default_rng(seed)
    for name in sorted(set(class_of)):
        members = np.flatnonzero(class_of == name)
        k = min(len(members) - 1, max(1, round(share * len(members))))
        held[rng.permutation(members)[:k]] = True
    return held


def _folder_splits(data_dir, labels, holdout):
    """{"train": (paths, classes), "test": (paths, classes)} of an image
    folder: test/ and train/ (else all but test/) when it has a test/
    sub-folder, else a seeded pick of `holdout` of each sub-folder's
    images and the rest."""
    test_dir = os.path.join(data_dir, "test")
    if os.path.isdir(test_dir):
        train_dir = os.path.join(data_dir, "train")
        train = (list_images(train_dir, labels) if os.path.isdir(train_dir)
                 else list_images(data_dir, labels, skip=("test",)))
        return {"train": train, "test": list_images(test_dir, labels)}
    paths, class_of = list_images(data_dir, labels)
    held = held_out(class_of, holdout)
    return {split: ([p for p, h in zip(paths, held) if h == keep],
                    [c for c, h in zip(class_of, held) if h == keep])
            for split, keep in (("train", False), ("test", True))}


def channels_of(paths):
    """1 if every image is grayscale (by its PIL mode), else 3."""
    from PIL import Image
    for path in paths:
        with Image.open(path) as image:
            if image.mode not in GRAYSCALE_MODES:
                return 3
    return 1


def image_decoder(size, channels, resize="stretch"):
    """path -> uint8 image of `size` (H, W) and `channels` (1: grayscale,
    3: RGB, alpha dropped), fitted by the policy `resize` (with
    antialiasing) when it differs."""
    def decode(path):
        # Three channels first: TensorFlow's GIF and BMP decoders make no
        # grayscale.
        image = tf.io.decode_image(tf.io.read_file(path), channels=3,
                                   expand_animations=False)
        if channels == 1:  # ITU-R 601-2 luma, as PIL's convert("L").
            luma = tf.tensordot(tf.cast(image, tf.float32),
                                [0.299, 0.587, 0.114], 1)
            image = tf.cast(tf.round(luma)[..., None], tf.uint8)
        return resize_uint8(image, size, antialias=True, resize=resize)
    return decode


def folder(data_dir, image_size=None, channels=None, labels=False,
           split=None, holdout=HOLDOUT, resize="stretch",
           skip_bad_files=False):
    """Every PNG/JPEG/BMP/GIF under `data_dir`, fitted to `image_size`
    ((H, W), or one size for a square; default: the first image's).

    Args:
      channels: 1 (grayscale) or 3 (RGB); None: read from the images -- 1
        when every image is grayscale, else 3. RGBA images lose their
        alpha channel.
      labels: the first-level sub-folders are the classes (sorted; their
        names are the source's `class_names`).
      split: None for every image; "test" for the held-out images: those
        under `test/` when the folder has one (then "train" is `train/`,
        or all but `test/`), else a seeded pick of `holdout` of each
        sub-folder's images (the same pick for every run and command);
        "train" for the others.
      holdout: the share held out when there is no `test/`: 0 to 1 (0:
        none, "train" is every image).
      resize: how images of another size are fitted (`RESIZE_POLICIES`):
        "stretch", "crop" (centre) or "pad" (black); logged with their
        count.
      skip_bad_files: leave out the files that are not readable images
        (logged, with a listing of them) rather than raise a ValueError
        naming them. Every file is decoded once, up front.
    """
    if split not in (None, "train", "test"):
        raise ValueError(f"split: folder has 'train' and 'test', got "
                         f"{split!r}")
    if channels is not None and channels not in (1, 3):
        raise ValueError(f"channels: expected 1 (grayscale) or 3 (RGB), got "
                         f"{channels!r}")
    if not 0 <= float(holdout) < 1:
        raise ValueError(f"holdout: expected the share of the images held "
                         f"out, in [0, 1) (e.g. 0.1), got {holdout}")
    check_resize(resize)
    # Every split reads the whole folder: the test split's reader (FID,
    # the health monitor) does not repeat what the training split said.
    log = logging.debug if split == "test" else logging.warning
    splits = _folder_splits(data_dir, labels, float(holdout))
    sizes = usable_images([p for paths, _ in splits.values() for p in paths],
                          data_dir, skip_bad_files, log=log)
    splits = {name: tuple(map(list, zip(*[(p, c) for p, c in zip(*split_of)
                                          if p in sizes]))) or ([], [])
              for name, split_of in splits.items()}
    every = list(sizes)
    if split is None:
        paths = every
        class_of = [c for _, classes in splits.values() for c in classes]
    else:
        paths, class_of = splits[split]
    if not paths:
        raise ValueError(
            f"{data_dir}: no {split} images (holdout={holdout} and no "
            f"test/ sub-folder); pass a share such as holdout=0.1, or add "
            f"a test/ sub-folder")
    channels = channels or channels_of(every)
    size = tuple(int(s) for s in np.broadcast_to(
        image_size or sizes[every[0]], (2,)))
    report_resize(data_dir, list(sizes.values()), size, resize, log)
    decode = image_decoder(size, channels, resize)
    class_names = (sorted({c for _, classes in splits.values()
                           for c in classes}) if labels else None)
    ds = tf.data.Dataset.from_tensor_slices(paths)
    if labels:
        ids = np.array([class_names.index(c) for c in class_of], np.int32)
        ds = tf.data.Dataset.zip(ds, tf.data.Dataset.from_tensor_slices(ids))
        ds = ds.map(lambda p, y: (decode(p), y),
                    num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    return Source(ds, len(paths), size + (channels,), class_names, "folder")
