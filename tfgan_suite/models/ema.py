"""The EMA generator: an average of G's weights over training, and batch-norm
statistics estimated for that average.

Sampling from an exponential moving average (EMA) of the generator's
weights rather than from its last iterate damps the oscillation of GAN
training around an equilibrium: Yazici et al. 2019, "The Unusual
Effectiveness of Averaging in GAN Training" (ICLR), found EMA better than
both the raw iterates and a uniform moving average. ProGAN (Karras et al.
2018, "Progressive Growing of GANs", decay 0.999) and StyleGAN (Karras et
al. 2019) make every sample they report with such an averaged generator.

Three details decide whether the average is what it claims to be:

* Its decay follows the images seen (`decay`), as StyleGAN2-ADA's does
  (Karras et al. 2020, "Training Generative Adversarial Networks with
  Limited Data", NeurIPS; `training/training_loop.py` of
  NVlabs/stylegan2-ada-pytorch, whose `ema_kimg` and `ema_rampup` are
  the arguments here): the average has a half-life of `ema_kimg`
  thousand images, and with a ramp-up coefficient `ema_rampup` (0.05 in
  StyleGAN2-ADA) a half-life of at most `ema_rampup` times the images
  seen so far. Early in training the average so spans only the recent
  part of it, and it pays from the start instead of weighing G's random
  initialisation or the poor G of the first steps (a fixed decay of
  0.999 per step still weighs the G of 700 steps ago by one half). The
  half-life in images makes the average the same at any batch size.
* Batch norm. Only the trainable weights are averaged (`average_weights`).
  A batch-norm layer's moving mean and variance are statistics of the
  activations of the net they were measured in: G's belong to G's current
  weights, not to the average (whose activations have other statistics),
  so copying them gives the averaged generator normalisation constants of
  another net. They are re-estimated instead (`reestimate_batch_norm`) by
  a training-mode forward pass of the averaged net itself over fresh
  inputs: BigGAN's "standing statistics" (Brock et al. 2019, "Large Scale
  GAN Training for High Fidelity Natural Image Synthesis", ICLR), computed
  there for G's own weights, here for the average's.
* The start. The average begins as a copy of G (`averaged_net`), and at
  the first averaging step the ramp makes it one again (no images seen:
  a half-life of 0).

`models.steps.AverageGenerator` calls `average_weights` after every
training step, for every pair of `AdversarialModel.ema_pairs`, whatever the
model's `train_step` does, with the decay of that step's images
(`decay`); sampling calls `refresh_statistics` eagerly before the averaged
generator makes samples, re-estimating its statistics when the model has
taken steps (or its weights changed) since they were last estimated.
"""

import numbers

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite.models import arguments

#: Latent vectors of the re-estimation pass, and its batch size.
NUM_SAMPLES = 1024
BATCH_SIZE = 256
#: Seed of the re-estimation noise: fixed, and apart from the training
#: noise (the model's seed) and from `latent_from_seeds` (keys [s, 0]), so
#: the statistics, and with them `generate(seed=...)`, depend only on the
#: averaged weights.
SEED = (20190, 1)
#: StyleGAN2-ADA's ramp-up coefficient (`ema_rampup`): the half-life is at
#: most 5 % of the images seen.
RAMPUP = 0.05
#: Layers that run in inference mode in the re-estimation pass.
INFERENCE_MODE_LAYERS = tuple(
    getattr(keras.layers, name) for name in (
        "SpectralNormalization", "Dropout", "SpatialDropout1D",
        "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
        "AlphaDropout", "GaussianNoise")
    if hasattr(keras.layers, name))


def configure(net, ema_kimg, ema_rampup, ema_start):
    """A model's EMA arguments checked, and the net that holds the average
    of `net` (`averaged_net`; None without an EMA): (ema_kimg, ema_rampup,
    ema_start, averaged net), or a ValueError naming the argument."""
    if ema_kimg is not None and not _positive(ema_kimg):
        raise ValueError(f"ema_kimg: expected None or the half-life of the "
                         f"average in thousands of images (> 0), e.g. 10, "
                         f"got {ema_kimg!r}")
    if ema_rampup is not None and not _positive(ema_rampup):
        raise ValueError(f"ema_rampup: expected None or a ramp-up "
                         f"coefficient > 0, e.g. {RAMPUP}, got "
                         f"{ema_rampup!r}")
    ema_start = arguments.integer("ema_start", ema_start, minimum=0)
    if ema_kimg is None and (ema_rampup != RAMPUP or ema_start):
        given = "ema_rampup" if ema_rampup != RAMPUP else "ema_start"
        raise ValueError(f"{given}: shapes the EMA generator, which "
                         f"ema_kimg turns on; got ema_kimg=None")
    if ema_kimg is None:
        return None, RAMPUP, 0, None
    return (float(ema_kimg), None if ema_rampup is None else
            float(ema_rampup), ema_start, averaged_net(net))


def _positive(value):
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and value > 0 and np.isfinite(value))


def averaged_net(net):
    """A clone of `net` with its weights: the average starts as G."""
    average = keras.models.clone_model(net)
    average.set_weights(net.get_weights())
    return average


def half_life(ema_kimg, ema_rampup, images_seen):
    """The average's half-life in images after `images_seen` images of
    training (float64 tensors): ema_kimg * 1000, capped at ema_rampup *
    images_seen with a ramp-up (None: none)."""
    life = tf.constant(float(ema_kimg) * 1000.0, tf.float64)
    if ema_rampup is None:
        return life
    return tf.minimum(life, float(ema_rampup)
                      * tf.cast(images_seen, tf.float64))


def decay(ema_kimg, ema_rampup, images_seen, images):
    """The decay beta of one averaging step of `images` images taken after
    `images_seen` images: 0.5 ** (images / max(half_life, 1e-8)), the
    `ema_beta` of StyleGAN2-ADA's training loop; 0 (a copy) while
    `images_seen` < 0 (before the average starts, `ema_start`). A float32
    tensor."""
    seen = tf.cast(images_seen, tf.float64)
    beta = tf.pow(tf.constant(0.5, tf.float64), tf.cast(
        images, tf.float64) / tf.maximum(
            half_life(ema_kimg, ema_rampup, seen), 1e-8))
    return tf.cast(tf.where(seen < 0, tf.constant(0.0, tf.float64), beta),
                   tf.float32)


def batch_norm_layers(net):
    """The `BatchNormalization` layers of `net` (nested models and layers
    inside custom layers too) whose statistics `reestimate_batch_norm`
    estimates: those that learn them in training (`trainable`; a frozen
    layer keeps its statistics) and without batch renormalization."""
    return [layer for layer in net._flatten_layers(include_self=True,
                                                   recursive=True)
            if isinstance(layer, keras.layers.BatchNormalization)
            and layer.trainable and not layer.renorm]


def batch_norm_statistics(net):
    """The moving mean and variance variables of `batch_norm_layers(net)`."""
    return [v for layer in batch_norm_layers(net)
            for v in (layer.moving_mean, layer.moving_variance)]


def average_weights(average_net, net, decay, copy_statistics=False):
    """average <- decay * average + (1 - decay) * net, for the trainable
    weights.

    `average_net` is a clone of `net` (same weights, in the same order).
    Batch-norm statistics (`batch_norm_statistics(average_net)`) are left as
    they are, to be re-estimated for the average, unless `copy_statistics`
    (for nets whose inputs the model cannot draw, e.g. pix2pix's images).
    Other non-trainable state (e.g. the power-iteration vector of spectral
    normalization, unused in inference) is copied from `net`, as before.
    """
    statistics = set() if copy_statistics else {
        id(v) for v in batch_norm_statistics(average_net)}
    for average, weight in zip(average_net.weights, net.weights):
        if id(average) in statistics:
            continue
        value = tf.cast(weight, average.dtype)
        if weight.trainable:
            value = decay * average + (1.0 - decay) * value
        average.assign(value)


def _batches(inputs, batch_size):
    """The batches of `inputs`: a tf.data.Dataset or an iterator of batches
    as it is; else one input or a list [z, labels] of arrays, cut into
    `batch_size` rows (None: one batch)."""
    if isinstance(inputs, tf.data.Dataset) or (
            hasattr(inputs, "__next__")):
        return inputs
    flat = tf.nest.flatten(inputs)
    n = int(flat[0].shape[0])
    step = n if batch_size is None else int(batch_size)
    return [tf.nest.map_structure(lambda x: x[i:i + step], inputs)
            for i in range(0, n, step)]


def _in_inference_mode(call):
    """`call` with training=False whatever Keras passes."""
    def inference_call(*args, training=None, **kwargs):
        return call(*args, training=False, **kwargs)
    return inference_call


def reestimate_batch_norm(net, inputs, batch_size=None):
    """Sets the moving mean and variance of every batch-norm layer of `net`
    to the exact moments of that layer's inputs in a training-mode forward
    pass of `net` over `inputs` (BigGAN's standing statistics).

    Args:
      net: any `keras.Model` (or layer): nested models and batch-norm
        layers inside custom layers are found too (`batch_norm_layers`).
      inputs: what `net` takes: z, or [z, labels] for a conditional net
        (arrays or tensors with the examples along the first axis); or an
        iterable of such batches (e.g. a `tf.data.Dataset`).
      batch_size: cut `inputs` into batches of this many examples (None:
        one batch). Each layer's statistics are then pooled over the
        batches: the mean and the (biased) variance of all its inputs of
        the pass, each batch normalized in training mode by its own
        moments, as in training.

    The pass runs the net that samples, batch norm aside: spectral
    normalization, dropout and noise layers (`INFERENCE_MODE_LAYERS`) run
    in inference mode in it. In training mode Keras' `SpectralNormalization`
    would first divide its kernel by its estimated spectral norm, and
    dropout would drop units, and the statistics would belong to other
    activations than the ones inference makes.

    Only the statistics change: each layer's momentum, and every other
    variable of `net` (weights, random-seed states, anything a layer
    updates in training mode) are restored after the pass; on an error the
    statistics are restored too.

    Returns:
      The number of batch-norm layers re-estimated.
    """
    layers = batch_norm_layers(net)
    if not layers:
        return 0
    statistics = {id(v) for layer in layers
                  for v in (layer.moving_mean, layer.moving_variance)}
    saved = [(v, v.numpy()) for v in net.variables]
    momenta = [layer.momentum for layer in layers]
    fixed = [layer for layer in net._flatten_layers(include_self=True,
                                                    recursive=True)
             if isinstance(layer, INFERENCE_MODE_LAYERS)]
    count = 0
    means = [np.zeros(layer.moving_mean.shape, np.float64) for layer in layers]
    squares = [np.zeros(layer.moving_mean.shape, np.float64)
               for layer in layers]
    try:
        for layer in layers:
            layer.momentum = 0.0  # moving stats <- this batch's moments.
        for layer in fixed:
            layer.call = _in_inference_mode(layer.call)
        for batch in _batches(inputs, batch_size):
            n = int(tf.nest.flatten(batch)[0].shape[0])
            for layer in layers:  # finite, so 0 * old is 0.
                layer.moving_mean.assign(tf.zeros_like(layer.moving_mean))
                layer.moving_variance.assign(
                    tf.ones_like(layer.moving_variance))
            net(batch, training=True)
            # Pooled moments (Chan et al.'s update): M2 of the pass so far.
            total = count + n
            for i, layer in enumerate(layers):
                mean = layer.moving_mean.numpy().astype(np.float64)
                variance = layer.moving_variance.numpy().astype(np.float64)
                delta = mean - means[i]
                means[i] = means[i] + delta * n / total
                squares[i] = (squares[i] + variance * n
                              + delta ** 2 * count * n / total)
            count = total
        if not count:
            raise ValueError("inputs: expected at least one example")
    except BaseException:
        for variable, value in saved:
            variable.assign(value)
        raise
    finally:
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum
        for layer in fixed:
            if "call" in vars(layer):
                del layer.call  # the class's call again.
    for variable, value in saved:
        if id(variable) not in statistics:
            variable.assign(value)
    for i, layer in enumerate(layers):
        layer.moving_mean.assign(means[i].astype(
            layer.moving_mean.dtype))
        layer.moving_variance.assign((squares[i] / count).astype(
            layer.moving_variance.dtype))
    return len(layers)


def standing_latents(n, latent_dim, seed=SEED):
    """n latent vectors z ~ N(0, I) from the fixed `seed` (stateless)."""
    return tf.random.stateless_normal([n, latent_dim], seed=seed)


# ------------------------------------------------ AdversarialModel's calls
def takes_latents(model):
    """Whether the model's generator takes z (or [z, labels]) of
    `model.latent_dim`: then the model can draw the re-estimation inputs
    itself (pix2pix's G takes images)."""
    inputs = model.generator.inputs
    return (model.latent_dim is not None
            and tuple(inputs[0].shape[1:]) == (model.latent_dim,))


def standing_inputs(model, n=NUM_SAMPLES):
    """The inputs of the re-estimation pass: n latent vectors from `SEED`,
    with labels 0, 1, ... cycling for a conditional model (every class
    equally often); None for a generator without latent inputs (pix2pix).
    """
    if not takes_latents(model):
        return None
    z = standing_latents(n, model.latent_dim)
    labels = model.check_labels(None, n)
    return z if labels is None else [z, tf.constant(labels)]


def _weights_key(model):
    """The model's step, and a checksum of the averaged weights: what the
    statistics were estimated for."""
    step = int(model.step_counter.numpy())
    sums = tf.stack([tf.reduce_sum(tf.cast(v, tf.float64))
                     for v in model.ema_generator.trainable_variables])
    return f"{step}:" + ",".join(map(repr, sums.numpy().tolist()))


def refresh_statistics(model, force=False):
    """Re-estimates the batch-norm statistics of `model.ema_generator` for
    its current weights, if they were estimated for other ones (or never:
    a new, loaded or restored model), on `standing_inputs(model)`.

    Eager only: inside a `tf.function` (a traced serving signature) nothing
    happens; sampling code calls this first, eagerly. The record (step
    and weight checksum of the last estimate) lives on the Python object
    only, so a model loaded from `.keras` or a checkpoint estimates again,
    from its own weights: the same statistics, since the noise is fixed.

    Returns:
      Whether the statistics were re-estimated.
    """
    net = getattr(model, "ema_generator", None)
    if net is None or not tf.executing_eagerly():
        return False
    inputs = standing_inputs(model)
    if inputs is None or not batch_norm_layers(net):
        return False
    key = _weights_key(model)
    if not force and getattr(model, "_ema_statistics_of", None) == key:
        return False
    reestimate_batch_norm(net, inputs, BATCH_SIZE)
    model._ema_statistics_of = key
    return True
