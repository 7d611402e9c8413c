r"""Evaluate a trained generator: FID / KID / IS, precision / recall
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
classifier by name (trained on first use), a saved Keras classifier file,
or a run folder: the features its FID during training used, so that a
folder's score compares with the run's FID curve.

From Python, `tgs.metrics.evaluate(...)` takes the same options as
arguments and returns the scores as a dict.

    # once per dataset: train the domain classifier (saved, then reused)
    python scripts/evaluate.py --train_classifier --dataset=fashion_mnist
    python scripts/evaluate.py --model_path=runs/demo --dataset=fashion_mnist
    python scripts/evaluate.py --model_path=runs/demo --features=inception
    python scripts/evaluate.py --real=photos/ --fake=samples/ --features=inception
    python scripts/generate.py --model_path=runs/demo --num=10000 --out=gen/
    python scripts/evaluate.py --real=shoes/ --fake=gen/ --features=runs/demo
    python scripts/evaluate.py --model_path=runs/ring --dataset=ring
    python scripts/evaluate.py --model=pix2pix --model_path=runs/facades \
        --dataset=facades --data_dir=facades
"""

import dataclasses
import json
import os

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
                    "folder with --data_dir; trained on first use), a saved "
                    "Keras classifier file, or a run folder (the features "
                    "its FID used: scores comparable with its fid.csv). "
                    "Default: the data's domain classifier (an unlabelled "
                    "folder: a local Inception); inception for --real / "
                    "--fake.")
flags.DEFINE_string("model", None, "Expected model, by the name training "
                    "takes (e.g. wgan_gp, or module:Class): an error if the "
                    "file holds another.")
flags.DEFINE_string("split", "test", "Split of the paired or unpaired "
                    "data.")
flags.DEFINE_enum("direction", None, list(tgs.data.paired.DIRECTIONS),
                  "Paired or unpaired data: the direction the model was "
                  "trained in (default: the run's, else the dataset's).")
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
cli.define_folder_flags()  # --resize, --skip_bad_files (default: the run's)
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
                     "image_size", "channels", "holdout", "resize",
                     "skip_bad_files"),
            "train": ("classifier_path",)}
#: The data flags, as `tgs.metrics.evaluate` takes them.
DATA_FLAGS = ("dataset", "data_dir", "classes", "direction", "image_size",
              "channels", "holdout", "resize", "skip_bad_files",
              "classifier_path", "features")


def read_run(path):
    """The config of the run folder `path`, or None (not a run folder)."""
    if path and os.path.isfile(os.path.join(path, tgs.runs.layout.CONFIG)):
        return tgs.runs.read_config(path)
    return None


def with_run_defaults(given, run):
    """`given` ({flag: value}, None: not given) with the flags of
    `FROM_RUN` and --features (the run's fid_features) taken from a run's
    config where not given."""
    filled = dict(given)
    for section, names in FROM_RUN.items():
        for name in names:
            if filled.get(name) is None:
                filled[name] = getattr(getattr(run, section), name)
    if filled.get("features") is None:
        filled["features"] = run.train.fid_features
    return filled


def features_argument(features):
    """--features as `tgs.metrics.evaluate` takes it: a run folder as its
    config (the features its FID used)."""
    return read_run(features) or features


def data_arguments(values):
    """{argument: value} of `tgs.metrics.evaluate` for the data flags."""
    args = dict(values)
    args["image_size"] = cli.image_size(args.get("image_size"))
    args["features"] = features_argument(args.get("features"))
    return args


def trained_on(run, values):
    """The examples the run trained on (its --max_images subset, picked as
    the run picked it), with the data flags given now."""
    options = {k: values[k] for k in FROM_RUN["data"]}
    options["image_size"] = cli.image_size(options["image_size"])
    return tgs.runs.examples.trained_on(dataclasses.replace(
        run, data=dataclasses.replace(run.data, **options)))


def default_out(out, model_path):
    """--out, else eval.json beside the model (in the working folder for
    --real / --fake)."""
    if out or not model_path:
        return out or "eval.json"
    folder = (model_path if os.path.isdir(model_path)
              else os.path.dirname(model_path))
    return os.path.join(folder, "eval.json")


def check_out(out):
    """Raises a ValueError, before any scoring, when the results cannot be
    written to `out` (a run folder on read-only storage)."""
    try:
        tgs.training.runner.writable_folder(
            os.path.dirname(os.path.abspath(out)), "--out")
    except ValueError as e:
        raise ValueError(f"{e}; pass --out=FILE in a writable folder"
                         ) from None


def write(results, out):
    try:
        tgs.files.write_text(out, json.dumps(results, indent=2))
    except OSError as e:
        raise ValueError(f"--out: {out}: {e.strerror or e}; pass --out=FILE "
                         f"in a writable folder") from None
    print(json.dumps({k: v for k, v in results.items() if k != "counts"},
                     indent=2))
    print(f"wrote {out}")


def main(argv):
    values = {name: FLAGS[name].value for name in DATA_FLAGS}
    common = dict(num=FLAGS.num, split=FLAGS.split,
                  memorization=FLAGS.memorization,
                  inception_weights=FLAGS.inception_weights)
    out = default_out(FLAGS.out, None if FLAGS.real or FLAGS.fake
                      else FLAGS.model_path)
    if FLAGS.model_path or FLAGS.real or FLAGS.fake:
        check_out(out)
    if FLAGS.real or FLAGS.fake:
        results = tgs.metrics.evaluate(real=FLAGS.real, fake=FLAGS.fake,
                                       **data_arguments(values), **common)
        return write(results, out)
    run_config = read_run(FLAGS.model_path)
    if run_config is not None:
        values = with_run_defaults(values, run_config)
        print(f"data: {values['dataset']} (from "
              f"{os.path.join(FLAGS.model_path, tgs.runs.layout.CONFIG)})")
    values["dataset"] = values["dataset"] or "fashion_mnist"
    if FLAGS.train_classifier:
        args = data_arguments(values)
        options = {k: args[k] for k in ("image_size", "channels",
                                        "holdout") if args[k] is not None}
        extractor, accuracy = tgs.metrics.train_domain_classifier(
            values["dataset"], values["data_dir"],
            values["classifier_path"], epochs=FLAGS.classifier_epochs,
            **options)
        print(f"domain classifier: test accuracy {accuracy:.4f}, saved "
              f"to {extractor.path}")
        if not FLAGS.model_path:
            return None
    if not FLAGS.model_path:
        raise ValueError("--model_path: expected a run folder, .keras "
                         "file or SavedModel (or --train_classifier, or "
                         "--real and --fake)")
    model = tgs.runs.load(FLAGS.model_path, model=FLAGS.model)
    if (run_config is not None and FLAGS.memorization
            and values["dataset"] not in tgs.data.PAIRED_SOURCES
            + tgs.data.UNPAIRED_SOURCES + tuple(tgs.data.toy.MIXTURES)):
        common["train_source"] = trained_on(run_config, values)
    results = tgs.metrics.evaluate(model, **data_arguments(values),
                                   **common)
    results.update(model_path=FLAGS.model_path, dataset=values["dataset"],
                   step=model_step(model))
    write(results, out)
    return None


def model_step(model):
    """The training step of the scored model: its step counter, or the
    step its export's manifest records (None if it records none)."""
    counter = getattr(model, "step_counter", None)
    if counter is not None:
        return int(counter.numpy())
    return tgs.serving.read_manifest(model.path).get("step")


def run():
    """Runs the program (started by `tfgan_launch.evaluate`)."""
    cli.run(main, aliases={"train": "train_classifier"})


if __name__ == "__main__":
    run()
