"""Evaluate a trained generator: domain FID / KID / IS, precision / recall
(Kynkäänniemi et al. 2019), density / coverage (Naeem et al. 2020) and
classes covered (images; conditional models: label accuracy and intra-class
FID too), mode coverage (toy 2-D data), L1 / PSNR / SSIM on the test
pairs (pix2pix), or, for unpaired domains, the domain FID of each
direction's translations and the cycle-consistency L1. Writes JSON.

    # once per dataset: train the domain classifier (saved, then reused)
    python scripts/evaluate.py --train_classifier --dataset=fashion_mnist
    python scripts/evaluate.py --model_path=runs/demo --dataset=fashion_mnist
    python scripts/evaluate.py --model_path=runs/ring --dataset=ring
    python scripts/evaluate.py --model=pix2pix --model_path=runs/facades \
        --dataset=facades --data_dir=facades
"""

import json
import os

from absl import flags

import tfgan_suite as tgs
from tfgan_suite.commands import cli

flags.DEFINE_string("model_path", None, "Run folder, .keras file or "
                    "SavedModel folder.")
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
flags.DEFINE_string("out", None, "JSON output (default: <model_path>/eval.json).")
FLAGS = flags.FLAGS


def classifier_path():
    return tgs.metrics.classifier_path(
        FLAGS.dataset, FLAGS.classifier_path, FLAGS.data_dir)


def evaluate_images(model):
    extractor = tgs.metrics.DomainExtractor.load(classifier_path())
    test = tgs.data.get_source(FLAGS.dataset, split="test",
                               data_dir=FLAGS.data_dir,
                               classes=FLAGS.classes,
                               labels=bool(model.num_classes) or None)
    real = tgs.data.images_array(test)
    real_features, _ = extractor(real)
    fake = tgs.data.to_float(model.generate_uint8(FLAGS.num, seed=0)).numpy()
    fake_features, logits = extractor(fake)
    results = {
        "domain_fid": tgs.metrics.frechet_distance(real_features,
                                                   fake_features),
        "domain_kid": tgs.metrics.kernel_distance(real_features,
                                                  fake_features),
        "domain_inception_score": tgs.metrics.inception_score(logits),
        "class_coverage": tgs.metrics.class_coverage(logits),
        **manifold_scores(real_features, fake_features, prefix="domain_"),
        "num_generated": FLAGS.num, "num_real": len(real)}
    if FLAGS.inception_weights:
        inception = tgs.metrics.InceptionExtractor(FLAGS.inception_weights)
        real_i, fake_i = inception(real)[0], inception(fake)[0]
        results["fid"] = tgs.metrics.frechet_distance(real_i, fake_i)
        results["kid"] = tgs.metrics.kernel_distance(real_i, fake_i)
        results.update(manifold_scores(real_i, fake_i, prefix=""))
    if model.num_classes:
        real_labels = tgs.data.sources.images_and_labels(test)[1]
        results["label_accuracy"], results["domain_intra_class_fid"] = (
            tgs.metrics.conditional_scores(model, extractor, real_features,
                                           real_labels))
    return results


def manifold_scores(real_features, fake_features, prefix):
    """Precision and recall (k = 3), density and coverage (k = 5)."""
    scores = {**tgs.metrics.precision_recall(real_features, fake_features),
              **tgs.metrics.density_coverage(real_features, fake_features)}
    return {prefix + name: value for name, value in scores.items()}


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
    """Fills --dataset, --data_dir, --classes and --direction that were not
    given from the run folder's config.json (what the model trained on)."""
    config_path = os.path.join(path or "", "config.json")
    if path and os.path.isfile(config_path):
        with open(config_path) as f:
            run = json.load(f)["data"]
        for name in ("dataset", "data_dir", "classes", "direction"):
            if getattr(FLAGS, name) is None and run.get(name) is not None:
                setattr(FLAGS, name, run[name])
        print(f"data: {FLAGS.dataset} (from {config_path})")
    if FLAGS.dataset is None:
        FLAGS.dataset = "fashion_mnist"


def main(argv):
    data_from_run(FLAGS.model_path)
    if FLAGS.train_classifier:
        _, accuracy = tgs.metrics.train_domain_classifier(
            FLAGS.dataset, FLAGS.data_dir, FLAGS.classifier_path,
            epochs=FLAGS.classifier_epochs)
        print(f"domain classifier: test accuracy {accuracy:.4f}, saved to "
              f"{classifier_path()}")
        if not FLAGS.model_path:
            return
    if not FLAGS.model_path:
        raise ValueError("--model_path: expected a run folder, .keras file "
                         "or SavedModel (or --train_classifier)")
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
        results = evaluate_images(model)
    results.update(model_path=FLAGS.model_path, dataset=FLAGS.dataset)
    out = FLAGS.out or os.path.join(
        FLAGS.model_path if os.path.isdir(FLAGS.model_path)
        else os.path.dirname(FLAGS.model_path), "eval.json")
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps({k: v for k, v in results.items() if k != "counts"},
                     indent=2))
    print(f"wrote {out}")


def run():
    """Console entry point (`tfgan-evaluate`)."""
    cli.run(main)


if __name__ == "__main__":
    run()
