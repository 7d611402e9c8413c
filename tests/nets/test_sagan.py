import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite.nets import sagan


def feature_map(n=2, h=6, w=5, c=16, seed=0):
    return np.random.default_rng(seed).normal(size=(n, h, w, c)).astype(
        np.float32)


def test_self_attention_starts_as_the_identity():
    x = feature_map()
    layer = sagan.SelfAttention()
    y = layer(x, training=True)
    assert y.shape == x.shape
    np.testing.assert_array_equal(y.numpy(), x)  # gamma = 0
    layer.gamma.assign(0.5)
    assert not np.allclose(layer(x).numpy(), x)


def test_attention_rows_are_distributions_over_all_positions():
    x = feature_map()
    layer = sagan.SelfAttention(return_attention=True)
    y, beta = layer(x)
    assert y.shape == x.shape and beta.shape == (2, 30, 30)
    np.testing.assert_allclose(beta.numpy().sum(-1), 1.0, rtol=1e-5)
    assert (beta.numpy() >= 0).all()
    assert beta.numpy().std() > 0  # not uniform: queries and keys matter


def test_self_attention_config_round_trip():
    layer = sagan.SelfAttention(spectral_norm=False, return_attention=True,
                                name="att")
    clone = sagan.SelfAttention.from_config(layer.get_config())
    assert clone.spectral_norm is False and clone.return_attention is True
    assert clone.name == "att"


def test_self_attention_refuses_too_few_channels():
    with pytest.raises(ValueError, match="expected at least 8 channels"):
        sagan.SelfAttention()(feature_map(c=4))


def test_spectral_normalization_drives_the_top_singular_value_to_one():
    # Seeded: power iteration converges as (s2 / s1)^k, and an unseeded
    # kernel with close top singular values was still 4 % off after 30.
    keras.utils.set_random_seed(0)
    layer = keras.layers.SpectralNormalization(
        keras.layers.Conv2D(16, 3, kernel_initializer=keras.initializers
                            .RandomNormal(stddev=1.0, seed=0)))
    x = feature_map(c=8)
    layer(x)
    kernel = layer.layer.kernel
    before = np.linalg.svd(kernel.numpy().reshape(-1, 16), compute_uv=False)[0]
    for _ in range(100):
        layer(x, training=True)
    after = np.linalg.svd(kernel.numpy().reshape(-1, 16), compute_uv=False)[0]
    assert before > 5
    assert after == pytest.approx(1.0, abs=0.02)


def test_spectral_normalization_runs_in_float32_under_mixed_float16():
    """The suite's `sn` wrapper keeps its power iteration in float32: in
    float16 a one-unit conv with N(0, 0.02) weights gave u = NaN, and the
    normalized kernel was rounded to float16."""
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        layer = sagan.sn(keras.layers.Conv2D(1, 1, use_bias=False,
                                             name="key"))
        x = feature_map(c=8)
        layer(x)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    kernel = layer.layer.kernel
    kernel.assign(np.random.default_rng(0).normal(0, 0.02, (1, 1, 8, 1)))
    layer.vector_u.assign([[1e-3]])
    w = kernel.numpy().reshape(8, 1).astype(np.float64)
    out = layer(x, training=True)
    assert np.isfinite(layer.vector_u.numpy()).all()
    assert np.isfinite(np.asarray(out, np.float32)).all()
    # One power iteration on a single column gives sigma = ||w||.
    np.testing.assert_allclose(kernel.numpy().reshape(8, 1),
                               w / np.linalg.norm(w), rtol=1e-6)
    assert layer.layer.compute_dtype == "float16"  # the conv stays mixed


def test_conditional_batch_norm_uses_the_label():
    layer = sagan.ConditionalBatchNormalization(3)
    x = feature_map(c=4)
    layer([x, tf.constant([0, 1])])
    layer.scale.embeddings.assign(np.arange(12, dtype=np.float32).reshape(3, 4))
    a = layer([x, tf.constant([0, 0])]).numpy()
    b = layer([x, tf.constant([2, 2])]).numpy()
    assert not np.allclose(a, b)
    config = sagan.ConditionalBatchNormalization.from_config(
        layer.get_config()).get_config()
    assert config["num_classes"] == 3


@pytest.mark.parametrize("shape,attention,width", [
    ((32, 32, 3), "auto", 16), ((32, 32, 3), 8, 8), ((64, 64, 3), 32, 32),
    ((28, 28, 1), "auto", 14), ((64, 64, 3), None, None)])
def test_net_shapes_and_attention_placement(shape, attention, width):
    g = sagan.build_generator(shape, latent_dim=8, filters=8,
                              attention_resolution=attention)
    d = sagan.build_discriminator(shape, filters=8,
                                  attention_resolution=attention)
    assert g.output.shape[1:] == shape and d.output.shape[1:] == (1,)
    names = [layer.name for layer in g.layers + d.layers]
    assert names.count("attention") == (0 if attention is None else 2)
    if attention:
        assert g.get_layer("attention").output.shape[2] == width
        assert d.get_layer("attention").output.shape[2] == width
    wrapped = [layer for layer in g.layers + d.layers
               if isinstance(layer, keras.layers.SpectralNormalization)]
    convs = [layer for layer in g.layers + d.layers
             if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    assert wrapped and not convs  # every conv and dense layer is wrapped


def test_conditional_nets_take_labels():
    g = sagan.build_generator((32, 32, 3), latent_dim=8, filters=8,
                              num_classes=4)
    d = sagan.build_discriminator((32, 32, 3), filters=8, num_classes=4)
    z = tf.random.normal((2, 8))
    images = g([z, tf.constant([0, 3])])
    logits = d([images, tf.constant([0, 3])])
    assert images.shape == (2, 32, 32, 3) and logits.shape == (2, 1)
    # Every class starts with scale 1, shift 0; give class 1 its own.
    cbn = g.get_layer("project_bn")
    cbn.shift.embeddings.assign(np.eye(4, cbn.shift.embeddings.shape[1],
                                       dtype=np.float32))
    assert not np.allclose(g([z, tf.constant([1, 1])]).numpy(),
                           g([z, tf.constant([0, 0])]).numpy())


def test_bad_sizes():
    with pytest.raises(ValueError, match="attention_resolution: expected one "
                                         r"of the feature map widths \[8, 16\]"):
        sagan.build_generator((32, 32, 3), attention_resolution=32)
    with pytest.raises(ValueError, match="image_shape"):
        sagan.build_discriminator((30, 30, 3))
