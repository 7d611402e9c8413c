"""keras-io's GAN classes (examples/generative: dcgan_overriding_train_step,
wgan_gp, conditional_gan, cyclegan), retyped with Keras 3 imports and no
line inside the classes changed, run by the suite through a factory
function: train, extend, reload, sample or translate, export. The
conditional GAN and CycleGAN take the glue their docs show
(`docs/adding_a_model.md`), kept outside their classes."""

import json
import os
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import user_modules
from tfgan_suite import runs, serving, training
from tfgan_suite.training import runner

KERAS_IO = textwrap.dedent('''
    import keras
    import tensorflow as tf
    from keras import layers, ops

    image_size, num_classes = 28, 10


    class GAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.seed_generator = keras.random.SeedGenerator(1337)

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn
            self.d_loss_metric = keras.metrics.Mean(name="d_loss")
            self.g_loss_metric = keras.metrics.Mean(name="g_loss")

        @property
        def metrics(self):
            return [self.d_loss_metric, self.g_loss_metric]

        def train_step(self, real_images):
            batch_size = ops.shape(real_images)[0]
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            generated_images = self.generator(random_latent_vectors)
            combined_images = ops.concatenate([generated_images, real_images],
                                              axis=0)
            labels = ops.concatenate(
                [ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))],
                axis=0)
            labels += 0.05 * tf.random.uniform(tf.shape(labels))
            with tf.GradientTape() as tape:
                predictions = self.discriminator(combined_images)
                d_loss = self.loss_fn(labels, predictions)
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(
                zip(grads, self.discriminator.trainable_weights))
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            misleading_labels = ops.zeros((batch_size, 1))
            with tf.GradientTape() as tape:
                predictions = self.discriminator(
                    self.generator(random_latent_vectors))
                g_loss = self.loss_fn(misleading_labels, predictions)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(
                zip(grads, self.generator.trainable_weights))
            self.d_loss_metric.update_state(d_loss)
            self.g_loss_metric.update_state(g_loss)
            return {"d_loss": self.d_loss_metric.result(),
                    "g_loss": self.g_loss_metric.result()}


    class WGAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim,
                     discriminator_extra_steps=3, gp_weight=10.0):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.d_steps = discriminator_extra_steps
            self.gp_weight = gp_weight

        def compile(self, d_optimizer, g_optimizer, d_loss_fn, g_loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.d_loss_fn = d_loss_fn
            self.g_loss_fn = g_loss_fn

        def gradient_penalty(self, batch_size, real_images, fake_images):
            alpha = tf.random.normal([batch_size, 1, 1, 1], 0.0, 1.0)
            diff = fake_images - real_images
            interpolated = real_images + alpha * diff
            with tf.GradientTape() as gp_tape:
                gp_tape.watch(interpolated)
                pred = self.discriminator(interpolated, training=True)
            grads = gp_tape.gradient(pred, [interpolated])[0]
            norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
            gp = tf.reduce_mean((norm - 1.0) ** 2)
            return gp

        def train_step(self, real_images):
            if isinstance(real_images, tuple):
                real_images = real_images[0]
            batch_size = tf.shape(real_images)[0]
            for i in range(self.d_steps):
                random_latent_vectors = tf.random.normal(
                    shape=(batch_size, self.latent_dim))
                with tf.GradientTape() as tape:
                    fake_images = self.generator(random_latent_vectors,
                                                 training=True)
                    fake_logits = self.discriminator(fake_images,
                                                     training=True)
                    real_logits = self.discriminator(real_images,
                                                     training=True)
                    d_cost = self.d_loss_fn(real_img=real_logits,
                                            fake_img=fake_logits)
                    gp = self.gradient_penalty(batch_size, real_images,
                                               fake_images)
                    d_loss = d_cost + gp * self.gp_weight
                d_gradient = tape.gradient(
                    d_loss, self.discriminator.trainable_variables)
                self.d_optimizer.apply_gradients(
                    zip(d_gradient, self.discriminator.trainable_variables))
            random_latent_vectors = tf.random.normal(
                shape=(batch_size, self.latent_dim))
            with tf.GradientTape() as tape:
                generated_images = self.generator(random_latent_vectors,
                                                  training=True)
                gen_img_logits = self.discriminator(generated_images,
                                                    training=True)
                g_loss = self.g_loss_fn(gen_img_logits)
            gen_gradient = tape.gradient(g_loss,
                                         self.generator.trainable_variables)
            self.g_optimizer.apply_gradients(
                zip(gen_gradient, self.generator.trainable_variables))
            return {"d_loss": d_loss, "g_loss": g_loss}


    class ConditionalGAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.gen_loss_tracker = keras.metrics.Mean(name="generator_loss")
            self.disc_loss_tracker = keras.metrics.Mean(
                name="discriminator_loss")

        @property
        def metrics(self):
            return [self.gen_loss_tracker, self.disc_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        def train_step(self, data):
            real_images, one_hot_labels = data
            image_one_hot_labels = one_hot_labels[:, :, None, None]
            image_one_hot_labels = tf.repeat(
                image_one_hot_labels, repeats=[image_size * image_size])
            image_one_hot_labels = tf.reshape(
                image_one_hot_labels, (-1, image_size, image_size,
                                       num_classes))
            batch_size = tf.shape(real_images)[0]
            random_latent_vectors = tf.random.normal(
                shape=(batch_size, self.latent_dim))
            random_vector_labels = tf.concat(
                [random_latent_vectors, one_hot_labels], axis=1)
            generated_images = self.generator(random_vector_labels)
            fake_image_and_labels = tf.concat(
                [generated_images, image_one_hot_labels], -1)
            real_image_and_labels = tf.concat(
                [real_images, image_one_hot_labels], -1)
            combined_images = tf.concat(
                [fake_image_and_labels, real_image_and_labels], axis=0)
            labels = tf.concat(
                [tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
            with tf.GradientTape() as tape:
                predictions = self.discriminator(combined_images)
                d_loss = self.loss_fn(labels, predictions)
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(
                zip(grads, self.discriminator.trainable_weights))
            random_latent_vectors = tf.random.normal(
                shape=(batch_size, self.latent_dim))
            random_vector_labels = tf.concat(
                [random_latent_vectors, one_hot_labels], axis=1)
            misleading_labels = tf.zeros((batch_size, 1))
            with tf.GradientTape() as tape:
                fake_images = self.generator(random_vector_labels)
                fake_image_and_labels = tf.concat(
                    [fake_images, image_one_hot_labels], -1)
                predictions = self.discriminator(fake_image_and_labels)
                g_loss = self.loss_fn(misleading_labels, predictions)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(
                zip(grads, self.generator.trainable_weights))
            self.gen_loss_tracker.update_state(g_loss)
            self.disc_loss_tracker.update_state(d_loss)
            return {"g_loss": self.gen_loss_tracker.result(),
                    "d_loss": self.disc_loss_tracker.result()}


    class CycleGan(keras.Model):
        def __init__(self, generator_G, generator_F, discriminator_X,
                     discriminator_Y, lambda_cycle=10.0,
                     lambda_identity=0.5):
            super().__init__()
            self.gen_G = generator_G
            self.gen_F = generator_F
            self.disc_X = discriminator_X
            self.disc_Y = discriminator_Y
            self.lambda_cycle = lambda_cycle
            self.lambda_identity = lambda_identity

        def call(self, inputs):
            return (self.disc_X(inputs), self.disc_Y(inputs),
                    self.gen_G(inputs), self.gen_F(inputs))

        def compile(self, gen_G_optimizer, gen_F_optimizer,
                    disc_X_optimizer, disc_Y_optimizer, gen_loss_fn,
                    disc_loss_fn):
            super().compile()
            self.gen_G_optimizer = gen_G_optimizer
            self.gen_F_optimizer = gen_F_optimizer
            self.disc_X_optimizer = disc_X_optimizer
            self.disc_Y_optimizer = disc_Y_optimizer
            self.generator_loss_fn = gen_loss_fn
            self.discriminator_loss_fn = disc_loss_fn
            self.cycle_loss_fn = keras.losses.MeanAbsoluteError()
            self.identity_loss_fn = keras.losses.MeanAbsoluteError()

        def train_step(self, batch_data):
            real_x, real_y = batch_data
            with tf.GradientTape(persistent=True) as tape:
                fake_y = self.gen_G(real_x, training=True)
                fake_x = self.gen_F(real_y, training=True)
                cycled_x = self.gen_F(fake_y, training=True)
                cycled_y = self.gen_G(fake_x, training=True)
                same_x = self.gen_F(real_x, training=True)
                same_y = self.gen_G(real_y, training=True)
                disc_real_x = self.disc_X(real_x, training=True)
                disc_fake_x = self.disc_X(fake_x, training=True)
                disc_real_y = self.disc_Y(real_y, training=True)
                disc_fake_y = self.disc_Y(fake_y, training=True)
                gen_G_loss = self.generator_loss_fn(disc_fake_y)
                gen_F_loss = self.generator_loss_fn(disc_fake_x)
                cycle_loss_G = (self.cycle_loss_fn(real_y, cycled_y)
                                * self.lambda_cycle)
                cycle_loss_F = (self.cycle_loss_fn(real_x, cycled_x)
                                * self.lambda_cycle)
                id_loss_G = (self.identity_loss_fn(real_y, same_y)
                             * self.lambda_cycle * self.lambda_identity)
                id_loss_F = (self.identity_loss_fn(real_x, same_x)
                             * self.lambda_cycle * self.lambda_identity)
                total_loss_G = gen_G_loss + cycle_loss_G + id_loss_G
                total_loss_F = gen_F_loss + cycle_loss_F + id_loss_F
                disc_X_loss = self.discriminator_loss_fn(disc_real_x,
                                                         disc_fake_x)
                disc_Y_loss = self.discriminator_loss_fn(disc_real_y,
                                                         disc_fake_y)
            grads_G = tape.gradient(total_loss_G,
                                    self.gen_G.trainable_variables)
            grads_F = tape.gradient(total_loss_F,
                                    self.gen_F.trainable_variables)
            disc_X_grads = tape.gradient(disc_X_loss,
                                         self.disc_X.trainable_variables)
            disc_Y_grads = tape.gradient(disc_Y_loss,
                                         self.disc_Y.trainable_variables)
            self.gen_G_optimizer.apply_gradients(
                zip(grads_G, self.gen_G.trainable_variables))
            self.gen_F_optimizer.apply_gradients(
                zip(grads_F, self.gen_F.trainable_variables))
            self.disc_X_optimizer.apply_gradients(
                zip(disc_X_grads, self.disc_X.trainable_variables))
            self.disc_Y_optimizer.apply_gradients(
                zip(disc_Y_grads, self.disc_Y.trainable_variables))
            return {"G_loss": total_loss_G, "F_loss": total_loss_F,
                    "D_X_loss": disc_X_loss, "D_Y_loss": disc_Y_loss}
''')

FACTORIES = textwrap.dedent('''
    import keras
    import tensorflow as tf
    from keras import layers

    import keras_io_gans as kio


    def nets(latent_dim, g_in=None, d_channels=1, g_activation="sigmoid",
             d_activation=None):
        discriminator = keras.Sequential([
            keras.Input((28, 28, d_channels)),
            layers.Conv2D(8, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2), layers.Flatten(),
            layers.Dense(1, activation=d_activation)])
        generator = keras.Sequential([
            keras.Input((g_in or latent_dim,)), layers.Dense(7 * 7 * 8),
            layers.LeakyReLU(0.2), layers.Reshape((7, 7, 8)),
            layers.Conv2DTranspose(8, 4, strides=4, padding="same"),
            layers.Conv2D(1, 3, padding="same", activation=g_activation)])
        return discriminator, generator


    def dcgan(latent_dim=8):
        gan = kio.GAN(*nets(latent_dim, d_activation="sigmoid"), latent_dim)
        gan.compile(keras.optimizers.Adam(3e-4), keras.optimizers.Adam(3e-4),
                    keras.losses.BinaryCrossentropy())
        return gan


    def wgan(latent_dim=8, discriminator_extra_steps=3):
        wgan = kio.WGAN(*nets(latent_dim, g_activation="tanh"), latent_dim,
                        discriminator_extra_steps=discriminator_extra_steps)
        adam = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.9)
        wgan.compile(adam(), adam(),
                     d_loss_fn=lambda real_img, fake_img: (
                         tf.reduce_mean(fake_img) - tf.reduce_mean(real_img)),
                     g_loss_fn=lambda fake_img: -tf.reduce_mean(fake_img))
        return wgan


    class LabelledConditionalGAN(kio.ConditionalGAN):
        """Glue outside keras-io's class: the suite's int labels become its
        one-hot ones, and `sampler` is the [z, label] net the suite samples
        classes from."""

        num_classes = kio.num_classes

        def train_step(self, data):
            images, labels = data
            return super().train_step(
                (images, tf.one_hot(labels, self.num_classes)))

        @property
        def sampler(self):
            z = keras.Input((self.latent_dim,))
            label = keras.Input((), dtype="int32")
            one_hot = layers.CategoryEncoding(kio.num_classes,
                                              output_mode="one_hot")(label)
            return keras.Model([z, label], self.generator(
                layers.Concatenate()([z, one_hot])))


    class TranslatingCycleGan(kio.CycleGan):
        """Glue outside keras-io's class: the nets the suite translates
        with, by direction."""

        @property
        def translators(self):
            return {"a_to_b": self.gen_G, "b_to_a": self.gen_F}


    def cyclegan(size=32):
        def net(out):
            return keras.Sequential([
                keras.Input((size, size, 3)),
                layers.Conv2D(8, 3, padding="same", activation="relu"),
                layers.Conv2D(out, 3, padding="same",
                              activation="tanh" if out == 3 else None)])
        gan = TranslatingCycleGan(net(3), net(3), net(1), net(1))
        mse = keras.losses.MeanSquaredError()
        adam = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5)
        gan.compile(adam(), adam(), adam(), adam(),
                    gen_loss_fn=lambda fake: mse(tf.ones_like(fake), fake),
                    disc_loss_fn=lambda real, fake: 0.5 * (
                        mse(tf.ones_like(real), real)
                        + mse(tf.zeros_like(fake), fake)))
        return gan


    def conditional(latent_dim=8):
        gan = LabelledConditionalGAN(
            *nets(latent_dim, g_in=latent_dim + kio.num_classes,
                  d_channels=1 + kio.num_classes), latent_dim)
        gan.compile(keras.optimizers.Adam(3e-4), keras.optimizers.Adam(3e-4),
                    keras.losses.BinaryCrossentropy(from_logits=True))
        return gan
''')


@pytest.fixture
def user_code(tmp_path, monkeypatch):
    yield from user_modules(tmp_path, monkeypatch, keras_io_gans=KERAS_IO,
                            factories=FACTORIES)


def config(idx_dir, model, steps=4, model_args=None, **overrides):
    # Epochs of one step: the health monitor's window (3 epochs) is met.
    return runs.make_config(
        None, model=model, dataset="fashion_mnist", data_dir=idx_dir,
        batch_size=8, steps=steps, steps_per_epoch=1, fid_every_n_steps=0,
        verbose=0, seed=1, model_args=model_args or {}, **overrides)


@pytest.mark.parametrize("factory,args", [
    ("factories:dcgan", {"value_range": (0, 1), "ema_kimg": 0.01}),
    ("factories:wgan", {"discriminator_extra_steps": 2}),
])
def test_keras_io_gan_through_a_run(tmp_path, idx_dir, user_code, factory,
                                    args):
    out = str(tmp_path / "run")
    model, _ = training.run(config(idx_dir, factory, model_args=args), out)
    assert int(model.step_counter.numpy()) == 4
    # The user's optimizers are built and saved, so the run extends.
    model, _ = training.run(runs.resume_config(out, steps=6), out,
                            resume=True)
    assert int(model.step_counter.numpy()) == 6
    assert int(model.inner.g_optimizer.iterations.numpy()) == 6
    expected = model.generate_uint8(3, seed=0)
    loaded = runs.load(out)
    np.testing.assert_array_equal(loaded.generate_uint8(3, seed=0), expected)
    # An unfinished run (no model.keras) is rebuilt by the factory from the
    # run's arguments and its checkpoint.
    os.rename(os.path.join(out, "model.keras"), str(tmp_path / "aside"))
    unfinished = runs.load(out)
    np.testing.assert_array_equal(unfinished.generate_uint8(3, seed=0),
                                  expected)
    os.rename(str(tmp_path / "aside"), os.path.join(out, "model.keras"))
    version = serving.export_saved_model(loaded, str(tmp_path / "sm" / "k"))
    served = tf.saved_model.load(version).signatures["sample"](
        seed=tf.range(3, dtype=tf.int64))["images"].numpy()
    np.testing.assert_array_equal(served, expected)
    saved = json.load(open(os.path.join(out, "config.json")))
    assert saved["model"] == factory
    assert {k: saved["model_args"][k] for k in args} == {
        k: list(v) if isinstance(v, tuple) else v for k, v in args.items()}


def test_wgan_d_steps_is_its_own(tmp_path, idx_dir, user_code):
    conf = config(idx_dir, "factories:wgan")
    source = runs.examples.training_source(conf)
    model = runner.build_model(conf, source)
    assert model.inner.d_steps == 3
    # The suite's batch is the run's, not batch_size * the class's d_steps.
    assert runner.Schedule.of(conf, source, model).global_batch == 8


def test_keras_io_conditional_gan_with_glue(tmp_path, idx_dir, user_code):
    out = str(tmp_path / "run")
    model, _ = training.run(config(idx_dir, "factories:conditional",
                                   model_args={"value_range": (0, 1)}), out)
    assert model.num_classes == 10 and len(model.class_names) == 10
    loaded = runs.load(out)
    first = loaded.generate_uint8(2, seed=0, labels=[0, 0])
    other = loaded.generate_uint8(2, seed=0, labels=[3, 3])
    assert first.shape == (2, 28, 28, 1)
    assert not np.array_equal(first, other)  # the label reaches G.


def test_keras_io_cyclegan_with_glue(tmp_path, user_code):
    from tests.data.test_unpaired import write_unpaired
    root = write_unpaired(tmp_path / "h2z", counts=(
        ("trainA", 8), ("trainB", 8), ("testA", 2), ("testB", 2)))
    out = str(tmp_path / "run")
    config = runs.make_config(
        None, model="factories:cyclegan", dataset="unpaired", data_dir=root,
        image_size=(32, 32), batch_size=2, steps=3, steps_per_epoch=1,
        fid_every_n_steps=0, verbose=0, seed=1)
    model, _ = training.run(config, out)
    assert model.data_kind() == "unpaired"
    history = (tmp_path / "run" / "losses.csv").read_text().splitlines()
    assert sorted(history[0].split(",")) == ["D_X_loss", "D_Y_loss",
                                             "F_loss", "G_loss", "step"]
    # Strict JSON, with no g_loss made up for a model that logs none.
    from tests.training.test_health import strict_json
    assert "g_loss" not in strict_json(os.path.join(out, "health.json"))[
        "last"]
    images = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3),
                                               dtype=np.uint8)
    loaded = runs.load(out)
    expected = loaded.translate_uint8(images, "b_to_a")
    np.testing.assert_array_equal(expected,
                                  model.translate_uint8(images, "b_to_a"))
    # Messages name the user's class, not the suite's wrapper.
    with pytest.raises(ValueError, match=r"^direction: TranslatingCycleGan "
                                         r"translates"):
        runs.translate_files(loaded, os.path.join(root, "testA"),
                             str(tmp_path / "x"), direction="sideways")
    version = serving.export_saved_model(loaded, str(tmp_path / "sm" / "c"))
    served = tf.saved_model.load(version).signatures["b_to_a"](
        image=tf.constant(images))["image"].numpy()
    np.testing.assert_array_equal(served, expected)
    with pytest.raises(ValueError, match="ema_kimg: the suite averages"):
        training.run(runs.make_config(
            None, model="factories:cyclegan", dataset="unpaired",
            data_dir=root, image_size=(32, 32), batch_size=2, steps=1,
            fid_every_n_steps=0, verbose=0, model_args={"ema_kimg": 1}),
            str(tmp_path / "run2"))
