"""`AdversarialModel`: the training core every GAN of the suite shares.

Two optimizers and an adversarial loss by name (`compile`), and what a
`train_step` calls: the batch (`unpack`), Algorithm 1's k D minibatches
(`d_minibatches`; Goodfellow et al. 2014), seeded noise (`sample_latent`),
D as it trains (`d_logits`), the losses and penalties, one optimizer step
right under `tf.distribute` and loss scaling (`minimize`), and loss
trackers (`update_trackers`). XLA only where it helps (`jit_compile="auto"`:
with a GPU).

Beside the core, one concern per unit: the batch checks (`models.inputs`),
noise and logs under `tf.distribute` (`models.replicas`), declarations and
arguments (`models.declarations`, `models.arguments`), samples
(`models.sampling`), the step count and the EMA (`models.steps`,
`models.ema`), augmentation (`tgs.augment`), packing (`tgs.nets.common`),
serving signatures (`tgs.serving.signatures`).
"""


import keras
import tensorflow as tf

from tfgan_suite import augment as augment_lib
from tfgan_suite import losses
from tfgan_suite.models import arguments
from tfgan_suite.models import ema as ema_lib
from tfgan_suite.models import inputs
from tfgan_suite.models import replicas
from tfgan_suite.models.declarations import Declarations
from tfgan_suite.models.sampling import Sampling
from tfgan_suite.models.steps import AfterEachStep
from tfgan_suite.nets import common as nets_common


class AdversarialModel(Declarations, Sampling, AfterEachStep, keras.Model):
    """Base class of the suite's GANs; subclass it for a GAN of your own:
    override `train_step` (and `build_nets`, for built-in nets).

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
      data_shape: the shape of one example (read from G when nets are
        handed in).
      augment, ada_kimg, ema_kimg, ema_rampup, ema_start, class_names,
        pack, value_range, r1_gamma, r2_gamma, penalty_interval: the
        arguments every model takes (`COMMON_ARGS`), documented in
        `tfgan_suite.models.arguments`.
    """

    #: Arguments every model takes (through `**kwargs`), listed by
    #: `init_args` and the flags; `models.arguments` documents them.
    COMMON_ARGS = {"augment": None, "ema_kimg": None,
                   "ema_rampup": ema_lib.RAMPUP, "ema_start": 0,
                   "class_names": None,
                   "ada_kimg": augment_lib.ADA_KIMG, "pack": 1,
                   "value_range": arguments.DATA_RANGE, "r1_gamma": 0.0,
                   "r2_gamma": 0.0, "penalty_interval": 1}
    #: compile() defaults; presets and callers override them.
    default_loss = "non_saturating"
    default_g_optimizer = {"learning_rate": 2e-4, "beta_1": 0.5}
    default_d_optimizer = {"learning_rate": 2e-4, "beta_1": 0.5}
    #: The losses (`tgs.losses.LOSSES` names) `train_step` can train with;
    #: None: every one. `compile` refuses the others.
    supported_losses = None
    #: Names of the values `train_step` logs (one `keras.metrics.Mean` each).
    tracked = ("d_loss", "g_loss")

    def __init__(self, generator=None, discriminator=None, latent_dim=None,
                 d_steps=1, seed=None, data_shape=None, augment=None,
                 ema_kimg=None, ema_rampup=ema_lib.RAMPUP, ema_start=0,
                 class_names=None,
                 ada_kimg=augment_lib.ADA_KIMG, pack=1,
                 value_range=arguments.DATA_RANGE, r1_gamma=0.0,
                 r2_gamma=0.0, penalty_interval=1, **kwargs):
        """A model takes the arguments its class docstring lists and
        `COMMON_ARGS` (augmentation, the EMA generator, packing, R1 / R2
        penalties, `value_range`, `class_names`), which
        `tfgan_suite.models.arguments` documents."""
        super().__init__(**kwargs)
        #: What the suite learns of `train_step` when Keras traces it: the
        #: helpers it calls ("augment", "pack", "loss", "penalty") and the
        #: trackers it updates; `training.contract` checks the options
        #: against it.
        self._tgs_used = set()
        self.value_range = arguments.value_range(value_range)
        self.class_names = arguments.class_names(class_names,
                                                 self.num_classes)
        self.pack = arguments.pack(pack, self)
        self.d_steps = arguments.integer("d_steps", d_steps)
        self.r1_gamma = arguments.weight("r1_gamma", r1_gamma)
        self.r2_gamma = arguments.weight("r2_gamma", r2_gamma)
        self.penalty_interval = arguments.penalty_interval(
            penalty_interval, self.r1_gamma, self.r2_gamma)
        self.seed = seed
        self.noise = keras.random.SeedGenerator(seed, name="noise")
        self.trackers = {n: keras.metrics.Mean(name=n) for n in self.tracked}
        #: Calls of `train_step` so far: the run's step (checkpoints, logs,
        #: resume), saved with the model.
        self.step_counter = keras.Variable(
            0, dtype="int64", trainable=False, name="step_counter",
            aggregation="only_first_replica")
        self._adversarial_loss = None
        self.generator, self.discriminator = self.nets(
            generator, discriminator, latent_dim, data_shape)
        self.augment, self.ada_kimg, self.augmenter = augment_lib.for_model(
            augment, ada_kimg, seed)
        (self.ema_kimg, self.ema_rampup, self.ema_start,
         self.ema_generator) = ema_lib.configure(self.generator, ema_kimg,
                                                 ema_rampup, ema_start)
        self.built = True  # both nets are built with known input shapes.

    @property
    def adversarial_loss(self):
        """The compiled loss (`tgs.losses.AdversarialLoss`; None before
        `compile`); reading it in `train_step` is what uses it."""
        self._tgs_used.add("loss")
        return self._adversarial_loss

    @property
    def g_variables(self):
        """What `g_optimizer` trains (G's weights; more for models with
        several generators)."""
        return self.generator.trainable_variables

    @property
    def d_variables(self):
        """What `d_optimizer` trains (D's weights; more for models with
        several discriminators)."""
        return self.discriminator.trainable_variables

    # ----------------------------------------------------------------- compile
    def compile(self, g_optimizer=None, d_optimizer=None, loss=None,
                jit_compile="auto", steps_per_execution=1, run_eagerly=False):
        """Configures training; every argument is optional.

        Args:
          g_optimizer, d_optimizer: a `keras.optimizers.Optimizer`, its name or
            config dict, or None for the model's default (Adam as in the
            paper the model comes from).
          loss: a name in `tgs.losses.LOSSES` or an `AdversarialLoss`,
            among the model's `supported_losses`; None for the model's
            default.
          jit_compile: "auto" compiles `train_step` with XLA when a GPU is
            present (on CPU XLA is slower); True/False force it.
        """
        adversarial_loss = losses.get(loss or self.default_loss)
        if (self.supported_losses is not None
                and adversarial_loss.name not in self.supported_losses):
            raise ValueError(
                f"loss: {type(self).__name__} trains with "
                f"{', '.join(self.supported_losses)}, got "
                f"{adversarial_loss.name!r}")
        self._adversarial_loss = adversarial_loss
        self.g_optimizer = self._optimizer(g_optimizer, self.default_g_optimizer)
        self.d_optimizer = self._optimizer(d_optimizer, self.default_d_optimizer)
        # Slots exist from the start, so weights saved by `BackupAndRestore`
        # or `load_model` restore into them.
        self.g_optimizer.build(self.g_variables)
        self.d_optimizer.build(self.d_variables)
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

    # ----------------------------------------------------------- train steps
    def unpack(self, data):
        """(examples, int32 labels or None) of a batch: checked
        (`models.inputs`) and in the model's `value_range`."""
        return inputs.unpack(self, data)

    def d_minibatches(self, batch, labels=None):
        """Algorithm 1's k minibatches of m examples (and their labels, or
        None), from one batch of k*m."""
        if self.d_steps == 1:
            return [(batch, labels)]
        size = batch.shape[0]
        if size is not None and size % self.d_steps:
            raise ValueError(f"batch_size: {size} is not a multiple of "
                             f"d_steps={self.d_steps} (each of "
                             f"the k D steps takes its own 1/k of the batch)")
        if size is None:  # a last, smaller batch: fail with the reason.
            tf.debugging.assert_equal(
                tf.shape(batch)[0] % self.d_steps, 0, message=(
                    f"batch_size: not a multiple of d_steps="
                    f"{self.d_steps} (batch with drop_remainder=True)"))
        return list(zip(tf.split(batch, self.d_steps),
                        [None] * self.d_steps if labels is None
                        else tf.split(labels, self.d_steps)))

    def sample_latent(self, n):
        """z ~ N(0, I) of shape (n, latent_dim), from the model's noise seed."""
        return replicas.per_replica(lambda m: keras.random.normal(
            (m, self.latent_dim), seed=self.noise), n)

    def sample_labels(self, n):
        """n labels drawn uniformly (None if unconditional)."""
        if not self.num_classes:
            return None
        return replicas.per_replica(lambda m: keras.random.randint(
            (m,), 0, self.num_classes, seed=self.noise, dtype="int32"), n)

    @staticmethod
    def conditioned(x, labels):
        """A net's input: x alone, or [x, labels] for conditional nets."""
        return x if labels is None else [x, labels]

    def d_logits(self, x, labels=None):
        """D's logits for `x` (made for `labels`) as D sees it in training:
        through the model's `augmenter` (DiffAugment / ADA, `tgs.augment`;
        in the D and the G step alike, as DiffAugment requires), then in
        packs of `pack` examples, one logit per pack (PacGAN,
        `nets.common.pack`)."""
        self._tgs_used.update(("augment", "pack"))
        x = nets_common.pack(self.augmenter(x), self.pack)
        return self.discriminator(self.conditioned(x, labels), training=True)

    def logits_and_penalty(self, critic, x, gamma):
        """(D's logits on `x`, R): R = E[||grad_x D(x)||^2], the
        zero-centred penalty (R1 on real data, R2 on generated data), from
        the same pass of D when `gamma`, the penalty's weight, is not 0;
        else (logits, 0.0). The caller adds gamma / 2 * R to D's loss.
        `critic(x)` returns D's logits (`d_logits` with labels bound).
        `penalty_interval` N > 1: R times N before every N-th update of D,
        else 0 (`losses.lazy_logits_and_gradient_norm`)."""
        self._tgs_used.add("penalty")
        if not gamma:
            return critic(x), 0.0
        every = self.penalty_interval
        if every > 1 and self.jit_compile and x.shape[0] is None:
            raise ValueError(f"penalty_interval: {every} under XLA needs "
                             f"batches of one size (drop_remainder=True), "
                             f"got batches of shape {tuple(x.shape)}")
        return losses.lazy_logits_and_gradient_norm(
            critic, x, every, self.d_optimizer.iterations)

    def discriminator_loss(self, real_logits, fake_logits, real=None,
                           fake=None, critic=None):
        """The adversarial D loss, plus the gradient penalty for WGAN-GP.

        `critic(x)` returns D's logits for x (default: `self.discriminator`
        on `x` in packs).
        """
        loss = self.adversarial_loss.discriminator(real_logits, fake_logits)
        weight = self.adversarial_loss.gradient_penalty_weight
        if weight:
            critic = critic or (lambda x: self.discriminator(
                nets_common.pack(x, self.pack), training=True))
            loss += weight * losses.gradient_penalty(
                critic, real, fake, seed=self.noise, pack=self.pack)
        return loss

    def generator_loss(self, fake_logits, real_logits=None):
        """The adversarial G loss of the compiled `loss`. A relativistic
        loss (RpGAN) scores each sample against a real one: pass D's
        `real_logits` on as many real examples (ignored otherwise)."""
        loss = self.adversarial_loss
        if not loss.relativistic:
            return loss.generator(fake_logits)
        if real_logits is None:
            raise ValueError(
                f"loss: {loss.name!r} scores G's samples against real ones, "
                f"and {type(self).__name__}.train_step gives generator_loss "
                f"no real logits")
        return loss.generator(fake_logits, real_logits)

    def minimize(self, optimizer, tape, loss, variables):
        """One optimizer step on `loss`, the mean over this replica's batch.

        Under `tf.distribute` the replicas' gradients are summed, so each is
        divided by the number of replicas: the step then follows the mean
        over the global batch. The loss scale of `LossScaleOptimizer` enters
        the same way, as the upstream gradient.
        """
        num_replicas = tf.distribute.get_strategy().num_replicas_in_sync
        upstream = optimizer.scale_loss(
            tf.constant(1.0 / num_replicas, loss.dtype))
        grads = tape.gradient(loss, variables, output_gradients=upstream)
        optimizer.apply_gradients(zip(grads, variables))

    def optimizers(self):
        """The optimizers training updates (saved in checkpoints)."""
        return [self.g_optimizer, self.d_optimizer]

    @property
    def metrics(self):
        """The trackers `train_step` updates (Keras resets them each epoch
        and logs their means); none for a step that returns its own values,
        whose logs are then exactly what it returned."""
        return [t for name, t in self.trackers.items()
                if name in self._tgs_used]

    def update_trackers(self, **values):
        """Updates the loss trackers of `values` and returns the logs of
        `train_step`: their running means over the epoch."""
        for name, value in values.items():
            if name not in self.trackers:
                raise ValueError(
                    f"update_trackers: {type(self).__name__} tracks "
                    f"{', '.join(self.trackers)} (its `tracked`), got {name!r}")
            self.trackers[name].update_state(value)
            self._tgs_used.add(name)
        return replicas.reducible_logs(
            {name: self.trackers[name].result() for name in values})
