"""Paired images for image-to-image translation (pix2pix).

Sources return (input, target) uint8 pairs. `aligned` reads the pix2pix
layout: `data_dir/{train,val,test}/*.jpg`, each image the two halves A|B side
by side; `facades` is that layout with the facades convention (B, the label
map, is the input; A, the photo, the target). `synthetic_pairs` draws
label-like block maps and renders them, so pix2pix can be shown and tested
with no download. Training splits carry `jitter` (Isola et al. 2017, sec.
6.2): resize to 286 (for 256) nearest-neighbour, random crop back to 256,
random mirror, with the same crop and flip for both images of a pair.
"""

import os

import numpy as np
import tensorflow as tf

from tfgan_suite.data.sources import (IMAGE_EXTENSIONS, Source, check_resize,
                                      read_image,
                                      report_resize, resize_uint8,
                                      usable_images)

#: The directions of pairs and of a model that translates both ways: A is
#: the input and B the target, or the reverse. Each is also the name of
#: that direction's serving signature.
DIRECTIONS = ("a_to_b", "b_to_a")
#: Where the facades archive is (Isola et al.'s pix2pix datasets).
FACADES_URL = ("http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/"
               "facades.tar.gz")


def jitter_image(size):
    """The pix2pix random jitter of one image of `size` (a side, or (H,
    W)), as a function image -> image: resize by 286/256
    (nearest-neighbour), random crop back, random mirror. CycleGAN's
    images get it each on its own."""
    height, width = pair_size(size)
    upscaled = (int(height * 286 / 256), int(width * 286 / 256))

    def apply(image):
        image = tf.image.resize(image, upscaled, method="nearest")
        image = tf.image.random_crop(image, (height, width, image.shape[-1]))
        return tf.image.random_flip_left_right(image)
    return apply


def jitter(size):
    """The pix2pix random jitter for pairs of `size` (a side, or (H, W)), as
    a function (input, target) -> (input, target) applying one crop and
    flip to both (`jitter_image` of the two stacked)."""
    jittered = jitter_image(size)

    def apply(image, target):
        stacked = jittered(tf.concat([image, target], axis=-1))
        channels = image.shape[-1]
        return stacked[..., :channels], stacked[..., channels:]
    return apply


def pair_size(image_size):
    """(H, W) of `image_size`: one side (a square), or (H, W)."""
    if isinstance(image_size, (list, tuple)):
        if len(image_size) != 2:
            raise ValueError(f"image_size: expected a size or H,W, got "
                             f"{image_size}")
        return int(image_size[0]), int(image_size[1])
    return int(image_size), int(image_size)


def read_pair(path):
    """(height, width) of one half of the A|B image at `path`, or a
    ValueError saying why it is not one."""
    height, width = read_image(path)
    if width != 2 * height:
        raise ValueError(f"expected an image twice as wide as high "
                         f"(input|target side by side), got {width}x{height}")
    return height, width // 2


def aligned(data_dir, split="train", direction="a_to_b", image_size=256,
            jittered=None, resize="stretch", skip_bad_files=False):
    """(input, target) pairs from a folder of A|B images.

    Args:
      data_dir: the folder holding `split/` (or the split folder itself).
      split: "train", "val" or "test" (any sub-folder name).
      direction: "a_to_b" (left half is the input) or "b_to_a".
      image_size: each half is fitted to this size (a side, or (H, W);
        bilinear) when it differs, by the policy `resize`: "stretch",
        "crop" or "pad" (as `tgs.data.sources.folder`).
      jittered: random jitter (default: for the train split only).
      skip_bad_files: leave out the files that are not readable A|B
        images (logged) rather than raise a ValueError naming them all.

    Grayscale images are converted to RGB and RGBA images lose their alpha
    channel.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction: expected one of {DIRECTIONS}, got "
                         f"{direction!r}")
    check_resize(resize)
    if not os.path.isdir(data_dir):
        raise ValueError(f"data_dir: {data_dir} is not a directory")
    folder = os.path.join(data_dir, split)
    if not os.path.isdir(folder):
        raise ValueError(f"{folder}: no {split!r} split (expected "
                         f"train/, val/, test/ sub-folders of A|B images)")
    paths = sorted(os.path.join(folder, name) for name in os.listdir(folder)
                   if not name.startswith("."))
    if not paths:
        raise ValueError(f"{folder}: no images found (expected A|B images "
                         f"ending in {', '.join(IMAGE_EXTENSIONS)})")
    sizes = usable_images(paths, folder, skip_bad_files, check=read_pair)
    paths = list(sizes)
    size = pair_size(image_size)
    report_resize(folder, list(sizes.values()), size, resize)

    def decode(path):
        image = tf.io.decode_image(tf.io.read_file(path), channels=3,
                                   expand_animations=False)
        half = tf.shape(image)[1] // 2
        a, b = image[:, :half], image[:, half:]
        a, b = (resize_uint8(x, size, resize=resize) for x in (a, b))
        a.set_shape((*size, 3))
        b.set_shape((*size, 3))
        return (a, b) if direction == "a_to_b" else (b, a)

    ds = tf.data.Dataset.from_tensor_slices(paths).map(
        decode, num_parallel_calls=tf.data.AUTOTUNE)
    if jittered is None:
        jittered = split == "train"
    return Source(ds, len(paths), (*size, 3), name=f"{folder}",
                  paired=True, augment=jitter(size) if jittered else None)


def facades(data_dir=None, split="train", direction="b_to_a", image_size=256,
            jittered=None, resize="stretch", skip_bad_files=False):
    """The pix2pix facades dataset (400 train, 100 val, 106 test): label
    maps (B) -> photos (A) by default."""
    if data_dir is None:
        raise ValueError(f"data_dir: facades needs the extracted "
                         f"{FACADES_URL} (a folder with train/ val/ test/); "
                         f"to try pix2pix offline, train on the pairs "
                         f"fashion_edges (Fashion-MNIST's edge maps -> its "
                         f"images) or synthetic_pairs as the dataset")
    return aligned(data_dir, split, direction, image_size, jittered,
                   resize, skip_bad_files)


#: Label colours of `synthetic_pairs` (facade-like classes).
_PALETTE = np.array([[0, 0, 170], [0, 85, 255], [170, 255, 85],
                     [255, 170, 0], [255, 0, 0], [85, 255, 170],
                     [170, 0, 0], [0, 170, 255]], np.uint8)


def synthetic_pairs(split="train", image_size=64, num_examples=None, seed=0,
                    jittered=None):
    """Label maps of random rectangles -> their renderings, as pairs.

    Each class has a colour in the label map and a texture (its own colour,
    stripe frequency and shading) in the rendering, so the mapping is local
    and learnable, like facades' labels -> photos. Sizes follow facades:
    400 train / 100 val / 106 test pairs unless `num_examples` is given.
    """
    splits = {"train": (400, 0), "val": (100, 1), "test": (106, 2)}
    if split not in splits:
        raise ValueError(f"split: expected one of {sorted(splits)}, got "
                         f"{split!r}")
    n, offset = splits[split]
    n = int(num_examples or n)
    size, width = pair_size(image_size)
    if size != width:
        raise ValueError(f"image_size: synthetic_pairs are square, got "
                         f"{image_size}")
    rng = np.random.default_rng([seed, offset])
    yy, xx = np.mgrid[0:size, 0:size] / size
    inputs = np.empty((n, size, size, 3), np.uint8)
    targets = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        labels = np.zeros((size, size), np.int64)
        for _ in range(rng.integers(4, 10)):
            y0, x0 = rng.integers(0, size - 4, 2)
            h, w = rng.integers(4, size // 2, 2)
            labels[y0:y0 + h, x0:x0 + w] = rng.integers(1, len(_PALETTE))
        inputs[i] = _PALETTE[labels]
        stripes = 0.5 + 0.5 * np.sin(2 * np.pi * (labels + 1) * 2 * xx
                                     + np.pi * labels * yy)
        shade = 0.6 + 0.4 * stripes * (1 - 0.5 * yy)
        colour = _PALETTE[(labels * 3 + 1) % len(_PALETTE)].astype(np.float64)
        targets[i] = np.clip(colour * shade[..., None], 0, 255).astype(
            np.uint8)
    if jittered is None:
        jittered = split == "train"
    ds = tf.data.Dataset.from_tensor_slices((inputs, targets))
    return Source(ds, n, (size, size, 3), name="synthetic_pairs", paired=True,
                  augment=jitter(size) if jittered else None)


def fashion_edges(split="train", data_dir=None, classes=None, image_size=32,
                  threshold=0.2, jittered=None):
    """Edge maps of real Fashion-MNIST images -> the images, as pairs: the
    way edges2shoes was built from photos (Isola et al. 2017, sec. 4).

    Each 28x28 image is padded to `image_size` (32 by default; the U-Net
    and PatchGAN need 32 or more), its Sobel gradient magnitude, relative
    to the image's largest, is thresholded at `threshold`, and the edges
    are drawn black on white. One channel in, one channel out; no jitter
    by default (the pairs are aligned at pixel level).
    """
    images, edges = fashion_edge_arrays(split, data_dir, classes,
                                        image_size, threshold)
    size = images.shape[1]
    ds = tf.data.Dataset.from_tensor_slices((edges, images))
    if jittered is None:
        jittered = False
    return Source(ds, len(images), (size, size, 1), name="fashion_edges",
                  paired=True, augment=jitter(size) if jittered else None)


def fashion_edge_arrays(split="train", data_dir=None, classes=None,
                        image_size=32, threshold=0.2):
    """(images, edge maps) of Fashion-MNIST's `split`, uint8 (N, S, S, 1):
    the images padded to `image_size` S, and their thresholded Sobel edges
    drawn black on white (see `fashion_edges`)."""
    from tfgan_suite.data import sources
    images = sources.images_and_labels(
        sources.fashion_mnist(split, data_dir, classes=classes))[0]
    size, width = pair_size(image_size)
    if size != width or size < images.shape[1]:
        raise ValueError(f"image_size: fashion_edges are square and at least "
                         f"{images.shape[1]}, got {image_size}")
    pad = (size - images.shape[1]) // 2
    images = np.pad(images, [(0, 0), (pad, size - images.shape[1] - pad),
                             (pad, size - images.shape[2] - pad), (0, 0)])
    edges = np.empty_like(images)
    for start in range(0, len(images), 5000):
        x = tf.constant(images[start:start + 5000], tf.float32) / 255.0
        gradient = tf.norm(tf.image.sobel_edges(x), axis=-1)
        peak = tf.reduce_max(gradient, axis=(1, 2, 3), keepdims=True)
        line = gradient > threshold * tf.maximum(peak, 1e-6)
        edges[start:start + 5000] = np.where(line.numpy(), 0, 255)
    return images, edges
