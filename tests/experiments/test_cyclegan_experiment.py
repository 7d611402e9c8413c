"""cyclegan of benchmarks/reproduce.py: CycleGAN on the unpaired edge maps
and images of the small Fashion-MNIST stand-in against pix2pix on the
pairs, a few steps each."""

import json
import os

import pytest
from PIL import Image

from tests.experiments.conftest import EXPERIMENTS, reproduce_flags

TINY = {"cyclegan_steps": 2, "cyclegan_filters": 4, "cyclegan_blocks": 0,
        "pix2pix_batch": 4, "pix2pix_filters": 4, "triplets": 3}


@pytest.mark.slow  # two trainings and three scorings: about a minute
def test_cyclegan_against_pix2pix_and_untrained(fashion, tmp_path):
    with reproduce_flags(fashion, tmp_path, **TINY) as results:
        EXPERIMENTS["cyclegan"]()
        run = tmp_path / "runs" / "cyclegan" / "cyclegan_2_steps"
        trained = os.path.getmtime(run / "model.keras")
        EXPERIMENTS["cyclegan"]()  # finished runs are reused
    assert os.path.getmtime(run / "model.keras") == trained
    record = json.loads((results / "cyclegan.json").read_text())
    assert record["steps"] == 2
    assert {r["model"] for r in record["runs"].values()} == {"cyclegan",
                                                              "pix2pix"}
    for summary in record["runs"].values():
        assert (summary["steps"], summary["batch_size"]) == (2, 4)
    config = json.loads((run / "config.json").read_text())
    schedule = config["compile"]["g_optimizer"]["config"]["learning_rate"]
    assert schedule["config"]["constant_steps"] == 1  # half the steps
    scores = record["scores"]
    assert list(scores) == ["pix2pix (pairs)", "CycleGAN",
                            "CycleGAN untrained"]
    for label, values in scores.items():
        assert values["num_pairs"] == 32 and values["fid"] > 0, label
        assert 0 <= values["recognised"] <= 1
    assert 0 < scores["CycleGAN"]["cycle_l1"] < 1
    assert record["fid_ratio_to_pix2pix"] == pytest.approx(
        scores["CycleGAN"]["fid"] / scores["pix2pix (pairs)"]["fid"])
    assert record["target_held"]["fid_within_2x"] == (
        record["fid_ratio_to_pix2pix"] <= 2)
    assert record["reference_budget_share"]["images_here"] == 8
    with Image.open(results / "cyclegan_translations.png") as image:
        assert image.size == (3 * (6 * 34 + 2), 32 + 3 * (3 * 34 + 2))
