"""A clean stop on SIGINT / SIGTERM / SIGHUP: the step finishes, a
checkpoint is written, and resuming the run continues from it."""

import signal
import threading

import keras
import tensorflow as tf



class Interrupt(keras.callbacks.Callback):
    """Turns SIGINT, SIGTERM and SIGHUP (a closed terminal) during `fit`
    into a clean stop: the step under way finishes, `fit` ends the epoch
    there (so the callbacks after this one, the checkpoint among them, see
    it), and `signal` records which signal came. The previous handlers are
    back after `fit`.

    On a multi-worker cluster the workers agree after every step (an
    all-reduce of the signal): a signal to any of them stops all at the
    same step, so they checkpoint that step together."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self):
        super().__init__()
        self.signal = None
        self._previous = {}
        self._received = 0

    def on_train_batch_end(self, batch, logs=None):
        strategy = self.model.distribute_strategy
        if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            return
        # How many workers got each signal (all-reduce has no max).
        got = [float(self._received == s) for s in self.SIGNALS]
        counts = strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(
            lambda: tf.constant(got)), axis=None).numpy()
        received = [s for s, n in zip(self.SIGNALS, counts) if n > 0]
        if received:
            self.signal = int(received[0])
            self.model.stop_training = True

    def on_train_begin(self, logs=None):
        if threading.current_thread() is not threading.main_thread():
            return  # handlers can only be set from the main thread.
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._stop)

    def _stop(self, signum, frame):
        self.signal = self._received = int(signum)
        if not isinstance(self.model.distribute_strategy,
                          tf.distribute.MultiWorkerMirroredStrategy):
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}
