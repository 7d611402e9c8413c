"""nets/common.py: the suite's batch norm is Keras' own in float32 and
normalizes half-precision activations with TF's fused kernel in training."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite.nets import common


@pytest.fixture
def policy():
    yield keras.mixed_precision.set_global_policy
    keras.mixed_precision.set_global_policy("float32")


def twins(shape, momentum=0.9, **kwargs):
    """The suite's batch norm and Keras', built for `shape`, with the same
    non-trivial weights."""
    channels = shape[-1]
    ours = common.BatchNormalization(momentum=momentum, **kwargs)
    keras_bn = keras.layers.BatchNormalization(momentum=momentum, **kwargs)
    for layer in (ours, keras_bn):
        layer.build(shape)
    keras_bn.set_weights(
        [np.linspace(0.5, 1.5, channels), np.linspace(-1, 1, channels),
         np.linspace(-0.2, 0.2, channels), np.linspace(0.8, 1.2, channels)]
        [:len(keras_bn.weights)])
    ours.set_weights(keras_bn.get_weights())
    return ours, keras_bn


def train_call(layer, x):
    """(y, gradients of sum(y * x) for x, gamma, beta, the moving
    statistics after the call) of one training call."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        loss = tf.reduce_sum(tf.cast(y, tf.float32) * tf.cast(x, tf.float32))
    grads = tape.gradient(loss, [x, *layer.trainable_weights])
    return y, grads, [w.numpy() for w in layer.non_trainable_weights]


def close(a, b, rtol):
    a, b = (np.asarray(tf.cast(t, tf.float32)) for t in (a, b))
    assert np.max(np.abs(a - b)) <= rtol * np.max(np.abs(b)), (a, b)


@pytest.mark.parametrize("shape", [(16, 6, 6, 8), (32, 8)])
@pytest.mark.parametrize("half", ["bfloat16", "float16"])
def test_half_precision_training_equals_keras(shape, half, policy):
    policy(f"mixed_{half}")
    ours, keras_bn = twins(shape)
    x = tf.cast(tf.random.stateless_normal(shape, (1, 2)) * 3 + 2, half)
    (y, grads, stats), (y_k, grads_k, stats_k) = (train_call(ours, x),
                                                  train_call(keras_bn, x))
    assert y.dtype == half and y.shape == shape
    close(y, y_k, 1e-2)  # one bfloat16 rounding
    close(grads[0], grads_k[0], 3e-2)
    for g, g_k in zip(grads[1:], grads_k[1:]):  # float32 gamma and beta
        assert g.dtype == tf.float32
        close(g, g_k, 1e-3)
    for s, s_k in zip(stats, stats_k):  # the biased variance, as Keras
        np.testing.assert_allclose(s, s_k, rtol=1e-5, atol=1e-6)


def test_half_precision_training_runs_the_fused_kernel(policy):
    policy("mixed_bfloat16")
    layer = common.batch_norm()
    layer.build((4, 3, 3, 2))
    train = tf.function(lambda x: layer(x, training=True))
    graph = train.get_concrete_function(
        tf.TensorSpec((4, 3, 3, 2), tf.bfloat16)).graph
    ops = graph.get_operations()
    assert "FusedBatchNormV3" in {op.type for op in ops}
    # Keras' path casts the activations to float32 and back.
    assert not [op for op in ops if op.type == "Cast"
                and tf.bfloat16 in (op.inputs[0].dtype, op.outputs[0].dtype)]


def test_without_scale_and_center(policy):
    policy("mixed_bfloat16")
    shape = (8, 4, 4, 3)
    ours, keras_bn = twins(shape, center=False, scale=False)
    x = tf.cast(tf.random.stateless_normal(shape, (3, 4)), tf.bfloat16)
    close(ours(x, training=True), keras_bn(x, training=True), 1e-2)


@pytest.mark.parametrize("training", [True, False])
def test_float32_is_keras_exactly(training):
    shape = (8, 4, 4, 3)
    ours, keras_bn = twins(shape)
    x = tf.random.stateless_normal(shape, (5, 6)) * 2 + 1
    (y, grads, stats), (y_k, grads_k, stats_k) = (
        (train_call(layer, x) if training
         else (layer(x, training=False), [], []))
        for layer in (ours, keras_bn))
    np.testing.assert_array_equal(y, y_k)
    for a, b in zip(grads + stats, grads_k + stats_k):
        np.testing.assert_array_equal(a, b)


def test_inference_under_mixed_precision_is_keras(policy):
    policy("mixed_bfloat16")
    shape = (8, 4, 4, 3)
    ours, keras_bn = twins(shape)
    x = tf.cast(tf.random.stateless_normal(shape, (7, 8)), tf.bfloat16)
    np.testing.assert_array_equal(
        tf.cast(ours(x, training=False), tf.float32),
        tf.cast(keras_bn(x, training=False), tf.float32))


def test_config_round_trips():
    layer = common.batch_norm(name="bn", momentum=0.95)
    copy = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer))
    assert type(copy) is common.BatchNormalization
    assert (copy.name, copy.momentum) == ("bn", 0.95)
    assert isinstance(copy, keras.layers.BatchNormalization)
