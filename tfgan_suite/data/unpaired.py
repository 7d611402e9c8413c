"""Unpaired images of two domains, for CycleGAN (Zhu et al. 2017).

A source of this kind yields (a, b): an image of domain A and one of
domain B, drawn independently (`Source.domains`: the pipeline shuffles each
domain on its own, the smaller one repeated, so an epoch is the larger
domain, as in the reference code's `UnalignedDataset`). `unpaired` reads
the reference repository's layout, `data_dir/{trainA,trainB,testA,testB}/`
of image files of any size and mode; `fashion_edges_unpaired` builds two
domains from Fashion-MNIST with no download. With `labels=True` either
gives the images of both domains labelled 0 (A) and 1 (B): the data of
the domain classifier behind an unpaired dataset's domain FID.
"""

import os

import tensorflow as tf

from tfgan_suite.data import paired
from tfgan_suite.data.sources import (Source, channels_of, check_resize,
                                      from_arrays, image_decoder, list_images,
                                      report_resize, usable_images,
                                      zip_domains)

DOMAINS = ("A", "B")
DIRECTIONS = paired.DIRECTIONS
#: PIL modes of greyscale images (read as one channel when every image of
#: both domains has one of them).


def domain_pair(a, b, name, labels=False, direction="a_to_b"):
    """The unpaired `Source` of two single-image sources `a` and `b` (of
    one image shape), or with `labels` the labelled images of both.
    `direction="b_to_a"` swaps the domains."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction: expected one of {DIRECTIONS}, got "
                         f"{direction!r}")
    if direction == "b_to_a":
        a, b = b, a
    if tuple(a.data_shape) != tuple(b.data_shape):
        raise ValueError(f"{name}: domain A has images of shape "
                         f"{tuple(a.data_shape)} and domain B of "
                         f"{tuple(b.data_shape)}; expected one shape")
    if labels:
        ds = a.dataset.map(lambda x: (x, 0)).concatenate(
            b.dataset.map(lambda x: (x, 1)))
        return Source(ds, a.num_examples + b.num_examples, a.data_shape,
                      class_names=DOMAINS, name=name)
    return Source(zip_domains(a.dataset, b.dataset, a.num_examples,
                              b.num_examples),
                  max(a.num_examples, b.num_examples), a.data_shape,
                  name=name, domains=(a, b))


def domain_folders(data_dir, split):
    """The image paths of `data_dir/<split>A` and `<split>B`; a ValueError
    naming the folder that is missing (and the sub-folders found) or that
    holds no image."""
    if not os.path.isdir(data_dir):
        raise ValueError(f"data_dir: {data_dir} is not a directory")
    found = sorted(d for d in os.listdir(data_dir) if not d.startswith(".")
                   and os.path.isdir(os.path.join(data_dir, d)))
    folders = [os.path.join(data_dir, split + domain) for domain in DOMAINS]
    for folder in folders:
        if not os.path.isdir(folder):
            raise ValueError(
                f"{folder}: missing; expected the unpaired layout "
                f"{split}A/ and {split}B/ (and testA/, testB/) of image files "
                f"in {data_dir}, found "
                f"{', '.join(d + '/' for d in found) or 'no sub-folders'}")
    return [list_images(folder)[0] for folder in folders]


def unpaired(data_dir, split="train", image_size=None, channels=None,
             direction="a_to_b", labels=False, jittered=None, resize="stretch",
             skip_bad_files=False):
    """Images of domains A and B from the reference repository's layout:
    `data_dir/trainA/`, `trainB/`, `testA/`, `testB/` (e.g. horse2zebra).

    Args:
      data_dir: the folder holding `<split>A/` and `<split>B/`.
      split: "train" or "test" (any prefix of two such folders).
      image_size: every image is fitted to this size (a side, or (H, W))
        when it differs, by the policy `resize` ("stretch", "crop" or
        "pad", as `tgs.data.sources.folder`); None: the first image's size
        of domain A.
      channels: 1 (greyscale) or 3 (RGB, alpha dropped); None: 1 when every
        image of both domains is greyscale, else 3.
      direction: "a_to_b", or "b_to_a" to swap the domains.
      labels: the images of both domains labelled by domain (A 0, B 1),
        for the domain classifier.
      jittered: the pix2pix random jitter (resize by 286/256, random crop,
        mirror), each image on its own; default: for the train split.
      skip_bad_files: leave out the files of both domains that are not
        readable images (logged) rather than raise a ValueError naming
        them all.
    """
    check_resize(resize)
    paths_a, paths_b = domain_folders(data_dir, split)
    sizes = usable_images(paths_a + paths_b, os.path.join(data_dir, split),
                          skip_bad_files)
    paths_a = [p for p in paths_a if p in sizes]
    paths_b = [p for p in paths_b if p in sizes]
    for letter, paths in zip(DOMAINS, (paths_a, paths_b)):
        if not paths:
            raise ValueError(f"{os.path.join(data_dir, split + letter)}: no "
                             f"usable image left")
    if channels is None:
        channels = channels_of(paths_a + paths_b)
    if channels not in (1, 3):
        raise ValueError(f"channels: expected 1 or 3, got {channels!r}")
    size = paired.pair_size(image_size or sizes[paths_a[0]])
    report_resize(os.path.join(data_dir, split), list(sizes.values()), size,
                  resize)
    if jittered is None:
        jittered = split == "train"
    decode = image_decoder(size, channels, resize)

    def domain(paths, letter):
        ds = tf.data.Dataset.from_tensor_slices(paths).map(
            lambda p: tf.ensure_shape(decode(p), (*size, channels)),
            num_parallel_calls=tf.data.AUTOTUNE)
        return Source(ds, len(paths), (*size, channels),
                      name=os.path.join(data_dir, split + letter),
                      augment=paired.jitter_image(size) if jittered else None)

    return domain_pair(domain(paths_a, "A"), domain(paths_b, "B"),
                       name=os.path.join(data_dir, f"{split}{{A,B}}"),
                       labels=labels,
                       direction=direction)


def fashion_edges_unpaired(split="train", data_dir=None, classes=None,
                           image_size=32, threshold=0.2, labels=False,
                           jittered=None):
    """Two domains from Fashion-MNIST, `fashion_edges`' edge maps (A) and
    images (B), with no image in both: in the train split, A holds the
    edges of the first half of the images and B the second half's images.
    The test split holds the edges and images of all test images in one
    order, so a translation can also be scored against its true image
    (which training never saw paired). 32x32x1, no jitter by default (as
    `fashion_edges`).
    """
    images, edges = paired.fashion_edge_arrays(split, data_dir, classes,
                                               image_size, threshold)
    if split == "train":
        half = len(images) // 2
        edges, images = edges[:half], images[half:]
    shape = images.shape[1:3]
    domains = []
    for letter, arrays in zip(DOMAINS, (edges, images)):
        source = from_arrays(arrays, name=f"fashion_edges_unpaired/{split}"
                                          f"{letter}")
        if jittered:
            source.augment = paired.jitter_image(shape)
        domains.append(source)
    return domain_pair(*domains, name=f"fashion_edges_unpaired/{split}",
                       labels=labels)

