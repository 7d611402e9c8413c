"""The seed experiments' flag files train what their experiments train
(`tfgan-train --flagfile=...` reproduces `reproduce.py --experiment=...`)."""

import os

import pytest
from absl import flags

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


@pytest.mark.parametrize("name, overrides, batch", [
    ("fig8_dcgan.flags", {}, fig8.BATCH),
    ("fig9_dcgan_one_class.flags", common.RADFORD_DCGAN, 64)])
def test_a_flag_file_compiles_and_batches_as_its_experiment(
        name, overrides, batch):
    config = flagfile_config(name)
    experiment = runs.make_config(fig8.PRESET, **overrides)
    assert fig9.PRESET == fig8.PRESET == config.preset
    assert common.optimization(config) == common.optimization(experiment)
    assert config.data.batch_size == batch
