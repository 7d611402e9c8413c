"""The names removed before 1.0 are gone (no alias points to their
replacement), and CHANGELOG.md lists each."""

import importlib
import os

import pytest

import tfgan_suite as tgs
from tests.conftest import REPO
from tfgan_suite.training import callbacks, runner

#: {old name: (the module that answered it, the attribute)}; the old
#: `tgs.experiment` was `training/runner.py`.
REMOVED = {
    **{f"tgs.{name}": (tgs, name) for name in (
        "callbacks", "cli", "evaluation", "experiment", "export", "presets",
        "sampling", "theory")},
    **{f"tgs.experiment.{name}": (runner, name) for name in (
        "make_config", "resume_config", "model_from_run", "classifier_path",
        "domain_extractor", "train_domain_classifier")},
    **{f"tgs.callbacks.{name}": (callbacks, name) for name in (
        "Checkpoint", "list_checkpoints", "restore_checkpoint",
        "save_checkpoint")},
    **{f"tgs.training.runner.{name}": (runner, name) for name in (
        "training_source", "trained_on", "held_out", "data_options",
        "precision_policy", "cpu_has_bfloat16")},
    **{f"tgs.runs.layout.{name}": (tgs.runs.layout, name) for name in (
        "read_config", "write_config")},
    "tgs.runs.config.default_config": (tgs.runs.config, "default_config"),
    **{f"tgs.models.AdversarialModel.{name}": (tgs.models.AdversarialModel,
                                               name) for name in (
        "augmented", "check_floats", "observe_real", "packed",
        "per_replica")},
    "tgs.training.callbacks.FID": (callbacks, "FID"),
    "tgs.training.callbacks.TRANSLATION_KINDS": (callbacks,
                                                 "TRANSLATION_KINDS"),
    "tgs.models.AdversarialModel.sampler": (tgs.models.AdversarialModel,
                                            "sampler"),
    "tgs.models.CycleGAN.translator": (tgs.models.CycleGAN, "translator"),
    **{f"tgs.models.{model.__name__}.translation": (model, "translation")
       for model in (tgs.models.CycleGAN, tgs.models.Pix2Pix,
                     tgs.models.Wrapped)},
    "tgs.models.wrapped.sampling_net": (tgs.models.wrapped, "sampling_net"),
    "tgs.models.AdversarialModel.image_shape": (tgs.models.AdversarialModel,
                                                "image_shape"),
    "tgs.data.Source.image_shape": (tgs.data.Source, "image_shape"),
}


@pytest.mark.parametrize("old", sorted(REMOVED))
def test_a_removed_name_is_gone(old):
    module, name = REMOVED[old]
    assert not hasattr(module, name), old


@pytest.mark.parametrize("module", ["tfgan_suite.experiment",
                                    "tfgan_suite.sampling",
                                    "tfgan_suite.runs.deprecated_sampling"])
def test_a_removed_module_is_gone(module):
    with pytest.raises(ImportError):
        importlib.import_module(module)


def test_the_changelog_lists_every_removed_name():
    with open(os.path.join(REPO, "CHANGELOG.md")) as f:
        changelog = f.read()
    missing = [old for old in REMOVED if f"`{old}`" not in changelog]
    assert not missing, f"CHANGELOG.md does not list {missing}"


def test_export_takes_its_model_by_one_name_only():
    """`tfgan-export --run_dir` was a second name of `--model_path`."""
    import subprocess
    import sys
    refused = subprocess.run(
        [sys.executable, os.path.join(REPO, "scripts", "export.py"),
         "--run_dir=runs/x"], capture_output=True, text=True)
    assert refused.returncode != 0
    assert "Unknown command line flag 'run_dir'" in refused.stderr, (
        refused.stderr[-500:])
