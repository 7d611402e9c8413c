"""What the suite does after every `train_step`, whatever the step does:
count it (the run's step) and average the generator (the EMA).

`AfterEachStep`, a base of `AdversarialModel`, puts these callbacks first
in every `fit` (and `train_on_batch` does the same after its step), so a
subclass's `train_step` owes the suite nothing: it trains and returns its
logs, and the step count and the EMA follow.
"""

import keras
import tensorflow as tf

from tfgan_suite.models import ema as ema_lib


class StepCounter(keras.callbacks.Callback):
    """Sets the model's `step_counter` to the calls of `train_step` so far.

    Keras reports the index of the last step in each batch end (`end_step`,
    counted in the epoch), so with `steps_per_execution` > 1 the counter
    jumps by the steps of each call.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._start = int(self.model.step_counter.numpy())

    def on_train_batch_end(self, batch, logs=None):
        self.model.step_counter.assign(self._start + batch + 1)


def images_in(batch):
    """The examples of one batch (the first axis of its first tensor):
    the images a step sees."""
    shape = tuple(getattr(tf.nest.flatten(batch)[0], "shape", ()))
    return int(shape[0]) if shape and shape[0] is not None else None


def images_per_step(x=None, y=None, batch_size=None, *args, **kwargs):
    """The images of each step of `fit(x, y, batch_size, ...)` (Keras'
    arguments): a `tf.data.Dataset`'s static batch size (the suite's data
    is batched with drop_remainder), else its first batch's; `batch_size`
    (Keras' default 32) rows of arrays; None when the data cannot say
    (a Python generator, a `PyDataset`)."""
    if isinstance(x, tf.data.Dataset):
        images = images_in(x.element_spec)
        if images is None:
            for batch in x.take(1):
                images = images_in(batch)
        return images
    examples = images_in(x) if x is not None else None
    return examples and min(int(batch_size or 32), examples)


def average(model, images):
    """One EMA update of each averaged net of `model` (`ema_pairs()`) after
    the step `step_counter` counts, a step of `images` images: its decay
    `ema.decay` of the images seen before it since the average started
    (`ema_start`), counted as steps times `images`; one `tf.function` per
    model."""
    update = model.__dict__.get("_tgs_average")
    if update is None:
        def update(images):
            seen = (model.step_counter - 1 - model.ema_start) * images
            decay = ema_lib.decay(model.ema_kimg, model.ema_rampup, seen,
                                  images)
            for average_net, net, copy_statistics in model.ema_pairs():
                ema_lib.average_weights(average_net, net, decay,
                                        copy_statistics)
        update = tf.function(update)
        object.__setattr__(model, "_tgs_average", update)
    update(tf.constant(images, tf.int64))


def after_step(model, x=None, *args, **kwargs):
    """What the suite does after one step outside `fit`
    (`train_on_batch(x, ...)`): count it, and update the EMA."""
    model.step_counter.assign_add(1)
    if model.ema_pairs():
        average(model, images_in(x))


class AverageGenerator(keras.callbacks.Callback):
    """After every step of `images` images, one EMA update (`average`)."""

    def __init__(self, images):
        super().__init__()
        self.images = images

    def on_train_begin(self, logs=None):
        if self.model.steps_per_execution > 1:
            raise ValueError(
                f"ema_kimg: the average is updated after every step, and "
                f"steps_per_execution={self.model.steps_per_execution} "
                f"runs several steps per call; compile with "
                f"steps_per_execution=1")
        if not self.images:
            raise ValueError(
                "ema_kimg: the average's half-life is counted in images, "
                "and the images of a step are unknown for this data; fit "
                "a tf.data.Dataset or arrays")

    def on_train_batch_end(self, batch, logs=None):
        average(self.model, self.images)


def with_suite_callbacks(model, callbacks, *fit_args, **fit_kwargs):
    """`callbacks` with the suite's per-step ones first (those missing),
    for `fit(*fit_args, **fit_kwargs)`."""
    callbacks = list(callbacks or [])
    own = [StepCounter()]
    if model.ema_pairs():
        own.append(AverageGenerator(images_per_step(*fit_args,
                                                    **fit_kwargs)))
    kinds = {type(c) for c in callbacks}
    return [c for c in own if type(c) not in kinds] + callbacks


class AfterEachStep:
    """`fit` and `train_on_batch` of a model, each step followed by the
    suite's: the step count and the EMA of the nets of `ema_pairs` (of
    the model's `step_counter`, `ema_generator` and EMA arguments)."""

    def ema_pairs(self):
        """[(average, net, copy_statistics)]: the nets the EMA averages
        after every step (`AverageGenerator`); batch-norm statistics are
        copied only for a G that takes no latent vectors (pix2pix's: the
        model cannot draw its inputs to re-estimate them)."""
        if self.ema_generator is None:
            return []
        return [(self.ema_generator, self.generator,
                 not ema_lib.takes_latents(self))]

    def fit(self, *args, callbacks=None, **kwargs):
        """`keras.Model.fit`, with the suite's per-step callbacks first."""
        return super().fit(*args, callbacks=with_suite_callbacks(
            self, callbacks, *args, **kwargs), **kwargs)

    def train_on_batch(self, *args, **kwargs):
        """`keras.Model.train_on_batch`, then what `fit` does after a
        step (`after_step`)."""
        logs = super().train_on_batch(*args, **kwargs)
        after_step(self, *args, **kwargs)
        return logs
