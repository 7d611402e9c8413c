"""The model harness (`tests/model_harness.py`) over every registered model
(`tgs.models.MODELS`) and its variants (`tiny_models.VARIANTS`), with the
tiny arguments of `tests/tiny_models.py`: a new model file is covered with
no change here.

Each model runs with its built-in nets ("builtin") and with a user's own
nets ("user": the built-in ones re-wrapped in new functional models), and
DCGAN with Sequential nets of a custom layer ("custom_layer"). Per case:
build, one eager step, one compiled and one XLA step equal to it (XLA: its
own noise), checkpoint -> resume, `.keras` save / load, SavedModel export.
The end of the file checks that the harness fails models that break the
contract.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_suite import models
from tests import model_harness, tiny_models


@keras.saving.register_keras_serializable(package="tests_harness")
class Shift(keras.layers.Layer):
    """A user's own layer: x + amount * b, b a trained per-channel bias."""

    def __init__(self, amount=1.0, **kwargs):
        super().__init__(**kwargs)
        self.amount = float(amount)

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],),
                                    initializer="random_normal", name="bias")

    def call(self, x):
        return x + self.amount * self.bias

    def get_config(self):
        return {**super().get_config(), "amount": self.amount}


def custom_layer_nets(latent_dim=8, shape=(28, 28, 1)):
    """Sequential G and D of a user, with the custom `Shift` layer."""
    layers = keras.layers
    h, w, c = shape
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(h // 4 * w // 4 * 4),
        layers.Reshape((h // 4, w // 4, 4)),
        layers.Conv2DTranspose(4, 4, strides=2, padding="same",
                               activation="relu"),
        Shift(0.5),
        layers.Conv2DTranspose(c, 4, strides=2, padding="same",
                               activation="tanh"),
    ], name="custom_generator")
    discriminator = keras.Sequential([
        keras.Input(shape),
        layers.Conv2D(4, 4, strides=2, padding="same"),
        Shift(2.0),
        layers.LeakyReLU(0.2),
        layers.Flatten(),
        layers.Dense(1),
    ], name="custom_discriminator")
    return generator, discriminator


def case_args(name, nets):
    """(class, constructor arguments) of a harness case: model or variant
    `name` with `nets`."""
    cls = models.get(tiny_models.model_name(name))
    if nets == "builtin":
        return cls, tiny_models.tiny_args(name, seed=0)
    if nets == "user":
        return cls, {**tiny_models.user_nets(name),
                     **tiny_models.net_free_args(name, seed=0)}
    g, d = custom_layer_nets()
    return cls, {"generator": g, "discriminator": d, "seed": 0}


CASES = [pytest.param((name, nets), id=f"{name}-{nets}")
         for name in models.MODELS for nets in ("builtin", "user")]
CASES += [pytest.param((variant, "builtin"), id=f"{variant}-builtin")
          for variant in tiny_models.VARIANTS]
CASES.append(pytest.param(("dcgan", "custom_layer"), id="dcgan-custom_layer"))


@pytest.fixture(scope="module", params=CASES)
def case(request):
    """A harness case built (`run_build_test`) and after one eager step
    (`run_step_test`); `start` holds its state before the step."""
    name, nets = request.param
    cls, args = case_args(name, nets)
    model = model_harness.run_build_test(cls, args)
    start = model_harness.snapshot(model)
    batches = [tiny_models.examples(model, 4 * model.d_steps, seed)
               for seed in (0, 1)]
    logs = model_harness.run_step_test(model, batches[0], "eager")
    return {"name": name, "nets": nets, "model": model, "start": start,
            "batches": batches, "logs": logs}


def test_builds_and_takes_an_eager_step(case):
    model = case["model"]
    assert int(model.step_counter) >= 1
    if case["nets"] != "builtin":
        assert model.own_nets
        assert model.generator.name in ("user_generator", "custom_generator")
        for key, net in model_harness.nets(model).items():
            assert net.name.endswith(key), (key, net.name)


#: Cases whose compiled step and resume are slow. The default suite runs
#: each `train_step` of the package: GAN's (DCGAN's, CGAN's, SAGAN's) on
#: the tiny GAN (k = 2 D steps) and the conditional SAGAN, R3GAN's on its
#: conditional variant, and the others'. Handed-in nets take the built-in
#: nets' steps.
SLOW_STEPS = {"dcgan-builtin", "cgan-builtin", "sagan-builtin",
              "r3gan-builtin", "dcgan-custom_layer",
              *(f"{name}-user" for name in models.MODELS)}


@pytest.mark.slow_cases(SLOW_STEPS)
def test_compiled_step_equals_the_eager_step(case):
    model_harness.run_step_test(model_harness.twin(case["start"]),
                                case["batches"][0], "compiled",
                                expected=case["logs"])


# XLA compiles for 5 s (the MLP GAN) to a minute per model on a CPU: slow.
@pytest.mark.slow
def test_xla_step(case):
    # Under XLA the same seeds draw other noise (the test below), so the
    # logs are the step's own, not the eager step's.
    model_harness.run_step_test(model_harness.twin(case["start"]),
                                case["batches"][0], "xla")


def test_noise_under_xla_follows_the_seed_state():
    """XLA's Philox is not TensorFlow's kernel: from one seed state a step
    compiled with jit_compile=True draws other numbers than without (as
    its float rounding differs too), so a run continues bit for bit only
    under the jit_compile it was trained with. What makes that resume
    exact holds: under XLA the same state draws the same noise, and the
    state advances as it does without XLA."""
    model = tiny_models.tiny("gan", seed=0)
    state = model.noise.state.numpy()
    compiled = tf.function(lambda: model.sample_latent(4), jit_compile=True)
    first = compiled().numpy()
    after_xla = model.noise.state.numpy()
    model.noise.state.assign(state)
    np.testing.assert_array_equal(compiled().numpy(), first)
    model.noise.state.assign(state)
    eager = model.sample_latent(4).numpy()
    np.testing.assert_array_equal(model.noise.state.numpy(), after_xla)
    assert not np.array_equal(after_xla, state)
    assert first.shape == eager.shape == (4, model.latent_dim)


@pytest.mark.slow_cases(SLOW_STEPS)
def test_resume_continues_exactly(case, tmp_path):
    model_harness.run_resume_test(case["model"], case["batches"][1],
                                  str(tmp_path / "checkpoints"))


def test_keras_save_load_gives_an_equal_model(case, tmp_path):
    model_harness.run_saving_test(case["model"], str(tmp_path / "m.keras"))


# Every data kind's and every net family's export in the default suite
# (SAGAN's and R3GAN's through their conditional variants); the same
# export with handed-in nets, and WGAN-GP's (DCGAN's nets), are slow.
@pytest.mark.slow_cases(SLOW_STEPS | {"wgan_gp-builtin"})
def test_export_serves_what_the_model_makes(case, tmp_path):
    model_harness.run_export_test(case["model"], str(tmp_path / "m"))


@pytest.mark.parametrize("name", list(models.MODELS))
def test_mismatched_nets_are_one_error_naming_both_shapes(name):
    ours = tiny_models.tiny(name)
    other = tiny_models.tiny(name, **tiny_models.shape_args(
        ours, tiny_models.other_shape(name)))
    g_shape = tuple(ours.generator.outputs[0].shape[1:])
    d_shape = tuple(other.discriminator.inputs[0].shape[1:])
    assert g_shape != d_shape
    handed = {**model_harness.nets(ours),
              "discriminator": other.discriminator}
    with pytest.raises(ValueError) as error:
        models.get(name)(**handed, **tiny_models.net_free_args(name))
    assert str(g_shape) in str(error.value), error.value
    assert str(d_shape) in str(error.value), error.value


def plain_nets(latent_dim, shape):
    """Unconditional nets: z -> example, example -> logit (no label)."""
    generator = keras.Sequential([
        keras.Input((latent_dim,)), keras.layers.Dense(int(np.prod(shape))),
        keras.layers.Reshape(shape)])
    discriminator = keras.Sequential([
        keras.Input(shape), keras.layers.Flatten(), keras.layers.Dense(1)])
    return generator, discriminator


CONDITIONAL = [name for name in [*models.MODELS, *tiny_models.VARIANTS]
               if models.get(tiny_models.model_name(name)).data_kind(
                   tiny_models.tiny_args(name)) == "labelled"]


@pytest.mark.parametrize("name", CONDITIONAL)
def test_conditional_model_with_label_free_nets(name):
    model = tiny_models.tiny(name)
    assert model.data_kind() == "labelled"
    g, d = plain_nets(model.latent_dim, tuple(model.data_shape))
    with pytest.raises(ValueError, match=r"label"):
        type(model)(generator=g, discriminator=d,
                    **tiny_models.net_free_args(name))


def test_every_registered_model_is_covered():
    names = {tiny_models.model_name(p.values[0][0]) for p in CASES}
    assert names == set(models.MODELS)
    for name in models.MODELS:
        assert models.get(name).data_kind(tiny_models.tiny_args(name)) in (
            model_harness.DATA_KINDS)


# ------------------------------------------- models the harness must fail
@keras.saving.register_keras_serializable(package="tests_harness")
class DropsAnArgument(models.DCGAN):
    """Keeps its argument under another name: `get_config` loses it."""

    def __init__(self, generator=None, discriminator=None, d_repeats=1,
                 **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.repeats = d_repeats


@keras.saving.register_keras_serializable(package="tests_harness")
class UnseededNoise(models.DCGAN):
    """Draws G's noise from TensorFlow's global generator, which no
    checkpoint holds."""

    def sample_latent(self, n):
        return tf.random.normal((n, self.latent_dim))


@keras.saving.register_keras_serializable(package="tests_harness")
class FrozenDiscriminator(models.DCGAN):
    """Its D step counts but updates nothing."""

    def minimize(self, optimizer, tape, loss, variables):
        if optimizer is self.d_optimizer:
            optimizer.iterations.assign_add(1)
        else:
            super().minimize(optimizer, tape, loss, variables)


def broken(cls):
    """A tiny eager model of `cls` (DCGAN's tiny arguments) and a batch."""
    model = cls(**tiny_models.tiny_args("dcgan", seed=0))
    model.compile(run_eagerly=True)
    return model, tiny_models.examples(model, 4)


def test_the_harness_fails_a_model_that_drops_an_argument():
    with pytest.raises(AssertionError, match=r"DropsAnArgument.get_config\(\)"
                                             r" drops constructor arguments "
                                             r"\['d_repeats'\]"):
        model_harness.run_build_test(DropsAnArgument, {
            **tiny_models.tiny_args("dcgan"), "d_repeats": 2})


def test_the_harness_fails_a_model_that_cannot_resume(tmp_path):
    model, batch = broken(UnseededNoise)
    model_harness.run_step_test(model, batch)
    with pytest.raises(AssertionError, match="resumed step's logs differ"):
        model_harness.run_resume_test(model, batch, str(tmp_path))


def test_the_harness_fails_a_model_whose_step_skips_a_net():
    model, batch = broken(FrozenDiscriminator)
    with pytest.raises(AssertionError, match="discriminator unchanged"):
        model_harness.run_step_test(model, batch)
