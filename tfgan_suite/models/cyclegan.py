"""CycleGAN (Zhu et al. 2017): unpaired image-to-image translation."""

import copy
import functools

import keras
import tensorflow as tf

from tfgan_suite.data.paired import DIRECTIONS
from tfgan_suite.models import arguments, ema
from tfgan_suite.models import sampling
from tfgan_suite.models.base import AdversarialModel
from tfgan_suite.models.inputs import check_floats
from tfgan_suite.models.pix2pix import l1_loss
from tfgan_suite.nets import patchgan, resnet, unet


@keras.saving.register_keras_serializable(package="tfgan_suite")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """`learning_rate` for `constant_steps` optimizer steps, then linearly
    down to 0 over `decay_steps` more (and 0 after): the reference code's
    `linear` policy (100 epochs at 2e-4, 100 decaying), here per step."""

    def __init__(self, learning_rate, constant_steps, decay_steps):
        self.learning_rate = float(learning_rate)
        self.constant_steps = arguments.integer("constant_steps",
                                                constant_steps, minimum=0)
        self.decay_steps = arguments.integer("decay_steps", decay_steps)

    def __call__(self, step):
        past = tf.cast(step, tf.float32) - float(self.constant_steps)
        share = tf.clip_by_value(past / float(self.decay_steps), 0.0, 1.0)
        return self.learning_rate * (1.0 - share)

    def get_config(self):
        return {"learning_rate": self.learning_rate,
                "constant_steps": self.constant_steps,
                "decay_steps": self.decay_steps}


@keras.saving.register_keras_serializable(package="tfgan_suite")
class ImagePool(keras.layers.Layer):
    """The history of generated images a discriminator trains on
    (Shrivastava et al. 2017; CycleGAN sec. 4), as the reference code's
    `ImagePool.query`: image by image, while the pool has room the new image
    is stored and returned; once full, with probability 1/2 a stored image
    (at a uniformly drawn slot) is returned and the new one takes its slot,
    else the new image is returned. `pool_size=0` returns the batch as it is.

    The pool, its fill count and its random state are variables of the
    layer: a checkpoint holds all three, so a resumed run continues with
    the same history and draws (a `.keras` file the pool and count: Keras
    does not save random states).
    """

    def __init__(self, pool_size=50, image_shape=(256, 256, 3), seed=None,
                 **kwargs):
        kwargs.setdefault("dtype", "float32")  # generated images, as made.
        super().__init__(**kwargs)
        self.pool_size = arguments.integer("pool_size", pool_size, minimum=0)
        self.image_shape = tuple(int(s) for s in image_shape)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="pool")
        # Under tf.distribute every replica holds the same pool (`call`).
        self.images = self.add_weight(
            shape=(self.pool_size, *self.image_shape), initializer="zeros",
            trainable=False, name="images",
            aggregation="only_first_replica")
        self.count = self.add_weight(shape=(), dtype="int32",
                                     initializer="zeros", trainable=False,
                                     name="count",
                                     aggregation="only_first_replica")
        self.built = True

    def call(self, images):
        if not self.pool_size:
            return images
        images = tf.cast(images, self.images.dtype)
        context = tf.distribute.get_replica_context()
        if (context is None or
                tf.distribute.get_strategy().num_replicas_in_sync == 1):
            return self.query(images)
        # Every replica queries with the global batch and the same draws,
        # so the pools stay equal and the step equals one device's.
        n = tf.shape(images)[0]
        start = context.replica_id_in_sync_group * n
        return self.query(context.all_gather(images, axis=0))[start:start + n]

    def query(self, images):
        """The images D sees for `images`, the pool updated."""
        n = tf.shape(images)[0]
        swap = keras.random.uniform((n,), seed=self.seed_generator) > 0.5
        slots = keras.random.randint((n,), 0, self.pool_size,
                                     seed=self.seed_generator)

        def query(i, pool, count, out):
            image = images[i]
            filling = count < self.pool_size
            slot = tf.where(filling, count, slots[i])
            from_pool = tf.logical_and(tf.logical_not(filling), swap[i])
            out = out.write(i, tf.where(from_pool, pool[slot], image))
            pool = tf.cond(tf.logical_or(filling, from_pool),
                           lambda: tf.tensor_scatter_nd_update(
                               pool, [[slot]], image[None]),
                           lambda: pool)
            return i + 1, pool, count + tf.cast(filling, tf.int32), out

        _, pool, count, out = tf.while_loop(
            lambda i, *_: i < n, query,
            (tf.constant(0), tf.convert_to_tensor(self.images),
             tf.convert_to_tensor(self.count),
             tf.TensorArray(images.dtype, size=n,
                            element_shape=self.image_shape)))
        self.images.assign(pool)
        self.count.assign(count)
        return tf.ensure_shape(out.stack(), images.shape)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size,
                "image_shape": self.image_shape, "seed": self.seed}


def adam_linear_decay(constant_steps, decay_steps, learning_rate=2e-4):
    """{"g_optimizer", "d_optimizer"}: the reference code's Adam(2e-4,
    beta_1=0.5) at `learning_rate` for `constant_steps`, then linearly
    decayed to 0 over `decay_steps` (`ConstantThenLinearDecay`), as compile
    arguments (a preset's, or `compile(**...)`)."""
    adam = {"class_name": "Adam", "config": {
        "learning_rate": {
            "class_name": "tfgan_suite>ConstantThenLinearDecay",
            "config": {"learning_rate": learning_rate,
                       "constant_steps": constant_steps,
                       "decay_steps": decay_steps}},
        "beta_1": 0.5}}
    return {"g_optimizer": adam, "d_optimizer": copy.deepcopy(adam)}


def default_filters(image_shape):
    """Width of the first layer of CycleGAN's nets for images of
    `image_shape`: the reference's 64 when the shorter side is 128 pixels
    or more (the sizes it trains at), else 32: a step's cost grows with
    the pixels times the width squared, and small images need less of
    either."""
    return 64 if min(image_shape[:2]) >= 128 else 32


#: The adversarial terms as the reference code's `GANLoss` sums them, by
#: loss: (factor on G's term, factor on D's term) of `tgs.losses`. Its
#: least-squares G term is MSE(D(G(x)), 1), without Mao et al.'s 1/2;
#: its D terms are the mean of the real and fake terms: 1/2 of the
#: minimax loss, and Mao et al.'s least-squares D loss as it is.
REFERENCE_SCALES = {"least_squares": (2.0, 1.0),
                    "non_saturating": (1.0, 0.5)}


@keras.saving.register_keras_serializable(package="tfgan_suite")
class CycleGAN(AdversarialModel):
    """Two generators G: A -> B and F: B -> A, two discriminators D_B and
    D_A, trained on unpaired images of domains A and B (Zhu et al. 2017),
    as the reference code (junyanz/pytorch-CycleGAN-and-pix2pix) trains
    them.

    One step (eq. 3 of the paper, the reference's `optimize_parameters`):
    G and F take one Adam step on the least-squares GAN terms of D_B(G(a))
    and D_A(F(b)), plus `cycle_lambda` * (||F(G(a)) - a||_1 +
    ||G(F(b)) - b||_1), plus `identity_lambda` * `cycle_lambda` *
    (||G(b) - b||_1 + ||F(a) - a||_1); then D_B and D_A take one step on
    real images against the step's G(a) and F(b), each drawn through a
    history pool of the last `pool_size` generated images. Defaults:
    ResNet generators, 70x70 PatchGAN discriminators, both with instance
    norm, Adam(2e-4, beta_1=0.5).

    The model's `generator` and `discriminator` are G (A -> B) and D_B, so
    the base's EMA, `call` and health monitor see the A -> B GAN; F and D_A
    are `generator_ba` and `discriminator_a`. `g_optimizer` trains G and F,
    `d_optimizer` both discriminators (the reference's two optimizers).
    With `ema_kimg`, both generators are averaged (`ema_generator`,
    `ema_generator_ba`) and the averages translate.

    Args:
      generator, discriminator, generator_ba, discriminator_a: your own
        nets G: A -> B, D_B, F: B -> A, D_A (images -> images of the same
        shape; one image -> logits), all four or none (the built-in ones).
      image_shape: (H, W, C) of both domains' images: a power-of-two
        shorter side >= 32 and a longer side that is a multiple of it
        (32x32, 128x128, 256x256).
      filters: width of the first layer of every net; None: sized to the
        images (`default_filters`: the paper's 64 from 128 pixels up, 32
        below).
      n_blocks: residual blocks of the generators; None: 9 for images over
        128 pixels, else 6 (the reference's resnet_9blocks /
        resnet_6blocks).
      cycle_lambda: weight of the cycle-consistency loss (lambda = 10).
      identity_lambda: weight of the identity loss relative to
        cycle_lambda (0.5 in the reference; 0 drops it).
      pool_size: generated images kept per discriminator (50; 0: none).
      norm: "instance" (the paper) or "batch".
      seed: seed of the history pools' draws.
    """

    cli_name = "cyclegan"
    NET_ARGS = ("generator", "discriminator", "generator_ba",
                "discriminator_a")
    tracked = ("d_loss", "g_loss", "g_gan_loss", "cycle_loss",
               "identity_loss")
    plotted = ("d_loss", "g_gan_loss", "cycle_loss", "identity_loss")
    default_loss = "least_squares"
    supported_losses = tuple(REFERENCE_SCALES)
    default_data_shape = (256, 256, 3)
    #: The directions the model translates in, each its signature's name.
    directions = DIRECTIONS
    presets = {
        # What a run of `model="cyclegan"` with no preset starts from on
        # a user's two folders: the nets sized to the images
        # (`default_filters`, `resnet.default_blocks`), Adam(2e-4,
        # beta_1=0.5), batch 16.
        "unpaired_cyclegan": {
            "model_args": {},
            "compile": {"loss": "least_squares"},
            "data": {"dataset": "unpaired", "batch_size": 16},
        },
        # The reference code's horse2zebra: 256x256, batch 1, 100 epochs
        # at 2e-4 and 100 decaying to 0; an epoch is the larger domain
        # (1 334 zebras, 1 067 horses).
        "horse2zebra_cyclegan": {
            "model_args": {"image_shape": (256, 256, 3), "filters": 64,
                           "n_blocks": 9, "cycle_lambda": 10.0,
                           "identity_lambda": 0.5, "pool_size": 50},
            "compile": {"loss": "least_squares",
                        **adam_linear_decay(133_400, 133_400)},
            "data": {"dataset": "unpaired", "batch_size": 1,
                     "image_size": 256},
            "train": {"epochs": 200},
        },
        # Fashion-MNIST's edge maps (A) and images (B), no image in both:
        # 32x32x1; the LR decays over the second half. The `cyclegan`
        # experiment of benchmarks/reproduce.py measures it
        # (docs/results.md).
        "fashion_edges_cyclegan": {
            "model_args": {"image_shape": (32, 32, 1), "filters": 32,
                           "n_blocks": 6},
            "compile": {"loss": "least_squares",
                        **adam_linear_decay(600, 600)},
            "data": {"dataset": "fashion_edges_unpaired", "batch_size": 16,
                     "image_size": 32},
            "train": {"steps": 1200, "steps_per_epoch": 200},
        },
    }
    default_preset = "unpaired_cyclegan"

    def __init__(self, generator=None, discriminator=None, generator_ba=None,
                 discriminator_a=None, image_shape=None, filters=None,
                 n_blocks=None, cycle_lambda=10.0, identity_lambda=0.5,
                 pool_size=50, norm="instance", seed=None, **kwargs):
        nets = {"generator": generator, "discriminator": discriminator,
                "generator_ba": generator_ba,
                "discriminator_a": discriminator_a}
        given = [name for name, net in nets.items() if net is not None]
        if given and len(given) != len(nets):
            raise ValueError(
                f"{', '.join(nets)}: hand in all four nets or none (None "
                f"builds the model's own), got {', '.join(given)} only")
        self.filters = (None if filters is None else
                        arguments.integer("filters", filters))
        self.n_blocks = (None if n_blocks is None else
                         arguments.integer("n_blocks", n_blocks, minimum=0))
        self.cycle_lambda = _non_negative("cycle_lambda", cycle_lambda)
        self.identity_lambda = _non_negative("identity_lambda",
                                             identity_lambda)
        self.pool_size = arguments.integer("pool_size", pool_size, minimum=0)
        if norm not in unet.NORMS:
            raise ValueError(f"norm: expected one of {unet.NORMS}, got "
                             f"{norm!r}")
        self.norm = norm
        arguments.refuse_other_value_range(
            type(self).__name__,
            kwargs.get("value_range", arguments.DATA_RANGE))
        super().__init__(generator, discriminator, latent_dim=None,
                         seed=seed, data_shape=image_shape, **kwargs)
        if self.own_nets:
            self.shapes_of_nets(generator_ba, discriminator_a,
                                names=("generator_ba", "discriminator_a"))
        else:
            generator_ba, discriminator_a = self.built_nets("ba", "a")
        self.generator_ba, self.discriminator_a = generator_ba, discriminator_a
        self.ema_generator_ba = (ema.averaged_net(generator_ba)
                                 if self.ema_kimg else None)
        pool_seed = lambda i: None if seed is None else seed + i
        self.pool_b = ImagePool(self.pool_size, self.data_shape,
                                pool_seed(1), name="pool_b")
        self.pool_a = ImagePool(self.pool_size, self.data_shape,
                                pool_seed(2), name="pool_a")

    @classmethod
    def data_kind(cls, args=None):
        return "unpaired"

    def shapes_of_nets(self, generator, discriminator, latent_dim=None,
                       data_shape=None, names=("generator", "discriminator")):
        """(None, image shape): G maps an image to an image of its shape, D
        takes one image of that shape (and `image_shape`, if given)."""
        found = tuple(generator.outputs[0].shape[1:])
        g_inputs = [tuple(x.shape) for x in generator.inputs]
        d_inputs = [tuple(x.shape[1:]) for x in discriminator.inputs]
        if len(g_inputs) != 1 or g_inputs[0][1:] != found:
            raise ValueError(f"{names[0]}: expected one image input of the "
                             f"output's shape {found}, got inputs {g_inputs}")
        wanted = tuple(data_shape or getattr(self, "data_shape", found))
        if found != wanted:
            raise ValueError(f"{names[0]}: makes images of shape {found}, "
                             f"but the model's images are {wanted}")
        if d_inputs != [found]:
            raise ValueError(f"{', '.join(names)}: G makes images of shape "
                             f"{found} but D takes {d_inputs} (expected one "
                             f"image of that shape)")
        return None, found

    def build_nets(self, g_direction="ab", d_domain="b"):
        """A ResNet generator and a 70x70 PatchGAN (one image in), G for
        `g_direction` and D for `d_domain`: G and D_B by default."""
        filters = self.filters or default_filters(self.data_shape)
        return (resnet.build_generator(self.data_shape, filters,
                                       self.n_blocks, self.norm,
                                       name=f"generator_{g_direction}"),
                patchgan.build_discriminator(self.data_shape, filters,
                                             self.norm, conditional=False,
                                             name=f"discriminator_{d_domain}"))

    @property
    def g_variables(self):
        return (self.generator.trainable_variables
                + self.generator_ba.trainable_variables)

    @property
    def d_variables(self):
        return (self.discriminator.trainable_variables
                + self.discriminator_a.trainable_variables)

    # --------------------------------------------------------------- train
    def d_a_logits(self, x):
        """D_A's logits for `x` in training, augmented as D_B's are."""
        return self.discriminator_a(self.augmenter(x), training=True)

    def unpack_domains(self, data):
        """(a, b) float images of a batch of the two domains."""
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("dataset: CycleGAN trains on (a, b) batches of "
                             "images of two domains, e.g. "
                             "tgs.data.load('unpaired', data_dir=...)")
        return check_floats(self, data[0]), check_floats(self, data[1])

    def generator_losses(self, real_a, real_b, training=True):
        """G's and F's objective on a batch: {"g_loss", "g_gan_loss",
        "cycle_loss", "identity_loss", "fake_b", "fake_a"}; in training
        the discriminators see their inputs as in `train_step` (augmented
        when the model augments)."""
        g_ab = functools.partial(self.generator, training=training)
        g_ba = functools.partial(self.generator_ba, training=training)
        if training:
            critic_b, critic_a = self.d_logits, self.d_a_logits
        else:
            critic_b = functools.partial(self.discriminator, training=False)
            critic_a = functools.partial(self.discriminator_a,
                                         training=False)
        fake_b, fake_a = g_ab(real_a), g_ba(real_b)
        g_scale = REFERENCE_SCALES[self.adversarial_loss.name][0]
        g_gan_loss = g_scale * (self.generator_loss(critic_b(fake_b))
                                + self.generator_loss(critic_a(fake_a)))
        cycle_loss = (l1_loss(real_a, g_ba(fake_b))
                      + l1_loss(real_b, g_ab(fake_a)))
        identity_loss = tf.constant(0.0)
        if self.identity_lambda:
            identity_loss = (l1_loss(real_b, g_ab(real_b))
                             + l1_loss(real_a, g_ba(real_a)))
        g_loss = g_gan_loss + self.cycle_lambda * (
            cycle_loss + self.identity_lambda * identity_loss)
        return {"g_loss": g_loss, "g_gan_loss": g_gan_loss,
                "cycle_loss": cycle_loss, "identity_loss": identity_loss,
                "fake_b": fake_b, "fake_a": fake_a}

    def train_step(self, data):
        real_a, real_b = self.unpack_domains(data)
        with tf.GradientTape() as tape:  # G and F on this batch
            g = self.generator_losses(real_a, real_b)
        self.minimize(self.g_optimizer, tape, g["g_loss"], self.g_variables)
        # D_B and D_A on this step's translations, through the pools.
        fake_b = self.pool_b(tf.stop_gradient(g["fake_b"]))
        fake_a = self.pool_a(tf.stop_gradient(g["fake_a"]))
        d_scale = REFERENCE_SCALES[self.adversarial_loss.name][1]
        with tf.GradientTape() as tape:
            real_b_logits = self.d_logits(real_b)
            real_a_logits = self.d_a_logits(real_a)
            d_loss = d_scale * (
                self.adversarial_loss.discriminator(real_b_logits,
                                                    self.d_logits(fake_b))
                + self.adversarial_loss.discriminator(
                    real_a_logits, self.d_a_logits(fake_a)))
        self.augmenter.observe(real_b_logits)
        self.augmenter.observe(real_a_logits)
        self.minimize(self.d_optimizer, tape, d_loss, self.d_variables)
        return self.update_trackers(
            d_loss=d_loss, **{k: g[k] for k in self.tracked if k in g})

    def ema_pairs(self):
        """Both generators are averaged; their batch-norm statistics are
        copied (the model cannot draw image inputs to re-estimate them)."""
        pairs = super().ema_pairs()
        if self.ema_generator_ba is not None:
            pairs.append((self.ema_generator_ba, self.generator_ba, True))
        return pairs

    # -------------------------------------------------------------- health
    def health_forward(self, data):
        """Both discriminators' logits (each image's patches side by side)
        on real images and on the translations, and G(a)."""
        real_a, real_b = self.unpack_domains(data)
        fake_b = self.generator(real_a, training=False)
        fake_a = self.generator_ba(real_b, training=False)
        flat = lambda x: tf.reshape(tf.cast(x, tf.float32),
                                    (tf.shape(x)[0], -1))
        logits = lambda b, a: tf.concat([
            flat(self.discriminator(b, training=False)),
            flat(self.discriminator_a(a, training=False))], axis=1)
        return logits(real_b, real_a), logits(fake_b, fake_a), fake_b

    def generator_objective(self, data, fake, fake_logits):
        """G's and F's whole loss on `data` in inference mode (GAN, cycle
        and identity terms; `fake` and `fake_logits` are recomputed)."""
        return self.generator_losses(*self.unpack_domains(data),
                                     training=False)["g_loss"]

    # ----------------------------------------------------------- translate
    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def output_net(self, direction="a_to_b"):
        """The net that translates in `direction` ("a_to_b": G, "b_to_a": F),
        its EMA average when the model keeps one."""
        if direction not in self.directions:
            raise ValueError(f"direction: expected one of "
                             f"{self.directions}, got {direction!r}")
        if direction == "a_to_b":
            return self.ema_generator or self.generator
        return self.ema_generator_ba or self.generator_ba

    def translate(self, inputs, direction="a_to_b", batch_size=32):
        """G(inputs) ("a_to_b") or F(inputs) ("b_to_a") in inference mode,
        float32 numpy in [-1, 1]; `inputs` float in [-1, 1] or uint8."""
        return sampling.translated(self.output_net(direction), inputs,
                                   self.data_shape, batch_size)

    def generate(self, *args, **kwargs):
        raise ValueError("generate: CycleGAN translates images; use "
                         "translate(images, direction='a_to_b' or 'b_to_a')")

    def picture_rows(self, examples):
        """Round trips A -> B -> A and B -> A -> B (`sampling.round_trips`)."""
        return sampling.round_trips(self, examples)


def _non_negative(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            value < 0):
        raise ValueError(f"{name}: expected a non-negative number, got "
                         f"{value!r}")
    return float(value)
