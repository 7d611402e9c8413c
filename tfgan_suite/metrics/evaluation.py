"""Evaluation from plain arguments: every score of a trained model on the
data it learned, or of one folder of images against another, as one dict
(`evaluate`, the library behind `tfgan-evaluate`).

Models are objects here (a Keras model of the suite, or a loaded export:
`tgs.runs.load(path)`); a run's config (`tgs.runs.read_config(path)`)
names the features its FID was measured with, so a folder's score can be
compared with the run's FID curve.
"""

import hashlib
import os

import numpy as np
from absl import logging

from tfgan_suite import data
from tfgan_suite.metrics import classifier as classifier_lib
from tfgan_suite.metrics.distances import (class_coverage, frechet_distance,
                                           inception_score, kernel_distance)
from tfgan_suite.metrics.inception import InceptionExtractor
from tfgan_suite.metrics.manifold import density_coverage, precision_recall
from tfgan_suite.metrics.memorization import nearest_train_distance
from tfgan_suite.metrics.modes import mode_coverage
from tfgan_suite.metrics.paired import evaluate_translation, evaluate_unpaired
from tfgan_suite.metrics.sampling import conditional_scores

#: Generated samples scored on toy 2-D data at most.
TOY_SAMPLES = 2500


def scores(extractor, real_features, fake_features, fake_logits=None):
    """FID, KID, precision / recall (k = 3), density / coverage (k = 5) and,
    with logits, the Inception Score, named after the features: `fid` for
    Inception, `domain_fid` for the domain classifier, `classifier_fid`
    for a classifier file."""
    prefix = extractor.label[:-len("FID")].strip().replace(" ", "_")
    real_count, dims = np.shape(real_features)
    if real_count <= dims:
        logging.warning(
            "%s from %d real images in %d feature dimensions: their "
            "covariance is singular, so FID reads high and compares only "
            "with FIDs against the same images; score against more real "
            "images (a larger held-out share or test split)",
            extractor.label, real_count, dims)
    results = {
        "fid": frechet_distance(real_features, fake_features),
        "kid": kernel_distance(real_features, fake_features),
        **precision_recall(real_features, fake_features),
        **density_coverage(real_features, fake_features)}
    if fake_logits is not None:
        results["inception_score"] = inception_score(fake_logits)
    return {(f"{prefix}_{k}" if prefix else k): v for k, v in results.items()}


def file_digest(path):
    """The first 16 hex digits of the SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def identity(extractor):
    """What made the features, for the JSON: `features` (the network, or
    the classifier file), `features_kind` (its scores' label), and for a
    classifier file `features_sha256` (its bytes) and, where known,
    `features_data` (the dataset and fingerprint it was trained on): two
    scores are comparable when these agree."""
    path = getattr(extractor, "path", None)
    found = {"features": getattr(extractor, "network", None) or path,
             "features_kind": extractor.label}
    if path and os.path.isfile(path):
        found["features"] = os.path.abspath(path)
        found["features_sha256"] = file_digest(path)
    if getattr(extractor, "data", None):
        found["features_data"] = extractor.data
    return found


def run_extractor(run_config, train=None):
    """The extractor a run's FID is measured with (`callbacks.Scores` during
    training: the run's `fid_features`, data and `classifier_path`), from
    its cache. `train`: whether a missing domain classifier is trained
    (during the run: True). After the run (None), a run that measured no
    FID during training, with the data's own classifier, has not trained
    it yet: it is trained now, as the run would have (same data, same
    cache); for a run that measured FID, or named a classifier file, a
    missing one is a ValueError: a new classifier's scores would not
    compare with the run's."""
    settings = run_config.train
    options = {k: v for k, v in run_config.data.source_options().items()
               if k != "classes"}
    if train is None:
        train = not (settings.fid_every_n_steps or settings.classifier_path)
    return classifier_lib.extractor(
        settings.fid_features, run_config.data.dataset,
        classifier_path=settings.classifier_path, train=train, **options)


def real_features_cache(extractor, dataset, **options):
    """The file the features of the real images of `dataset` (with
    `options`: classes, data_dir, ...) are cached in for `extractor`: one
    per extractor (a domain classifier: beside its file, with its
    modification time; Inception: under ~/.cache/tfgan_suite) and data
    (`tgs.data.fingerprint`: its files, classes and options)."""
    fingerprint = data.fingerprint(dataset, **options)
    if isinstance(extractor, classifier_lib.DomainExtractor):
        return (f"{extractor.path}.real-{fingerprint}-"
                f"{int(os.path.getmtime(extractor.path))}.npz")
    name = hashlib.sha256(str(extractor.path).encode()).hexdigest()[:12]
    return os.path.expanduser(f"~/.cache/tfgan_suite/inception-{name}"
                              f".real-{fingerprint}.npz")


def features_dataset(features, dataset):
    """The dataset whose domain classifier `features` names (None for
    Inception or a classifier file)."""
    if _is_run_config(features):
        return features.train.fid_features or features.data.dataset
    return dataset if features is None else (
        features if features in data.SOURCES else None)


def _is_run_config(features):
    """Whether `features` is a run's config (`tgs.runs.RunConfig`)."""
    return hasattr(features, "train") and hasattr(features, "data")


def make_extractor(features, dataset, classifier_path=None, train=True,
                   **options):
    """`classifier.extractor`, or for a run's config `run_extractor`."""
    if _is_run_config(features):
        return run_extractor(features)
    return classifier_lib.extractor(features, dataset,
                                    classifier_path=classifier_path,
                                    train=train, **options)


def folder_features(extractor, path, batch_size=200, resize=None,
                    skip_bad_files=None):
    """(features, logits or None, count) of every image below `path`, read
    at the size and channels the extractor takes (Inception: each folder
    at its first image's size, RGB; it resizes to 299 itself), a batch at
    a time; `resize`, `skip_bad_files`: as `tgs.data.load` takes them."""
    shape = getattr(extractor, "image_shape", None)
    source = data.get_source(
        "folder", data_dir=path, image_size=shape[:2] if shape else None,
        channels=shape[2] if shape else 3, resize=resize,
        skip_bad_files=skip_bad_files)
    features, logits = [], []
    for batch in data.build(source, batch_size=batch_size, shuffle=False,
                            cache=False, drop_remainder=False):
        f, l = extractor(batch.numpy())
        features.append(f)
        logits.append(l)
    return (np.concatenate(features),
            None if logits[0] is None else np.concatenate(logits),
            source.num_examples)


def compare_folders(real, fake, features="inception", classifier_path=None,
                    **options):
    """The scores of the images below folder `fake` against those below
    `real`, with the extractor `features` names (a dataset's domain
    classifier is trained on first use), and its identity."""
    for name, path in (("real", real), ("fake", fake)):
        if not path or not os.path.isdir(path):
            raise ValueError(f"{name}: expected a folder of images, got "
                             f"{path!r}")
    dataset = features if isinstance(features, str) and \
        features in data.SOURCES else None
    extractor = make_extractor(features, dataset,
                               classifier_path=classifier_path, **options)
    policies = {k: options.get(k) for k in ("resize", "skip_bad_files")}
    real_features, _, num_real = folder_features(extractor, real, **policies)
    fake_features, logits, num_fake = folder_features(extractor, fake,
                                                      **policies)
    return {**scores(extractor, real_features, fake_features, logits),
            **identity(extractor), "real": real, "fake": fake,
            "num_real": num_real, "num_fake": num_fake}


def named(values, names):
    """{name: value} of a per-class dict keyed by index (int or str)."""
    if not names:
        return {str(k): v for k, v in values.items()}
    return {(names[int(k)] if str(k).lstrip("-").isdigit()
             and int(k) < len(names) else k): v for k, v in values.items()}


def evaluate_images(model, dataset, features=None, classes=None,
                    classifier_path=None, num=10000, memorization=True,
                    train_source=None, inception_weights=None, train=False,
                    **options):
    """Scores of a model's samples against the test split of `dataset`
    (see `evaluate`)."""
    test = data.get_source(dataset, split="test", classes=classes,
                           labels=bool(model.num_classes) or None, **options)
    extractor = make_extractor(features, dataset, classifier_path, train,
                               **options)
    real = data.images_array(test)
    real_features, _ = extractor(real)
    fake = data.to_float(model.generate_uint8(num, seed=0)).numpy()
    fake_features, logits = extractor(fake)
    results = {**scores(extractor, real_features, fake_features, logits),
               **identity(extractor), "num_generated": num,
               "num_real": len(real)}
    if memorization:
        train_source = train_source or data.get_source(
            dataset, split="train", classes=classes, **options)
        train_images = data.images_array(train_source)
        results["nearest_train_distance"] = {
            **nearest_train_distance(extractor(train_images)[0],
                                     fake_features, real_features),
            "train_images": train_source.name,
            "num_train": len(train_images)}
    # The data's own classifier: its classes are the model's.
    own = (extractor.label == "domain FID"
           and features_dataset(features, dataset) == dataset)
    names = list(getattr(model, "class_names", None) or test.class_names
                 or [])
    if own:
        coverage = class_coverage(logits)
        if len(names) == len(coverage["histogram"]):
            coverage["histogram"] = dict(zip(names, coverage["histogram"]))
        results["class_coverage"] = coverage
    if inception_weights:
        inception = InceptionExtractor(inception_weights)
        results.update(scores(inception, inception(real)[0],
                              inception(fake)[0]))
    if model.num_classes and own:
        real_labels = data.sources.images_and_labels(test)[1]
        accuracy, intra = conditional_scores(model, extractor,
                                             real_features, real_labels)
        results["label_accuracy"] = named(accuracy, names)
        intra["per_class"] = named(intra["per_class"], names)
        intra["skipped"] = [names[c] if c < len(names) else c
                            for c in intra["skipped"]]
        results["domain_intra_class_fid"] = intra
    return results


def evaluate_pairs(model, dataset, split="test", data_dir=None,
                   direction=None, **policies):
    """L1 / PSNR / SSIM of a pix2pix-like model on the pairs of `split`
    (`policies`: `resize`, `skip_bad_files`, as `tgs.data.load` takes
    them)."""
    if model.data_kind() != "pairs":
        raise ValueError(f"dataset: {dataset} holds image pairs; expected a "
                         f"model that translates pairs, got "
                         f"{type(model).__name__}")
    test = data.get_source(dataset, split=split, data_dir=data_dir,
                           image_size=model.data_shape[0],
                           direction=direction, **policies)
    pairs = data.build(test, batch_size=8, shuffle=False, augment=False,
                       drop_remainder=False)
    return evaluate_translation(model.translate_uint8, pairs)


def translation_features(features, dataset):
    """The features a translator's scores use besides its own ("inception"
    or None): pairs are scored against their targets (L1 / PSNR / SSIM),
    unpaired domains with the data's domain classifier and, with
    "inception", Inception too; a ValueError for any other `features` (a
    run's config stands for its `fid_features`)."""
    if _is_run_config(features):
        features = features.train.fid_features
    unpaired = dataset in data.UNPAIRED_SOURCES
    if features is None or (unpaired and features == "inception"):
        return features
    raise ValueError(
        f"features: {dataset} is scored "
        + ("with its domain classifier (and with 'inception' on request)"
           if unpaired else "against its targets (L1 / PSNR / SSIM), "
           "with no features") + f"; got {features!r}")


def evaluate_two_way(model, dataset, split="test", data_dir=None,
                     classes=None, direction=None, classifier_path=None,
                     inception_weights=None, inception=False, **policies):
    """Domain FID of each direction's translations of the test images
    against the other domain's test images, and the cycle L1; the domain
    classifier of an unpaired dataset tells its two domains apart (trained
    on the training images of both on first use and cached). With
    `inception` or `inception_weights` (a local InceptionV3 file), the
    Inception FID of each direction too. `policies`: `resize`,
    `skip_bad_files`, as `tgs.data.load` takes them."""
    if model.data_kind() != "unpaired":
        raise ValueError(f"dataset: {dataset} holds unpaired images of two "
                         f"domains; expected a model that translates "
                         f"between them, got {type(model).__name__}")
    test = data.get_source(dataset, split=split, data_dir=data_dir,
                           classes=classes,
                           image_size=list(model.data_shape[:2]),
                           direction=direction, **policies)
    a, b = (data.to_uint8(data.images_array(domain)).numpy()
            for domain in test.domains)
    extractor = classifier_lib.domain_extractor(dataset, data_dir,
                                                classifier_path, **policies)
    found = evaluate_unpaired(model.translate_uint8, a, b, extractor)
    results = {f"{k[:-3]}domain_fid" if k.endswith("_fid") else k: v
               for k, v in found.items()}
    results.update(identity(extractor))
    if inception or inception_weights:
        found = evaluate_unpaired(model.translate_uint8, a, b,
                                  InceptionExtractor(inception_weights))
        results.update({k: v for k, v in found.items()
                        if k.endswith("_fid")})
    return results


def evaluate(model=None, dataset=None, *, real=None, fake=None,
             features=None, classifier_path=None, data_dir=None,
             classes=None, image_size=None, channels=None, holdout=None,
             direction=None, resize=None, skip_bad_files=None, split="test",
             num=10000, memorization=True, train_source=None,
             inception_weights=None, train=None):
    """Every score of `model` on the data it learned, or of the images in
    folder `fake` against those in folder `real`; a dict, JSON-ready.

    Args:
      model: a trained model (`tgs.runs.load(path)`); with `dataset`:
        image data -> FID / KID / IS, precision / recall, density /
        coverage, classes covered, memorization, and for a conditional
        model label accuracy and intra-class FID (per class, by name);
        pairs (pix2pix) -> L1 / PSNR / SSIM; unpaired domains -> each
        direction's domain FID and the cycle L1; toy 2-D data -> mode
        coverage.
      real, fake: two folders of images (instead of `model`); every image
        below each.
      features: what FID measures with: "inception"; a dataset's name (its
        domain classifier, trained on first use); a Keras classifier
        file; a run's config (`tgs.runs.read_config(run_folder)`): the
        extractor its FID during training used, so scores compare with its
        `fid.csv`. Default: `dataset`'s domain classifier ("inception" for
        two folders).
      classifier_path: the domain classifier's file (default: its cache).
      data_dir, classes, image_size, channels, holdout, direction,
        resize, skip_bad_files, split: the data's options
        (`tgs.data.load`); folders of images (`real`, `fake`) are read
        with `resize` and `skip_bad_files` too.
      num: generated samples (at most `TOY_SAMPLES` for toy data).
      memorization: the nearest-training-image distances (needs the
        features of every training image).
      train_source: the `tgs.data.Source` the model trained on (a run's
        subset; default: the train split of `dataset`).
      inception_weights: a local InceptionV3 "notop" file: Inception scores
        as well.
      train: train a missing domain classifier (default: when `features`
        names a dataset; the default classifier of a model's data must
        exist, as the one its FID was measured with).

    Raises:
      ValueError: naming the argument that is missing or wrong.
    """
    policies = {k: v for k, v in (("resize", resize),
                                  ("skip_bad_files", skip_bad_files))
                if v is not None}
    options = {k: v for k, v in (("data_dir", data_dir),
                                 ("image_size", image_size),
                                 ("channels", channels),
                                 ("holdout", holdout)) if v is not None}
    options.update(policies)
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) \
            or num < 1:
        raise ValueError(f"num: expected a positive number of samples, got "
                         f"{num!r}")
    if real is not None or fake is not None:
        if model is not None:
            raise ValueError("real, fake: compare two folders, without a "
                             "model (got both)")
        return compare_folders(real, fake, features or "inception",
                               classifier_path, **options)
    if model is None:
        raise ValueError("model: expected a trained model (or real and "
                         "fake folders)")
    if dataset is None:
        raise ValueError("dataset: expected the name of the data the model "
                         "learned")
    if dataset in data.PAIRED_SOURCES:
        translation_features(features, dataset)
        return evaluate_pairs(model, dataset, split, data_dir, direction,
                              **policies)
    if dataset in data.UNPAIRED_SOURCES:
        inception = translation_features(features, dataset) == "inception"
        return evaluate_two_way(model, dataset, split, data_dir, classes,
                                direction, classifier_path,
                                inception_weights, inception, **policies)
    if dataset in data.toy.MIXTURES:
        centers, std = data.toy.MIXTURES[dataset]
        return mode_coverage(model.generate(min(num, TOY_SAMPLES), seed=0),
                             centers, std)
    if train is None:
        train = isinstance(features, str) and features in data.SOURCES
    return evaluate_images(model, dataset, features, classes,
                           classifier_path, num, memorization, train_source,
                           inception_weights, train, **options)
