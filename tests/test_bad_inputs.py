"""The README's table of bad inputs, one row per case (issue 8). Each gives
one ValueError naming the thing and what was expected; the scripts turn it
into one `error: ...` line (tests/scripts/test_scripts.py)."""

import numpy as np
import pytest
from PIL import Image

from tfgan_suite import data, losses, models, runs, serving, training
from tfgan_suite.training import runner
from tfgan_suite.training import callbacks
from tfgan_suite.models import presets
from tests.conftest import pattern_images


def folder_with(tmp_path, files):
    root = tmp_path / "images"
    root.mkdir()
    for name, content in files.items():
        if isinstance(content, bytes):
            (root / name).write_bytes(content)
        else:
            Image.fromarray(content).save(root / name)
    return str(root)


def pairs_with(tmp_path, array):
    (tmp_path / "train").mkdir()
    Image.fromarray(array).save(tmp_path / "train" / "0.png")
    return str(tmp_path)


def tiny_dcgan():
    gan = models.DCGAN(latent_dim=8, filters=4)
    gan.compile()
    return gan


CASES = {
    "missing data dir": (
        lambda t: data.get_source("cifar10", data_dir=str(t / "nope")),
        r"data_dir: .*nope is not a directory"),
    "empty dataset": (
        lambda t: data.get_source("folder", data_dir=folder_with(t, {})),
        r"images: no images found"),
    "corrupt jpeg": (
        lambda t: data.get_source("folder", data_dir=folder_with(
            t, {"a.jpg": b"\xff\xd8\xff\xe0garbage"})),
        r"a.jpg: not a readable image"),
    "corrupt png": (
        lambda t: data.get_source("folder", data_dir=folder_with(
            t, {"a.png": b"\x89PNG\r\n\x1a\nbroken"})),
        r"a.png: not a readable image"),
    "non-image file": (
        lambda t: data.get_source("folder", data_dir=folder_with(
            t, {"notes.txt": b"hello"})),
        r"notes.txt: not an image; expected only files ending in"),
    "pair not 2:1": (
        lambda t: data.get_source("pairs", data_dir=pairs_with(
            t, np.zeros((32, 48, 3), np.uint8))),
        r"0.png: expected an image twice as wide as high \(input\|target "
        r"side by side\), got 48x32"),
    "unknown cifar class": (
        lambda t: data.get_source("cifar10", classes=["unicorn"],
                                  data_dir=str(t)),
        r"classes: unknown class 'unicorn'"),
    "labels out of range": (
        lambda t: models.CGAN(num_classes=3, latent_dim=8,
                              filters=4).generate(2, labels=5),
        r"labels: expected classes 0..2, got \[5\]"),
    "unknown model": (lambda t: runs.make_config(model="stylegan"),
                      r"model: expected one of \['cgan', 'cyclegan', 'dcgan', 'gan', "),
    "unknown preset": (lambda t: presets.get("nope"),
                       r"preset: expected one of"),
    "unknown loss": (lambda t: losses.get("hinje"),
                     r"loss: expected one of"),
    "misspelled direction": (
        lambda t: data.get_source("pairs", data_dir=str(t), direction="AtoC"),
        r"direction: expected one of \('a_to_b', 'b_to_a'\), got 'AtoC'"),
    "misspelled split": (
        lambda t: data.get_source("synthetic_pairs", split="tset"),
        r"split: expected one of \['test', 'train', 'val'\]"),
    "zero batch size": (
        lambda t: data.build(data.get_source("ring"), batch_size=0),
        r"batch_size: expected a positive integer, got 0"),
    "zero epochs": (
        lambda t: training.run(runs.make_config(
            None, dataset="ring", model="gan", epochs=0), str(t / "run")),
        r"epochs: expected a positive integer, got 0"),
    "batch larger than the dataset": (
        lambda t: data.build(data.from_arrays(pattern_images(8, 8, 8, 1),
                                              name="tiny"), batch_size=9),
        r"batch_size: 9 is larger than the tiny dataset \(8 examples\)"),
    "FID during training of a model that translates": (
        lambda t: runner.check_measures(
            runs.make_config("fashion_edges_cyclegan", fid_every_n_steps=10),
            models.CycleGAN(image_shape=(32, 32, 1), filters=2, n_blocks=0)),
        r"fid_every_n_steps: FID during training scores samples from noise,"
        r" and CycleGAN translates images; pass fid_every_n_steps=0"),
    "pairs into an image model": (
        lambda t: runner.build_model(
            runs.make_config(None, model="dcgan"),
            data.get_source("synthetic_pairs", image_size=32,
                            num_examples=4)),
        r"dataset: DCGAN trains on single images and synthetic_pairs has "
        r"pairs"),
    "flag of another model": (
        lambda t: runner.build_model(
            runs.make_config(None, model="dcgan",
                                   model_args={"l1_lambda": 10.0}),
            data.from_arrays(pattern_images(8, 28, 28, 1), name="tiny")),
        r"l1_lambda: not an argument of DCGAN \(model=dcgan takes "
        r".*\bfilters\b.*\bimage_shape\b"),
    "num_classes other than the data's": (
        lambda t: runner.build_model(
            runs.make_config(None, model="sagan",
                                   model_args={"num_classes": 5}),
            data.from_arrays(pattern_images(8, 32, 32, 3),
                             labels=np.arange(8), name="tiny",
                             class_names=list("abcdefgh"))),
        r"num_classes: tiny has 8 classes \(a, b, c, d, e, f, g, h\), got "
        r"num_classes=5 \(leave it out to take the data's\)"),
    "unknown class name": (
        lambda t: models.CGAN(num_classes=3, latent_dim=8, filters=4,
                              class_names=["bag", "shirt", "shoe"]
                              ).generate(2, labels="sock"),
        r"labels: unknown class 'sock'; expected one of bag, shirt, shoe or "
        r"an index 0..2"),
    "misspelled update": (
        lambda t: models.GAN(update="simultanous"),
        r"update: expected one of \('alternating', 'simultaneous'\), got "
        r"'simultanous'"),
    "simultaneous with k > 1": (
        lambda t: models.GAN(update="simultaneous", d_steps=2),
        r"update: 'simultaneous' takes one D step per G step, got d_steps=2"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case, tmp_path):
    make, message = CASES[case]
    with pytest.raises(ValueError, match=message):
        make(tmp_path)


def test_grayscale_and_rgba_are_converted(tmp_path):
    root = folder_with(tmp_path, {
        "g.png": pattern_images(1, 16, 16, 1)[0, ..., 0],
        "r.png": np.full((16, 16, 4), 7, np.uint8)})
    source = data.get_source("folder", data_dir=root)
    assert [tuple(x.shape) for x in source.dataset] == [(16, 16, 3)] * 2


def test_pairs_smaller_than_the_crop_are_resized(tmp_path):
    root = pairs_with(tmp_path, pattern_images(1, 16, 32, 3)[0])
    source = data.get_source("pairs", data_dir=root, image_size=64)
    a, b = next(iter(data.build(source, batch_size=None, shuffle=False)))
    assert a.shape == b.shape == (64, 64, 3)  # jittered: resized, cropped


def test_export_to_an_existing_version_and_an_untrained_model(tmp_path):
    gan = tiny_dcgan()
    with pytest.raises(ValueError, match="has never been trained"):
        serving.export_saved_model(gan, str(tmp_path / "sm"))
    serving.export_saved_model(gan, str(tmp_path / "sm"), allow_untrained=True)
    with pytest.raises(ValueError, match=r"1: version 1 already exists; pass "
                                         r"overwrite=True or another "
                                         r"version"):
        serving.export_saved_model(gan, str(tmp_path / "sm"), version=1,
                                  allow_untrained=True)


def test_resume_into_another_model_and_fresh_run_over_checkpoints(tmp_path):
    dcgan = tiny_dcgan()
    dcgan.step_counter.assign(1)
    runs.checkpoints.save_checkpoint(
        dcgan, str(tmp_path / "run" / "checkpoints"), epoch=1)
    sagan = models.SAGAN(image_shape=(32, 32, 3), latent_dim=8, filters=8)
    sagan.compile()
    with pytest.raises(ValueError, match=r"resume: .*ckpt-1 is a "
                                         r"checkpoint of DCGAN, not SAGAN"):
        runs.checkpoints.restore_checkpoint(sagan, str(tmp_path / "run" / "checkpoints"))
    with pytest.raises(ValueError, match="resume: no checkpoint in"):
        runs.checkpoints.restore_checkpoint(sagan, str(tmp_path / "none"))
    with pytest.raises(ValueError, match="already holds the checkpoints of a "
                                         "run; pass resume=True"):
        training.run(runs.make_config(None, model="gan",
                                              dataset="ring", steps=1),
                       str(tmp_path / "run"))
