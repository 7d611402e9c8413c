"""The EMA generator's helpers (tfgan_suite/models/ema.py, models/steps.py)
and their use by the models: a decay by the images seen (StyleGAN2-ADA's),
averaged trainable weights, batch-norm statistics re-estimated for the
average before it samples."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_suite as tgs
from tests.conftest import pattern_images
from tfgan_suite.models import ema, steps
from tfgan_suite.nets.sagan import ConditionalBatchNormalization


def tiny_data():
    return tgs.data.build(tgs.data.from_arrays(pattern_images(32, 28, 28, 1)),
                          batch_size=8, seed=0)


def moments(h, axes=(0,)):
    h = np.asarray(h, np.float64)
    return h.mean(axis=axes), h.var(axis=axes)


# ------------------------------------------------------------------ decay
def reference_beta(ema_kimg, ema_rampup, cur_nimg, batch_size):
    """`ema_beta` of StyleGAN2-ADA's training/training_loop.py
    (NVlabs/stylegan2-ada-pytorch), for the step after `cur_nimg` images."""
    ema_nimg = ema_kimg * 1000
    if ema_rampup is not None:
        ema_nimg = min(ema_nimg, cur_nimg * ema_rampup)
    return 0.5 ** (batch_size / max(ema_nimg, 1e-8))


@pytest.mark.parametrize("ema_kimg, ema_rampup, batch", [
    (40, 0.05, 128), (10, 0.05, 32), (10, None, 32), (0.02, 0.5, 8)])
def test_decay_is_stylegan2_adas_ema_beta(ema_kimg, ema_rampup, batch):
    for step in (0, 1, 2, 10, 100, 1000, 6249, 6250, 6251, 10 ** 5):
        seen = step * batch
        want = reference_beta(ema_kimg, ema_rampup, seen, batch)
        got = float(ema.decay(ema_kimg, ema_rampup, seen, batch))
        assert got == pytest.approx(want, rel=1e-6, abs=1e-12), step
    # Before the average starts (`ema_start`): a copy.
    assert float(ema.decay(ema_kimg, ema_rampup, -batch, batch)) == 0.0


def test_the_ramp_sets_the_half_life_early_and_the_cap_later():
    # StyleGAN2-ADA's half-life at batch 128: 5 % of the images seen
    # until 40 kimg is reached (after 800 000 images), then 40 kimg.
    assert float(ema.half_life(40, 0.05, 180_000)) == 9_000
    assert float(ema.half_life(40, 0.05, 2_000_000)) == 40_000
    assert float(ema.half_life(40, None, 0)) == 40_000
    # The first averaging step copies G; a half-life of one batch halves.
    assert float(ema.decay(40, 0.05, 0, 128)) == 0.0
    assert float(ema.decay(40, 0.05, 128 * 20, 128)) == pytest.approx(0.5)


# ------------------------------------------------------ re-estimation
def dense_bn(units=3, inputs=5):
    x = keras.Input((inputs,))
    h = keras.layers.Dense(units, name="dense")(x)
    y = keras.layers.BatchNormalization(name="bn")(h)
    return keras.Model(x, keras.layers.ReLU()(y))


def test_reestimation_gives_the_moments_of_the_bn_inputs():
    inner = dense_bn()
    x = keras.Input((5,))
    net = keras.Model(x, keras.layers.Dense(2, name="head")(inner(x)))
    rng = np.random.default_rng(0)
    for step in range(3):  # training moves the statistics elsewhere.
        net(rng.normal(3.0, 2.0, (16, 5)).astype("float32"), training=True)
    kernel, bn = inner.get_layer("dense").kernel, inner.get_layer("bn")
    weights = [w.numpy().copy() for w in net.trainable_weights]
    z = rng.normal(size=(64, 5)).astype("float32")
    h = z @ kernel.numpy() + inner.get_layer("dense").bias.numpy()
    mean, var = moments(h)
    assert not np.allclose(bn.moving_mean.numpy(), mean, atol=1e-3)

    assert ema.reestimate_batch_norm(net, z) == 1
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-5)
    assert bn.momentum == 0.99  # restored; weights untouched.
    for before, after in zip(weights, net.trainable_weights):
        np.testing.assert_array_equal(before, after.numpy())

    # In batches (a Dense layer's outputs do not depend on the batch): the
    # moments pooled over the pass, with a shorter last batch too.
    bn.moving_mean.assign(np.full(3, 7.0, "float32"))
    ema.reestimate_batch_norm(net, z, batch_size=24)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-5)
    ema.reestimate_batch_norm(net, tf.data.Dataset.from_tensor_slices(
        z).batch(10))
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-5)


def test_reestimation_of_a_conditional_net_restores_everything_else():
    """[z, labels] inputs, batch norm inside a custom layer, dropout before
    it (off in the pass, as in sampling), and a spectrally normalized layer
    whose kernel Keras rewrites in training mode: only the statistics
    change."""
    z_in = keras.Input((4,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    h = keras.layers.Dense(8, name="dense")(z_in)
    h = keras.layers.Dropout(0.5, seed=2)(h)
    h = keras.layers.Reshape((1, 1, 8))(h)
    h = ConditionalBatchNormalization(3, name="cbn")([h, label])
    h = keras.layers.Flatten()(h)
    h = keras.layers.SpectralNormalization(keras.layers.Dense(2),
                                           name="sn")(h)
    h = keras.layers.Dropout(0.5, seed=1)(h)
    net = keras.Model([z_in, label], h)
    cbn = net.get_layer("cbn")
    before = [(v, v.numpy().copy()) for v in net.variables]
    rng = np.random.default_rng(1)
    z = rng.normal(size=(30, 4)).astype("float32")
    labels = np.arange(30, dtype="int32") % 3
    dense = net.get_layer("dense")
    mean, var = moments(z @ dense.kernel.numpy() + dense.bias.numpy())

    assert ema.reestimate_batch_norm(net, [z, labels], batch_size=30) == 1
    np.testing.assert_allclose(cbn.norm.moving_mean.numpy().ravel(), mean,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cbn.norm.moving_variance.numpy().ravel(), var,
                               rtol=1e-5)
    statistics = {id(cbn.norm.moving_mean), id(cbn.norm.moving_variance)}
    for variable, value in before:  # kernels, u, seed states.
        if id(variable) not in statistics:
            np.testing.assert_array_equal(variable.numpy(), value)


def test_a_failed_pass_changes_nothing():
    net = dense_bn()
    bn = net.get_layer("bn")
    bn.moving_mean.assign(np.full(3, 2.0, "float32"))
    with pytest.raises(Exception):
        ema.reestimate_batch_norm(net, np.zeros((4, 7), "float32"))
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.full(3, 2.0))
    assert bn.momentum == 0.99


# ------------------------------------------------------------ the model
def sgd_dcgan(**args):
    gan = tgs.models.DCGAN(latent_dim=4, filters=4, seed=0, **args)
    gan.compile(run_eagerly=True, g_optimizer=keras.optimizers.SGD(0.1),
                d_optimizer=keras.optimizers.SGD(0.1))
    return gan


class Recorder(keras.callbacks.Callback):
    """G's and the average's trainable weights at the start and after each
    step, as a callback after the suite's sees them."""

    def on_train_begin(self, logs=None):
        self.g, self.average = [], [self.weights(self.model.ema_generator)]

    def on_train_batch_end(self, batch, logs=None):
        self.g.append(self.weights(self.model.generator))
        self.average.append(self.weights(self.model.ema_generator))

    @staticmethod
    def weights(net):
        return [w.numpy().astype(np.float64) for w in net.trainable_weights]


def check_closed_form(recorder, ema_kimg, ema_rampup, ema_start, batch):
    """average_n = beta_n average_(n-1) + (1 - beta_n) G_n after step n,
    beta_n StyleGAN2-ADA's after (n - 1 - ema_start) * batch images (a copy
    before the average starts)."""
    assert len(recorder.g) >= 4
    betas = []
    for n, g in enumerate(recorder.g, start=1):
        seen = (n - 1 - ema_start) * batch
        beta = 0.0 if seen < 0 else reference_beta(ema_kimg, ema_rampup,
                                                   seen, batch)
        betas.append(beta)
        for before, after, weight in zip(recorder.average[n - 1],
                                         recorder.average[n], g):
            np.testing.assert_allclose(
                after, beta * before + (1 - beta) * weight, rtol=1e-5,
                atol=1e-6)
    assert 0.1 < max(betas) < 0.99  # the average is no copy of G.


def test_fit_averages_with_the_decay_of_the_images_seen():
    gan = sgd_dcgan(ema_kimg=0.02, ema_rampup=0.5, ema_start=1)
    recorder = Recorder()
    gan.fit(tiny_data().take(5), verbose=0, callbacks=[recorder])
    check_closed_form(recorder, 0.02, 0.5, 1, batch=8)
    # train_on_batch counts the images of its batch the same way.
    gan = sgd_dcgan(ema_kimg=0.02, ema_rampup=None)
    recorder = Recorder()
    recorder.set_model(gan)
    recorder.on_train_begin()
    for batch in tiny_data().take(4):
        gan.train_on_batch(batch)
        recorder.on_train_batch_end(0)
    check_closed_form(recorder, 0.02, None, 0, batch=8)


USER_GAN = """
import keras
import tensorflow as tf


class PlainGAN(keras.Model):
    \"\"\"A user's GAN: its own step, no suite helper.\"\"\"

    def __init__(self):
        super().__init__()
        self.generator = keras.Sequential([
            keras.Input((4,)), keras.layers.Dense(28 * 28),
            keras.layers.Reshape((28, 28, 1))])
        self.discriminator = keras.Sequential([
            keras.Input((28, 28, 1)), keras.layers.Flatten(),
            keras.layers.Dense(1)])
        self.g_optimizer = keras.optimizers.SGD(0.1)
        self.d_optimizer = keras.optimizers.SGD(0.1)

    def train_step(self, real):
        z = tf.random.normal((tf.shape(real)[0], 4))
        with tf.GradientTape() as tape:
            d_loss = tf.reduce_mean(self.discriminator(self.generator(z))
                                    - self.discriminator(real))
        self.d_optimizer.apply_gradients(zip(tape.gradient(
            d_loss, self.discriminator.trainable_weights),
            self.discriminator.trainable_weights))
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(self.discriminator(self.generator(z)))
        self.g_optimizer.apply_gradients(zip(tape.gradient(
            g_loss, self.generator.trainable_weights),
            self.generator.trainable_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


class UnpackingGAN(PlainGAN):
    \"\"\"Keras' idiom for a step that `fit` and `train_on_batch` both call.\"\"\"

    def train_step(self, data):
        real, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self.seen = (float(tf.reduce_min(real)), float(tf.reduce_max(real)))
        return super().train_step(real)
"""


@pytest.fixture
def user_gan(tmp_path, monkeypatch):
    from tests.conftest import user_modules
    yield from user_modules(tmp_path, monkeypatch, user_ema_gan=USER_GAN)


def test_a_wrapped_users_gan_averages_by_images_too(user_gan):
    gan = tgs.models.Wrapped("user_ema_gan:PlainGAN", ema_kimg=0.02,
                             ema_rampup=0.5)
    gan.compile(run_eagerly=True)
    recorder = Recorder()
    gan.fit(tiny_data().take(5), verbose=0, callbacks=[recorder])
    check_closed_form(recorder, 0.02, 0.5, 0, batch=8)


def test_a_wrapped_users_gan_takes_train_on_batch(user_gan):
    """`train_on_batch(x)` hands a step `(x, None, None)`, as Keras does,
    the images in the model's value range."""
    gan = tgs.models.Wrapped("user_ema_gan:UnpackingGAN", value_range=(0, 1))
    gan.compile(run_eagerly=True)
    batch = np.linspace(-1, 1, 8 * 28 * 28, dtype="float32").reshape(
        8, 28, 28, 1)
    logs = gan.train_on_batch(batch, return_dict=True)
    assert set(logs) == {"d_loss", "g_loss"}
    assert gan.inner.seen == (0.0, 1.0)
    assert int(gan.step_counter.numpy()) == 1


def test_images_per_step_from_the_data():
    images = np.zeros((20, 28, 28, 1), "float32")
    batched = tf.data.Dataset.from_tensor_slices(images)
    assert steps.images_per_step(batched.batch(8, drop_remainder=True)) == 8
    # No static batch size (keras-io's datasets): the first batch's.
    assert steps.images_per_step(batched.batch(6)) == 6
    assert steps.images_per_step(x=batched.batch(6)) == 6
    assert steps.images_per_step(images, None, 5) == 5
    assert steps.images_per_step(images) == 20  # Keras' 32, capped.
    assert steps.images_in((images[:3], np.zeros(3))) == 3
    assert steps.images_per_step(iter([images])) is None


def test_data_without_a_batch_size_is_refused_with_an_ema():
    gan = sgd_dcgan(ema_kimg=0.02)

    def batches():
        while True:
            yield (np.zeros((8, 28, 28, 1), "float32"),)
    with pytest.raises(ValueError, match="ema_kimg: the average's half-life "
                                         "is counted in images"):
        gan.fit(batches(), steps_per_epoch=1, verbose=0)
    assert int(gan.step_counter.numpy()) == 0


def statistics(net):
    return [v.numpy().copy() for v in ema.batch_norm_statistics(net)]


def test_averaging_leaves_the_statistics_to_reestimation():
    gan = sgd_dcgan(ema_kimg=0.01)
    initial = statistics(gan.ema_generator)
    for batch in tiny_data().take(3):
        gan.train_on_batch(batch)
    # G's statistics moved in training; the average's were not copied.
    for average, own, first in zip(statistics(gan.ema_generator),
                                   statistics(gan.generator), initial):
        np.testing.assert_array_equal(average, first)
        assert not np.allclose(own, first)

    gan.generate(2, seed=0)
    # project_bn normalizes the projection of z (a Dense layer without
    # bias, reshaped): its statistics are the moments of the projection of
    # the re-estimation noise under the averaged kernel.
    net = gan.ema_generator
    z = ema.standing_latents(ema.NUM_SAMPLES, 4).numpy()
    projection = (z @ net.get_layer("project").kernel.numpy()).reshape(
        (-1,) + tuple(net.get_layer("project_bn").input.shape[1:]))
    mean, var = moments(projection, axes=(0, 1, 2))
    bn = net.get_layer("project_bn")
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-4)
    assert not np.allclose(bn.moving_variance.numpy(),
                           gan.generator.get_layer("project_bn")
                           .moving_variance.numpy(), rtol=1e-3)


def test_fit_then_generate_is_reproducible_and_estimates_once(monkeypatch):
    calls = []
    reestimate = ema.reestimate_batch_norm
    monkeypatch.setattr(ema, "reestimate_batch_norm", lambda *a, **k: (
        calls.append(1), reestimate(*a, **k))[1])
    gan = tgs.models.DCGAN(latent_dim=4, filters=4, seed=0, ema_kimg=0.01)
    gan.compile(run_eagerly=True)
    gan.fit(tiny_data().take(3), verbose=0)
    first = gan.generate(4, seed=0)
    np.testing.assert_array_equal(gan.generate(4, seed=0), first)
    assert len(calls) == 1  # fresh until G takes another step.
    gan.fit(tiny_data().take(1), verbose=0)
    assert not np.array_equal(gan.generate(4, seed=0), first)
    assert len(calls) == 2

    # A model with other training noise but the same weights samples alike:
    # the re-estimation noise is its own.
    other = tgs.models.DCGAN(latent_dim=4, filters=4, seed=5, ema_kimg=0.01)
    other.ema_generator.set_weights(gan.ema_generator.get_weights())
    np.testing.assert_array_equal(other.generate(4, seed=0),
                                  gan.generate(4, seed=0))
    # Never inside a tf.function.
    assert not tf.function(lambda: ema.refresh_statistics(gan, force=True)
                           or tf.constant(0))()


def test_saved_and_exported_models_sample_with_reestimated_statistics(
        tmp_path):
    gan = tgs.models.DCGAN(latent_dim=4, filters=4, seed=0, ema_kimg=0.01)
    gan.compile(run_eagerly=True)
    gan.fit(tiny_data().take(2), verbose=0)
    # Saved and exported straight after training, before any sample.
    gan.save(tmp_path / "g.keras")
    path = tgs.serving.export_saved_model(gan, str(tmp_path / "sm" / "g"))
    tgs.serving.verify(path, gan, cli=False)  # served == gan's own samples.
    loaded = keras.models.load_model(tmp_path / "g.keras")
    np.testing.assert_array_equal(loaded.generate(3, seed=0),
                                  gan.generate(3, seed=0))


def test_conditional_models_reestimate_with_labels():
    gan = tgs.models.CGAN(image_shape=(28, 28, 1), num_classes=3,
                          latent_dim=8, filters=4, seed=0, ema_kimg=0.01)
    gan.compile(run_eagerly=True)
    images = tf.constant(pattern_images(16, 28, 28, 1), tf.float32) / 127.5 - 1
    gan.fit(tf.data.Dataset.from_tensor_slices(
        (images, tf.range(16) % 3)).batch(8), verbose=0)
    before = statistics(gan.ema_generator)
    assert before and ema.refresh_statistics(gan)
    assert not ema.refresh_statistics(gan)
    assert any(not np.allclose(a, b) for a, b in
               zip(before, statistics(gan.ema_generator)))
    np.testing.assert_array_equal(gan.generate(3, seed=1, labels=2),
                                  gan.generate(3, seed=1, labels=2))


def test_spectrally_normalized_nets_are_estimated_as_they_sample():
    """SAGAN's G: the statistics of the BN after its spectrally normalized
    projection are the moments of z @ kernel with the kernel inference
    uses, not the kernel divided by its spectral norm (what the layer would
    use in a training-mode pass); and the kernel stays as it was."""
    gan = tgs.models.SAGAN(image_shape=(32, 32, 3), latent_dim=8, filters=8,
                           seed=0, ema_kimg=0.01)
    gan.compile(run_eagerly=True, g_optimizer=keras.optimizers.SGD(0.05),
                d_optimizer=keras.optimizers.SGD(0.05))
    images = tf.constant(pattern_images(8, 32, 32, 3), tf.float32) / 127.5 - 1
    for _ in range(3):
        gan.train_on_batch(images)
    net = gan.ema_generator
    weights = [v.numpy().copy() for v in net.trainable_weights]
    assert ema.refresh_statistics(gan)
    kernel = net.get_layer("project_sn").layer.kernel.numpy()
    z = ema.standing_latents(ema.NUM_SAMPLES, 8).numpy()
    bn = net.get_layer("project_bn")
    projection = (z @ kernel).reshape((-1,) + tuple(bn.input.shape[1:]))
    mean, var = moments(projection, axes=(0, 1, 2))
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-4,
                               atol=1e-7)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-4)
    for before, after in zip(weights, net.trainable_weights):
        np.testing.assert_array_equal(before, after.numpy())
    assert "call" not in vars(net.get_layer("project_sn"))


def test_pix2pix_keeps_copying_the_statistics_it_cannot_estimate():
    """pix2pix's G takes images, which the model cannot draw: its average
    keeps G's statistics, as before, and nothing is re-estimated."""
    from tests.tiny_models import batches, tiny
    model = tiny("pix2pix", ema_kimg=0.01)
    model.compile(run_eagerly=True)
    model.fit(batches(model, n=2, steps=2), verbose=0)
    for average, own in zip(statistics(model.ema_generator),
                            statistics(model.generator)):
        np.testing.assert_array_equal(average, own)
    assert not ema.refresh_statistics(model)
