"""CycleGAN: its nets, the history pool, the step, the losses by hand, the
learning-rate schedule and bad arguments (compiled steps, save / load and
resume with the pools, export and handed-in nets:
tests/models/test_harness.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import data, models, runs
from tfgan_suite.models import cyclegan
from tfgan_suite.training import runner
from tfgan_suite.models.cyclegan import (ConstantThenLinearDecay, ImagePool,
                                         adam_linear_decay)
from tfgan_suite.nets import resnet
from tests import tiny_models

SHAPE = (32, 32, 1)


def tiny(**kwargs):
    """The tiny CycleGAN on grayscale SHAPE images, compiled to run
    eagerly."""
    return tiny_models.eager("cyclegan", image_shape=SHAPE, seed=0, **kwargs)


def unpaired_batches(n=2, steps=1, seed=0):
    rng = np.random.default_rng(seed)
    a, b = (rng.uniform(-1, 1, (n * steps, *SHAPE)).astype("float32")
            for _ in range(2))
    return tf.data.Dataset.from_tensor_slices((a, b)).batch(n)


def test_nets_shapes_and_instance_norm():
    model = tiny(n_blocks=2)
    for g in (model.generator, model.generator_ba):
        assert g.output_shape == (None, *SHAPE)
        assert sum(l.name.endswith("_add") for l in g.layers) == 2
    for d in (model.discriminator, model.discriminator_a):
        assert len(d.inputs) == 1 and d.output_shape == (None, 2, 2, 1)
    for net in (model.generator, model.generator_ba, model.discriminator,
                model.discriminator_a):
        layers = list(net._flatten_layers(include_self=False, recursive=True))
        kinds = {type(l).__name__ for l in layers}
        assert "GroupNormalization" in kinds and "BatchNormalization" \
            not in kinds, net.name
        assert all(l.groups == l.gamma.shape[0] for l in layers  # per channel
                   if isinstance(l, keras.layers.GroupNormalization))
    # The reference's 6 blocks at 128 px and below, 9 at 256.
    assert [resnet.default_blocks((s, s, 3)) for s in (32, 128, 256)] == [
        6, 6, 9]
    with pytest.raises(ValueError, match="multiples of 4"):
        resnet.build_generator((30, 30, 3))


def first_width(net):
    return next(layer.filters for layer in net._flatten_layers(
        include_self=False, recursive=True)
        if isinstance(layer, keras.layers.Conv2D))


def test_nets_sized_to_the_image_by_default():
    # The reference's 64 filters at 128 and 256 px; 32 below.
    assert [cyclegan.default_filters((s, s, 3)) for s in (32, 64, 128, 256)
            ] == [32, 32, 64, 64]
    assert cyclegan.default_filters((256, 64, 3)) == 32  # the shorter side
    model = models.CycleGAN(image_shape=SHAPE)
    for net in (model.generator, model.generator_ba, model.discriminator,
                model.discriminator_a):
        assert first_width(net) == 32, net.name
    assert sum(l.name.endswith("_add") for l in model.generator.layers) == 6
    # None is what the model records: it resizes with the images.
    assert model.get_config()["filters"] is None
    given = models.CycleGAN(image_shape=SHAPE, filters=8, n_blocks=0)
    assert first_width(given.generator) == 8


def test_a_users_two_folders_get_nets_sized_to_their_images(tmp_path):
    """`train.py --model=cyclegan --dataset=unpaired --data_dir=...` with
    no preset: the model's default preset, the images' own size and nets
    sized to it, batch 16 (not the horse2zebra preset's 256 px, 9 blocks
    and batch 1)."""
    from tests.data.test_unpaired import write_unpaired
    folders = write_unpaired(tmp_path / "mine", grey=True)  # 32x32
    config = runs.make_config(models.presets.default_for("cyclegan"),
                              dataset="unpaired", data_dir=folders)
    model = runner.build_model(config, runs.examples.training_source(config))
    assert model.data_shape == (32, 32, 1)
    assert first_width(model.generator) == 32
    assert sum(l.name.endswith("_add") for l in model.generator.layers) == 6
    assert config.data.batch_size == 16
    assert model.adversarial_loss.name == "least_squares"
    # The reference run keeps the paper's configuration.
    preset = models.presets.get("horse2zebra_cyclegan")
    assert preset["model_args"]["filters"] == 64
    assert preset["model_args"]["n_blocks"] == 9
    assert (preset["data"]["image_size"], preset["data"]["batch_size"]) == (
        256, 1)


def test_reflection_padding_mirrors_the_border():
    x = np.arange(9, dtype="float32").reshape(1, 3, 3, 1)
    padded = resnet.ReflectionPadding2D(1)(x).numpy()[0, ..., 0]
    np.testing.assert_array_equal(padded[0], [4, 3, 4, 5, 4])
    assert padded.shape == (5, 5)


def test_pool_fills_then_swaps_half_the_time():
    pool = ImagePool(pool_size=2, image_shape=(1,), seed=0)
    first = pool(tf.constant([[1.0], [2.0], [3.0]])).numpy().ravel()
    # Two fill the pool and come back; the third meets a full pool.
    np.testing.assert_array_equal(first[:2], [1.0, 2.0])
    assert int(pool.count.numpy()) == 2
    assert first[2] in (1.0, 2.0, 3.0)
    swaps, stored = 0, set(pool.images.numpy().ravel())
    for value in np.arange(4.0, 204.0):
        out = pool(tf.constant([[value]])).numpy().item()
        after = set(pool.images.numpy().ravel())
        if out == value:  # returned as it came, not stored.
            assert after == stored
        else:  # a stored image came back; the new one took its slot.
            swaps += 1
            assert out in stored and after == stored - {out} | {value}
        stored = after
    assert 0.35 < swaps / 200 < 0.65
    passthrough = ImagePool(pool_size=0, image_shape=(1,))
    np.testing.assert_array_equal(passthrough(tf.constant([[7.0]])), [[7.0]])


def test_one_step_updates_both_generators_both_discriminators_and_pools():
    model = tiny()
    before = {k: [w.numpy().copy() for w in getattr(model, k).weights]
              for k in model.NET_ARGS}
    logs = model.fit(unpaired_batches(), epochs=1, verbose=0).history
    assert set(logs) == set(model.tracked)
    assert int(model.step_counter) == 1
    assert int(model.g_optimizer.iterations) == 1
    assert int(model.d_optimizer.iterations) == 1
    for key in model.NET_ARGS:
        after = getattr(model, key).weights
        assert any(not np.array_equal(a, b.numpy())
                   for a, b in zip(before[key], after)), key
    assert int(model.pool_a.count) == int(model.pool_b.count) == 2
    assert len(model.g_variables) == 2 * len(
        model.generator.trainable_variables)
    x = np.random.default_rng(0).integers(0, 256, (2, *SHAPE), np.uint8)
    rows = model.picture_rows((x, x))
    assert rows.shape == (4, 3, *SHAPE) and rows.dtype == np.uint8
    np.testing.assert_array_equal(rows[:2, 1], model.translate_uint8(x))


def scaled_identity(scale, name):
    """x -> scale * x, a 1x1 convolution (trainable, so Adam can step)."""
    x = keras.Input(SHAPE)
    y = keras.layers.Conv2D(1, 1, use_bias=False, name=f"{name}_scale",
                            kernel_initializer=keras.initializers.Constant(
                                scale))(x)
    return keras.Model(x, y, name=name)


def constant_critic(name):
    """x -> logits 0 everywhere."""
    x = keras.Input(SHAPE)
    y = keras.layers.Conv2D(1, 4, strides=8, kernel_initializer="zeros",
                            name=f"{name}_conv")(x)
    return keras.Model(x, y, name=name)


def test_losses_by_hand_with_identity_nets():
    """G(x) = x, F(x) = x / 2, D_A = D_B = 0: least squares gives the
    reference's G term 2 * (0.5 * 2) (MSE(0, 1) per D), D terms
    0.5 + 0.5 each; cycle |F(G(a)) - a| + |G(F(b)) - b| = |a| / 2 + |b| / 2,
    identity |G(b) - b| + |F(a) - a| = |a| / 2."""
    model = models.CycleGAN(
        generator=scaled_identity(1.0, "g"), generator_ba=scaled_identity(
            0.5, "f"), discriminator=constant_critic("d_b"),
        discriminator_a=constant_critic("d_a"), seed=0)
    model.compile(run_eagerly=True)
    a, b = next(iter(unpaired_batches(n=4)))
    cycle = 0.5 * np.abs(a).mean() + 0.5 * np.abs(b).mean()
    identity = 0.5 * np.abs(a).mean()
    logs = {k: v[-1] for k, v in model.fit(
        tf.data.Dataset.from_tensors((a, b)), verbose=0).history.items()}
    assert logs["cycle_loss"] == pytest.approx(cycle, rel=1e-5)
    assert logs["identity_loss"] == pytest.approx(identity, rel=1e-5)
    assert logs["g_gan_loss"] == pytest.approx(2.0, rel=1e-6)
    assert logs["g_loss"] == pytest.approx(
        2.0 + 10.0 * (cycle + 0.5 * identity), rel=1e-5)
    assert logs["d_loss"] == pytest.approx(1.0, rel=1e-6)


def test_ema_averages_both_generators_and_translates_with_them():
    model = tiny(ema_kimg=0.01, ema_rampup=None)  # no copy of G early on.
    model.fit(unpaired_batches(), epochs=1, verbose=0)
    assert model.output_net("a_to_b") is model.ema_generator
    assert model.output_net("b_to_a") is model.ema_generator_ba
    x = np.zeros((1, *SHAPE), np.float32)
    assert not np.allclose(model.ema_generator_ba(x),
                           model.generator_ba(x))


def test_learning_rate_constant_then_linear_to_zero():
    schedule = ConstantThenLinearDecay(2e-4, 100, 50)
    values = [float(schedule(step)) for step in (0, 100, 125, 150, 400)]
    np.testing.assert_allclose(values, [2e-4, 2e-4, 1e-4, 0.0, 0.0],
                               atol=1e-12)
    optimizer = keras.optimizers.get(adam_linear_decay(100, 50)[
        "g_optimizer"])
    again = keras.optimizers.deserialize(keras.optimizers.serialize(
        optimizer))
    assert again.get_config()["learning_rate"]["config"] == {
        "learning_rate": 2e-4, "constant_steps": 100, "decay_steps": 50}
    model = models.CycleGAN.from_preset("fashion_edges_cyclegan",
                                        filters=4, n_blocks=1)
    assert model.adversarial_loss.name == "least_squares"
    assert model.g_optimizer.get_config()["learning_rate"]["config"][
        "decay_steps"] == 600


def test_from_data_and_bad_input():
    source = data.get_source("synthetic_pairs", image_size=32,
                             num_examples=2)
    with pytest.raises(ValueError, match=r"CycleGAN trains on unpaired "
                                         r"images of two domains \(a, b\) "
                                         r"and synthetic_pairs has pairs"):
        models.CycleGAN.from_data(source)
    model = tiny()
    with pytest.raises(ValueError, match=r"trains on \(a, b\) batches"):
        model.fit(tf.data.Dataset.from_tensor_slices(
            np.zeros((2, *SHAPE), np.float32)).batch(2), verbose=0)
    with pytest.raises(ValueError, match="use translate"):
        model.generate(2)
    with pytest.raises(ValueError, match=r"^direction: expected one of "
                                         r"\('a_to_b', 'b_to_a'\), got "
                                         r"'AtoB'$"):
        model.translate(np.zeros((1, *SHAPE), np.float32), "AtoB")
    with pytest.raises(ValueError, match=r"images: expected uint8 images of "
                                         r"shape \(N, 32, 32, 1\)"):
        model.translate_uint8(np.zeros((1, 16, 16, 1), np.uint8))
    with pytest.raises(ValueError, match="loss: CycleGAN trains with"):
        model.compile(loss="hinge")


@pytest.mark.parametrize("kwargs, message", [
    ({"cycle_lambda": -1.0}, "cycle_lambda: expected a non-negative"),
    ({"identity_lambda": "0.5"}, "identity_lambda: expected a non-neg"),
    ({"pool_size": 2.5}, "pool_size: expected a non-negative integer"),
    ({"norm": "layer"}, "norm: expected one of"),
    ({"image_shape": (30, 30, 1)}, "image_shape: the ResNet generator"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.CycleGAN(**{"image_shape": SHAPE, "filters": 4,
                           "n_blocks": 0, **kwargs})


def test_all_four_nets_or_none():
    nets = tiny()
    with pytest.raises(ValueError, match=r"hand in all four nets or none "
                                         r".*got generator, discriminator "
                                         r"only"):
        models.CycleGAN(generator=nets.generator,
                        discriminator=nets.discriminator)
    other = models.CycleGAN(image_shape=(32, 32, 3), filters=4, n_blocks=0)
    with pytest.raises(ValueError, match=r"generator_ba: makes images of "
                                         r"shape \(32, 32, 3\), but the "
                                         r"model's images are \(32, 32, 1\)"):
        models.CycleGAN(generator=nets.generator,
                        discriminator=nets.discriminator,
                        generator_ba=other.generator_ba,
                        discriminator_a=nets.discriminator_a)
