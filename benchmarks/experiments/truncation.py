"""`truncation`: the truncation trick's trade of variety for fidelity on
the `fashion_mnist_dcgan` preset: domain FID, precision and recall
(Kynkäänniemi et al. 2019) of --fid_num_images samples from fixed seeds
against the Fashion-MNIST test images, for each psi of --psis and both
methods of `tgs.models.latents` ("mean": StyleGAN's pull toward the mean
latent, here psi * z; "truncated_normal": BigGAN's z within [-psi, psi]).
psi = 1 of the "mean" method is the untruncated model.

The run trains once under --runs (or --truncation_run names a finished
one); each score is written to the JSON as it is measured, and a
repeated command measures only what is missing.
"""

import json
import os

from absl import flags

from experiments import common
from tfgan_suite import data, metrics, runs
from tfgan_suite.models import latents

flags.DEFINE_list("psis", ["0.5", "0.6", "0.7", "0.8", "0.9", "1.0"],
                  "truncation: the psi values.")
flags.DEFINE_integer("truncation_epochs", 3, "truncation: epochs of the "
                     "preset's run.")
flags.DEFINE_string("truncation_run", None, "truncation: a finished run "
                    "folder of the preset to measure instead of training "
                    "one under --runs.")
FLAGS = flags.FLAGS

PRESET = "fashion_mnist_dcgan"
SCORES = ("fid", "precision", "recall")


def trained_run():
    if FLAGS.truncation_run:
        if not os.path.isfile(os.path.join(FLAGS.truncation_run,
                                           "model.keras")):
            raise ValueError(f"truncation_run: {FLAGS.truncation_run} holds "
                             f"no finished run (model.keras)")
        return FLAGS.truncation_run
    return common.train("truncation/dcgan", PRESET,
                        model_args=common.preset_model_args(PRESET),
                        epochs=FLAGS.truncation_epochs, fid_every_n_steps=0,
                        seed=FLAGS.seed)


def measured_before(out):
    """The scores of an earlier call on the same run and protocol."""
    path = os.path.join(FLAGS.results, "truncation.json")
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        record = json.load(f)
    same = (os.path.realpath(record.get("run", "")) == os.path.realpath(out)
            and record.get("fid_num_images") == FLAGS.fid_num_images)
    return record.get("scores", {}) if same else {}


def truncation():
    out = trained_run()
    psis = [float(p) for p in FLAGS.psis]
    extractor = metrics.domain_extractor("fashion_mnist", FLAGS.data_dir,
                                        FLAGS.classifier_path)
    real = extractor(data.images_array(data.get_source(
        "fashion_mnist", split="test", data_dir=FLAGS.data_dir)))[0]
    model = runs.load(out)
    scores = measured_before(out)
    config = common.run_config(out)
    record = {"preset": PRESET, "run": out,
              "epochs": config.train.epochs,
              "fid_num_images": FLAGS.fid_num_images,
              "real_images": len(real), "features": "domain classifier",
              **common.domain_classifier(), "scores": scores}
    for method in latents.TRUNCATION_METHODS:
        done = scores.setdefault(method, {})
        for psi in psis:
            key = f"{psi:g}"
            if key in done:
                continue
            fake = extractor(model.generate(
                FLAGS.fid_num_images, seed=0, truncation=psi,
                truncation_method=method))[0]
            done[key] = {"fid": metrics.frechet_distance(real, fake),
                         **metrics.precision_recall(real, fake)}
            common.write_json("truncation", record)  # resumable.
    plot(scores, os.path.join(FLAGS.results, "truncation.png"))
    common.write_json("truncation", record)


def plot(scores, path):
    """FID, precision and recall against psi, one line per method."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(5 * len(SCORES), 4), dpi=100)
    for i, score in enumerate(SCORES):
        ax = fig.add_subplot(1, len(SCORES), i + 1)
        for j, (method, by_psi) in enumerate(scores.items()):
            psis = sorted(by_psi, key=float)
            ax.plot([float(p) for p in psis],
                    [by_psi[p][score] for p in psis], marker="o",
                    color=f"C{j}", label=method)
        ax.set_xlabel("truncation psi")
        ax.set_ylabel("domain FID" if score == "fid" else score)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"{PRESET}: truncation trade-off")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path)
    print(f"wrote {path}")
    return path
