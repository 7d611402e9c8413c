"""`table1`: Goodfellow et al. 2014, Table 1: the Gaussian Parzen-window
log-likelihood of test images under 10 000 samples of the MLP GAN (their
MNIST number: 225 +- 2), on Fashion-MNIST.

Their protocol (`parzen_ll.py` of their code): pixels in [0, 1]; the
window's width sigma chosen from `logspace(-1, 0, 10)` by the mean
log-likelihood of validation images (MNIST training images 50 000-59 999,
which the GAN did not train on); the mean log-likelihood of the test images
with its standard error. Here: the suite's [-1, 1] images mapped to
[0, 1]; the GAN trains on --table1_train_images training images (the
`max_images` subset of the run, a seeded shuffle) and the rest of the
training split is the validation set; the 10 000 test images are the test
set. The same is done for the samples of fig8's DCGAN (it trained on all
60 000 training images, so its validation images are not held out from it)
and for 10 000 real training images, the reference a perfect sampler of the
training data would score.

The MLP GAN is the paper's (`gan`: ReLU G, maxout D with dropout, k = 1,
plain SGD with momentum 0.5, batch 100; their mnist.yaml) at a width that
trains in minutes on a CPU core: both nets 256 wide (the paper's G is 1200,
its D 240 maxout units), for --table1_steps steps. Learning rate 0.05: at
their 0.1 the losses overflow within 200 steps here (their D starts from
weights within +-0.005 and drops 20 % of its inputs, ours is Glorot-
initialised); their momentum rises to 0.7 over 250 epochs, it stays 0.5
here (its value in the first epochs). G's output is tanh for the [-1, 1]
images: their sigmoid, rescaled (tanh(a) = 2 sigmoid(2a) - 1).
"""

import os

import keras
import numpy as np
from absl import flags

from experiments import common, fig8
from tfgan_suite import data, metrics, plots, runs
from tfgan_suite.data import sources

flags.DEFINE_integer("table1_steps", 10000, "table1: steps of the MLP GAN "
                     "(500 are an epoch of 50 000 images at batch 100).")
flags.DEFINE_integer("table1_train_images", 50000, "table1: training images "
                     "of the MLP GAN; the rest of the training split is "
                     "the validation set that picks sigma.")
flags.DEFINE_integer("parzen_num_samples", 10000, "table1: samples of each "
                     "model in the Parzen window.")
flags.DEFINE_integer("parzen_num_points", 10000, "table1: validation and "
                     "test images scored (at most).")
flags.DEFINE_bool("table1_dcgan", True, "table1: add the DCGAN of fig8's run "
                  "(only if it is finished; never trains it).")
FLAGS = flags.FLAGS

#: The widths of their cross-validation (parzen_ll.py's defaults).
SIGMAS = np.logspace(-1, 0, 10)
#: Sample i of every model comes from seed SAMPLE_SEED + i.
SAMPLE_SEED = 0
PAPER = {"model": "MLP GAN, Goodfellow et al. 2014, Table 1", "data": "MNIST",
         "test_log_likelihood": 225, "standard_error": 2,
         "note": "MNIST and Fashion-MNIST log-likelihoods are not comparable "
                 "in absolute terms (other images, other pixel statistics); "
                 "compare the models here with each other and with the "
                 "real training images"}
BATCH = 100
SGD = {"class_name": "SGD", "config": {"learning_rate": 0.05,
                                       "momentum": 0.5}}
MLP_ARGS = {"latent_dim": 100, "hidden": [256, 256], "d_steps": 1,
            "output_activation": "tanh"}


def mlp_run():
    return common.train(
        "table1/mlp_gan", None, model_args=MLP_ARGS, model="gan",
        dataset="fashion_mnist", batch_size=BATCH, steps=FLAGS.table1_steps,
        steps_per_epoch=min(500, FLAGS.table1_steps),
        max_images=FLAGS.table1_train_images, loss="non_saturating",
        g_optimizer=SGD, d_optimizer=SGD, seed=FLAGS.seed)


def split_training_images(seed):
    """(the MLP GAN's training images, the validation images): the
    training split in the order of the seeded `data.subset` of the run
    with `seed`, cut at --table1_train_images; uint8, disjoint."""
    n = FLAGS.table1_train_images
    source = data.get_source("fashion_mnist", split="train",
                             data_dir=FLAGS.data_dir)
    if not 0 < n < source.num_examples:
        raise ValueError(f"table1_train_images: expected fewer than the "
                         f"{source.num_examples} training images (the rest "
                         f"pick sigma), got {n}")
    # The global seed `runner.run` sets before `data.subset` shuffles.
    keras.utils.set_random_seed(seed)
    order = source.dataset.shuffle(source.num_examples, seed=seed,
                                   reshuffle_each_iteration=False)
    images = next(iter(order.batch(source.num_examples))).numpy()
    trained = sources.images_and_labels(data.subset(source, n,
                                                    seed=seed))[0]
    if not np.array_equal(images[:n], trained):
        raise RuntimeError("table1: the held-out images are not the "
                           "complement of the run's data.subset; its "
                           "shuffle changed")
    return images[:n], images[n:]


def unit(images):
    """uint8 or [-1, 1] images -> flat float [0, 1], the paper's scale."""
    images = np.asarray(images)
    scaled = (images / 255.0 if images.dtype == np.uint8
              else (images.astype(np.float64) + 1) / 2)
    return scaled.reshape(len(images), -1)


def parzen_row(samples, validation, test):
    """sigma picked on `validation`, then the test log-likelihood."""
    sigma, curve = metrics.select_sigma(samples, validation, SIGMAS)
    mean, error = metrics.parzen_log_likelihood(samples, test, sigma)
    return {"sigma": sigma, "sigma_at_grid_edge": bool(
                sigma in (SIGMAS[0], SIGMAS[-1])),
            "validation_log_likelihood": curve,
            "test_log_likelihood": mean, "standard_error": error}


def dcgan_samples():
    """(samples or None, note) of fig8's finished DCGAN run."""
    name = fig8.NAME
    if not FLAGS.table1_dcgan:
        return None, "skipped: --table1_dcgan=false"
    if not os.path.isfile(os.path.join(FLAGS.runs, name, "model.keras")):
        return None, (f"skipped: {FLAGS.runs}/{name}/model.keras is not "
                      f"there yet (fig8 has not finished); re-run table1 to "
                      f"add this row (the MLP GAN run is reused)")
    out = fig8.preset_run()  # finished: only returns its folder.
    samples = runs.load(out).generate(FLAGS.parzen_num_samples,
                                          seed=SAMPLE_SEED)
    return samples, (f"{out}: fig8's preset {fig8.PRESET}, trained on all "
                     f"60 000 training images (the validation images "
                     f"included)")


def table1():
    trained, held_out = split_training_images(FLAGS.seed)
    count = FLAGS.parzen_num_points
    validation = unit(held_out[:count])
    test_images, _ = sources.images_and_labels(data.get_source(
        "fashion_mnist", split="test", data_dir=FLAGS.data_dir))
    test = unit(test_images[:count])

    out = mlp_run()
    samples = runs.load(out).generate(FLAGS.parzen_num_samples,
                                          seed=SAMPLE_SEED)
    plots.save_grid(samples[:100], os.path.join(FLAGS.results,
                                                "table1_samples.png"),
                    rows=10, scale=2)
    config = common.run_config(out)
    rows = {"mlp_gan": {
        "run": out, "note": f"trained on {len(trained)} training images",
        "steps": config.train.steps, "batch_size": BATCH,
        "model_args": MLP_ARGS, "optimizer": SGD,
        **parzen_row(unit(samples), validation, test)}}
    generated, note = dcgan_samples()
    rows["dcgan"] = ({"run": os.path.join(FLAGS.runs, fig8.NAME),
                      "note": note,
                      **parzen_row(unit(generated), validation, test)}
                     if generated is not None else {"note": note})
    real = trained[:FLAGS.parzen_num_samples]
    rows["real_training_images"] = {
        "note": f"{len(real)} of the MLP GAN's training images as the "
                f"window's centres",
        **parzen_row(unit(real), validation, test)}

    figure(rows, os.path.join(FLAGS.results, "table1.png"))
    common.write_json("table1", {
        "paper": PAPER,
        "protocol": {
            "pixels": "[0, 1] (the suite's [-1, 1] images mapped by "
                      "(x + 1) / 2; uint8 images / 255)",
            "sigmas": SIGMAS, "num_samples": FLAGS.parzen_num_samples,
            "sample_seed": SAMPLE_SEED, "validation_images": len(validation),
            "validation": f"training images left out of the MLP GAN's "
                          f"{len(trained)} (seeded shuffle, seed "
                          f"{FLAGS.seed})",
            "test_images": len(test)},
        "models": rows})


def figure(rows, path):
    """Validation log-likelihood against sigma per model, and the test
    log-likelihood at each model's sigma."""
    from matplotlib.figure import Figure
    scored = {name: row for name, row in rows.items() if "sigma" in row}
    fig = Figure(figsize=(11, 4.2), dpi=100)
    curves, bars = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for i, (name, row) in enumerate(scored.items()):
        curves.plot(SIGMAS, row["validation_log_likelihood"], marker="o",
                    markersize=3, color=f"C{i}", label=name)
        curves.axvline(row["sigma"], color=f"C{i}", linestyle=":",
                       linewidth=1)
        bars.bar(i, row["test_log_likelihood"], yerr=row["standard_error"],
                 color=f"C{i}", capsize=4)
    curves.set_xscale("log")
    curves.set_xlabel("Parzen window width sigma (pixels in [0, 1])")
    curves.set_ylabel("mean validation log-likelihood (nats)")
    curves.grid(alpha=0.3)
    curves.legend(fontsize=8)
    bars.set_xticks(range(len(scored)), list(scored), fontsize=8)
    bars.set_ylabel("test log-likelihood (nats) ± s.e.")
    bars.grid(alpha=0.3, axis="y")
    fig.suptitle("Parzen-window log-likelihood on Fashion-MNIST "
                 "(Goodfellow et al. 2014, Table 1: 225 ± 2 on MNIST)")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path)
    print(f"wrote {path}")
    return path
