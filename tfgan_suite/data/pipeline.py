"""The one input pipeline: normalise -> cache -> shuffle -> (augment) ->
batch(drop_remainder) -> prefetch.

Augmentation runs after the cache so each epoch sees new random draws.
"""

import numpy as np
import tensorflow as tf

from tfgan_suite.data.sources import zip_domains


def to_float(images):
    """uint8 [0, 255] -> float32 [-1, 1] (the range of G's tanh output)."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def to_uint8(images):
    """float [-1, 1] -> uint8 [0, 255], rounded; the inverse of `to_float`.

    The exporter and the in-process Keras path both use this function, so a
    served image equals the Keras image byte for byte.
    """
    images = (tf.cast(images, tf.float32) + 1.0) * 127.5
    return tf.cast(tf.clip_by_value(tf.round(images), 0.0, 255.0), tf.uint8)


def _map_images(fn, paired=False):
    """Applies `fn` to the image of an element that may be (image, label);
    for `paired` sources `fn(input, target)` gets both images."""
    def apply(*element):
        if paired:
            return fn(*element)
        if len(element) == 1:
            return fn(element[0])
        return (fn(element[0]),) + tuple(element[1:])
    return apply


def _both(fn):
    return lambda a, b: (fn(a), fn(b))


def build(source, batch_size=None, shuffle=True, cache=True, augment=None,
          drop_remainder=True, repeat=False, seed=None):
    """Returns a float32 pipeline over `source` (a `Source`); uint8 images
    are scaled to [-1, 1].

    Args:
      source: `tfgan_suite.data.sources.Source`.
      batch_size: None for an unbatched dataset, else a positive integer no
        larger than the dataset (a larger one would yield no batch at all
        with `drop_remainder`).
      shuffle: reshuffle every epoch with a buffer of the whole dataset (capped
        at 60 000 elements); the two domains of an unpaired source each on
        their own (seeds `seed` and `seed + 1`).
      augment: optional `fn(image) -> image` (for paired sources
        `fn(input, target) -> (input, target)`; for unpaired ones applied
        to each domain's images) applied after the cache; default: the
        source's own (pix2pix jitter on training pairs). Pass False for
        none.
      repeat: repeat forever (for step-based training); each iterator
        then yields the same sequence, the epochs of the seeded shuffle
        (the one a first iterator yields).
      seed: shuffle seed, for reproducible runs.
    """
    if batch_size is not None:
        if int(batch_size) <= 0:
            raise ValueError(f"batch_size: expected a positive integer, got "
                             f"{batch_size}")
        if drop_remainder and batch_size > source.num_examples:
            raise ValueError(
                f"batch_size: {batch_size} is larger than the {source.name} "
                f"dataset ({source.num_examples} examples); with "
                f"drop_remainder no batch would be produced")
    if source.unpaired:
        # Each domain shuffled (with its own seed) and augmented on its own.
        a, b = (_examples(domain, shuffle, cache, augment, repeat,
                          None if seed is None else seed + i)
                for i, domain in enumerate(source.domains))
        ds = zip_domains(a, b, *(d.num_examples for d in source.domains))
    else:
        ds = _examples(source, shuffle, cache, augment, repeat, seed)
    if batch_size is not None:
        ds = ds.batch(int(batch_size), drop_remainder=drop_remainder,
                      num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def _examples(source, shuffle, cache, augment, repeat, seed):
    """`source`'s examples normalised, cached, shuffled, repeated and
    augmented (`build` without the batching)."""
    ds = source.dataset
    paired = source.paired
    image_spec = tf.nest.flatten(ds.element_spec)[0]
    if image_spec.dtype == tf.uint8:  # toy sources are already float32.
        ds = ds.map(_map_images(_both(to_float) if paired else to_float,
                                paired), num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        ds = ds.cache()
    def shuffled(examples):
        return examples.shuffle(min(source.num_examples, 60_000), seed=seed,
                                reshuffle_each_iteration=True)

    if shuffle and repeat:
        # A seeded shuffle draws each epoch's order from a seed generator
        # the dataset holds, shared by all its iterators; Keras' `fit` under
        # a strategy makes two (the first reads one batch to build the
        # model, and prefetches an unknown number more). Made anew for every
        # iterator (`flat_map`), the shuffle gives each iterator the same
        # sequence, a function of the position alone.
        cached = ds
        ds = tf.data.Dataset.from_tensors(0).flat_map(
            lambda _: shuffled(cached).repeat())
    elif shuffle:
        ds = shuffled(ds)
    elif repeat:
        ds = ds.repeat()
    if augment is None:
        augment = source.augment
    if augment:
        ds = ds.map(_map_images(augment, paired),
                    num_parallel_calls=tf.data.AUTOTUNE)
    return ds


def subset(source, max_images, seed=0):
    """The first `max_images` examples of `source` after a seeded shuffle:
    the low-data regime (e.g. 10 % of a class) as one option. The same
    seed picks the same examples under the same TensorFlow global seed
    (the shuffle takes it in; a run sets it to its seed first);
    `left_out` gives the examples it leaves out."""
    import dataclasses
    n = _subset_size(max_images)
    if n >= source.num_examples:
        return source
    if source.unpaired:  # n of each domain, each its own pick.
        a, b = (subset(d, n, seed + i) for i, d in enumerate(source.domains))
        return dataclasses.replace(
            source, dataset=zip_domains(a.dataset, b.dataset, a.num_examples,
                                        b.num_examples),
            num_examples=max(a.num_examples, b.num_examples), domains=(a, b),
            name=f"{source.name} ({n} of each domain)")
    return dataclasses.replace(source,
                               dataset=_seeded_order(source, seed).take(n)
                               .cache(), num_examples=n,
                               name=f"{source.name} ({n} of "
                                    f"{source.num_examples})")


def left_out(source, max_images, seed=0):
    """The examples of `source` that `subset(source, max_images, seed)`
    does not take (under the same TensorFlow global seed): images a run on
    the subset never trains on. None when the subset takes them all, and
    for unpaired sources."""
    import dataclasses
    n = _subset_size(max_images)
    if n >= source.num_examples or source.unpaired:
        return None
    return dataclasses.replace(source,
                               dataset=_seeded_order(source, seed).skip(n),
                               num_examples=source.num_examples - n,
                               name=f"{source.name} (the "
                                    f"{source.num_examples - n} not among "
                                    f"{n} picked)")


def _subset_size(max_images):
    n = int(max_images)
    if n < 1:
        raise ValueError(f"max_images: expected a positive integer, got {n}")
    return n


def _seeded_order(source, seed):
    """`source`'s examples in the seeded order `subset` cuts."""
    return source.dataset.shuffle(source.num_examples, seed=seed,
                                  reshuffle_each_iteration=False)


def images_array(source, batch_size=1000):
    """Every image of `source` as one float32 numpy array in [-1, 1] (in
    order, none dropped): the real side of FID and friends."""
    ds = build(source, batch_size=batch_size, shuffle=False, cache=False,
               drop_remainder=False)
    return np.concatenate([tf.nest.flatten(batch)[0].numpy() for batch in ds])
