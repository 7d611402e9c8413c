"""The model harness: what every model must do, as helpers a test calls
with a model class, its tiny constructor arguments (`tests/tiny_models.py`)
and a batch of its kind (keras-hub's shared `run_*_test` helpers).

Each helper checks one promise of the model contract
(docs/adding_a_model.md) and fails with an `AssertionError` saying which:

- `run_build_test`: the model builds its nets, says what data it trains
  on, and its config holds every constructor argument and rebuilds it;
- `run_step_test`: one training step (eager, compiled, or compiled with
  XLA) logs a finite value of each tracked name, counts the step, steps
  both optimizers and moves every net; with `expected`, the logs of an
  eager step from the same state;
- `run_resume_test`: a checkpoint restored into a new model continues
  exactly: the same next logs and the same state after;
- `run_saving_test`: the `.keras` file loads as an equal model: config,
  samples or translations, and the training state (weights, optimizer
  slots and iterations);
- `run_export_test`: the SavedModel serves exactly what the model makes.

`twin(snapshot(model))` is a new model of `model`'s config holding its
state, so a step of each from there can be compared.
"""

import copy
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_suite as tgs
from tfgan_suite import models
from tfgan_suite.runs import checkpoints

#: What `data_kind` may answer.
DATA_KINDS = ("images", "labelled", "pairs", "unpaired")
#: How `run_step_test` compiles: {mode: compile arguments}.
MODES = {"eager": {"run_eagerly": True},
         "compiled": {"jit_compile": False},
         "xla": {"jit_compile": True}}
#: How close a compiled step's logs come to the eager step's: Grappler
#: fuses and reorders float32 sums (relative error about 1e-6).
COMPILED_RTOL = 1e-4


def as_json(value):
    """`value` as it reads back from JSON (tuples as lists)."""
    return json.loads(json.dumps(value, sort_keys=True))


def first_difference(ours, theirs, path="config"):
    """Where two JSON values first differ ("config['a'][0]: 1 != 2"), or
    None."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            found = first_difference(ours.get(key), theirs.get(key),
                                     f"{path}[{key!r}]")
            if found:
                return found
        return None
    if (isinstance(ours, list) and isinstance(theirs, list)
            and len(ours) == len(theirs)):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if ours == theirs else f"{path}: {ours!r} != {theirs!r}"


def nets(model):
    """{net argument: net} of every net the model trains."""
    return {key: getattr(model, key) for key in model.NET_ARGS}


def weights(net):
    return [w.numpy().copy() for w in net.trainable_weights]


def state(model, seeds=True):
    """[(path, value)] of every variable of the model and its optimizers
    (what a checkpoint holds), in the model's order; without the random
    states unless `seeds`."""
    variables = list(model.variables)
    if model.compiled:
        variables += [v for optimizer in model.optimizers()
                      for v in optimizer.variables]
    return [(v.path, v.numpy()) for v in variables
            if seeds or "seed_generator_state" not in v.path]


def assert_same_state(ours, theirs, what):
    """Equal `state`s (variables in the same order, equal values), naming
    the first variable that differs. Paths may differ (Keras numbers the
    names of layers and optimizers per process)."""
    assert len(ours) == len(theirs), (
        f"{what}: {len(theirs)} variables, expected {len(ours)}")
    for (path, a), (_, b) in zip(ours, theirs):
        np.testing.assert_array_equal(b, a, err_msg=f"{what}: {path}")


def snapshot(model):
    """What `twin` rebuilds `model` from: its class, its config and the
    values of its variables (weights and random states)."""
    return (type(model), copy.deepcopy(model.get_config()),
            [v.numpy() for v in model.variables])


def twin(saved):
    """A new model of a `snapshot`'s class and config (`from_config`)
    holding its variables: compiled alike, it steps as the model would
    have from there."""
    cls, config, values = saved
    other = cls.from_config(copy.deepcopy(config))
    assert len(other.variables) == len(values), (
        f"{cls.__name__}.from_config(get_config()) builds "
        f"{len(other.variables)} variables, the model has {len(values)}")
    for variable, value in zip(other.variables, values):
        variable.assign(value)
    return other


def step(model, batch):
    """The logs of one training step on `batch`, as `fit` takes it (the
    step, then the suite's step count and EMA update), as floats."""
    history = model.fit(tf.data.Dataset.from_tensors(batch), verbose=0)
    return {key: float(values[-1]) for key, values in
            history.history.items()}


def outputs(model, n=3, seed=5):
    """What the model makes, deterministically: samples from seeds (with
    labels for a conditional model), or translations of seeded inputs (in
    each of the model's directions)."""
    if tgs.serving.signatures.translates(model):
        x = np.random.default_rng(seed).uniform(
            -1, 1, (n, *model.data_shape)).astype("float32")
        directions = getattr(model, "directions", None) or [None]
        return np.stack([model.translate(x) if d is None else
                         model.translate(x, direction=d)
                         for d in directions])
    labels = (np.arange(n) % model.num_classes if model.num_classes
              else None)
    return model.generate(n, seed=seed, labels=labels)


# ------------------------------------------------------------------ helpers
def run_build_test(cls, args):
    """Builds `cls(**args)` and checks what the suite reads of it before
    training; returns it (not compiled)."""
    model = cls(**args)
    name = cls.__name__
    assert model.built, f"{name}: not built by its constructor"
    for key, net in nets(model).items():
        assert isinstance(net, keras.Model), (key, type(net))
    assert model.data_kind() in DATA_KINDS, model.data_kind()
    assert models.get(models.name_of(cls)) is cls
    config = model.get_config()
    dropped = sorted(set(cls.init_args()) - set(config))
    assert not dropped, (f"{name}.get_config() drops constructor "
                         f"arguments {dropped}")
    for key, value in args.items():
        if key in cls.NET_ARGS:
            continue  # serialized nets: `from_config` below rebuilds them.
        assert as_json(config[key]) == as_json(value), (
            f"{name}.get_config()[{key!r}] is {config[key]!r}, built with "
            f"{value!r}")
    saved = as_json(config)  # Keras' from_config edits nets' configs.
    again = cls.from_config(config)
    assert type(again) is cls
    difference = first_difference(saved, as_json(again.get_config()))
    assert not difference, (f"{name}.from_config(get_config()) has another "
                            f"config: {difference}")
    return model


def run_step_test(model, batch, mode="eager", expected=None,
                  d_updates=None):
    """Compiles `model` for `mode` (`MODES`), takes one step on `batch`
    and checks it: `d_updates` D optimizer steps (default: the model's
    `d_steps`) and one G step; with `expected` (an eager step's logs from
    the same state), that the logs match. Returns the logs."""
    model.compile(**MODES[mode])
    before = {key: weights(net) for key, net in nets(model).items()}
    step_before = int(model.step_counter)
    logs = step(model, batch)
    name = f"{type(model).__name__} ({mode})"
    assert set(logs) == set(model.tracked), (name, sorted(logs))
    for key, value in logs.items():
        assert np.isfinite(value), (name, key, value)
    assert int(model.step_counter) == step_before + 1, name
    assert int(model.g_optimizer.iterations) == 1, name
    assert int(model.d_optimizer.iterations) == (
        d_updates or model.d_steps), name
    for key, net in nets(model).items():
        assert any(not np.array_equal(a, b) for a, b in
                   zip(before[key], weights(net))), f"{name}: {key} unchanged"
    if expected is not None:
        for key in expected:
            np.testing.assert_allclose(
                logs[key], expected[key], rtol=COMPILED_RTOL,
                err_msg=f"{name}: {key} differs from the eager step's")
    return logs


def run_resume_test(model, batch, directory):
    """Checkpoints `model` (trained, compiled with its defaults) into
    `directory`, restores the checkpoint into a new model of its config,
    and takes a step of each on `batch`: equal logs and equal state after.
    Returns the logs."""
    checkpoints.save_checkpoint(model, directory, epoch=1)
    resumed = type(model).from_config(model.get_config())
    resumed.compile(run_eagerly=model.run_eagerly)
    restored = checkpoints.restore_checkpoint(resumed, directory)
    assert restored["step"] == int(model.step_counter)
    assert_same_state(state(model), state(resumed), "restored state")
    logs = step(model, batch)
    resumed_logs = step(resumed, batch)
    assert resumed_logs == logs, (
        f"the resumed step's logs differ: {resumed_logs}, expected {logs}")
    assert_same_state(state(model), state(resumed), "state after a step")
    return logs


def run_saving_test(model, path):
    """Saves `model` (trained) as the `.keras` file `path` and loads it:
    the same class and config, equal outputs, the same training state
    (what it serves follows from these: `run_export_test`)."""
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    difference = first_difference(as_json(model.get_config()),
                                  as_json(loaded.get_config()))
    assert not difference, f"the loaded model's config: {difference}"
    assert loaded.data_kind() == model.data_kind()
    np.testing.assert_array_equal(outputs(loaded), outputs(model))
    assert loaded.compiled, "the loaded model is not compiled"
    assert loaded.adversarial_loss.name == model.adversarial_loss.name
    # Keras saves no random states: all the rest comes back.
    assert_same_state(state(model, seeds=False), state(loaded, seeds=False),
                      "loaded state")
    return loaded


def run_export_test(model, export_root):
    """Exports `model` (trained) under `export_root` and checks what it
    serves against the model: `tgs.serving.verify` with and without the
    Keras model, the manifest, the REST bodies, and each signature users
    call. Returns the version's path."""
    path = tgs.serving.export_saved_model(model, export_root)
    report = tgs.serving.verify(path, model, cli=False)
    assert report["compared_with_keras"] and report["warmup_requests"] >= 2
    assert report["signatures"] == sorted(
        tgs.serving.signatures.endpoints(model))
    manifest = tgs.serving.read_manifest(path)
    assert manifest["class"] == models.name_of(type(model))
    assert manifest["step"] == int(model.step_counter)
    # Without the Keras model (rebuilt from the manifest's config, nets
    # included): signatures and warm-up replays.
    assert (tgs.serving.verify(path, cli=False)["signatures"]
            == report["signatures"])
    loaded = tf.saved_model.load(path)
    _check_rest_bodies(path, loaded, report["signatures"])
    if "sample" in loaded.signatures:
        _check_samples(model, loaded.signatures)
    if tgs.serving.signatures.translates(model):
        _check_translations(model, loaded.signatures)
    return path


def _check_rest_bodies(path, loaded, signatures):
    """The REST bodies beside the export fit their signatures (the row
    format)."""
    rest = os.path.join(path, "assets.extra", tgs.serving.export.REST_DIR)
    for signature in signatures:
        with open(os.path.join(rest, f"{signature}.json")) as f:
            body = json.load(f)
        spec = loaded.signatures[signature].structured_input_signature[1]
        assert body["signature_name"] == signature
        for instance in body["instances"]:
            assert sorted(instance) == sorted(spec)
            for key, value in instance.items():
                if spec[key].dtype == tf.string:
                    assert "b64" in value
                else:
                    assert (np.asarray(value).shape
                            == tuple(spec[key].shape[1:]))


def _check_samples(model, signatures):
    """`sample` from seeds (with labels) is `generate_uint8`, and
    `sample_truncated` its truncation trick, one psi per seed."""
    inputs = {"seed": tf.constant([5, 6, 7], tf.int64)}
    labels = None
    if model.num_classes:
        labels = np.array([1, 2, 0], np.int32) % model.num_classes
        inputs["label"] = tf.constant(labels)
    np.testing.assert_array_equal(
        signatures["sample"](**inputs)["images"].numpy(),
        model.generate_uint8(3, seed=5, labels=labels))
    psis = [0.5, 0.8, 1.0]
    np.testing.assert_array_equal(
        signatures["sample_truncated"](
            truncation=tf.constant(psis), **inputs)["images"].numpy(),
        model.generate_uint8(3, seed=5, labels=labels, truncation=psis))


def _check_translations(model, signatures):
    """Each direction's image signature (`serving_default`: the first) is
    `translate_uint8`; its bytes signature translates PNG bytes alike,
    resizes other sizes and refuses what is not an image."""
    x = np.random.default_rng(1).integers(0, 256, (3, *model.data_shape),
                                          np.uint8)
    encoded = tf.constant([tf.io.encode_png(image).numpy() for image in x])
    translated = {}
    for direction in getattr(model, "directions", None) or (None,):
        name = direction or "serving_default"
        translated[name] = (model.translate_uint8(x) if direction is None
                            else model.translate_uint8(x, direction))
        np.testing.assert_array_equal(
            signatures[name](image=tf.constant(x))["image"].numpy(),
            translated[name])
        from_bytes = signatures[
            "translate_bytes" if direction is None else f"{name}_bytes"]
        png = from_bytes(image_bytes=encoded)["png_bytes"].numpy()
        np.testing.assert_array_equal(
            np.stack([tf.io.decode_png(b).numpy() for b in png]),
            translated[name])
    np.testing.assert_array_equal(
        signatures["serving_default"](image=tf.constant(x))["image"].numpy(),
        next(iter(translated.values())))
    bigger = tf.io.encode_jpeg(np.repeat(np.repeat(x[0], 2, 0), 2, 1))
    png = from_bytes(image_bytes=tf.stack([bigger]))["png_bytes"]
    assert tf.io.decode_png(png[0]).shape == tuple(model.data_shape)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Unknown image file format"):
        from_bytes(image_bytes=tf.constant([b"not an image"]))
