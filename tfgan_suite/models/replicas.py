"""What a step's values need under `tf.distribute`: each replica's slice
of one global draw of noise (`per_replica`), and logs that Keras can
reduce across workers (`reducible_logs`)."""

import tensorflow as tf


def per_replica(draw, n):
    """`draw(m)` for this replica's n rows of one global draw.

    Under a strategy with R replicas every replica draws the global
    n * R rows from the same seed and keeps its own slice, in the order
    the strategy splits the data batch: the replicas together see what
    one device would see at the global batch.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    context = tf.distribute.get_replica_context()
    if replicas == 1 or context is None:
        return draw(n)
    start = context.replica_id_in_sync_group * n
    return draw(n * replicas)[start:start + n]


def reducible_logs(logs):
    """`logs` ({name: scalar}) as `fit` can reduce them across workers:
    Keras 3 averages them with strategy.reduce("MEAN", v, axis=0), which
    fails on scalars under a multi-worker strategy
    (tensorflow/tensorflow#72388); with a shape of [1] it yields the
    scalar mean over the workers. Other strategies take them as they are.
    """
    strategy = tf.distribute.get_strategy()
    if not (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode()):
        return logs
    return {name: tf.reshape(value, [1]) for name, value in logs.items()}
