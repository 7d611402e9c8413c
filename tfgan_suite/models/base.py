"""`AdversarialModel`: what every GAN of the suite shares.

Two optimizers, an adversarial loss by name, k discriminator steps per
generator step (`d_steps`, Algorithm 1 of Goodfellow et al. 2014), loss
trackers, reproducible `generate`, config and compile-config serialization,
XLA only where it helps (`jit_compile="auto"` turns it on with a GPU only),
loss scaling under `mixed_float16`, and gradients averaged over the global
batch under `tf.distribute` strategies.

Every model takes its nets as arguments (`generator=`, `discriminator=`:
any `keras.Model`s with known input shapes); with none, `build_nets` builds
the model's own from its hyperparameters. Shapes (latent size, data shape)
are read from the nets. Subclasses override `train_step` (and `build_nets`).
Class-conditional models set `num_classes`: their nets then take
`[x, label]`, and `generate`, `discriminator_scores` and the serving
signatures take labels.

What the training machinery needs to know about a model, the model
declares (class attributes and methods; see `docs/adding_a_model.md`):
`cli_name` and `presets` (how users find it), `data_kind` (what it trains
on), `from_data` (its arguments from the data), `tracked` / `plotted` (the
losses it logs and plots), `sample_callback` (the picture it draws during
training), `diagnose` (health values), `serving_endpoints` (its TF Serving
signatures).
"""

import functools
import inspect

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite import losses
from tfgan_suite.models import ema as ema_lib
from tfgan_suite.training import augment as augment_lib
from tfgan_suite.data.pipeline import to_uint8

_ADAM = "Adam"


def _multi_worker(strategy):
    """Whether `fit` reduces logs across workers (Keras' own condition)."""
    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode())


class AdversarialModel(keras.Model):
    """Base class of the suite's GANs; subclass it for a GAN of your own.

    Args:
      generator, discriminator: your own nets (`keras.Model`s with known
        input shapes), or None for the model's built-in nets. G maps z
        (or [z, label]) to data; D maps data (or [data, label]) to logits.
      latent_dim: length of the noise vector z ~ N(0, I) (None: G has no
        noise input; read from G when nets are handed in).
      d_steps: discriminator steps per generator step (k of Algorithm 1).
        Each D step sees its own 1/k of the real batch, so the batch size
        must be a multiple of k.
      seed: seed of the training noise (None: drawn from Keras' global seed).
      augment: what D sees in training: None, DiffAugment transforms
        ("color,translation,cutout", any subset in any order; Zhao et al.
        2020), or "ada" (their probability adapted, Karras et al. 2020);
        see `tfgan_suite.training.augment`.
      ema_decay: None, or the decay of an exponential moving average of G's
        trainable weights (e.g. 0.999, reached after a warm-up), updated
        after every G step from step `ema_start` on; the average makes the
        samples (`generate`, sample grids, FID, exports, D-filtered
        sampling), its batch-norm statistics re-estimated for it first
        (`tfgan_suite.models.ema`).
      ema_start: G steps before the average starts (it copies G until
        then).
    """

    #: Arguments every model takes (through `**kwargs`), listed by
    #: `init_args` and the flags: augmentation and the EMA generator.
    COMMON_ARGS = {"augment": None, "ema_decay": None, "ema_start": 0}
    #: The name `train.py --model` knows the model by (None: reachable only
    #: as `--model=module:Class`).
    cli_name = None
    #: {name: {"model_args", "compile", "data", "train"}}: configurations
    #: of the model by name (`from_preset`, `train.py --preset`).
    presets = {}
    #: The preset `train.py --model=<cli_name>` starts from.
    default_preset = None
    #: compile() defaults; presets and callers override them.
    default_loss = "non_saturating"
    default_g_optimizer = {"learning_rate": 2e-4, "beta_1": 0.5}
    default_d_optimizer = {"learning_rate": 2e-4, "beta_1": 0.5}
    #: The constructor argument that sets k, the D steps per G step (named
    #: in errors).
    d_steps_name = "d_steps"
    #: Names of the values `train_step` logs (one `keras.metrics.Mean` each).
    tracked = ("d_loss", "g_loss")
    #: The losses drawn in the run's `losses.png` (None: every tracked one).
    plotted = None
    #: Number of classes of a class-conditional model (None: unconditional).
    num_classes = None
    #: Constructor arguments that describe the data (read from the data or
    #: the nets, never chosen freely).
    DATA_ARGS = ("image_shape", "data_shape")
    #: Default data shape of the built-in nets.
    default_data_shape = (28, 28, 1)
    #: Default latent length of the built-in nets.
    default_latent_dim = 100

    def __init__(self, generator=None, discriminator=None, latent_dim=None,
                 d_steps=1, seed=None, data_shape=None, augment=None,
                 ema_decay=None, ema_start=0, **kwargs):
        super().__init__(**kwargs)
        if int(d_steps) < 1:
            raise ValueError(f"d_steps: expected a positive integer, got "
                             f"{d_steps}")
        if (generator is None) != (discriminator is None):
            raise ValueError("generator, discriminator: hand in both nets or "
                             "neither (None builds the model's own)")
        self.d_steps = int(d_steps)
        self.seed = seed
        self.own_nets = generator is not None
        if self.own_nets:
            generator, discriminator = (_as_net(generator, "generator"),
                                        _as_net(discriminator, "discriminator"))
            self.latent_dim, self.data_shape = self.shapes_of_nets(
                generator, discriminator, latent_dim, data_shape)
        else:
            self.latent_dim = (self.default_latent_dim if latent_dim is None
                               else latent_dim)
            self.data_shape = tuple(data_shape or self.default_data_shape)
        if self.latent_dim is not None:
            if int(self.latent_dim) < 1:
                raise ValueError(f"latent_dim: expected a positive integer, "
                                 f"got {self.latent_dim}")
            self.latent_dim = int(self.latent_dim)
        self.noise = keras.random.SeedGenerator(seed, name="noise")
        self.trackers = {n: keras.metrics.Mean(name=n) for n in self.tracked}
        self.adversarial_loss = None
        if not self.own_nets:
            generator, discriminator = self.build_nets()
        self.generator, self.discriminator = generator, discriminator
        if isinstance(augment, (list, tuple)):  # from a flag: a,b,c
            augment = ",".join(augment)
        self.augment = augment or None
        self.augmenter = (augment_lib.Augment(augment, seed, name="augment")
                          if augment else None)
        if ema_decay is not None and not 0.0 < float(ema_decay) < 1.0:
            raise ValueError(f"ema_decay: expected None or a decay in (0, 1),"
                             f" e.g. 0.999, got {ema_decay}")
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_start = int(ema_start)
        self.ema_generator = None
        if self.ema_decay:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
        self.built = True  # both nets are built with known input shapes.

    @property
    def sampler(self):
        """The net that makes samples: the EMA generator, if any, else G."""
        return self.ema_generator or self.generator

    def d_logits(self, x, labels=None):
        """D's logits for `x` (made for `labels`) in training, as D sees it:
        augmented when the model augments (in the D and the G step alike,
        as DiffAugment requires)."""
        return self.discriminator(self.conditioned(self.augmented(x), labels),
                                  training=True)

    def augmented(self, x):
        """`x` (or a list of images that share one draw) as D sees it in
        training: through DiffAugment / ADA when the model augments."""
        return x if self.augmenter is None else self.augmenter(x)

    def observe_real(self, real_logits):
        """Tells ADA what D made of real data (a no-op otherwise)."""
        if self.augmenter is not None:
            self.augmenter.observe(real_logits)

    def update_ema(self):
        """After a G step: EMA <- decay_t * EMA + (1 - decay_t) * G for the
        trainable weights, decay_t warming up to `ema_decay` (copies of G
        before `ema_start`); batch-norm statistics are re-estimated before
        sampling (`tfgan_suite.models.ema`)."""
        if self.ema_generator is not None:
            ema_lib.update_model_average(self)

    @property
    def image_shape(self):
        """The shape of one example G makes (H, W, C for images)."""
        return self.data_shape

    def build_nets(self):
        """(generator, discriminator): the model's own nets, built from its
        hyperparameters when none are handed in."""
        raise ValueError(f"{type(self).__name__}: has no built-in nets; hand "
                         f"in generator= and discriminator=")

    def shapes_of_nets(self, generator, discriminator, latent_dim=None,
                       data_shape=None):
        """(latent_dim, data_shape) read from handed-in nets; raises a
        ValueError naming both shapes when they do not fit together."""
        g_inputs = [tuple(x.shape) for x in generator.inputs]
        d_inputs = [tuple(x.shape) for x in discriminator.inputs]
        wanted = 2 if self.num_classes else 1
        for net, inputs in (("generator", g_inputs),
                            ("discriminator", d_inputs)):
            if len(inputs) != wanted:
                raise ValueError(
                    f"{net}: {type(self).__name__}"
                    f"{f' with num_classes={self.num_classes}' if self.num_classes else ''}"
                    f" needs a net with {wanted} input"
                    f"{'s ([x, label])' if wanted == 2 else ''}, got one "
                    f"with inputs {inputs}")
        found_latent = g_inputs[0][-1]
        found_shape = tuple(generator.outputs[0].shape[1:])
        if tuple(d_inputs[0][1:]) != found_shape:
            raise ValueError(
                f"generator, discriminator: G makes examples of shape "
                f"{found_shape} but D takes {tuple(d_inputs[0][1:])}")
        for name, given, found in (("latent_dim", latent_dim, found_latent),
                                   ("data shape", data_shape, found_shape)):
            if given is not None and tuple(np.atleast_1d(given)) != tuple(
                    np.atleast_1d(found)):
                raise ValueError(f"{name}: given as {given}, but the "
                                 f"generator's is {found}")
        return found_latent, found_shape

    # ------------------------------------------------------ declarations
    @classmethod
    def init_args(cls):
        """{name: default} of the keywords `cls(...)` takes (the nets
        excepted): the model's own `__init__`, and the `__init__`s it
        passes `**kwargs` on to, down to the first of this package (whose
        signatures list every argument)."""
        args = {}
        passes_on = True
        for klass in cls.__mro__:
            if klass is AdversarialModel or not issubclass(klass,
                                                           AdversarialModel):
                break
            if "__init__" not in vars(klass):
                continue
            params = inspect.signature(klass.__init__).parameters
            for name, p in params.items():
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                    args.setdefault(name, p.default)
            passes_on = any(p.kind == p.VAR_KEYWORD for p in params.values())
            if klass.__module__.startswith("tfgan_suite.") or not passes_on:
                break
        if passes_on:
            for name, default in cls.COMMON_ARGS.items():
                args.setdefault(name, default)
        for name in ("self", "generator", "discriminator"):
            args.pop(name, None)
        return args

    @classmethod
    def data_kind(cls, args=None):
        """What the model with constructor `args` trains on: "images" (or
        any unlabelled examples), "labelled" ((examples, int labels)) or
        "pairs" ((input, target) images)."""
        args = args or {}
        num_classes = args.get("num_classes",
                               cls.init_args().get("num_classes"))
        if num_classes is inspect.Parameter.empty:
            num_classes = None
        return "labelled" if num_classes else "images"

    @property
    def kind(self):
        """`data_kind` of this model."""
        return self.data_kind({"num_classes": self.num_classes})

    @classmethod
    def from_data(cls, source, **args):
        """The model for `source` (a `tgs.data.Source`): its data shape
        (and number of classes) read from the data, `args` for the rest.

        Raises ValueError where `args` contradict the data.
        """
        accepted = cls.init_args()
        for key in args:
            if key not in accepted:
                raise ValueError(f"{key}: not an argument of {cls.__name__} "
                                 f"(--{key} does not apply to this model)")
        kind = cls.data_kind(args)
        source_kind = ("pairs" if source.paired else
                       "labelled" if source.num_classes else "images")
        if (kind == "pairs") != (source_kind == "pairs"):
            raise ValueError(
                f"dataset: {cls.__name__} trains on "
                f"{'(input, target) pairs' if kind == 'pairs' else 'single images'}"
                f" and {source.name} has "
                f"{'pairs' if source.paired else 'single images'}")
        shape_arg = next((k for k in cls.DATA_ARGS if k in accepted), None)
        if shape_arg:
            given = args.setdefault(shape_arg, tuple(source.image_shape))
            if tuple(given) != tuple(source.image_shape):
                raise ValueError(
                    f"{shape_arg}: the model expects {tuple(given)} but the "
                    f"{source.name} examples are {tuple(source.image_shape)}")
        if kind == "labelled":
            if not source.num_classes:
                raise ValueError(f"dataset: {cls.__name__} with num_classes "
                                 f"needs class labels and {source.name} has "
                                 f"none")
            if "num_classes" in accepted and args.get("num_classes") is None:
                args["num_classes"] = source.num_classes
            if source.num_classes > int(args.get("num_classes") or 0):
                raise ValueError(
                    f"num_classes: {source.name} has labels 0.."
                    f"{source.num_classes - 1}, more than num_classes="
                    f"{args.get('num_classes')}")
        return cls(**args)

    @classmethod
    def from_preset(cls, name, **args):
        """The model of preset `name`, built and compiled with the preset's
        settings; `args` override its constructor arguments.

            gan = tgs.models.SAGAN.from_preset("cifar10_horse_sagan")
        """
        from tfgan_suite.models import presets
        preset = presets.get(name)
        model_cls = preset["model_class"]
        if not issubclass(model_cls, cls):
            raise ValueError(f"preset: {name} is a preset of "
                             f"{model_cls.__name__}, not of {cls.__name__}")
        model = model_cls(**{**preset["model_args"], **args})
        model.compile(**preset["compile"])
        return model

    def sample_callback(self, folder, examples, every_n_steps=None,
                        initial_step=0, log_dir=None):
        """The picture drawn during training (the seed paper's Fig. 8): a
        grid of samples from fixed noise (a scatter plot for points).
        `examples`: a `Source` of held-out data (unused here)."""
        from tfgan_suite.training import callbacks
        images = len(self.data_shape) == 3
        return callbacks.SampleGrid(
            folder, every_n_epochs=1, every_n_steps=every_n_steps,
            num_images=64 if images else 1000,
            scale=2 if images and max(self.data_shape[:2]) <= 32 else 1,
            initial_step=initial_step, log_dir=log_dir)

    def attention_maps(self, n, seed=0, labels=None):
        """Where G's self-attention looks (models with attention only)."""
        raise ValueError(f"attention_maps: {type(self).__name__} has no "
                         f"self-attention layers")

    # ----------------------------------------------------------------- compile
    def compile(self, g_optimizer=None, d_optimizer=None, loss=None,
                jit_compile="auto", steps_per_execution=1, run_eagerly=False):
        """Configures training; every argument is optional.

        Args:
          g_optimizer, d_optimizer: a `keras.optimizers.Optimizer`, its name or
            config dict, or None for the model's default (Adam as in the
            paper the model comes from).
          loss: one of `tgs.losses.LOSSES` (`minimax`, `non_saturating`,
            `least_squares`, `wasserstein_gp`, `hinge`) or an
            `AdversarialLoss`; None for the model's default.
          jit_compile: "auto" compiles `train_step` with XLA when a GPU is
            present (on CPU XLA is slower); True/False force it.
        """
        self.g_optimizer = self._optimizer(g_optimizer, self.default_g_optimizer)
        self.d_optimizer = self._optimizer(d_optimizer, self.default_d_optimizer)
        # Slots exist from the start, so weights saved by `BackupAndRestore`
        # or `load_model` restore into them.
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.adversarial_loss = losses.get(loss or self.default_loss)
        self._jit_compile_arg = jit_compile
        super().compile(optimizer=None, jit_compile=jit_compile,
                        steps_per_execution=steps_per_execution,
                        run_eagerly=run_eagerly)

    def _optimizer(self, identifier, defaults):
        if identifier is None:
            optimizer = keras.optimizers.Adam(**defaults)
        else:
            optimizer = keras.optimizers.get(identifier)
        # float16 gradients underflow without loss scaling (bfloat16 need not).
        if (self.dtype_policy.name == "mixed_float16" and not isinstance(
                optimizer, keras.optimizers.LossScaleOptimizer)):
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        return optimizer

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "loss": self.adversarial_loss.name,
            "jit_compile": self._jit_compile_arg,
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    # ----------------------------------------------------------- train steps
    @property
    def metrics(self):
        return list(self.trackers.values())

    def update_trackers(self, **values):
        """Updates the loss trackers and returns the logs of `train_step`."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        logs = {name: t.result() for name, t in self.trackers.items()}
        if _multi_worker(tf.distribute.get_strategy()):
            # Keras 3 averages fit's logs over workers with
            # strategy.reduce("MEAN", v, axis=0), which fails on scalars
            # (tensorflow/tensorflow#72388); with an axis of 1 it yields the
            # scalar mean over the workers.
            logs = {name: tf.reshape(v, [1]) for name, v in logs.items()}
        return logs

    def sample_latent(self, n):
        """z ~ N(0, I) of shape (n, latent_dim), from the model's noise seed."""
        return self.per_replica(lambda m: keras.random.normal(
            (m, self.latent_dim), seed=self.noise), n)

    @staticmethod
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

    def d_minibatches(self, batch, labels=None):
        """Algorithm 1's k minibatches of m examples (and their labels, or
        None), from one batch of k*m."""
        if self.d_steps == 1:
            return [(batch, labels)]
        size = batch.shape[0]
        if size is not None and size % self.d_steps:
            raise ValueError(f"batch_size: {size} is not a multiple of "
                             f"{self.d_steps_name}={self.d_steps} (each of "
                             f"the k D steps takes its own 1/k of the batch)")
        if size is None:  # a last, smaller batch: fail with the reason.
            tf.debugging.assert_equal(
                tf.shape(batch)[0] % self.d_steps, 0, message=(
                    f"batch_size: not a multiple of {self.d_steps_name}="
                    f"{self.d_steps} (batch with drop_remainder=True)"))
        return list(zip(tf.split(batch, self.d_steps),
                        [None] * self.d_steps if labels is None
                        else tf.split(labels, self.d_steps)))

    # ---------------------------------------------------------- conditioning
    def unpack(self, data):
        """(images, int32 labels) of a batch; labels None if unconditional."""
        if not self.num_classes:
            images = data[0] if isinstance(data, (tuple, list)) else data
            return self.check_floats(images), None
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(f"dataset: {type(self).__name__} with num_classes"
                             f" trains on (images, labels) batches; load the "
                             f"data with labels=True")
        return self.check_floats(data[0]), tf.cast(data[1], tf.int32)

    @staticmethod
    def check_floats(x):
        """`x` if it holds floats; integer pixels ([0, 255]) are refused:
        G's tanh makes [-1, 1], and D would tell them apart by range."""
        if not x.dtype.is_floating:
            raise ValueError(
                f"dataset: expected float examples in [-1, 1], got "
                f"{x.dtype.name}; convert uint8 images with "
                f"tgs.data.to_float (tgs.data.load does it for you)")
        return x

    @staticmethod
    def conditioned(x, labels):
        """A net's input: x alone, or [x, labels] for conditional nets."""
        return x if labels is None else [x, labels]

    def sample_labels(self, n):
        """n labels drawn uniformly (None if unconditional)."""
        if not self.num_classes:
            return None
        return self.per_replica(lambda m: keras.random.randint(
            (m,), 0, self.num_classes, seed=self.noise, dtype="int32"), n)

    def check_labels(self, labels, n):
        """`labels` (one int, or n ints; None: 0, 1, ... cycling) as an int32
        array of length n, or None for an unconditional model."""
        if not self.num_classes:
            if labels is not None:
                raise ValueError(f"labels: {type(self).__name__} is not "
                                 f"class-conditional (num_classes=None)")
            return None
        labels = np.asarray(np.arange(n) % self.num_classes
                            if labels is None else labels)
        if labels.ndim == 0:
            labels = np.full(n, labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels: expected one integer or {n} integers, "
                             f"got {labels.tolist()}")
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(f"labels: expected classes 0..{self.num_classes - 1}"
                             f", got {sorted(set(labels.tolist()))}")
        return labels.astype(np.int32)

    def discriminator_loss(self, real_logits, fake_logits, real=None,
                           fake=None, critic=None):
        """The adversarial D loss, plus the gradient penalty for WGAN-GP.

        `critic(x)` returns D's logits for x (default: `self.discriminator`).
        """
        loss = self.adversarial_loss.discriminator(real_logits, fake_logits)
        weight = self.adversarial_loss.gradient_penalty_weight
        if weight:
            critic = critic or functools.partial(self.discriminator,
                                                 training=True)
            loss += weight * losses.gradient_penalty(critic, real, fake,
                                                     seed=self.noise)
        return loss

    def generator_loss(self, fake_logits):
        return self.adversarial_loss.generator(fake_logits)

    def minimize(self, optimizer, tape, loss, variables):
        """One optimizer step on `loss`, the mean over this replica's batch.

        Under `tf.distribute` the replicas' gradients are summed, so each is
        divided by the number of replicas: the step then follows the mean
        over the global batch. The loss scale of `LossScaleOptimizer` enters
        the same way, as the upstream gradient.
        """
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        upstream = optimizer.scale_loss(tf.constant(1.0 / replicas, loss.dtype))
        grads = tape.gradient(loss, variables, output_gradients=upstream)
        optimizer.apply_gradients(zip(grads, variables))

    # ------------------------------------------------------------ diagnosis
    def health_forward(self, data):
        """(real logits, fake logits, generated images) of a batch, in
        inference mode; the fixed batch of `HealthMonitor`."""
        images, labels = self.unpack(data)
        n = tf.shape(images)[0]
        fake = self.generator(self.conditioned(
            self.latent_from_seeds(tf.range(n, dtype=tf.int64)), labels),
            training=False)
        real_logits = self.discriminator(self.conditioned(images, labels),
                                         training=False)
        fake_logits = self.discriminator(self.conditioned(fake, labels),
                                         training=False)
        return real_logits, fake_logits, fake

    def generator_objective(self, data, fake, fake_logits):
        """G's loss as `train_step` computes it (pix2pix adds its L1)."""
        return self.generator_loss(fake_logits)

    def diagnose(self, data):
        """Training-health values on one batch (inference mode).

        D's accuracy on real and on generated data (logit > 0 means "real"),
        its mean logits, the gradient norms of D's and G's losses, and with
        `augment="ada"` the augmentation probability p (`ada_p`).
        """
        with tf.GradientTape(persistent=True) as tape:
            real_logits, fake_logits, fake = self.health_forward(data)
            d_loss = self.adversarial_loss.discriminator(real_logits,
                                                         fake_logits)
            g_loss = self.generator_objective(data, fake, fake_logits)
        norm = lambda loss, variables: float(tf.linalg.global_norm(
            [g for g in tape.gradient(loss, variables) if g is not None]))
        real_logits = tf.cast(real_logits, tf.float32)
        fake_logits = tf.cast(fake_logits, tf.float32)
        values = {
            "d_acc_real": float(tf.reduce_mean(tf.cast(real_logits > 0,
                                                       tf.float32))),
            "d_acc_fake": float(tf.reduce_mean(tf.cast(fake_logits < 0,
                                                       tf.float32))),
            "d_real_mean": float(tf.reduce_mean(real_logits)),
            "d_fake_mean": float(tf.reduce_mean(fake_logits)),
            "d_grad_norm": norm(d_loss, self.discriminator.trainable_variables),
            "g_grad_norm": norm(g_loss, self.generator.trainable_variables),
        }
        del tape
        if self.augmenter is not None and self.augmenter.adaptive:
            values["ada_p"] = float(self.augmenter.p.numpy())
        return values, np.asarray(fake, np.float32)

    # ------------------------------------------------------------- sampling
    def call(self, z, training=False):
        return self.generator(z, training=training)

    def latent_from_seeds(self, seeds):
        """One z per int64 seed, stateless: the same seed gives the same z."""
        seeds = tf.cast(tf.convert_to_tensor(seeds), tf.int64)
        return tf.map_fn(
            lambda s: tf.random.stateless_normal(
                [self.latent_dim], seed=tf.stack([s, tf.zeros_like(s)])),
            seeds, fn_output_signature=tf.float32)

    def generate(self, n, seed=None, labels=None, batch_size=256):
        """`n` samples as float32 numpy in [-1, 1].

        With an integer `seed`, image i comes from seed + i: reproducible, and
        equal to the `sample` signature of the exported SavedModel.
        Conditional models make images of classes `labels` (one int or n
        ints; default 0, 1, ... cycling).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n: expected a positive number of samples, got "
                             f"{n!r}")
        labels = self.check_labels(labels, n)
        if seed is None:
            seed = np.random.randint(0, 2**62)
        seeds = np.arange(seed, seed + n, dtype=np.int64)
        out = [self.generate_from_latent(
                   self.latent_from_seeds(seeds[i:i + batch_size]),
                   None if labels is None else labels[i:i + batch_size])
               for i in range(0, n, batch_size)]
        return np.concatenate([np.asarray(o, np.float32) for o in out])

    def generate_from_latent(self, z, labels=None):
        """G(z) (or G(z, labels)) in inference mode."""
        ema_lib.refresh_statistics(self)  # eager only; when stale.
        if labels is not None:
            labels = tf.convert_to_tensor(labels, tf.int32)
        return self.sampler(self.conditioned(z, labels), training=False)

    def generate_uint8(self, n, seed=None, labels=None):
        """`generate`, converted to uint8 exactly as the SavedModel does."""
        return to_uint8(self.generate(n, seed, labels)).numpy()

    def discriminator_scores(self, images, labels=None):
        """sigmoid(D(x)): the probability D gives to "x is real".

        Only meaningful for the `minimax` and `non_saturating` losses.
        """
        if self.adversarial_loss and not self.adversarial_loss.probabilistic:
            raise ValueError(
                f"loss: discriminator scores are probabilities only for the "
                f"minimax and non_saturating losses, this model uses "
                f"{self.adversarial_loss.name!r}")
        labels = self.check_labels(labels, len(images))
        logits = self.discriminator(self.conditioned(images, labels),
                                    training=False)
        return tf.reshape(tf.sigmoid(tf.cast(logits, tf.float32)), [-1]).numpy()

    # -------------------------------------------------------------- serving
    def serving_endpoints(self):
        """{signature: (fn, input_signature)}: the TF Serving signatures
        `tgs.export` writes and `verify` checks; conditional models take a
        `label` int32 [N] input too."""
        ema_lib.refresh_statistics(self)  # before the signatures are traced.

        def from_latent(z, label=None):
            return {"images": to_uint8(self.generate_from_latent(z, label))}

        def from_seeds(seed, label=None):
            return from_latent(self.latent_from_seeds(seed), label)

        label = ([tf.TensorSpec([None], tf.int32, name="label")]
                 if self.num_classes else [])
        return {
            "serving_default": (from_latent, [tf.TensorSpec(
                [None, self.latent_dim], tf.float32, name="z"), *label]),
            "sample": (from_seeds, [tf.TensorSpec([None], tf.int64,
                                                  name="seed"), *label]),
        }

    def serving_examples(self):
        """{signature: {input: array}}: the warm-up requests of the export."""
        seeds = np.arange(2, dtype=np.int64)
        examples = {"serving_default": {"z": self.latent_from_seeds(seeds).numpy()},
                    "sample": {"seed": seeds}}
        if self.num_classes:
            for inputs in examples.values():
                inputs["label"] = np.arange(2, dtype=np.int32) % self.num_classes
        return examples

    # --------------------------------------------------------------- config
    def get_config(self):
        """The constructor arguments: every hyperparameter is stored as an
        attribute of its own name (and the nets, when handed in)."""
        config = super().get_config()
        for name in self.init_args():
            if hasattr(self, name):
                config[name] = getattr(self, name)
        if self.own_nets:
            config.update(
                generator=keras.saving.serialize_keras_object(self.generator),
                discriminator=keras.saving.serialize_keras_object(
                    self.discriminator))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            if isinstance(config.get(key), dict):
                config[key] = keras.saving.deserialize_keras_object(
                    config[key])
        return cls(**config)


def _as_net(net, name):
    """`net` if it is a keras.Model with known inputs, else a ValueError."""
    if not isinstance(net, keras.Model):
        raise ValueError(f"{name}: expected a keras.Model, got "
                         f"{type(net).__name__}")
    try:
        net.inputs and net.outputs
    except (AttributeError, ValueError):
        net = None
    if net is None or not net.inputs:
        raise ValueError(
            f"{name}: expected a net with known input shapes (a functional "
            f"model, or a Sequential that starts with keras.Input)")
    return net
