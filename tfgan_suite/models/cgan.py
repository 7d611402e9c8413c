"""Conditional GAN (Mirza & Osindero 2014) with DCGAN nets."""

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite.data.pipeline import to_uint8
from tfgan_suite.models.base import AdversarialModel
from tfgan_suite.nets import dcgan


@keras.saving.register_keras_serializable(package="tfgan_suite")
class CGAN(AdversarialModel):
    """G(z, y) and D(x, y): the class label y is an input of both nets.

    Trains on (images, int labels) batches. The D step scores real images
    with their labels and generated images made for the same labels; the G
    step draws labels uniformly. `generate(n, labels=[...])` makes images of
    chosen classes.
    """

    def __init__(self, image_shape=(28, 28, 1), num_classes=10,
                 latent_dim=100, filters=64, d_steps=1, seed=None, **kwargs):
        super().__init__(latent_dim=latent_dim, d_steps=d_steps, seed=seed,
                         **kwargs)
        if int(num_classes) < 2:
            raise ValueError(f"num_classes: expected at least 2, got "
                             f"{num_classes}")
        self.image_shape = tuple(image_shape)
        self.num_classes = int(num_classes)
        self.filters = int(filters)
        self.generator = dcgan.build_conditional_generator(
            self.image_shape, self.num_classes, self.latent_dim, self.filters)
        self.discriminator = dcgan.build_conditional_discriminator(
            self.image_shape, self.num_classes, self.filters)
        self.built = True

    def train_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("dataset: CGAN trains on (images, labels) "
                             "batches; load the data with labels=True")
        images, labels = data
        labels = tf.cast(labels, tf.int32)
        for real, y in zip(self.d_minibatches(images),
                           self.d_minibatches(labels)):
            z = self.sample_latent(tf.shape(real)[0])
            with tf.GradientTape() as tape:
                fake = self.generator([z, y], training=True)
                real_logits = self.discriminator([real, y], training=True)
                fake_logits = self.discriminator([fake, y], training=True)
                d_loss = self.discriminator_loss(
                    real_logits, fake_logits, real, fake,
                    critic=lambda x: self.discriminator([x, y], training=True))
            self.minimize(self.d_optimizer, tape, d_loss,
                          self.discriminator.trainable_variables)
        m = tf.shape(real)[0]
        z = self.sample_latent(m)
        y = keras.random.randint((m,), 0, self.num_classes, seed=self.noise,
                                 dtype="int32")
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(
                [self.generator([z, y], training=True), y], training=True)
            g_loss = self.generator_loss(fake_logits)
        self.minimize(self.g_optimizer, tape, g_loss,
                      self.generator.trainable_variables)
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss)

    def check_labels(self, labels, n):
        """`labels` (one int, or n ints) as an int32 array of length n."""
        labels = np.asarray(labels)
        if labels.ndim == 0:
            labels = np.full(n, labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels: expected one integer or {n} integers, "
                             f"got {labels.tolist()}")
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(f"labels: expected classes 0..{self.num_classes - 1}"
                             f", got {sorted(set(labels.tolist()))}")
        return labels.astype(np.int32)

    def generate(self, n, seed=None, labels=None, batch_size=256):
        """`n` images of classes `labels` (default: 0, 1, ..., cycling)."""
        labels = self.check_labels(
            np.arange(n) % self.num_classes if labels is None else labels, n)
        return super().generate(n, seed, batch_size, labels=labels)

    def generate_from_latent(self, z, labels):
        labels = tf.convert_to_tensor(labels, tf.int32)
        return self.generator([z, labels], training=False)

    def discriminator_scores(self, images, labels=None):
        labels = self.check_labels(
            np.arange(len(images)) % self.num_classes if labels is None
            else labels, len(images))
        return super().discriminator_scores([images, labels])

    def serving_endpoints(self):
        def from_latent(z, label):
            return {"images": to_uint8(self.generate_from_latent(z, label))}

        def from_seeds(seed, label):
            return from_latent(self.latent_from_seeds(seed), label)

        label = tf.TensorSpec([None], tf.int32, name="label")
        return {
            "serving_default": (from_latent, [tf.TensorSpec(
                [None, self.latent_dim], tf.float32, name="z"), label]),
            "sample": (from_seeds, [tf.TensorSpec([None], tf.int64,
                                                  name="seed"), label]),
        }

    def serving_examples(self):
        seeds = np.arange(2, dtype=np.int64)
        labels = np.arange(2, dtype=np.int32) % self.num_classes
        return {"serving_default": {"z": self.latent_from_seeds(seeds).numpy(),
                                    "label": labels},
                "sample": {"seed": seeds, "label": labels}}

    def get_config(self):
        return {**super().get_config(), "image_shape": self.image_shape,
                "num_classes": self.num_classes, "filters": self.filters}
