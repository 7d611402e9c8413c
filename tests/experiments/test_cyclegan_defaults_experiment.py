"""cyclegan_defaults of benchmarks/reproduce.py: CycleGAN's defaults now
and before on edge maps and images written as two folders, a few steps
each; and the translation of images of another size than the model's."""

import csv
import json
import os

import numpy as np
import pytest
from PIL import Image

from tests.experiments.conftest import EXPERIMENTS, reproduce_flags
from experiments import cyclegan_defaults
from tfgan_suite import models


@pytest.mark.slow  # two trainings (one of 9 blocks of 64 filters), scoring
def test_defaults_now_and_before_on_image_folders(fashion, tmp_path):
    with reproduce_flags(fashion, tmp_path, cyclegan_defaults_steps=2,
                         cyclegan_defaults_settings=["now", "before_32"],
                         triplets=3) as results:
        EXPERIMENTS["cyclegan_defaults"]()
        runs = tmp_path / "runs" / "cyclegan_defaults"
        trained = os.path.getmtime(runs / "now_2_steps" / "model.keras")
        EXPERIMENTS["cyclegan_defaults"]()  # finished runs are reused
    assert os.path.getmtime(runs / "now_2_steps" / "model.keras") == trained
    folders = runs / "fashion_edges"
    # The Fashion-MNIST stand-in's 640 train and 160 test images.
    assert [len(os.listdir(folders / f)) for f in
            ("trainA", "trainB", "testA", "testB")] == [320, 320, 160, 160]
    with Image.open(folders / "testA" / "00000.png") as edges:
        assert (edges.size, edges.mode) == ((32, 32), "L")
    record = json.loads((results / "cyclegan_defaults.json").read_text())
    now, before = record["runs"]["now"], record["runs"]["before_32"]
    assert (now["preset"], now["batch_size"]) == ("unpaired_cyclegan", 16)
    assert (now["nets"]["filters"], now["nets"]["n_blocks"]) == (32, 6)
    assert now["nets"]["image_shape"] == [32, 32, 1]
    assert (before["preset"], before["batch_size"]) == (
        "horse2zebra_cyclegan", 1)
    assert (before["nets"]["filters"], before["nets"]["n_blocks"]) == (64, 9)
    for run in (now, before):
        assert run["train_chunks"] == 1 and run["cpu_s_per_step"] > 0
    with open(runs / "now_2_steps" / "train_chunks.csv") as f:
        (chunk,) = csv.DictReader(f)
    assert (chunk["from_step"], chunk["to_step"]) == ("0", "2")
    for scores in record["scores"].values():
        assert scores["num_pairs"] == 32 and scores["fid"] > 0
        assert 0 <= scores["recognised"] <= 1
        assert 0 < scores["cycle_l1"] < 1
    assert record["target_held"] == (record["scores"]["now"]["recognised"]
                                     >= 0.6)
    with Image.open(results / "cyclegan_defaults.png") as image:
        assert image.size == (3 * (4 * 34 + 2), 32 + 3 * (3 * 34 + 2))


def test_images_of_another_size_are_translated_at_the_models():
    model = models.CycleGAN(image_shape=(64, 64, 1), filters=4, n_blocks=0)
    images = np.random.default_rng(0).integers(0, 256, (3, 32, 32, 1),
                                               dtype=np.uint8)
    out = cyclegan_defaults.translate(model, images, "b_to_a")
    assert out.shape == images.shape and out.dtype == np.uint8
    same = models.CycleGAN(image_shape=(32, 32, 1), filters=4, n_blocks=0)
    np.testing.assert_array_equal(cyclegan_defaults.translate(same, images),
                                  same.translate_uint8(images))
