import json
import math
import os
import shutil

import numpy as np
import pytest

from tests.experiments.conftest import reproduce_flags
from tfgan_suite import data
from tfgan_suite.data import sources

TINY_TABLE1 = {"table1_steps": 20, "table1_train_images": 512,
               "parzen_num_samples": 64, "parzen_num_points": 32}


def read(results, name):
    with open(results / f"{name}.json") as f:
        return json.load(f)


def test_table1_holds_out_the_images_the_gan_did_not_train_on(fashion,
                                                                tmp_path):
    from experiments import table1
    with reproduce_flags(fashion, tmp_path, **TINY_TABLE1):
        trained, held_out = table1.split_training_images(0)
    assert (len(trained), len(held_out)) == (512, 128)
    everything, _ = sources.images_and_labels(data.get_source(
        "fashion_mnist", split="train", data_dir=fashion["data_dir"]))
    rows = lambda images: sorted(image.tobytes() for image in images)
    # Together the whole training split, each image once.
    assert rows(np.concatenate([trained, held_out])) == rows(everything)


def test_table1_scores_the_models_and_adds_dcgan_once_it_exists(fashion,
                                                                 tmp_path):
    from experiments import table1
    with reproduce_flags(fashion, tmp_path, **TINY_TABLE1) as results:
        table1.table1()
        record = read(results, "table1")
        assert record["paper"]["test_log_likelihood"] == 225
        assert "not comparable" in record["paper"]["note"]
        models = record["models"]
        assert "model.keras is not there yet" in models["dcgan"]["note"]
        for name in ("mlp_gan", "real_training_images"):
            row = models[name]
            # The grid's width of the best validation log-likelihood.
            curve = row["validation_log_likelihood"]
            assert len(curve) == len(table1.SIGMAS)
            assert row["sigma"] == pytest.approx(
                table1.SIGMAS[np.argmax(curve)])
            assert math.isfinite(row["test_log_likelihood"])
            assert row["standard_error"] > 0
        assert models["mlp_gan"]["steps"] == 20
        assert record["protocol"]["validation_images"] == 32
        for png in ("table1.png", "table1_samples.png"):
            assert os.path.getsize(results / png) > 0

        # fig8's finished run appears (a stand-in: any model.keras);
        # table1 then only samples it, and reuses its own MLP run.
        mlp = tmp_path / "runs" / "table1" / "mlp_gan" / "model.keras"
        written = os.path.getmtime(mlp)
        dcgan = tmp_path / "runs" / "fig8" / "dcgan"
        dcgan.mkdir(parents=True)
        shutil.copy(mlp, dcgan / "model.keras")
        table1.table1()
        row = read(results, "table1")["models"]["dcgan"]
        assert math.isfinite(row["test_log_likelihood"])
        assert "60 000" in row["note"]
        assert os.path.getmtime(mlp) == written


@pytest.mark.slow  # seven presets trained: the suite's 10-minute budget.
def test_toy_reports_mode_coverage_against_the_targets(fashion, tmp_path):
    from experiments import toy
    with reproduce_flags(fashion, tmp_path, seeds=["3"], toy_steps=20,
                         toy_pacgan_steps=10, toy_num_samples=200) as results:
        toy.toy()
        record = read(results, "toy")
        assert os.path.getsize(results / "toy.png") > 0
    assert set(record["presets"]) == {"ring_gan", "grid_gan", "grid_pacgan",
                                      "grid_pacgan_plain"}
    # PacGAN's recipe: its own length; the packed D saw 4 points at once.
    assert record["presets"]["grid_pacgan"]["train"]["steps"] == 10
    assert record["presets"]["grid_gan"]["train"]["steps"] == 20
    config = json.load(open(tmp_path / "runs" / "toy" / "grid_pacgan_seed3" /
                            "config.json"))
    assert config["model_args"]["pack"] == 4
    assert config["data"]["batch_size"] == 400
    assert record["presets"]["grid_pacgan"]["target_on"] == "every seed"
    for preset, modes in (("ring_gan", 8), ("grid_gan", 25),
                          ("grid_pacgan", 25), ("grid_pacgan_plain", 25)):
        summary = record["presets"][preset]
        assert set(summary["runs"]) == {"3"}
        for run in summary["runs"].values():
            assert 0 <= run["modes_strict"] <= run["modes"] <= modes
            # The published rule: modes with a high-quality sample.
            assert run["modes"] == sum(c >= 1 for c in run["counts"])
            assert 0 <= run["high_quality"] <= 1
            assert len(run["counts"]) == modes
            assert sum(run["counts"]) <= 200
            for key in ("precision", "recall", "density", "coverage",
                        "train_cpu_seconds"):
                assert run[key] >= 0
        for key in toy.SCORES:
            assert summary["mean"][key] == np.mean(
                [r[key] for r in summary["runs"].values()])
        # 10 or 20 steps cannot reach the targets.
        assert summary["met"] is False
        assert summary["target"] == toy.TARGETS[preset]
    # Compared with PacGAN's plain GAN, PacGAN4 kept beside it.
    assert record["targets"]["grid_gan"] == {"modes": 17.3,
                                             "high_quality": 0.948}
    assert record["pacgan_table1"]["ring_gan"]["GAN"]["modes"] == [6.3, 0.5]
    assert set(record["mode_rules"]) == {"modes", "modes_strict"}


def test_toy_cpu_seconds_add_up_over_the_calls_that_train_a_run(tmp_path):
    from experiments import toy
    assert toy.cpu_seconds(str(tmp_path), 12.5) == 12.5
    # A resumed run adds its part.
    assert toy.cpu_seconds(str(tmp_path), 3.0) == 15.5


def test_toy_reports_finished_runs_before_it_trains_a_new_one(
        fashion, tmp_path, monkeypatch):
    from experiments import common, toy
    done = {("grid_gan", "1"), ("ring_gan", "1")}
    trained, seen = [], []

    def fake_run(preset, seed):
        if (preset, seed) not in done and not seen:  # the first new run
            seen.append(sorted((p, s) for p, row in read(
                tmp_path / "results", "toy")["presets"].items()
                for s in row["runs"]))
        trained.append((preset, seed))
        return (np.zeros((4, 2)),
                {key: float(len(trained)) for key in toy.SCORES})

    monkeypatch.setattr(toy, "toy_run", fake_run)
    monkeypatch.setattr(toy, "scatter", lambda *args: None)
    monkeypatch.setattr(common, "finished", lambda name: tuple(
        name.split("/")[1].rsplit("_seed", 1)) in done)
    with reproduce_flags(fashion, tmp_path, seeds=["0", "1"]) as results:
        toy.toy()
        record = read(results, "toy")
    assert trained[:2] == [("ring_gan", "1"), ("grid_gan", "1")]
    assert trained[2:] == [(p, s) for s in "01" for p in toy.TARGETS
                           if (p, s) not in done]
    assert seen[0] == [("grid_gan", "1"), ("ring_gan", "1")]
    assert {p: sorted(r["runs"]) for p, r in record["presets"].items()} == {
        p: ["0", "1"] for p in toy.TARGETS}
