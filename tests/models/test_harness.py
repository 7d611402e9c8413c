"""One harness over every registered model (`tgs.models.MODELS`): a new
model file is covered with no change here (`tests/tiny_models.py` guesses
tiny arguments for models it does not list).

For each model, with its built-in nets and with a user's own nets (the
built-in ones re-wrapped in new functional models; and one case of
Sequential nets with a custom layer): build, fit 2 steps, `.keras` save /
load, SavedModel export + `tgs.serving.verify`.
"""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_suite as tgs
from tfgan_suite import models
from tests import tiny_models


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


def build(name, nets, overrides):
    """The model of a harness case, compiled."""
    cls = models.get(name)
    if nets == "builtin":
        model = tiny_models.tiny(name, **overrides)
    elif nets == "user":
        model = cls(**tiny_models.user_nets(name, **overrides),
                    **tiny_models.net_free_args(name, **overrides))
    else:  # custom_layer
        g, d = custom_layer_nets()
        model = cls(generator=g, discriminator=d)
    # Eager steps: a tf.function trace of train_step costs 10-40 s per case
    # on a CPU. Graph mode is kept for the custom-layer case (and every
    # model trains in graph mode in test_mixed_precision.py).
    model.compile(run_eagerly=nets != "custom_layer")
    return model


CASES = [pytest.param((name, nets, {}), id=f"{name}-{nets}")
         for name in models.MODELS for nets in ("builtin", "user")]
CASES += [
    # The class-conditional SAGAN (conditional batch norm, projection D).
    pytest.param(("sagan", "builtin", {"num_classes": 3}),
                 id="sagan_conditional-builtin"),
    # The class-conditional R3GAN (label embeddings, projection D).
    pytest.param(("r3gan", "builtin", {"num_classes": 3}),
                 id="r3gan_conditional-builtin"),
    pytest.param(("dcgan", "custom_layer", {}), id="dcgan-custom_layer"),
]


def weights(net):
    return [w.numpy().copy() for w in net.trainable_weights]


def nets(model):
    """{net argument: net} of every net the model trains."""
    return {key: getattr(model, key) for key in model.NET_ARGS}


@pytest.fixture(scope="module", params=CASES)
def trained(request):
    """A harness case's model after fit() on 2 tiny batches."""
    name, kind, overrides = request.param
    model = build(name, kind, overrides)
    before = {key: weights(net) for key, net in nets(model).items()}
    history = model.fit(tiny_models.batches(model, n=4, steps=2), epochs=1,
                        verbose=0)
    return {"name": name, "nets": kind, "model": model, "history": history,
            "before": before}


def as_json(config):
    return json.loads(json.dumps(config, sort_keys=True))


def outputs(model, n=3, seed=5):
    """What the model makes, deterministically: samples from seeds (with
    labels for a conditional model), or translations (in each of the
    model's directions)."""
    if model.data_kind() in tiny_models.TRANSLATION_KINDS:
        x = tiny_models.examples(model, n, seed)[0]
        directions = getattr(model, "directions", None) or [None]
        return np.stack([model.translate(x) if d is None else
                         model.translate(x, direction=d)
                         for d in directions])
    labels = (np.arange(n) % model.num_classes if model.num_classes
              else None)
    return model.generate(n, seed=seed, labels=labels)


def endpoint_outputs(model):
    """{signature: {output: array}} on the model's serving examples."""
    examples = tgs.serving.signatures.examples(model)
    return {name: {k: np.asarray(v) for k, v in fn(**{
                key: tf.constant(value)
                for key, value in examples[name].items()}).items()}
            for name, (fn, _) in tgs.serving.signatures.endpoints(model).items()}


def test_fit_two_steps(trained):
    model, history = trained["model"], trained["history"]
    assert set(history.history) == set(model.tracked)
    for key, values in history.history.items():
        assert len(values) == 1 and np.isfinite(values).all(), (key, values)
    assert int(model.g_optimizer.iterations) == 2
    assert int(model.d_optimizer.iterations) == 2 * model.d_steps
    for key, net in nets(model).items():
        assert any(not np.array_equal(a, b) for a, b in
                   zip(trained["before"][key], weights(net))), key
    if trained["nets"] != "builtin":
        assert model.own_nets
        assert model.generator.name in ("user_generator", "custom_generator")
        for key, net in nets(model).items():
            assert net.name.endswith(key), (key, net.name)


def test_keras_save_load_gives_equal_outputs(trained, tmp_path):
    model = trained["model"]
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    # Equal up to tuples read back as lists (nets' shapes in their configs).
    assert as_json(loaded.get_config()) == as_json(model.get_config())
    assert loaded.data_kind() == model.data_kind()
    np.testing.assert_array_equal(outputs(loaded), outputs(model))
    ours, theirs = endpoint_outputs(model), endpoint_outputs(loaded)
    assert sorted(ours) == sorted(theirs)
    for signature in ours:
        for key in ours[signature]:
            np.testing.assert_array_equal(theirs[signature][key],
                                          ours[signature][key])
    # The training state comes back too.
    assert int(loaded.g_optimizer.iterations) == 2
    assert loaded.adversarial_loss.name == model.adversarial_loss.name
    for a, b in zip(model.d_optimizer.variables, loaded.d_optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


# Every data kind's export in the default suite (built-in nets); the same
# export with handed-in nets, and WGAN-GP's (DCGAN's nets), are slow.
@pytest.mark.slow_cases({"cyclegan-user", "pix2pix-user", "sagan-user",
                         "sagan_conditional-builtin", "wgan_gp-user",
                         "wgan_gp-builtin", "cgan-user", "gan-user",
                         # test_r3gan.py exports the conditional R3GAN.
                         "r3gan-user", "r3gan_conditional-builtin"})
def test_export_verifies(trained, tmp_path):
    model = trained["model"]
    path = tgs.serving.export_saved_model(model, str(tmp_path / "m"))
    report = tgs.serving.verify(path, model, cli=False)
    assert report["compared_with_keras"] and report["warmup_requests"] >= 2
    assert report["signatures"] == sorted(
        tgs.serving.signatures.endpoints(model))
    manifest = tgs.serving.read_manifest(path)
    assert manifest["class"] == models.name_of(type(model))
    assert manifest["step"] == 2
    # Without the Keras model (rebuilt from the manifest's config, nets
    # included): signatures and warm-up replays.
    assert (tgs.serving.verify(path, cli=False)["signatures"]
            == report["signatures"])
    # The REST bodies beside the export match the signatures.
    loaded = tf.saved_model.load(path)
    rest = os.path.join(path, "assets.extra", tgs.serving.export.REST_DIR)
    for signature in report["signatures"]:
        with open(os.path.join(rest, f"{signature}.json")) as f:
            body = json.load(f)
        spec = loaded.signatures[signature].structured_input_signature[1]
        assert body["signature_name"] == signature
        for instance in body["instances"]:  # the row format
            assert sorted(instance) == sorted(spec)
            for key, value in instance.items():
                if spec[key].dtype == tf.string:
                    assert "b64" in value
                else:
                    assert (np.asarray(value).shape
                            == tuple(spec[key].shape[1:]))
    # What users call: `sample` from seeds (with labels) is generate_uint8;
    # a translation model's serving_default is translate_uint8.
    if "sample" in loaded.signatures:
        inputs = {"seed": tf.constant([5, 6, 7], tf.int64)}
        labels = None
        if model.num_classes:
            labels = np.array([1, 2, 0], np.int32) % model.num_classes
            inputs["label"] = tf.constant(labels)
        np.testing.assert_array_equal(
            loaded.signatures["sample"](**inputs)["images"].numpy(),
            model.generate_uint8(3, seed=5, labels=labels))
        psis = [0.5, 0.8, 1.0]  # the truncation trick, one psi per seed.
        np.testing.assert_array_equal(
            loaded.signatures["sample_truncated"](
                truncation=tf.constant(psis), **inputs)["images"].numpy(),
            model.generate_uint8(3, seed=5, labels=labels, truncation=psis))
    if model.data_kind() in tiny_models.TRANSLATION_KINDS:
        x = np.random.default_rng(1).integers(0, 256, (3, *model.data_shape),
                                              np.uint8)
        np.testing.assert_array_equal(
            loaded.signatures["serving_default"](image=tf.constant(x))[
                "image"].numpy(), model.translate_uint8(x))
        # A model that translates both ways: a signature per direction.
        for direction, signature in (getattr(model, "directions", None)
                                     or {}).items():
            np.testing.assert_array_equal(
                loaded.signatures[signature](image=tf.constant(x))[
                    "image"].numpy(),
                model.translate_uint8(x, direction=direction))


@pytest.mark.parametrize("name", list(models.MODELS))
def test_mismatched_nets_are_one_error_naming_both_shapes(name):
    ours = tiny_models.tiny(name)
    other = tiny_models.tiny(name, **tiny_models.shape_args(
        ours, tiny_models.other_shape(name)))
    g_shape = tuple(ours.generator.outputs[0].shape[1:])
    d_shape = tuple(other.discriminator.inputs[0].shape[1:])
    assert g_shape != d_shape
    handed = {**nets(ours), "discriminator": other.discriminator}
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


CONDITIONAL = [pytest.param(name, {}, id=name) for name in models.MODELS
               if models.get(name).data_kind(tiny_models.tiny_args(name))
               == "labelled"]
CONDITIONAL.append(pytest.param("sagan", {"num_classes": 3},
                                id="sagan_conditional"))
CONDITIONAL.append(pytest.param("r3gan", {"num_classes": 3},
                                id="r3gan_conditional"))


@pytest.mark.parametrize("name,overrides", CONDITIONAL)
def test_conditional_model_with_label_free_nets(name, overrides):
    model = tiny_models.tiny(name, **overrides)
    assert model.data_kind() == "labelled"
    g, d = plain_nets(model.latent_dim, tuple(model.data_shape))
    with pytest.raises(ValueError, match=r"label"):
        models.get(name)(generator=g, discriminator=d,
                         **tiny_models.net_free_args(name, **overrides))


def test_every_registered_model_is_covered():
    names = {p.values[0][0] for p in CASES}
    assert names == set(models.MODELS)
    for name in models.MODELS:
        assert models.get(name).data_kind(tiny_models.tiny_args(name)) in (
            "images", "labelled", "pairs", "unpaired")

