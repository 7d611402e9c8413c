"""A refused run leaves nothing behind: no --out_dir, no config.json,
whether it is refused for its data, its model, its length, its FID or its
export; and a failed export after training leaves no version folder."""

import dataclasses
import os

import pytest

from tests.conftest import folder_config
from tfgan_suite import training
from tfgan_suite.serving import export


def cgan_config(folder, **overrides):
    return folder_config(folder, "fashion_mnist_cgan", **overrides)


def corrupt(folder):
    with open(os.path.join(folder, "bag", "broken.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\nbroken")
    return folder


def no_protos():
    raise ValueError("export: TF Serving's protos are missing")


REFUSALS = {  # name: (config overrides of a folder, message)
    "missing data folder": (
        lambda d: {"data_dir": d + "_nowhere"}, "is not a directory"),
    "corrupt image": (
        lambda d: {"data_dir": corrupt(d)}, "broken.png: not a readable"),
    "num_classes other than the data's": (
        lambda d: {"model_args": {"filters": 4, "latent_dim": 8,
                                  "num_classes": 5}},
        "num_classes: folder has 3 classes"),
    "image shape other than the data's": (
        lambda d: {"model_args": {"filters": 4, "latent_dim": 8,
                                  "image_shape": (16, 16, 3)}},
        r"image_shape: the model expects \(16, 16, 3\)"),
    "unknown loss": (lambda d: {"loss": "hinje"}, "loss: expected one of"),
    "a batch larger than the data": (
        lambda d: {"batch_size": 64}, "batch_size: folder has 27 examples"),
    "unknown FID features": (
        lambda d: {"fid_every_n_steps": 1, "fid_features": "imagenet"},
        "features: expected inception"),
    "no serving protos for the export": (
        lambda d: {"export": d + "_saved/cgan"}, "protos are missing"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refused_run_leaves_nothing(case, tmp_path, gray_folder,
                                      monkeypatch):
    monkeypatch.setattr(export, "serving_protos", no_protos)
    overrides, message = REFUSALS[case]
    out = tmp_path / "runs" / "new"
    with pytest.raises(ValueError, match=message):
        training.run(cgan_config(gray_folder, **overrides(gray_folder)),
                     str(out))
    assert not (tmp_path / "runs").exists()
    assert not os.path.exists(gray_folder + "_saved")


def test_a_failed_export_after_training_leaves_no_version(
        tmp_path, gray_folder, monkeypatch):
    def differs(*args, **kwargs):
        raise ValueError("signature sample: differs from the Keras model's")
    monkeypatch.setattr(export, "verify", differs)
    root = tmp_path / "saved" / "cgan"
    with pytest.raises(ValueError, match="differs"):
        training.run(cgan_config(gray_folder, export=str(root)),
                     str(tmp_path / "run"))
    assert os.listdir(root) == []
    assert (tmp_path / "run" / "model.keras").exists()


BAD_OPTIMIZER_SETTINGS = [  # (config overrides, message)
    ({"g_learning_rate": float("nan")},
     "g_optimizer.learning_rate: expected a finite number > 0, got nan"),
    ({"d_learning_rate": -1.0},
     "d_optimizer.learning_rate: expected a finite number > 0, got -1.0"),
    ({"g_learning_rate": float("inf")}, "g_optimizer.learning_rate"),
    ({"beta_1": 1.0}, r"g_optimizer.beta_1: expected a number in \[0, 1\)"),
    ({"beta_2": -0.1}, r"g_optimizer.beta_2: expected a number in \[0, 1\)"),
    ({"g_optimizer": {"class_name": "Adam", "config": {"epsilon": 0.0}}},
     "g_optimizer.epsilon: expected a finite number > 0, got 0.0"),
    ({"d_optimizer": {"class_name": "SGD", "config": {"momentum": 1.5}}},
     r"d_optimizer.momentum: expected a number in \[0, 1\)"),
]


@pytest.mark.parametrize("overrides, message", BAD_OPTIMIZER_SETTINGS)
def test_bad_optimizer_settings_are_refused_before_anything_is_written(
        overrides, message, tmp_path, gray_folder):
    from tfgan_suite import runs
    with pytest.raises(ValueError, match=message):
        runs.make_config("fashion_mnist_dcgan", **overrides)
    # A config assembled by hand is refused by the run, before it writes.
    config = cgan_config(gray_folder)
    config = dataclasses.replace(config, compile=dataclasses.replace(
        config.compile, **overrides))
    out = tmp_path / "runs" / "new"
    with pytest.raises(ValueError, match=message):
        training.run(config, str(out))
    assert not out.exists()


def test_the_train_command_names_the_flag_of_a_bad_setting():
    from absl import flags
    from tfgan_suite.commands import cli

    def message(text, *given):
        values = flags.FlagValues()
        cli.define_training_flags(values)
        values(["tfgan-train", *given])
        return cli.flag_message(text, values, cli.optimizer_flags())

    bad = "g_optimizer.learning_rate: expected a finite number > 0, got nan"
    assert (message(bad, "--g_learning_rate=nan")
            == "--g_learning_rate: expected a finite number > 0, got nan")
    assert (message("d_optimizer.beta_2: expected x", "--beta_2=2")
            == "--beta_2: expected x")
    # Set by a preset or a config, not a flag: the library's words stay.
    assert message(bad) == bad
