"""What the suite does after every `train_step`, whatever the step does:
count it (the run's step) and average the generator (the EMA).

`AdversarialModel.fit` puts these callbacks first in every `fit`, so a
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


class AverageGenerator(keras.callbacks.Callback):
    """After every step, one EMA update of each averaged net of the model
    (`model.ema_pairs()`), decay ramped by `ema.decay_at` from the step."""

    def on_train_begin(self, logs=None):
        if self.model.steps_per_execution > 1:
            raise ValueError(
                f"ema_decay: the average is updated after every step, and "
                f"steps_per_execution={self.model.steps_per_execution} "
                f"runs several steps per call; compile with "
                f"steps_per_execution=1")
        self._update = tf.function(self._average)

    def _average(self):
        model = self.model
        t = model.step_counter - 1 - model.ema_start
        decay = ema_lib.decay_at(model.ema_decay, t)
        for average, net, copy_statistics in model.ema_pairs():
            ema_lib.average_weights(average, net, decay, copy_statistics)

    def on_train_batch_end(self, batch, logs=None):
        self._update()


def with_suite_callbacks(model, callbacks):
    """`callbacks` with the suite's per-step ones first (those missing)."""
    callbacks = list(callbacks or [])
    own = [StepCounter()]
    if model.ema_pairs():
        own.append(AverageGenerator())
    kinds = {type(c) for c in callbacks}
    return [c for c in own if type(c) not in kinds] + callbacks
