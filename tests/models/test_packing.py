"""PacGAN's packing (Lin et al. 2018), `pack=m` on every unconditional
model: D's input, the packs it sees, the refusals, a step, the config."""

import numpy as np
import pytest
import tensorflow as tf

import tfgan_suite as tgs
from tfgan_suite.nets.common import pack


def points(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


def test_pack_puts_consecutive_examples_side_by_side():
    x = np.arange(8 * 3).reshape(8, 3).astype("float32")
    packs = pack(x, 4).numpy()
    assert packs.shape == (2, 12)
    np.testing.assert_array_equal(packs[1], x[4:8].reshape(-1))
    images = np.random.default_rng(0).normal(size=(6, 4, 5, 3))
    packs = pack(images, 2).numpy()
    assert packs.shape == (3, 4, 5, 6)
    # Pack j, channels 3i..3i+2: example 2j + i.
    np.testing.assert_array_equal(packs[2, ..., 3:], images[5])
    np.testing.assert_array_equal(packs[2, ..., :3], images[4])
    assert pack(x, 1) is x


@pytest.mark.parametrize("m", [2, 4])
def test_vector_d_takes_packs_of_m_points(m):
    gan = tgs.models.GAN(data_shape=(2,), latent_dim=2, hidden=(8,), pack=m)
    assert gan.discriminator.input_shape == (None, 2 * m)
    assert gan.d_input_shape == (2 * m,)
    assert gan.d_logits(points(8)).shape == (8 // m, 1)


@pytest.mark.parametrize("m", [2, 4])
def test_image_d_takes_packs_on_its_channels(m):
    gan = tgs.models.DCGAN(image_shape=(28, 28, 1), latent_dim=4, filters=4,
                           pack=m)
    assert gan.discriminator.input_shape == (None, 28, 28, m)
    assert gan.generator.output_shape == (None, 28, 28, 1)
    images = np.zeros((8, 28, 28, 1), np.float32)
    assert gan.d_logits(images).shape == (8 // m, 1)


def test_a_batch_that_does_not_split_into_packs_is_refused():
    gan = tgs.models.GAN(data_shape=(2,), latent_dim=2, hidden=(8,), pack=4)
    gan.compile()
    with pytest.raises(ValueError, match="batch_size: 10 examples do not "
                                         "split into packs of pack=4"):
        gan.fit(points(20), batch_size=10, verbose=0)


@pytest.mark.parametrize("build", [
    lambda: tgs.models.CGAN(latent_dim=4, filters=4, pack=2),
    lambda: tgs.models.SAGAN(image_shape=(32, 32, 3), num_classes=10,
                             filters=4, pack=2),
    lambda: tgs.models.Pix2Pix(image_shape=(32, 32, 3), filters=4, pack=2),
])
def test_packing_a_conditional_model_is_refused(build):
    with pytest.raises(ValueError, match="pack: packing .* needs an "
                                         "unconditional model"):
        build()


@pytest.mark.parametrize("model", ["gan", "wgan_gp"])
def test_a_packed_train_step_runs(model):
    if model == "gan":
        gan = tgs.models.GAN(data_shape=(2,), latent_dim=2, hidden=(8,),
                             pack=2, d_steps=2, seed=0)
        batch = points(16)
    else:
        gan = tgs.models.WGANGP(latent_dim=4, filters=4, d_steps=2, pack=2,
                                seed=0)
        batch = np.zeros((8, 28, 28, 1), np.float32)
    gan.compile(run_eagerly=True)  # one step: no tracing.
    logs = gan.train_on_batch(tf.constant(batch), return_dict=True)
    assert all(np.isfinite(v) for v in logs.values())
    assert int(gan.d_optimizer.iterations) == 2
    assert int(gan.g_optimizer.iterations) == 1


def test_pack_round_trips_through_the_config():
    gan = tgs.models.GAN(data_shape=(2,), latent_dim=2, hidden=(8,), pack=3)
    again = tgs.models.GAN.from_config(gan.get_config())
    assert again.pack == 3
    assert again.discriminator.input_shape == (None, 6)
    assert tgs.models.GAN.init_args()["pack"] == 1


def test_own_nets_need_a_d_that_takes_packs():
    import keras
    g = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    d_points = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"D must take packs of 2, \(4,\), "
                                         r"but it takes \(2,\)"):
        tgs.models.GAN(generator=g, discriminator=d_points, pack=2)
    d_packs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    assert tgs.models.GAN(generator=g, discriminator=d_packs,
                          pack=2).d_logits(points(4)).shape == (2, 1)


def test_single_sample_scores_are_refused_and_health_is_per_pack():
    from tfgan_suite.training.callbacks import diagnose, health_forward
    gan = tgs.models.GAN(data_shape=(2,), latent_dim=2, hidden=(8,), pack=4)
    gan.compile()
    with pytest.raises(ValueError, match="pack: discriminator scores are "
                                         "per sample"):
        tgs.metrics.discriminator_filtered(gan, 4, batch_size=8)
    # 10 points: D judges their 2 whole packs.
    real_logits, fake_logits, fake = health_forward(gan, tf.constant(
        points(10)))
    assert real_logits.shape == fake_logits.shape == (2, 1)
    assert fake.shape == (8, 2)
    values, _ = diagnose(gan, tf.constant(points(10)))
    assert values["d_acc_real"] in (0.0, 0.5, 1.0)


def test_pack_is_a_flag_of_the_command_line():
    from absl import flags
    from tfgan_suite import runs
    from tfgan_suite.commands import cli
    values = flags.FlagValues()
    cli.define_training_flags(values)
    values(["tfgan-train", "--preset=grid_gan", "--pack=4"])
    config = runs.make_config(values.preset, **cli.training_overrides(values))
    assert config.model_args["pack"] == 4
    assert "PacGAN" in values["pack"].help
