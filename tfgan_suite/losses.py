"""Adversarial losses by name, built on TF-GAN's `losses_impl`.

Every loss takes discriminator *logits* (unbounded real numbers) and returns
the batch mean, so a model can divide by the number of replicas to get the
mean over the global batch under `tf.distribute`.

| name             | discriminator minimises                      | generator minimises        | paper |
|------------------|----------------------------------------------|----------------------------|-------|
| `minimax`        | -log D(x) - log(1 - D(G(z)))                 | log(1 - D(G(z)))           | Goodfellow et al. 2014, eq. 1 |
| `non_saturating` | same as minimax                              | -log D(G(z))               | Goodfellow et al. 2014, sec. 3 |
| `least_squares`  | (D(x) - 1)^2 / 2 + D(G(z))^2 / 2             | (D(G(z)) - 1)^2 / 2        | Mao et al. 2017 |
| `wasserstein_gp` | D(G(z)) - D(x) + 10 * (|grad D(x_hat)| - 1)^2 | -D(G(z))                  | Gulrajani et al. 2017 |
| `hinge`          | relu(1 - D(x)) + relu(1 + D(G(z)))           | -D(G(z))                   | Lim & Ye 2017; Miyato et al. 2018; SAGAN |
| `relativistic`   | softplus(-(D(x) - D(G(z))))                  | softplus(-(D(G(z)) - D(x))) | Jolicoeur-Martineau 2019 (RpGAN); Huang et al. 2024 (R3GAN) |

where D(.) is sigmoid(logits) for the first two and the raw logits otherwise.
The relativistic losses pair the i-th real with the i-th generated logit, so
G's loss takes the real logits too (`AdversarialLoss.relativistic`).
R3GAN's zero-centred gradient penalties R1 (on real data) and R2 (on
generated data) are `r1_penalty` and `r2_penalty`;
`lazy_logits_and_gradient_norm` applies them every N-th step (StyleGAN2).
"""

import dataclasses
from typing import Callable

import keras
import tensorflow as tf


from tfgan_suite.compat.tfgan import losses_impl

_COMMON = dict(loss_collection=None, add_summaries=False)


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """-E[log D(x)] - E[log(1 - D(G(z)))] (Goodfellow et al. 2014, eq. 1)."""
    return losses_impl.minimax_discriminator_loss(
        real_logits, fake_logits, label_smoothing=label_smoothing, **_COMMON)


def minimax_generator_loss(fake_logits):
    """E[log(1 - D(G(z)))]: the generator's side of the minimax game.

    TF-GAN's version adds the constant log sigmoid(1) (it scores a logit of 1
    as the "real" term); it is removed so the value matches eq. 1.
    """
    return (losses_impl.minimax_generator_loss(fake_logits, **_COMMON)
            - tf.math.log_sigmoid(1.0))


def non_saturating_generator_loss(fake_logits):
    """-E[log D(G(z))]: strong gradients early in training (Goodfellow 2014)."""
    return losses_impl.modified_generator_loss(fake_logits, **_COMMON)


def least_squares_discriminator_loss(real_logits, fake_logits):
    """E[(D(x) - 1)^2]/2 + E[D(G(z))^2]/2 (LSGAN, Mao et al. 2017)."""
    return losses_impl.least_squares_discriminator_loss(
        real_logits, fake_logits, **_COMMON)


def least_squares_generator_loss(fake_logits):
    """E[(D(G(z)) - 1)^2]/2 (LSGAN)."""
    return losses_impl.least_squares_generator_loss(fake_logits, **_COMMON)


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """E[D(G(z))] - E[D(x)]: the critic's estimate of -W1 (Arjovsky 2017)."""
    return losses_impl.wasserstein_discriminator_loss(
        real_logits, fake_logits, **_COMMON)


def wasserstein_generator_loss(fake_logits):
    """-E[D(G(z))] (WGAN; also the generator's hinge loss)."""
    return losses_impl.wasserstein_generator_loss(fake_logits, **_COMMON)


def hinge_discriminator_loss(real_logits, fake_logits):
    """E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] (SAGAN, Zhang et al. 2019)."""
    return losses_impl.wasserstein_hinge_discriminator_loss(
        real_logits, fake_logits, **_COMMON)


def gradient_penalty(discriminator_fn, real, fake, seed=None, pack=1):
    """E[(||grad_x D(x_hat)||_2 - 1)^2], x_hat = eps x + (1 - eps) G(z) with
    eps ~ U(0, 1) per example (Gulrajani et al. 2017, eq. 3).

    `discriminator_fn(x)` returns logits; `seed` is a
    `keras.random.SeedGenerator` (the model's), so the draws of eps are part
    of the training state and a resumed run repeats them. With `pack` = m
    > 1, D judges packs of m consecutive examples (PacGAN, Lin et al.
    2018): x_hat is a point between a real and a generated pack (one eps
    per pack) and the norm is over the whole pack, D's input. Written here,
    not taken from TF-GAN: its `wasserstein_gradient_penalty` draws eps
    from TensorFlow's global random state and needs graph mode
    (`tf.gradients`).
    """
    real = tf.cast(real, tf.float32)
    fake = tf.cast(fake, tf.float32)
    shape = tf.concat([tf.shape(real)[:1] // pack,
                       tf.ones([tf.rank(real) - 1], tf.int32)], 0)
    eps = tf.repeat(keras.random.uniform(shape, seed=seed), pack, axis=0)
    interpolates = eps * real + (1.0 - eps) * fake
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        logits = tf.cast(discriminator_fn(interpolates), tf.float32)
    grads = tape.gradient(logits, interpolates)
    squares = tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads)))
    norms = tf.sqrt(tf.reduce_sum(tf.reshape(squares, [-1, pack]), 1) + 1e-10)
    return tf.reduce_mean(tf.square(norms - 1.0))


def relativistic_discriminator_loss(real_logits, fake_logits):
    """E[softplus(-(D(x_i) - D(G(z_i))))]: D's side of the relativistic
    pairing GAN, RpGAN (Jolicoeur-Martineau 2019, eq. 9 with f = softplus
    of the negation; Huang et al. 2024, eq. 2), the i-th real paired with
    the i-th generated example. D's logits are raw scores: only their
    differences mean anything."""
    real_logits = tf.cast(real_logits, tf.float32)
    fake_logits = tf.cast(fake_logits, tf.float32)
    return tf.reduce_mean(tf.math.softplus(-(real_logits - fake_logits)))


def relativistic_generator_loss(fake_logits, real_logits=None):
    """E[softplus(-(D(G(z_i)) - D(x_i)))]: G's side of RpGAN, the same pairs
    with the roles swapped (Huang et al. 2024, eq. 2). Needs D's logits on
    the real minibatch as well as on G's samples."""
    if real_logits is None:
        raise ValueError(
            "loss: 'relativistic' scores G's samples against real data; its "
            "generator loss takes (fake_logits, real_logits), and this "
            "train_step passed fake_logits only")
    return relativistic_discriminator_loss(fake_logits, real_logits)


def logits_and_gradient_norm(critic, x):
    """(D's logits on x, E[||grad_x D(x)||^2]): the logits, and the squared
    norm of their gradient with respect to D's input x, summed over the
    input's elements and averaged over D's outputs (examples, or packs of
    examples under PacGAN).

    `critic(x)` returns logits (a conditional D with its labels bound); it
    is called once, so a train step that needs the logits as well pays for
    one forward pass. Works inside the tape of D's update (the gradient is
    taken on a nested tape, and D's update differentiates through it) and
    under mixed precision (x and the logits are cast to float32).
    """
    logits, gradient_norm = _logits_on_tape(critic, x)
    return logits, gradient_norm()


def lazy_logits_and_gradient_norm(critic, x, every, step):
    """`logits_and_gradient_norm` made lazy (StyleGAN2's lazy
    regularization): on a `step` that is a multiple of `every`, the logits
    and the norm times `every`; on the others the logits and 0, without the
    norm's second backward pass. So a penalty weighed by the caller keeps
    its weight on average. `every` 1: `logits_and_gradient_norm` itself.

    D's pass is taken on a tape in every step; a `tf.cond` on the step (a
    tensor) takes its gradient or not. Under XLA, the gradient's branch
    differentiates only with batches of a static size."""
    logits, gradient_norm = _logits_on_tape(critic, x)
    if every == 1:
        return logits, gradient_norm()
    return logits, tf.cond(tf.equal(step % every, 0),
                           lambda: gradient_norm() * every,
                           lambda: tf.zeros(()))


def _logits_on_tape(critic, x):
    """(D's logits on x cast to float32, a function that returns
    E[||grad_x D(x)||^2] from the tape of that pass)."""
    x = tf.cast(x, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = tf.cast(critic(x), tf.float32)
        total = tf.reduce_sum(logits)  # D's outputs are per example.

    def gradient_norm():
        grads = tape.gradient(total, x)
        outputs = tf.cast(tf.shape(logits)[0], tf.float32)
        return tf.reduce_sum(tf.square(grads)) / outputs

    return logits, gradient_norm


def r1_penalty(critic, real):
    """R1 = E_x[||grad_x D(x)||^2] on real data (Mescheder et al. 2018, eq.
    9; Huang et al. 2024, eq. 3): zero-centred, it pulls D's gradient on the
    data toward 0. The caller weighs it: R3GAN adds gamma/2 * (R1 + R2) to
    D's loss (`AdversarialTraining` of the official code). `critic(x)`
    returns D's logits for x."""
    return logits_and_gradient_norm(critic, real)[1]


def r2_penalty(critic, fake):
    """R2 = E_z[||grad_x D(x)||^2 at x = G(z)]: the same penalty on generated
    data (Mescheder et al. 2018, eq. 10; Huang et al. 2024, eq. 4); weighed
    by the caller, gamma/2 in R3GAN. G(z) is a constant here: only D's
    weights get a gradient through it."""
    return logits_and_gradient_norm(critic, tf.stop_gradient(fake))[1]


@dataclasses.dataclass(frozen=True)
class AdversarialLoss:
    """A named pair of losses; `gradient_penalty_weight` > 0 adds WGAN-GP."""

    name: str
    discriminator: Callable
    generator: Callable
    gradient_penalty_weight: float = 0.0
    #: True when sigmoid(logits) is a probability "x is real" (D of eq. 1).
    probabilistic: bool = False
    #: True when G's loss compares its samples with real data: `generator`
    #: takes (fake_logits, real_logits), D's logits on a generated and a
    #: real minibatch of the same size (RpGAN); else (fake_logits).
    relativistic: bool = False
    #: D's output halfway between its targets for real and generated data:
    #: above it D calls x real (0 for logits; 0.5 for least squares'
    #: targets 1 and 0).
    threshold: float = 0.0


LOSSES = {
    "minimax": AdversarialLoss(
        "minimax", minimax_discriminator_loss, minimax_generator_loss,
        probabilistic=True),
    "non_saturating": AdversarialLoss(
        "non_saturating", minimax_discriminator_loss,
        non_saturating_generator_loss, probabilistic=True),
    "least_squares": AdversarialLoss(
        "least_squares", least_squares_discriminator_loss,
        least_squares_generator_loss, threshold=0.5),
    "wasserstein_gp": AdversarialLoss(
        "wasserstein_gp", wasserstein_discriminator_loss,
        wasserstein_generator_loss, gradient_penalty_weight=10.0),
    "hinge": AdversarialLoss(
        "hinge", hinge_discriminator_loss, wasserstein_generator_loss),
    "relativistic": AdversarialLoss(
        "relativistic", relativistic_discriminator_loss,
        relativistic_generator_loss, relativistic=True),
}


def get(identifier):
    """Returns the `AdversarialLoss` named `identifier` (or passes one through)."""
    if isinstance(identifier, AdversarialLoss):
        return identifier
    if identifier not in LOSSES:
        raise ValueError(
            f"loss: expected one of {sorted(LOSSES)}, got {identifier!r}")
    return LOSSES[identifier]
