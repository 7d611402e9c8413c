"""A run's config (`tgs.runs.RunConfig`): frozen, read by the runner and
never changed behind its caller's back, written as `config.json` and read
back, including the `config.json` of runs made before it was a dataclass."""

import copy
import dataclasses
import json
import os
import shutil

import numpy as np
import pytest

from tfgan_suite import runs, training
from tfgan_suite.errors import ArgumentError, FileError

#: The config.json of a run made by tfgan_suite 0.3.0 (a dict then, which
#: wrote only the data options that were set), and what makes that run.
OLD_CONFIG = os.path.join(os.path.dirname(__file__), "data",
                          "config_0.3.0.json")
OLD_RUN = dict(steps=2, steps_per_epoch=1, seed=3, verbose=0, max_images=800,
               g_learning_rate=2e-4, beta_1=0.5,
               model_args={"latent_dim": 4, "hidden": (8, 8)})


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(the config a caller handed to `run`, a deep copy of it made before,
    the run folder)."""
    out = str(tmp_path_factory.mktemp("config") / "run")
    config = runs.make_config("grid_pacgan", **OLD_RUN)
    before = copy.deepcopy(config)
    training.run(config, out)
    return config, before, out


def test_a_config_is_frozen():
    config = runs.make_config("ring_gan")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.train.steps = 3
    changed = runs.config.with_fields(config, steps=3, dataset="grid")
    assert (changed.train.steps, changed.data.dataset) == (3, "grid")
    assert (config.train.steps, config.data.dataset) != (3, "grid")


def test_the_runner_leaves_its_callers_config_as_it_was(trained):
    config, before, out = trained
    assert config == before
    # The run records the model's arguments as built (shapes read from
    # the data) in its config.json, not in the caller's config.
    assert "data_shape" not in config.model_args
    assert runs.read_config(out).model_args["data_shape"] == [2]


def test_config_json_round_trips(tmp_path):
    config = runs.make_config("fashion_mnist_dcgan", classes=["Bag"],
                              image_size=[28, 28], fid_metrics=["fid", "kid"])
    runs.config.write_config(str(tmp_path), config)
    text = (tmp_path / "config.json").read_text()
    assert text == config.to_json()
    read = runs.read_config(str(tmp_path))
    assert read.to_json() == text
    assert read.data.classes == ["Bag"] and read.train.fid_metrics == [
        "fid", "kid"]


def test_a_config_json_of_0_3_0_loads(tmp_path):
    shutil.copy(OLD_CONFIG, tmp_path / "config.json")
    config = runs.read_config(str(tmp_path))
    assert (config.model, config.preset) == ("gan", "grid_pacgan")
    assert config.data.max_images == 800 and config.data.data_dir is None
    assert config.compile.g_optimizer["config"]["beta_1"] == 0.8
    assert (config.compile.g_learning_rate, config.compile.beta_1) == (
        2e-4, 0.5)
    assert config.train.seed == 3 and config.model_args["pack"] == 4
    # Every field it held reads back as it was written.
    old = json.load(open(OLD_CONFIG))
    new = json.loads(config.to_json())
    for section in ("compile", "data", "train"):
        assert {k: new[section][k] for k in old[section]} == old[section]
    assert {k: new[k] for k in old if k not in runs.config.SECTIONS} == {
        k: v for k, v in old.items() if k not in runs.config.SECTIONS}


def test_a_run_with_a_config_json_of_0_3_0_resumes(trained, tmp_path):
    _, _, out = trained
    old = str(tmp_path / "old")
    shutil.copytree(out, old)
    shutil.copy(OLD_CONFIG, os.path.join(old, "config.json"))
    model, _ = training.run(runs.resume_config(old, steps=3), old,
                            resume=True)
    assert int(model.step_counter.numpy()) == 3
    assert runs.read_config(old).train.steps == 3


def test_a_config_json_that_is_not_a_runs_is_one_error_naming_it(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(
        {"model": "dcgan", "train": {"epochz": 3}}))
    with pytest.raises(FileError, match=r"config.json: not a run's config "
                                         r"\(train.epochz: not a field of "
                                         r"the train section"):
        runs.read_config(str(tmp_path))
    with pytest.raises(FileError, match="holds no run"):
        runs.read_config(str(tmp_path / "nothing"))


def test_an_unknown_field_is_an_argument_error():
    with pytest.raises(ArgumentError, match="^colour: not a config field") \
            as raised:
        runs.make_config(colour="red")
    assert raised.value.argument == "colour"
    assert isinstance(raised.value, ValueError)


def test_the_runner_takes_a_run_config_only(tmp_path):
    with pytest.raises(ArgumentError, match=r"^config: expected a "
                                            r"tgs.runs.RunConfig .* got dict"):
        training.run(runs.make_config("ring_gan").to_dict(),
                     str(tmp_path / "run"))
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("old, new", [("AtoB", "a_to_b"), ("BtoA", "b_to_a")])
def test_a_direction_as_pix2pix_names_it_reads_as_the_suites(old, new):
    config = runs.RunConfig.from_dict({"model": "pix2pix",
                                       "data": {"direction": old}})
    assert config.data.direction == new


def pix2pix_run_config(tmp_path, **overrides):
    from tests.conftest import write_pairs
    return runs.make_config(
        model="pix2pix", dataset="pairs", data_dir=write_pairs(tmp_path),
        direction="b_to_a", image_size=[32, 32], batch_size=2, verbose=0,
        model_args={"filters": 4}, **overrides)


def with_pix2pixs_direction(out):
    """Rewrites the run's config.json with "BtoA", as earlier runs wrote
    the direction."""
    path = os.path.join(out, "config.json")
    written = json.loads(open(path).read())
    written["data"]["direction"] = "BtoA"
    with open(path, "w") as f:
        json.dump(written, f)


def test_the_data_of_a_config_json_naming_pix2pixs_direction(tmp_path):
    config = pix2pix_run_config(tmp_path)
    runs.config.write_config(str(tmp_path), config)
    with_pix2pixs_direction(str(tmp_path))
    read = runs.read_config(str(tmp_path))
    assert read.data == config.data
    inputs, targets = next(iter(
        runs.examples.training_source(read).dataset))
    # b_to_a: the right half of each A|B image (B, negative of A) is the
    # input.
    assert np.mean(np.abs(255 - inputs.numpy().astype(int)
                          - targets.numpy())) < 10


@pytest.mark.slow  # trains pix2pix twice (a few seconds each)
def test_a_run_whose_config_json_names_pix2pixs_direction_resumes(tmp_path):
    out = str(tmp_path / "run")
    training.run(pix2pix_run_config(tmp_path, steps=1), out)
    with_pix2pixs_direction(out)
    model, _ = training.run(runs.resume_config(out, steps=2), out,
                            resume=True)
    assert int(model.step_counter.numpy()) == 2
    assert runs.read_config(out).data.direction == "b_to_a"
