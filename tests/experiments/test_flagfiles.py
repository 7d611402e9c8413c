"""The seed experiments' flag files train what their experiments train
(`tfgan-train --flagfile=...` reproduces `reproduce.py --experiment=...`)."""

import json
import os

import pytest
from absl import flags

import harness  # benchmarks/, on the path (conftest)
from experiments import common, fig8, fig9
from tests.conftest import REPO
from tfgan_suite import runs
from tfgan_suite.commands import cli


def flagfile_config(name):
    values = flags.FlagValues()
    cli.define_training_flags(values)
    values(["tfgan-train", "--flagfile=" + os.path.join(
        REPO, "benchmarks", "flagfiles", name)])
    return runs.make_config(values.preset, **cli.training_overrides(values))


@pytest.mark.parametrize("name, overrides, batch, model_args", [
    ("fig8_dcgan.flags", {}, fig8.BATCH,
     common.preset_model_args(fig8.PRESET)),
    ("fig9_dcgan_one_class.flags", common.RADFORD_DCGAN, 64,
     harness.RECORDED_MODEL_ARGS[fig8.PRESET])])
def test_a_flag_file_compiles_and_batches_as_its_experiment(
        name, overrides, batch, model_args):
    config = flagfile_config(name)
    experiment = runs.make_config(fig8.PRESET, **overrides)
    assert fig9.PRESET == fig8.PRESET == config.preset
    assert (common.in_full(common.optimization(config))
            == common.in_full(common.optimization(experiment)))
    assert config.data.batch_size == batch
    # the model its record trained: the preset as it is (fig8), or as
    # harness.RECORDED_MODEL_ARGS pins it (fig9).
    assert {k: config.model_args.get(k) for k in model_args} == model_args
    # reproduce.py trains in float32 unless --mixed_precision says not.
    assert config.train.mixed_precision is False


def test_optimizers_compare_in_full():
    """Adam's default beta_2 spelled out is the same optimizer; another
    beta_2 is not."""
    def adam(**config):
        optimizer = {"class_name": "Adam",
                     "config": {"learning_rate": 1e-3, **config}}
        return common.in_full({"loss": "hinge", "g_optimizer": optimizer,
                               "d_optimizer": optimizer})
    assert adam(beta_2=0.999) == adam()
    assert adam(beta_2=0.99) != adam()


def test_a_run_compiled_otherwise_is_refused(tmp_path):
    runs.config.write_config(str(tmp_path), runs.make_config(
        fig8.PRESET, beta_2=0.9))
    common.check_same_optimization(str(tmp_path), fig8.PRESET,
                                   {"beta_2": 0.9, "epochs": 3})
    with pytest.raises(ValueError, match="give another --runs folder"):
        common.check_same_optimization(str(tmp_path), fig8.PRESET,
                                       {"epochs": 3})


def test_a_run_trained_at_another_precision_is_refused(tmp_path):
    runs.config.write_config(str(tmp_path), runs.make_config(
        fig8.PRESET, mixed_precision=False))
    common.check_same_optimization(str(tmp_path), fig8.PRESET,
                                   {"mixed_precision": False})
    with pytest.raises(ValueError, match="mixed_precision=False"):
        common.check_same_optimization(str(tmp_path), fig8.PRESET,
                                       {"mixed_precision": "auto"})


def test_a_run_built_otherwise_is_refused(tmp_path):
    runs.config.write_config(str(tmp_path), runs.make_config(
        fig8.PRESET, model_args={"d_final_convs": 1}))
    common.check_same_model(str(tmp_path), fig8.PRESET, {"d_final_convs": 1})
    with pytest.raises(ValueError, match=r"d_final_convs=1 \(now 0\)"):
        common.check_same_model(str(tmp_path), fig8.PRESET,
                                {"d_final_convs": 0})
    # A run that saved no value (one from before the argument) has the
    # model's default.
    path = tmp_path / "config.json"
    saved = json.loads(path.read_text())
    del saved["model_args"]["d_final_convs"]
    path.write_text(json.dumps(saved))
    common.check_same_model(str(tmp_path), fig8.PRESET, {"d_final_convs": 0})
    with pytest.raises(ValueError, match="give another --runs folder"):
        common.check_same_model(str(tmp_path), fig8.PRESET,
                                {"d_final_convs": 2})
