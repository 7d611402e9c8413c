"""`ema`: the EMA generator (StyleGAN2-ADA's half-life in images and
ramp-up) against raw G on the `fashion_mnist_dcgan` preset; `dcgan_screen`:
changes to that preset, each trained for --screen_epochs epochs, for the
quality of what `make demo` trains; `ema_noise`: the EMA's change against
FID's sampling noise, on the screen's runs.

Every run here trains with the EMA on and scores two generators of the run
after every epoch, on the same --fid_num_images seeds against the same
held-out test images: the EMA generator (the run's FID callback, fid.csv)
and raw G, restored from that epoch's checkpoint (the runs keep them all)
and scored by the same callback (`raw_scores`). The suite averages G after
each step without touching the step, so G and D train alike with or
without the average: raw G is the run without the EMA.
"""

import json
import os
import time

import numpy as np
import tensorflow as tf
from absl import flags

import harness  # benchmarks/, on the path of reproduce.py
from experiments import common, fig8
from tfgan_suite import data, files, runs
from tfgan_suite.runs import checkpoints
from tfgan_suite.training import runner

flags.DEFINE_float("ema_kimg", None, "ema: half-life of the EMA generator "
                   "in thousands of images (default: StyleGAN2-ADA's batch "
                   "* 10 / 32 at the preset's batch: 20 at 64).")
flags.DEFINE_float("ema_rampup", 0.05, "ema: the EMA's ramp-up coefficient "
                   "(0: none).")
flags.DEFINE_integer("ema_epochs", None, "ema: epochs of the run (default: "
                     "--epochs; at that length and with the preset's own "
                     "EMA, ema reads fig8's run).")
flags.DEFINE_list("screen", None, "dcgan_screen: the candidates to train "
                  "(default: all of CANDIDATES).")
flags.DEFINE_integer("screen_epochs", 3, "dcgan_screen: epochs of each "
                     "candidate.")
flags.DEFINE_integer("noise_sets", 5, "ema_noise: disjoint sets of "
                     "--fid_num_images seeds each generator is scored on.")
flags.DEFINE_integer("cost_rounds", 5, "screen_cost: rounds of timing, "
                     "each candidate once a round.")
flags.DEFINE_list("noise_epochs", None, "ema_noise: the epochs whose "
                  "checkpoints are scored (default: 3 and --screen_epochs).")
FLAGS = flags.FLAGS

PRESET = fig8.PRESET
BATCH = fig8.BATCH  # the preset's
#: The preset until it moved to batch 64 and the hinge loss, and the
#: preset from then until it moved to Adam's betas 0 and 0.99 (CHANGELOG):
#: the candidates measured on them keep them, so that their commands
#: reproduce what docs/results.md reports.
_BATCH_128_NS = {"batch_size": 128, "loss": "non_saturating",
                 **common.RADFORD_BETAS}
_BATCH_64_HINGE = {"batch_size": 64, "loss": "hinge", **common.RADFORD_BETAS}
#: The preset since its move to Adam's betas 0 and 0.99, spelled out: the
#: candidates that change it keep it when the preset moves on.
_BATCH_64_HINGE_BETA_0_0_99 = {"batch_size": 64, "loss": "hinge",
                               "beta_1": 0.0, "beta_2": 0.99}


def _cosine_adam(learning_rate, epochs):
    """Adam (betas 0 and 0.99) whose learning rate falls from
    `learning_rate` to 0 on a cosine over `epochs` epochs of batch 64 (the
    schedule counts the optimizer's own updates)."""
    steps = epochs * (60_000 // 64)  # Fashion-MNIST's training images.
    return {"class_name": "Adam", "config": {
        "learning_rate": {"module": "keras.optimizers.schedules",
                          "class_name": "CosineDecay", "registered_name": None,
                          "config": {"initial_learning_rate": learning_rate,
                                     "decay_steps": steps, "alpha": 0.0}},
        "beta_1": 0.0, "beta_2": 0.99}}


def _cosine(text, learning_rate):
    """The candidate whose both nets' rates fall from `learning_rate`
    (written `text`) to 0 over 3 epochs (`_cosine_adam`)."""
    return (f"batch 64, the hinge loss, Adam's betas 0 and 0.99, both "
            f"learning rates {text} decayed to 0 over 3 epochs on a cosine",
            {"batch_size": 64, "loss": "hinge",
             "g_optimizer": _cosine_adam(learning_rate, 3),
             "d_optimizer": _cosine_adam(learning_rate, 3)})


def _latent(length):
    """The candidate whose z has `length` entries (the preset's: 100)."""
    return (f"batch 64, the hinge loss, Adam's betas 0 and 0.99, z of "
            f"length {length} instead of 100", {
                **_BATCH_64_HINGE_BETA_0_0_99,
                "model_args": {"latent_dim": length}})


def _bf16_filters(filters):
    """The candidate with `filters` (the preset's: 32) under
    mixed_bfloat16."""
    return (f"batch 64, the hinge loss, Adam's betas 0 and 0.99, {filters} "
            f"filters instead of 32, under mixed_bfloat16", {
                **_BATCH_64_HINGE_BETA_0_0_99, "mixed_precision": True,
                "model_args": {"filters": filters}})


#: Changes to the preset screened by `dcgan_screen`: {name: (what the
#: literature says of it, run overrides: `batch_size`, `model_args`, the
#: compile fields g_learning_rate / d_learning_rate / beta_1 / beta_2)}.
#: Every candidate trains with the EMA (half-life batch * 10 / 32 kimg,
#: ramp-up 0.05, StyleGAN2-ADA's) and Radford et al.'s D
#: (`harness.RECORDED_MODEL_ARGS`) unless its model_args say otherwise.
CANDIDATES = {
    "preset": ("the preset as it is (Adam 8e-4, betas 0 and 0.99, batch "
               "64, the hinge loss, D's final stride-1 convolution, its "
               "EMA)",
               {"model_args": common.preset_model_args(PRESET)}),
    "preset_without_ema": ("the preset as it is without its EMA generator "
                           "(what the EMA costs: `screen_cost`)", {
                               "model_args": {
                                   **common.preset_model_args(PRESET),
                                   "ema_kimg": None}}),
    "batch_128_ns": ("the preset until it moved to batch 64 and the hinge "
                     "loss: batch 128, the non-saturating loss",
                     _BATCH_128_NS),
    "lr_2e-4": ("Radford et al.'s learning rate, 2e-4 for both nets, and "
                "batch 128 (the preset's until it moved to 8e-4)",
                common.RADFORD_DCGAN_BATCH_128),
    "ema_rampup_0.02": ("batch_128_ns, its EMA's half-life at most 2 % of "
                        "the images seen", {**_BATCH_128_NS, "model_args": {
                            "ema_rampup": 0.02}}),
    "ema_rampup_0.01": ("batch_128_ns, its EMA's half-life at most 1 % of "
                        "the images seen", {**_BATCH_128_NS, "model_args": {
                            "ema_rampup": 0.01}}),
    "ema_kimg_10": ("batch_128_ns, its EMA's half-life 10 kimg: a quarter "
                    "of StyleGAN2-ADA's batch * 10 / 32, for a learning "
                    "rate four times Radford et al.'s", {
                        **_BATCH_128_NS, "model_args": {"ema_kimg": 10}}),
    "lr_4e-4": ("batch_128_ns, both learning rates 4e-4", {
        **_BATCH_128_NS, "g_learning_rate": 4e-4, "d_learning_rate": 4e-4}),
    "lr_1.6e-3": ("batch_128_ns, both learning rates 1.6e-3, twice the "
                  "preset's", {**_BATCH_128_NS, "g_learning_rate": 1.6e-3,
                               "d_learning_rate": 1.6e-3}),
    "batch_64": ("batch_128_ns at half the batch: twice the steps per "
                 "epoch", {**_BATCH_128_NS, "batch_size": 64}),
    "batch_32": ("batch_128_ns at a quarter of the batch: four times the "
                 "steps per epoch", {**_BATCH_128_NS, "batch_size": 32}),
    "batch_16": ("batch_128_ns at an eighth of the batch: eight times the "
                 "steps per epoch", {**_BATCH_128_NS, "batch_size": 16}),
    "batch_64_hinge": ("half the batch and the hinge loss (the preset "
                       "from its move there until its move to Adam's "
                       "betas 0 and 0.99)", _BATCH_64_HINGE),
    "batch_64_hinge_rampup_0.02": ("half the batch, the hinge loss, the "
                                   "EMA's half-life at most 2 % of the "
                                   "images seen", {
                                       **_BATCH_64_HINGE,
                                       "model_args": {"ema_rampup": 0.02}}),
    "batch_32_hinge": ("a quarter of the batch and the hinge loss", {
        **_BATCH_64_HINGE, "batch_size": 32}),
    "batch_64_hinge_lr_1.2e-3": ("batch 64, the hinge loss, both learning "
                                 "rates 1.2e-3", {
                                     **_BATCH_64_HINGE,
                                     "g_learning_rate": 1.2e-3,
                                     "d_learning_rate": 1.2e-3}),
    "batch_64_hinge_beta_0_0.99": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99 (R3GAN's)",
        _BATCH_64_HINGE_BETA_0_0_99),
    "batch_64_hinge_beta_0.5_0.99": (
        "batch 64, the hinge loss, Adam's beta_2 0.99 alone (beta_1 0.5)",
        {**_BATCH_64_HINGE_BETA_0_0_99, "beta_1": 0.5}),
    "batch_64_hinge_beta_0_0.999": (
        "batch 64, the hinge loss, Adam's beta_1 0 alone (beta_2 0.999)",
        {**_BATCH_64_HINGE_BETA_0_0_99, "beta_2": 0.999}),
    "batch_64_hinge_beta_0_0.99_lr_4e-4": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, both learning "
        "rates 4e-4",
        {**_BATCH_64_HINGE_BETA_0_0_99, "g_learning_rate": 4e-4,
         "d_learning_rate": 4e-4}),
    "batch_64_hinge_beta_0_0.99_lr_1.2e-3": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, both learning "
        "rates 1.2e-3",
        {**_BATCH_64_HINGE_BETA_0_0_99, "g_learning_rate": 1.2e-3,
         "d_learning_rate": 1.2e-3}),
    "batch_64_hinge_beta_0_0.9": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.9 (SAGAN's, "
        "BigGAN's)",
        {**_BATCH_64_HINGE_BETA_0_0_99, "beta_2": 0.9}),
    "batch_32_hinge_beta_0_0.99": (
        "a quarter of the batch, the hinge loss, Adam's betas 0 and 0.99",
        {**_BATCH_64_HINGE_BETA_0_0_99, "batch_size": 32}),
    "batch_64_hinge_beta_0_0.99_r1_0.1": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, R1 with gamma "
        "0.1 (R3GAN's penalty, at the fashion_mnist_r3gan preset's weight)",
        {**_BATCH_64_HINGE_BETA_0_0_99, "model_args": {"r1_gamma": 0.1}}),
    "batch_64_hinge_beta_0_0.99_r1_0.1_lazy_16": (
        "batch_64_hinge_beta_0_0.99_r1_0.1 with R1 lazy: before every 16th "
        "update of D only, weighted 16 times (StyleGAN2's interval)",
        {**_BATCH_64_HINGE_BETA_0_0_99, "model_args": {
            "r1_gamma": 0.1, "penalty_interval": 16}}),
    "batch_64_hinge_beta_0_0.99_r1_0.1_lazy_4": (
        "batch_64_hinge_beta_0_0.99_r1_0.1 with R1 lazy: before every 4th "
        "update of D only, weighted 4 times",
        {**_BATCH_64_HINGE_BETA_0_0_99, "model_args": {
            "r1_gamma": 0.1, "penalty_interval": 4}}),
    "batch_64_hinge_beta_0_0.99_d_1.6e-3": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, D's learning "
        "rate twice G's 8e-4 (TTUR, Heusel et al. 2017)",
        {**_BATCH_64_HINGE_BETA_0_0_99, "d_learning_rate": 1.6e-3}),
    "batch_64_hinge_beta_0_0.99_g_4e-4": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, G's learning "
        "rate half D's 8e-4 (TTUR, Heusel et al. 2017)",
        {**_BATCH_64_HINGE_BETA_0_0_99, "g_learning_rate": 4e-4}),
    "batch_64_hinge_beta_0_0.99_g_1.2e-3": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, G's learning "
        "rate 1.5 times D's 8e-4",
        {**_BATCH_64_HINGE_BETA_0_0_99, "g_learning_rate": 1.2e-3}),
    "batch_64_hinge_beta_0_0.99_g_1.6e-3": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, G's learning "
        "rate twice D's 8e-4",
        {**_BATCH_64_HINGE_BETA_0_0_99, "g_learning_rate": 1.6e-3}),
    "batch_64_hinge_beta_0_0.99_rampup_0.02": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, the EMA's "
        "half-life at most 2 % of the images seen",
        {**_BATCH_64_HINGE_BETA_0_0_99, "model_args": {"ema_rampup": 0.02}}),
    "batch_64_hinge_beta_0_0.99_simultaneous": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, both nets "
        "updated from one pass (the TF tutorial's step)",
        {**_BATCH_64_HINGE_BETA_0_0_99, "model_args": {
            "update": "simultaneous"}}),
    "batch_32_hinge_beta_0_0.99_simultaneous": (
        "a quarter of the batch, the hinge loss, Adam's betas 0 and 0.99, "
        "both nets updated from one pass",
        {**_BATCH_64_HINGE_BETA_0_0_99, "batch_size": 32, "model_args": {
            "update": "simultaneous"}}),
    "batch_32_hinge_beta_0_0.99_simultaneous_g_1.2e-3": (
        "a quarter of the batch, the hinge loss, Adam's betas 0 and 0.99, "
        "both nets updated from one pass, G's learning rate 1.5 times D's "
        "8e-4", {**_BATCH_64_HINGE_BETA_0_0_99, "batch_size": 32,
                 "g_learning_rate": 1.2e-3,
                 "model_args": {"update": "simultaneous"}}),
    "batch_64_hinge_beta_0_0.99_d_norm_none": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, D without "
        "batch norm", {**_BATCH_64_HINGE_BETA_0_0_99, "model_args": {
            "d_norm": None}}),
    "batch_64_hinge_beta_0_0.99_d_norm_layer": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, D with layer "
        "norm instead of batch norm", {**_BATCH_64_HINGE_BETA_0_0_99,
                                       "model_args": {"d_norm": "layer"}}),
    "batch_64_hinge_beta_0_0.99_cosine_3_epochs": _cosine("8e-4", 8e-4),
    "batch_64_hinge_beta_0_0.99_cosine_1.6e-3_3_epochs": _cosine("1.6e-3",
                                                                 1.6e-3),
    **{f"batch_64_hinge_beta_0_0.99_latent_{n}": _latent(n)
       for n in (16, 32, 64)},
    "batch_64_hinge_beta_0_0.99_bf16": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, under "
        "mixed_bfloat16 (the same nets, half the CPU time of an epoch on a "
        "CPU with AMX)", {**_BATCH_64_HINGE_BETA_0_0_99,
                          "mixed_precision": True}),
    **{f"batch_64_hinge_beta_0_0.99_bf16_filters_{n}": _bf16_filters(n)
       for n in (48, 64)},
    "batch_64_hinge_beta_0_0.99_d_final_convs_1": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, D ending with a "
        "stride-1 3x3 convolution as wide as its last strided one (SNGAN's "
        "D ends so)", {**_BATCH_64_HINGE_BETA_0_0_99,
                       "model_args": {"d_final_convs": 1}}),
    "batch_64_hinge_beta_0_0.99_bf16_d_final_convs_1": (
        "batch_64_hinge_beta_0_0.99_d_final_convs_1 under mixed_bfloat16",
        {**_BATCH_64_HINGE_BETA_0_0_99, "mixed_precision": True,
         "model_args": {"d_final_convs": 1}}),
    "batch_64_hinge_beta_0_0.99_translation": (
        "batch 64, the hinge loss, Adam's betas 0 and 0.99, DiffAugment's "
        "translation on what D sees",
        {**_BATCH_64_HINGE_BETA_0_0_99, "model_args": {
            "augment": "translation"}}),
    "ttur": ("batch_128_ns with TTUR (Heusel et al. 2017; SAGAN's 1e-4 for "
             "G, 4e-4 for D)", {**_BATCH_128_NS, "g_learning_rate": 1e-4,
                                "d_learning_rate": 4e-4}),
    "beta_2_0.99": ("batch_128_ns with Adam's beta_2 0.99 (StyleGAN2's, "
                    "R3GAN's)", {**_BATCH_128_NS, "beta_2": 0.99}),
    "hinge": ("batch_128_ns with the hinge loss (SAGAN, BigGAN)", {
        **_BATCH_128_NS, "loss": "hinge"}),
    "least_squares": ("batch_128_ns with the least-squares loss (LSGAN, "
                      "Mao et al. 2017)", {
                          **_BATCH_128_NS, "loss": "least_squares"}),
    "relativistic": ("batch_128_ns with the relativistic pairing loss "
                     "(RpGAN; R3GAN's)", {
                         **_BATCH_128_NS, "loss": "relativistic"}),
}


def _reference_kimg(batch_size):
    """StyleGAN2-ADA's half-life for a batch: batch * 10 / 32 kimg."""
    return batch_size * 10 / 32


def _epochs_run(name, epochs, batch_size=BATCH, model_args=None,
                **overrides):
    """Run `name`, scored and checkpointed after every epoch."""
    return fig8._run(name, model_args=model_args, epochs=epochs,
                     batch_size=batch_size, keep_checkpoints=epochs + 1,
                     **overrides)


class RawGenerator:
    """What the FID callback reads of a model, `generate`, sampled from G
    itself (not the model's `output_net()`, its EMA generator): the same
    seeds, the same conversion from the model's value range."""

    def __init__(self, model):
        self.model = model

    def generate(self, n, seed=0, batch_size=256):
        model, seeds = self.model, np.arange(seed, seed + n)
        return np.concatenate([
            model.from_value_range(model.generator(
                model.latent_from_seeds(seeds[i:i + batch_size]),
                training=False)).numpy()
            for i in range(0, n, batch_size)])


def kept(path):
    """The JSON object a run keeps at `path` (scores or timings measured
    once), or {} before the first."""
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        return json.load(f)


def raw_scores(out, up_to=None):
    """Raw G's scores at every checkpoint of the run in `out` (up to step
    `up_to`), by the run's own FID callback: {"step": [...], score: [...]};
    kept in out/raw_g_scores.json, so a checkpoint is scored once."""
    path = os.path.join(out, "raw_g_scores.json")
    scored = kept(path)
    config = common.run_config(out)
    found = checkpoints.list_checkpoints(os.path.join(out, "checkpoints"))
    within = lambda step: up_to is None or step <= up_to
    todo = [p for p in found if p.rsplit("-", 1)[-1] not in scored
            and within(int(p.rsplit("-", 1)[-1]))]
    if todo:
        model = runs.load(out)
        fid = runner.fid_callback(config, out)  # measure() writes nothing.
        fid.set_model(RawGenerator(model))
        for prefix in todo:
            tf.train.Checkpoint(model=model).restore(prefix).expect_partial()
            scored[str(int(model.step_counter.numpy()))] = fid.measure()
        files.write_text(path, json.dumps(scored, indent=1) + "\n")
    steps = sorted(filter(within, map(int, scored)))
    names = list(scored[str(steps[0])]) if steps else []
    return {"step": steps,
            **{n: [float(scored[str(s)][n]) for s in steps] for n in names}}


def at_steps(values, steps):
    """`values` ({"step": [...], score: [...]}) at `steps` only."""
    keep = [i for i, s in enumerate(values["step"]) if s in set(steps)]
    return {k: [v[i] for i in keep] for k, v in values.items()}


def paired(out, up_to=None):
    """{"raw G": scores, "EMA": scores} of the run in `out`, at the steps
    both were scored at (after every epoch; up to step `up_to`: a run
    trained on since)."""
    raw, averaged = raw_scores(out, up_to), common.scores(out)
    steps = sorted(set(raw["step"]) & set(averaged["step"]))
    return {"raw G": at_steps(raw, steps), "EMA": at_steps(averaged, steps)}


def _change(a, b):
    return a / b - 1


def ema():
    kimg = FLAGS.ema_kimg or _reference_kimg(BATCH)
    rampup = FLAGS.ema_rampup or None
    epochs = FLAGS.ema_epochs or FLAGS.epochs
    if (kimg, rampup) == fig8.preset_ema() and epochs == FLAGS.epochs:
        name, out = fig8.NAME, fig8.preset_run()  # the preset's own EMA
    else:
        name = f"fig8/dcgan_ema_kimg{kimg:g}_rampup{rampup or 0:g}"
        out = _epochs_run(name, epochs, model_args={
            **common.preset_model_args(PRESET), "ema_kimg": kimg,
            "ema_rampup": rampup})
    values = paired(out)
    raw, averaged = values["raw G"], values["EMA"]
    per_epoch = raw["step"][0] if raw["step"] else 1
    epochs = {str(s // per_epoch): {
        "step": s, "raw_g_fid": r, "ema_fid": e,
        "ema_fid_change": _change(e, r)}
        for s, r, e in zip(raw["step"], raw["fid"], averaged["fid"])}
    common.figure(os.path.join(FLAGS.results, "ema_ramp_fid.png"), [
        ("domain FID", {n: (v["step"], v["fid"]) for n, v in values.items()},
         None),
        ("domain FID / raw G's", {"EMA": (raw["step"], [
            e / r for e, r in zip(averaged["fid"], raw["fid"])])},
         {"raw G": 1.0}),
    ], title=f"{PRESET}: EMA (half-life {kimg:g} kimg, ramp-up "
             f"{rampup}) vs raw G of the same run")
    summaries = {n: fig8.summary(v) for n, v in values.items()}
    common.write_json("ema_ramp", {
        "preset": PRESET, "run": name, **common.domain_classifier(),
        "ema_kimg": kimg,
        "ema_rampup": rampup, "batch_size": BATCH,
        "steps": raw["step"][-1], "fid_num_images": FLAGS.fid_num_images,
        "by_epoch": epochs, "summary": summaries,
        "final_fid_change": _change(summaries["EMA"]["final_fid"],
                                    summaries["raw G"]["final_fid"]),
        "swing_ratio": (summaries["EMA"]["fid_swing_second_half"]
                        / summaries["raw G"]["fid_swing_second_half"]),
        "scores": values})


def epoch_cpu_seconds(out, steps_per_epoch, ema=True, images=6400):
    """CPU seconds of one epoch of training of the run in `out` (its model,
    without its EMA generator unless `ema`, and its data; no FID or sample
    callbacks): the process's CPU time over steps of at least `images`
    images after a warm-up, times the steps of an epoch; kept in
    out/epoch_cpu_seconds.json."""
    path = os.path.join(out, "epoch_cpu_seconds.json")
    timed = kept(path)
    key = "with_ema" if ema else "without_ema"
    if key in timed:
        return timed[key]
    config = common.run_config(out)
    if not ema:
        config = runs.config.with_fields(config, model_args={
            **config.model_args, "ema_kimg": None, "ema_rampup": 0.05,
            "ema_start": 0})
    timed[key] = cpu_seconds_per_epoch(config, *traced_fit(config),
                                       steps_per_epoch, images)
    files.write_text(path, json.dumps(timed) + "\n")
    return timed[key]


def traced_fit(config):
    """(the model of `config`, built as its run builds it, its `fit`
    traced; the run's batches of its data)."""
    source = runs.examples.training_source(config)
    model = runner.build_model(config, source)
    batches = data.build(source, batch_size=config.data.batch_size,
                         repeat=True, seed=0)
    model.fit(batches, epochs=1, steps_per_epoch=5, verbose=0)
    return model, batches


def cpu_seconds_per_epoch(config, model, batches, steps_per_epoch,
                          images=6400):
    """This process's CPU seconds over `fit` steps of `model` of at least
    `images` images (20 steps at least) of the run's batches, times the
    steps of an epoch."""
    steps = max(20, -(-images // config.data.batch_size))
    start = time.process_time()
    model.fit(batches, epochs=1, steps_per_epoch=steps, verbose=0)
    return (time.process_time() - start) / steps * steps_per_epoch


def screen_cost():
    """CPU seconds per epoch of each --screen candidate's run (trained
    first if it is not), measured in this one process in --cost_rounds
    rounds, the candidates one after the other in each round (what a
    shared machine does to one round, it does to every candidate);
    results/ema_ramp_screen_cost.json with each candidate's median and its
    ratio to the first candidate's."""
    names, fitted, seconds = screen_names(), {}, {}
    images = fig8.train_images()
    for name in names:
        config = common.run_config(screen_run(name)[0])
        fitted[name] = (config, *traced_fit(config),
                        images // config.data.batch_size)
    for _ in range(FLAGS.cost_rounds):
        for name in names:
            seconds.setdefault(name, []).append(
                cpu_seconds_per_epoch(*fitted[name]))
    first = float(np.median(seconds[names[0]]))
    common.write_json("ema_ramp_screen_cost", {
        "preset": PRESET, "threads": FLAGS.threads, **harness.cpu(),
        "rounds": FLAGS.cost_rounds, "candidates": {
            name: {"what": CANDIDATES[name][0],
                   "batch_size": fitted[name][0].data.batch_size,
                   "epoch_cpu_seconds": float(np.median(times)),
                   "epoch_cpu_seconds_each_round": times,
                   "relative_to_first": float(np.median(times)) / first}
            for name, times in seconds.items()}})
    return seconds


def screen_names():
    """The --screen candidates (default: all of CANDIDATES)."""
    names = FLAGS.screen or list(CANDIDATES)
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        raise ValueError(f"screen: unknown candidates {unknown}; expected "
                         f"some of {', '.join(CANDIDATES)}")
    return names


def screen_run(name):
    """The run of candidate `name`, trained for --screen_epochs (or
    reused): (its folder, its batch size, its model_args, its compile
    overrides)."""
    why, overrides = CANDIDATES[name]
    overrides = dict(overrides)
    batch = overrides.pop("batch_size", BATCH)
    model_args = {"ema_kimg": _reference_kimg(batch), "ema_rampup": 0.05,
                  **overrides.pop("model_args", {})}
    out = _epochs_run(f"screen/{name}", FLAGS.screen_epochs,
                      batch_size=batch, model_args=model_args,
                      fid_metrics=["fid", "kid"], **overrides)
    return out, batch, model_args, overrides


def dcgan_screen():
    names, epochs, results = screen_names(), FLAGS.screen_epochs, {}
    images = fig8.train_images()
    for name in names:
        out, batch, model_args, overrides = screen_run(name)
        per_epoch = images // batch
        values = paired(out, up_to=epochs * per_epoch)
        results[name] = {
            "what": CANDIDATES[name][0], "batch_size": batch,
            "model_args": model_args,
            "compile": {k: v for k, v in overrides.items()},
            "steps": values["raw G"]["step"],
            "raw_g_fid": values["raw G"]["fid"],
            "ema_fid": values["EMA"]["fid"],
            "epoch_cpu_seconds": epoch_cpu_seconds(out, per_epoch)}
        if name == "preset":  # what the preset costs today.
            results[name]["epoch_cpu_seconds_without_ema"] = (
                epoch_cpu_seconds(out, per_epoch, ema=False))
    for name, result in results.items():
        result["final_best_fid"] = min(result["raw_g_fid"][-1:]
                                       + result["ema_fid"][-1:])
    common.write_json("ema_ramp_screen", {
        "preset": PRESET, "epochs": epochs, **harness.cpu(),
        "fid_num_images": FLAGS.fid_num_images,
        **common.domain_classifier(), "candidates": results})


def noise_scores(out, step):
    """FID of raw G and of the EMA generator of the run in `out` at its
    checkpoint of `step`, each on --noise_sets disjoint sets of
    --fid_num_images seeds (set k starts at seed k * --fid_num_images; set
    0 is the one the run's own scores use): {"raw G": [...], "EMA":
    [...]}; kept in out/noise_scores.json, so a set is scored once."""
    path = os.path.join(out, "noise_scores.json")
    scored = kept(path)
    n, sets = FLAGS.fid_num_images, FLAGS.noise_sets
    key = f"{step}:{n}"
    done = scored.setdefault(key, {"raw G": [], "EMA": []})
    if len(done["EMA"]) < sets:
        found = checkpoints.list_checkpoints(
            os.path.join(out, "checkpoints"))
        prefix = os.path.join(out, "checkpoints", f"ckpt-{step}")
        if prefix not in found:
            raise ValueError(f"noise_epochs: {out} keeps no checkpoint of "
                             f"step {step}; it keeps {found}")
        model = runs.load(out)
        tf.train.Checkpoint(model=model).restore(prefix).expect_partial()
        fid = runner.fid_callback(common.run_config(out), out)
        for k in range(len(done["EMA"]), sets):
            fid.seed = k * n
            for name, generator in (("raw G", RawGenerator(model)),
                                    ("EMA", model)):
                fid.set_model(generator)
                done[name].append(float(fid.measure()["fid"]))
            files.write_text(path, json.dumps(scored, indent=1) + "\n")
    return {name: values[:sets] for name, values in done.items()}


def _spread(values):
    return {"mean": float(np.mean(values)),
            "std": float(np.std(values, ddof=1)) if len(values) > 1 else None}


def ema_noise():
    """Whether the EMA's gain over raw G stands out of FID's sampling
    noise: each --screen candidate's run (dcgan_screen's, trained if
    missing) after --noise_epochs (epoch 3 and the last), raw G and the EMA
    each scored on --noise_sets disjoint seed sets (`noise_scores`).
    Both generators of a set are scored on the same seeds, so the EMA's
    change is read set by set."""
    results, images = {}, fig8.train_images()
    for name in screen_names():
        out, batch, _, _ = screen_run(name)
        per_epoch = images // batch
        epochs = {}
        chosen = FLAGS.noise_epochs or [min(3, FLAGS.screen_epochs),
                                        FLAGS.screen_epochs]
        for epoch in sorted(set(map(int, chosen))):
            scores = noise_scores(out, epoch * per_epoch)
            changes = [_change(e, r)
                       for e, r in zip(scores["EMA"], scores["raw G"])]
            epochs[str(epoch)] = {
                "step": epoch * per_epoch, **scores,
                "ema_fid_change": changes,
                # Mean and standard deviation over the sets.
                "spread": {k: _spread(v) for k, v in (
                    *scores.items(), ("ema_fid_change", changes))},
                "sets_ema_at_most_raw_g": sum(c <= 0 for c in changes)}
        results[name] = epochs
    common.write_json("ema_noise", {
        "preset": PRESET, "seed": FLAGS.seed,
        "fid_num_images": FLAGS.fid_num_images,
        "noise_sets": FLAGS.noise_sets, **common.domain_classifier(),
        "candidates": results})
