"""fig12_13 and pix2pix_inference of benchmarks/reproduce.py: pix2pix on
edge maps of the small Fashion-MNIST stand-in, a few steps."""

import json
import os

import pytest
from PIL import Image

from tests.experiments.conftest import EXPERIMENTS, reproduce_flags

TINY = {"pix2pix_steps": 4, "pix2pix_batch": 4, "pix2pix_filters": 4,
        "triplets": 3}


@pytest.mark.slow  # pix2pix trained three times
def test_fig12_13_then_inference_modes_on_its_gan_run(fashion, tmp_path):
    with reproduce_flags(fashion, tmp_path, **TINY) as results:
        EXPERIMENTS["fig12_13"]()
    with open(results / "fig12_13.json") as f:
        record = json.load(f)
    assert record["command"].startswith("python benchmarks/reproduce.py")
    runs = record["runs"]
    assert {label: run["gan_weight"] for label, run in runs.items()} == {
        "pix2pix": 1.0, "L1 only": 0.0}
    for run in runs.values():
        assert (run["steps"], run["batch_size"], run["filters"]) == (4, 4, 4)
        assert run["train_time"]["cpu_s"] > 0
    for scores in record["scores"].values():
        assert scores["num_pairs"] == 32  # --fid_num_images
        assert 0 <= scores["l1"] <= 1 and 0 <= scores["recognised"] <= 1
        assert scores["fid"] > 0 and scores["psnr"] > 0
    assert record["truth_reference"]["fid"] < min(
        s["fid"] for s in record["scores"].values())
    gan, l1 = record["scores"]["pix2pix"], record["scores"]["L1 only"]
    assert record["claim_held"] == {"lower_fid": gan["fid"] < l1["fid"],
                                    "higher_l1": gan["l1"] > l1["l1"]}
    assert set(record["losses_last_tenth"]["pix2pix"]) == {
        "d_loss", "g_gan_loss", "g_l1_loss"}
    # 3 pairs in rows of input | truth | pix2pix | L1 only, 32x32 enlarged
    # 3 times under a header.
    with Image.open(results / "fig12_13_triplets.png") as image:
        assert image.width == 3 * (4 * 34 + 2)
        assert image.height == 32 + 3 * (3 * 34 + 2)
    assert os.path.getsize(results / "fig12_13_losses.png") > 10_000
    pix2pix_inference_reuses_the_gan_run(fashion, tmp_path)


def pix2pix_inference_reuses_the_gan_run(fashion, tmp_path):
    with reproduce_flags(fashion, tmp_path, **TINY) as results:
        EXPERIMENTS["pix2pix_inference"]()
        run = tmp_path / "runs" / "fig12_13" / "pix2pix"
        trained = os.path.getmtime(run / "model.keras")
        with open(results / "pix2pix_inference.json") as f:
            first = json.load(f)
        EXPERIMENTS["pix2pix_inference"]()
    assert os.path.getmtime(run / "model.keras") == trained
    with open(results / "pix2pix_inference.json") as f:
        record = json.load(f)
    assert record["scores"] == first["scores"]  # fixed seeds
    assert record["run"]["run"] == str(run)
    scores = record["scores"]
    assert list(scores) == ["inference (training=False)",
                            "paper (training=True, batch 4)",
                            "paper (training=True, batch 1)"]
    assert len({s["l1"] for s in scores.values()}) == 3
    assert record["paper_mode_better_fid"] == (
        scores["paper (training=True, batch 4)"]["fid"]
        < scores["inference (training=False)"]["fid"])
    with Image.open(results / "pix2pix_inference.png") as image:
        assert image.size == (3 * (5 * 34 + 2), 32 + 3 * (3 * 34 + 2))
