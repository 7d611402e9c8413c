"""What the suite does after every `train_step`, whatever the step does:
count it (the run's step) and average the generator (the EMA).

`AdversarialModel.fit` puts these callbacks first in every `fit` (and
`train_on_batch` does the same after its step), so a subclass's
`train_step` owes the suite nothing: it trains and returns its logs, and
the step count and the EMA follow.
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


def average(model):
    """One EMA update of each averaged net of `model` (`ema_pairs()`) after
    the step `step_counter` counts, decay ramped by `ema.decay_at`; one
    `tf.function` per model."""
    update = model.__dict__.get("_tgs_average")
    if update is None:
        def update():
            t = model.step_counter - 1 - model.ema_start
            decay = ema_lib.decay_at(model.ema_decay, t)
            for average_net, net, copy_statistics in model.ema_pairs():
                ema_lib.average_weights(average_net, net, decay,
                                        copy_statistics)
        update = tf.function(update)
        object.__setattr__(model, "_tgs_average", update)
    update()


def after_step(model):
    """What the suite does after one step outside `fit`
    (`train_on_batch`): count it, and update the EMA."""
    model.step_counter.assign_add(1)
    if model.ema_pairs():
        average(model)


class AverageGenerator(keras.callbacks.Callback):
    """After every step, one EMA update (`average`)."""

    def on_train_begin(self, logs=None):
        if self.model.steps_per_execution > 1:
            raise ValueError(
                f"ema_decay: the average is updated after every step, and "
                f"steps_per_execution={self.model.steps_per_execution} "
                f"runs several steps per call; compile with "
                f"steps_per_execution=1")

    def on_train_batch_end(self, batch, logs=None):
        average(self.model)


def with_suite_callbacks(model, callbacks):
    """`callbacks` with the suite's per-step ones first (those missing)."""
    callbacks = list(callbacks or [])
    own = [StepCounter()]
    if model.ema_pairs():
        own.append(AverageGenerator())
    kinds = {type(c) for c in callbacks}
    return [c for c in own if type(c) not in kinds] + callbacks
