"""Evaluate a trained generator: FID / KID / IS, precision / recall
(Kynkäänniemi et al. 2019), density / coverage (Naeem et al. 2020),
classes covered and memorization (images: the nearest-training-image
distance of samples beside that of held-out images, Meehan et al. 2020;
conditional models: label accuracy and intra-class FID too), mode
coverage (toy 2-D data), L1 / PSNR / SSIM on the test pairs (pix2pix),
or, for unpaired domains, the domain FID of each direction's translations
and the cycle-consistency L1; or compare two folders of images. Writes
JSON.

Features (--features): the data's domain classifier ("domain FID"; an
unlabelled folder: Inception from a local copy), `inception` (TF-GAN's
Inception, FIDs comparable with papers; fetched once), a dataset's domain
classifier by name, or a saved Keras classifier file.

    # once per dataset: train the domain classifier (saved, then reused)
    python scripts/evaluate.py --train_classifier --dataset=fashion_mnist
    python scripts/evaluate.py --model_path=runs/demo --dataset=fashion_mnist
    python scripts/evaluate.py --model_path=runs/demo --features=inception
    python scripts/evaluate.py --real=photos/ --fake=samples/ --features=inception
    python scripts/evaluate.py --model_path=runs/ring --dataset=ring
    python scripts/evaluate.py --model=pix2pix --model_path=runs/facades \
        --dataset=facades --data_dir=facades
"""

import json
import os

import numpy as np
from absl import flags

import tfgan_suite as tgs
from tfgan_suite.commands import cli

flags.DEFINE_string("model_path", None, "Run folder, .keras file or "
                    "SavedModel folder.")
flags.DEFINE_string("real", None, "A folder of real images, compared with "
                    "--fake (every image below it).")
flags.DEFINE_string("fake", None, "A folder of generated images.")
flags.DEFINE_string("features", None, "The features of FID and friends: "
                    "inception (TF-GAN's Inception: FIDs comparable with "
                    "papers; fetched once into TFHUB_CACHE_DIR), a "
                    "dataset's domain classifier (fashion_mnist, cifar10, "
                    "folder with --data_dir) or a saved Keras classifier "
                    "file. Default: the data's domain classifier (an "
                    "unlabelled folder: a local Inception); inception for "
                    "--real / --fake.")
flags.DEFINE_string("model", None, "Expected model, by the name training "
                    "takes (e.g. wgan_gp, or module:Class): an error if the "
                    "file holds another.")
flags.DEFINE_string("split", "test", "Split of the paired or unpaired "
                    "data.")
flags.DEFINE_enum("direction", None, ["AtoB", "BtoA"], "pix2pix: the "
                  "direction the model was trained in (default: the "
                  "dataset's).")
flags.DEFINE_string("dataset", None, "The data the model learned (default: "
                    "the run's, from its config.json; else fashion_mnist).")
flags.DEFINE_string("data_dir", None, "Where the data is (default: the "
                    "run's).")
flags.DEFINE_list("classes", None, "Classes the model learned (default: the "
                  "run's).")
flags.DEFINE_list("image_size", None, "Folder images: their size (default: "
                  "the run's).")
flags.DEFINE_integer("channels", None, "Folder images: 1 or 3 (default: the "
                     "run's).")
flags.DEFINE_float("holdout", None, "Folder images: the held-out share the "
                   "scores use (default: the run's).")
flags.DEFINE_bool("train_classifier", False, "Train (and save) the domain "
                  "classifier of --dataset.")
flags.DEFINE_string("classifier_path", None, "Domain classifier file "
                    "(default: ~/.cache/tfgan_suite/<dataset>-<data fingerprint>"
                    "_classifier.keras).")
flags.DEFINE_integer("classifier_epochs", 2, "Epochs for --train_classifier.")
flags.DEFINE_string("inception_weights", None, "Local InceptionV3 'notop' "
                    "weights file: report Inception FID/KID, precision/recall "
                    "and density/coverage as well.")
flags.DEFINE_integer("num", 10000, "Generated samples to evaluate "
                     "(2500 for toy data).")
flags.DEFINE_bool("memorization", True, "Images: the distance of each "
                  "sample and of each held-out image to its nearest "
                  "training image (the run's --max_images subset, if any), "
                  "in the features of FID; needs the features of every "
                  "training image (with Inception on a large training set, "
                  "long: --nomemorization skips it).")
flags.DEFINE_string("out", None, "JSON output (default: <model_path>/eval.json;"
                    " eval.json for --real / --fake).")
FLAGS = flags.FLAGS

#: Flags a run's config.json fills in when not given: {section: names}.
FROM_RUN = {"data": ("dataset", "data_dir", "classes", "direction",
                     "image_size", "channels", "holdout"),
            "train": ("classifier_path",)}


def data_options():
    """The options of --dataset's source given (or read from the run)."""
    options = {"data_dir": FLAGS.data_dir, "channels": FLAGS.channels,
               "image_size": cli.image_size(FLAGS.image_size),
               "holdout": FLAGS.holdout}
    return {k: v for k, v in options.items() if v is not None}


def classifier_path():
    return tgs.metrics.classifier_path(
        FLAGS.dataset, FLAGS.classifier_path, **data_options())


def scores(extractor, real_features, fake_features, fake_logits=None):
    """FID, KID, precision / recall (k = 3), density / coverage (k = 5) and,
    with logits, the Inception Score, named after the features: `fid` for
    Inception, `domain_fid` for the domain classifier, `classifier_fid`
    for a classifier file."""
    prefix = extractor.label[:-len("FID")].strip().replace(" ", "_")
    results = {
        "fid": tgs.metrics.frechet_distance(real_features, fake_features),
        "kid": tgs.metrics.kernel_distance(real_features, fake_features),
        **tgs.metrics.precision_recall(real_features, fake_features),
        **tgs.metrics.density_coverage(real_features, fake_features)}
    if fake_logits is not None:
        results["inception_score"] = tgs.metrics.inception_score(fake_logits)
    return {(f"{prefix}_{k}" if prefix else k): v for k, v in results.items()}


def described(extractor):
    """What made the features, for the JSON."""
    return {"features": getattr(extractor, "network", None) or extractor.path,
            "features_kind": extractor.label}


def training_images(run_config):
    """(every image the model trained on, float in [-1, 1], what they are):
    a run folder's training data as the run picked it (its --max_images
    subset), with the data flags given now; else the train split of
    --dataset."""
    if run_config is not None:
        config = {**run_config, "data": {
            **run_config["data"], "dataset": FLAGS.dataset,
            "classes": FLAGS.classes, **data_options()}}
        source = tgs.training.runner.trained_on(config)
    else:
        source = tgs.data.get_source(FLAGS.dataset, split="train",
                                     classes=FLAGS.classes, **data_options())
    return tgs.data.images_array(source), source.name


def evaluate_images(model, run_config=None):
    options = data_options()
    test = tgs.data.get_source(FLAGS.dataset, split="test",
                               classes=FLAGS.classes,
                               labels=bool(model.num_classes) or None,
                               **options)
    extractor = tgs.metrics.extractor(
        FLAGS.features, FLAGS.dataset, classifier_path=FLAGS.classifier_path,
        train=False, **options)
    real = tgs.data.images_array(test)
    real_features, _ = extractor(real)
    fake = tgs.data.to_float(model.generate_uint8(FLAGS.num, seed=0)).numpy()
    fake_features, logits = extractor(fake)
    results = {**scores(extractor, real_features, fake_features, logits),
               **described(extractor),
               "num_generated": FLAGS.num, "num_real": len(real)}
    if FLAGS.memorization:
        train, name = training_images(run_config)
        results["nearest_train_distance"] = {
            **tgs.metrics.nearest_train_distance(extractor(train)[0],
                                                 fake_features, real_features),
            "train_images": name, "num_train": len(train)}
    domain = (FLAGS.features in (None, FLAGS.dataset)
              and extractor.label == "domain FID")
    if domain:
        results["class_coverage"] = tgs.metrics.class_coverage(logits)
    if FLAGS.inception_weights:
        inception = tgs.metrics.InceptionExtractor(FLAGS.inception_weights)
        results.update(scores(inception, inception(real)[0],
                              inception(fake)[0]))
    if model.num_classes and domain:
        real_labels = tgs.data.sources.images_and_labels(test)[1]
        results["label_accuracy"], results["domain_intra_class_fid"] = (
            tgs.metrics.conditional_scores(model, extractor, real_features,
                                           real_labels))
    return results


def folder_features(extractor, path, batch_size=200):
    """(features, logits or None, count) of every image below `path`, read
    at the size and channels the extractor takes (Inception: each folder
    at its first image's size, RGB; it resizes to 299 itself), a batch at
    a time."""
    shape = getattr(extractor, "image_shape", None)
    source = tgs.data.get_source(
        "folder", data_dir=path, image_size=shape[:2] if shape else None,
        channels=shape[2] if shape else 3)
    features, logits = [], []
    for batch in tgs.data.build(source, batch_size=batch_size, shuffle=False,
                                cache=False, drop_remainder=False):
        f, l = extractor(batch.numpy())
        features.append(f)
        logits.append(l)
    return (np.concatenate(features),
            None if logits[0] is None else np.concatenate(logits),
            source.num_examples)


def compare_folders():
    """The scores of the images of --fake against those of --real."""
    for flag in ("real", "fake"):
        if not getattr(FLAGS, flag):
            raise ValueError(f"--{flag}: expected a folder of images beside "
                             f"--{'fake' if flag == 'real' else 'real'}")
    features = FLAGS.features or "inception"
    extractor = tgs.metrics.extractor(
        features, features if features in tgs.data.SOURCES else None,
        classifier_path=FLAGS.classifier_path, train=False, **data_options())
    real, _, num_real = folder_features(extractor, FLAGS.real)
    fake, logits, num_fake = folder_features(extractor, FLAGS.fake)
    return {**scores(extractor, real, fake, logits), **described(extractor),
            "real": FLAGS.real, "fake": FLAGS.fake, "num_real": num_real,
            "num_fake": num_fake}


def evaluate_pairs(model):
    if model.data_kind() != "pairs":
        raise ValueError(f"--dataset: {FLAGS.dataset} holds image pairs; "
                         f"expected a model that translates pairs at "
                         f"{FLAGS.model_path}, found {type(model).__name__}")
    test = tgs.data.get_source(FLAGS.dataset, split=FLAGS.split,
                           data_dir=FLAGS.data_dir,
                           image_size=model.image_shape[0],
                           direction=FLAGS.direction)
    pairs = tgs.data.build(test, batch_size=8, shuffle=False, augment=False,
                       drop_remainder=False)
    return tgs.metrics.evaluate_translation(model.translate_uint8, pairs)


def evaluate_unpaired(model):
    """Domain FID of each direction's translations of the test images
    against the other domain's test images, and the cycle L1; the domain
    classifier of an unpaired dataset tells its two domains apart (trained
    on the training images of both on first use and cached)."""
    if not hasattr(model, "translate_uint8"):
        raise ValueError(f"--dataset: {FLAGS.dataset} holds unpaired images "
                         f"of two domains; expected a model that translates "
                         f"between them at {FLAGS.model_path}, found "
                         f"{type(model).__name__}")
    test = tgs.data.get_source(FLAGS.dataset, split=FLAGS.split,
                               data_dir=FLAGS.data_dir, classes=FLAGS.classes,
                               image_size=list(model.image_shape[:2]),
                               direction=FLAGS.direction)
    a, b = (tgs.data.to_uint8(tgs.data.images_array(domain)).numpy()
            for domain in test.domains)
    extractor = tgs.metrics.domain_extractor(FLAGS.dataset, FLAGS.data_dir,
                                             FLAGS.classifier_path)
    scores = tgs.metrics.evaluate_unpaired(model.translate_uint8, a, b,
                                           extractor)
    results = {f"{k[:-3]}domain_fid" if k.endswith("_fid") else k: v
               for k, v in scores.items()}
    if FLAGS.inception_weights:
        inception = tgs.metrics.InceptionExtractor(FLAGS.inception_weights)
        scores = tgs.metrics.evaluate_unpaired(model.translate_uint8, a, b,
                                               inception)
        results.update({k: v for k, v in scores.items()
                        if k.endswith("_fid")})
    return results


def data_from_run(path):
    """Fills the flags of `FROM_RUN` that were not given from the run
    folder's config.json (what the model trained on, and its FID's
    features); returns that config (None: `path` is no run folder)."""
    config_path = os.path.join(path or "", "config.json")
    run = None
    if path and os.path.isfile(config_path):
        with open(config_path) as f:
            run = json.load(f)
        for section, names in FROM_RUN.items():
            for name in names:
                if (getattr(FLAGS, name) is None
                        and run[section].get(name) is not None):
                    setattr(FLAGS, name, run[section][name])
        if FLAGS.features is None:
            FLAGS.features = run["train"].get("fid_features")
        print(f"data: {FLAGS.dataset} (from {config_path})")
    if FLAGS.dataset is None:
        FLAGS.dataset = "fashion_mnist"
    return run


def write(results, out):
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps({k: v for k, v in results.items() if k != "counts"},
                     indent=2))
    print(f"wrote {out}")


def main(argv):
    if FLAGS.real or FLAGS.fake:
        return write(compare_folders(), FLAGS.out or "eval.json")
    run_config = data_from_run(FLAGS.model_path)
    if FLAGS.train_classifier:
        options = data_options()
        _, accuracy = tgs.metrics.train_domain_classifier(
            FLAGS.dataset, options.pop("data_dir", None),
            FLAGS.classifier_path, epochs=FLAGS.classifier_epochs, **options)
        print(f"domain classifier: test accuracy {accuracy:.4f}, saved to "
              f"{classifier_path()}")
        if not FLAGS.model_path:
            return
    if not FLAGS.model_path:
        raise ValueError("--model_path: expected a run folder, .keras file "
                         "or SavedModel (or --train_classifier, or --real "
                         "and --fake)")
    model = tgs.runs.load(FLAGS.model_path, model=FLAGS.model)
    if FLAGS.dataset in tgs.data.PAIRED_SOURCES:
        results = evaluate_pairs(model)
    elif FLAGS.dataset in tgs.data.UNPAIRED_SOURCES:
        results = evaluate_unpaired(model)
    elif FLAGS.dataset in tgs.data.toy.MIXTURES:
        centers, std = tgs.data.toy.MIXTURES[FLAGS.dataset]
        samples = model.generate(min(FLAGS.num, 2500), seed=0)
        results = tgs.metrics.mode_coverage(samples, centers, std)
    else:
        results = evaluate_images(model, run_config)
    results.update(model_path=FLAGS.model_path, dataset=FLAGS.dataset)
    write(results, FLAGS.out or os.path.join(
        FLAGS.model_path if os.path.isdir(FLAGS.model_path)
        else os.path.dirname(FLAGS.model_path), "eval.json"))


def run():
    """Runs the program (started by `tfgan_launch.evaluate`)."""
    cli.run(main)


if __name__ == "__main__":
    run()
