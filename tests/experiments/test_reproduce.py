"""fig8, ema, dcgan_screen, fig9, fig10 and low_data of benchmarks/reproduce.py: each
experiment's code path on a few steps of the small data."""

import json
import os
import subprocess
import sys

import pytest
from absl.testing import flagsaver

from tests.conftest import REPO
from tests.experiments.conftest import reproduce_flags
import harness  # benchmarks/, on the path (conftest)
from experiments import EXPERIMENTS, common, low_data


def read(results, name):
    return json.loads((results / f"{name}.json").read_text())


def test_fig8_then_ema_scores_raw_g_and_its_average_in_one_run(tmp_path,
                                                              fashion):
    with reproduce_flags(fashion, tmp_path, epochs=2) as results:
        EXPERIMENTS["fig8"]()
        record = read(results, "fig8")
        # 640 images at the preset's batch 64: 10 steps an epoch, scored
        # after each.
        assert record["scores"]["step"] == [10, 20]
        assert record["steps"] == 20
        # The classifier the scores read, by the file's content.
        import hashlib
        with open(fashion["classifier_path"], "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:16]
        assert record["domain_classifier"] == {
            "path": fashion["classifier_path"], "sha256": digest}
        summary = record["summary"]
        assert 1 <= summary["final_classes"] <= 10
        assert summary["best_fid"] == min(record["scores"]["fid"])
        assert 0 <= summary["precision"] <= 1
        for png in ("fig8_progress.png", "fig8_scores.png"):
            assert (results / png).stat().st_size > 0
        fig8_scores = record["scores"]

    # The preset's own EMA (StyleGAN2-ADA's half-life, batch * 10 / 32
    # kimg, ramp-up 0.05): ema reads fig8's run, whose scores are its EMA
    # generator's, and scores raw G at each epoch's checkpoint.
    run = tmp_path / "runs" / "fig8" / "dcgan"
    with reproduce_flags(fashion, tmp_path, epochs=2) as results:
        EXPERIMENTS["ema"]()
    record = read(results, "ema_ramp")
    assert record["run"] == "fig8/dcgan"
    assert sorted(os.listdir(tmp_path / "runs" / "fig8")) == ["dcgan"]
    config = json.loads((run / "config.json").read_text())
    # the preset's (its ramp-up the model's default).
    assert config["model_args"]["ema_kimg"] == 20
    assert config["model_args"]["d_final_convs"] == 1
    assert (record["ema_kimg"], record["ema_rampup"]) == (20, 0.05)
    raw, averaged = record["scores"]["raw G"], record["scores"]["EMA"]
    assert raw["step"] == averaged["step"] == [10, 20]
    assert averaged["fid"] == fig8_scores["fid"]
    assert raw["fid"] != averaged["fid"]
    assert record["by_epoch"]["2"]["ema_fid_change"] == pytest.approx(
        averaged["fid"][1] / raw["fid"][1] - 1)
    assert set(record["summary"]) == {"raw G", "EMA"}
    assert (results / "ema_ramp_fid.png").is_file()

    # Another EMA (here without ramp-up) trains a run of its own; its raw
    # G is the preset run's: the average never touches training.
    with reproduce_flags(fashion, tmp_path, epochs=2,
                         ema_rampup=0) as results:
        EXPERIMENTS["ema"]()
    other = read(results, "ema_ramp")
    assert other["run"] == "fig8/dcgan_ema_kimg20_rampup0"
    assert other["scores"]["raw G"]["fid"] == pytest.approx(raw["fid"],
                                                           rel=1e-3)
    assert other["scores"]["EMA"]["fid"] != averaged["fid"]

    # --report_only: an unfinished run reports its scores so far, and
    # says it did not finish; raw G's scores are not measured again.
    (run / "model.keras").unlink()
    scored = (run / "raw_g_scores.json").stat().st_mtime
    with reproduce_flags(fashion, tmp_path, epochs=2,
                         report_only=True) as results:
        EXPERIMENTS["ema"]()
    assert not (run / "model.keras").exists()  # not trained again.
    assert (run / "raw_g_scores.json").stat().st_mtime == scored
    record = read(results, "ema_ramp")
    assert record["unfinished_runs"] == {"fig8/dcgan": 20}
    assert record["steps"] == 20


@pytest.mark.slow  # trains, then times 50 steps of the preset, three times.
def test_dcgan_screen_records_each_candidate(tmp_path, fashion):
    with reproduce_flags(fashion, tmp_path, screen=["batch_128_ns", "batch_64"],
                         screen_epochs=1) as results:
        EXPERIMENTS["dcgan_screen"]()
    record = read(results, "ema_ramp_screen")
    assert list(record["candidates"]) == ["batch_128_ns", "batch_64"]
    old, half = (record["candidates"][k] for k in ("batch_128_ns", "batch_64"))
    assert old["steps"] == [5] and half["steps"] == [10]
    assert half["model_args"] == {"ema_kimg": 20, "ema_rampup": 0.05}
    for result in (old, half):
        assert result["epoch_cpu_seconds"] > 0
        assert len(result["raw_g_fid"]) == len(result["ema_fid"]) == 1
    # The same runs timed again in one process, round by round.
    with reproduce_flags(fashion, tmp_path, screen=["batch_128_ns", "batch_64"],
                         screen_epochs=1, cost_rounds=2) as results:
        EXPERIMENTS["screen_cost"]()
    timed = read(results, "ema_ramp_screen_cost")["candidates"]
    assert [timed[k]["batch_size"] for k in timed] == [128, 64]
    for result in timed.values():
        assert len(result["epoch_cpu_seconds_each_round"]) == 2
        assert result["epoch_cpu_seconds"] == pytest.approx(
            sum(result["epoch_cpu_seconds_each_round"]) / 2)
    assert timed["batch_128_ns"]["relative_to_first"] == 1.0
    assert timed["batch_64"]["relative_to_first"] == pytest.approx(
        timed["batch_64"]["epoch_cpu_seconds"]
        / timed["batch_128_ns"]["epoch_cpu_seconds"])
    # A run trained on since (as the 20-epoch screens extend the 3-epoch
    # runs) is read up to --screen_epochs still.
    with reproduce_flags(fashion, tmp_path, screen=["batch_128_ns"],
                         screen_epochs=2) as results:
        EXPERIMENTS["dcgan_screen"]()
    assert read(results, "ema_ramp_screen")["candidates"]["batch_128_ns"][
        "steps"] == [5, 10]
    with reproduce_flags(fashion, tmp_path, screen=["batch_128_ns"],
                         screen_epochs=1) as results:
        EXPERIMENTS["dcgan_screen"]()
    assert read(results, "ema_ramp_screen")["candidates"]["batch_128_ns"][
        "steps"] == [5]


def test_cgan_recipe_refuses_an_unknown_candidate_before_training(
        tmp_path, fashion):
    with reproduce_flags(fashion, tmp_path,
                         cgan_candidates=["preset", "preset_fp8"]):
        with pytest.raises(ValueError, match="--cgan_candidates: expected "
                           "names among preset, radford, preset_bf16, got "
                           "'preset_fp8'"):
            EXPERIMENTS["cgan_recipe"]()
    assert not (tmp_path / "runs").exists()


@pytest.mark.slow  # trains four runs, then times 100 steps of each.
def test_cgan_recipe_scores_both_candidates_on_each_seed(tmp_path, fashion):
    with reproduce_flags(fashion, tmp_path, seeds=["0", "1"],
                         cgan_epochs=1) as results:
        EXPERIMENTS["cgan_recipe"]()
    # Other than 3 epochs: a record of its own, not results/cgan_recipe.json.
    record = read(results, "cgan_recipe_preset_radford_1_epochs")
    assert not (results / "cgan_recipe.json").exists()
    preset, radford = (record["candidates"][k] for k in ("preset",
                                                          "radford"))
    # 640 images: 10 steps an epoch at the preset's batch 64, 5 at 128.
    config = json.loads((tmp_path / "runs" / "cgan_recipe" / "preset_seed1"
                         / "config.json").read_text())
    assert config["model_args"]["ema_kimg"] == 20
    assert config["data"]["batch_size"] == 64 and config["train"]["seed"] == 1
    old = json.loads((tmp_path / "runs" / "cgan_recipe" / "radford_seed0"
                      / "config.json").read_text())
    assert old["model_args"]["filters"] == 64
    assert old["compile"]["loss"] == "non_saturating"
    for result, steps in ((preset, [10]), (radford, [5])):
        assert set(result["seeds"]) == {"0", "1"}
        for seed in result["seeds"].values():
            assert seed["by_epoch"]["step"] == steps
            assert seed["final"]["label_accuracy"]["mean"] >= 0
            assert seed["epoch_cpu_seconds"] > 0
            assert seed["by_epoch"]["epoch"] == [1.0]
            assert seed["by_epoch"]["cpu_minutes"] == [pytest.approx(
                seed["epoch_cpu_seconds"] / 60)]
        assert result["mean_final_fid"] == pytest.approx(sum(
            s["final"]["fid"] for s in result["seeds"].values()) / 2)
    assert (results / "cgan_recipe_preset_radford_1_epochs.png").is_file()


def test_ema_noise_scores_both_generators_on_disjoint_seed_sets(tmp_path,
                                                                fashion):
    with reproduce_flags(fashion, tmp_path, screen=["preset"],
                         screen_epochs=1, noise_sets=3) as results:
        EXPERIMENTS["ema_noise"]()
    record = read(results, "ema_noise")
    assert (record["noise_sets"], record["fid_num_images"]) == (3, 32)
    epoch = record["candidates"]["preset"]["1"]
    assert epoch["step"] == 10  # 640 images at the preset's batch 64.
    raw, averaged = epoch["raw G"], epoch["EMA"]
    assert len(raw) == len(averaged) == 3
    # Set 0 is the seeds the run's own scores use (fid.csv, 4 decimals).
    run = tmp_path / "runs" / "screen" / "preset"
    assert averaged[0] == pytest.approx(common.scores(str(run))["fid"][0],
                                        abs=5e-5)
    # Other seeds, other samples: other FIDs.
    assert len(set(raw)) == 3 and len(set(averaged)) == 3
    assert epoch["ema_fid_change"] == pytest.approx(
        [e / r - 1 for e, r in zip(averaged, raw)])
    assert epoch["sets_ema_at_most_raw_g"] == sum(
        e <= r for e, r in zip(averaged, raw))
    assert epoch["spread"]["raw G"]["std"] > 0
    assert epoch["spread"]["ema_fid_change"]["mean"] == pytest.approx(
        sum(epoch["ema_fid_change"]) / 3)

    # More sets later: the three scored are kept, two more scored.
    kept = json.loads((run / "noise_scores.json").read_text())
    with reproduce_flags(fashion, tmp_path, screen=["preset"],
                         screen_epochs=1, noise_sets=5) as results:
        EXPERIMENTS["ema_noise"]()
    epoch = read(results, "ema_noise")["candidates"]["preset"]["1"]
    assert epoch["EMA"][:3] == kept["10:32"]["EMA"]
    assert len(epoch["EMA"]) == 5
    # An epoch whose checkpoint the run does not keep: refused, naming it.
    with reproduce_flags(fashion, tmp_path, screen=["preset"],
                         screen_epochs=1, noise_epochs=["2"]):
        with pytest.raises(ValueError, match=r"noise_epochs: .*preset keeps "
                           r"no checkpoint of step 20; it keeps \["):
            EXPERIMENTS["ema_noise"]()


def test_fig9_filters_by_d_score_at_equal_count(tmp_path, fashion):
    with reproduce_flags(fashion, tmp_path, fig9_classes=["Bag"],
                         class_steps=2, min_d_score=0.0,
                         top_share=0.25) as results:
        EXPERIMENTS["fig9"]()
    record = read(results, "fig9")
    bag = record["classes"]["Bag"]
    # D >= 0 takes every sample: all accepted, as many as asked.
    assert bag["acceptance_rate"] == 1.0 and bag["pool_size"] == 128
    assert bag["num_compared"] == 32
    for scores in (bag["filtered"], bag["unfiltered"], bag["top"]):
        assert scores["fid"] >= 0
        assert 0 <= scores["recognised"] <= 1
        assert 0 < scores["confidence"] < 1
    # The top quarter of a pool of 128 by D's score.
    assert bag["top"]["share"] == 0.25
    assert bag["d_score"]["generated_max"] >= bag["top"]["min_d_score"] >= (
        bag["d_score"]["generated_mean"])
    assert record["filter_lowers_fid"] == {
        "Bag": bag["filtered"]["fid"] < bag["unfiltered_equal_count"]["fid"]}
    assert record["top_filter_lowers_fid"] == {
        "Bag": bag["top"]["fid"] < bag["unfiltered"]["fid"]}
    assert (results / "fig9_samples.png").is_file()

    # A filter nothing passes (the run reused): the rate, no comparison.
    with reproduce_flags(fashion, tmp_path, fig9_classes=["Bag"],
                         class_steps=2, min_d_score=1.1) as results:
        EXPERIMENTS["fig9"]()
    nothing = read(results, "fig9")["classes"]["Bag"]
    assert nothing["acceptance_rate"] == 0.0 and "filtered" not in nothing
    assert nothing["fid"] == bag["fid"]  # the same run's scores.
    assert "top" in nothing

    # manifold scores every finished image run: the one of fig9 and a
    # conditional one, which gets its label accuracy and intra-class FID.
    with reproduce_flags(fashion, tmp_path) as results:
        common.train("presets/cgan", "fashion_mnist_cgan",
                     model_args={"filters": 4, "latent_dim": 8}, steps=2,
                     steps_per_epoch=2, batch_size=16, fid_every_n_steps=0)
        EXPERIMENTS["manifold"]()
    scores = read(results, "manifold")["runs"]
    assert list(scores) == [os.path.join("fig9", "Bag"),
                            os.path.join("presets", "cgan")]
    cgan = scores["presets/cgan"]
    assert cgan["steps"] == 2 and cgan["classes"] is None
    assert set(cgan["label_accuracy"]) == {*map(str, range(10)), "mean"}
    assert set(cgan["intra_class_fid"]["per_class"]) == set(map(str, range(10)))
    assert cgan["intra_class_fid"]["mean"] == pytest.approx(
        sum(cgan["intra_class_fid"]["per_class"].values()) / 10)
    assert "label_accuracy" not in scores["fig9/Bag"]
    assert scores["fig9/Bag"]["classes"] == ["Bag"]
    # fig9 keeps the learning rate it was measured with.
    assert scores["fig9/Bag"]["optimization"]["g_optimizer"]["config"][
        "learning_rate"] == 2e-4
    for key in ("precision", "recall", "density", "coverage"):
        assert scores["fig9/Bag"][key] >= 0
    assert scores["fig9/Bag"]["fid"] == pytest.approx(
        bag["unfiltered"]["fid"], rel=1e-4)  # same samples, same reals.
    assert (results / "manifold.png").is_file()


@pytest.mark.slow  # three SAGAN / DCGAN runs: the suite's 10-minute budget.
def test_fig10_three_runs_on_each_seed_in_one_plot(tmp_path, fashion):
    # One seed, not 0 (three runs of SAGAN / DCGAN cost enough).
    with reproduce_flags(fashion, tmp_path, fig10_class="Bag", fig10_steps=2,
                         fig10_fid_every=1, seeds=["1"]) as results:
        EXPERIMENTS["fig10"]()
    record = read(results, "fig10")
    assert set(record["runs"]) == {"SAGAN", "DCGAN", "SAGAN + DiffAugment"}
    for label, seeds in record["runs"].items():
        assert set(seeds) == {"1"}
        run = seeds["1"]
        assert run["steps"] == [1, 2] and len(run["d_loss"]) == 2
        assert run["final_fid"] == run["fid"][-1]
        assert isinstance(run["d_overpowers_g"], bool)
        summary = record["summary"][label]
        assert (summary["final_fid_mean"], summary["seeds"]) == (
            pytest.approx(run["final_fid"]), 1)
    sagan, dcgan = (record["runs"][k]["1"] for k in ("SAGAN", "DCGAN"))
    beats = sagan["final_fid"] < dcgan["final_fid"]
    assert record["sagan_beats_dcgan_per_seed"] == {"1": beats}
    assert record["sagan_beats_dcgan"] == beats
    assert record["diffaugment_vs_sagan_final_fid_change"] == pytest.approx(
        record["runs"]["SAGAN + DiffAugment"]["1"]["final_fid"]
        / sagan["final_fid"] - 1)
    run = tmp_path / "runs" / "fig10" / "Bag" / "sagan_diffaugment_seed1"
    config = json.loads((run / "config.json").read_text())
    assert config["model"] == "sagan" and config["train"]["seed"] == 1
    assert config["model_args"]["augment"] == "color,translation,cutout"
    assert (results / "fig10_fid.png").is_file()


def test_low_data_compares_settings(tmp_path, fashion):
    with reproduce_flags(fashion, tmp_path, seeds=["0"],
                         augment=["none", "ada_kimg100"], max_images=["32"],
                         low_data_class="Bag", low_data_steps=2,
                         fid_every=1) as results:
        EXPERIMENTS["low_data"]()
    record = read(results, "low_data_32")
    assert set(record["runs"]) == {"none", "ada_kimg100"}
    run = tmp_path / "runs" / "low_data_32" / "ada_kimg100_seed0_2steps"
    assert json.loads((run / "config.json").read_text())["model_args"][
        "ada_kimg"] == 100
    ada = record["runs"]["ada_kimg100"]["0"]
    assert ada["steps"] == ada["health_steps"] == [1, 2]
    # The overfitting health values after every epoch, and ADA's p.
    for key in ("d_overfit_gap", "rt_heldout", "rt_train", "ada_p"):
        assert len(ada[key]) == 2, key
    assert ada["d_overfit_gap"][-1] == pytest.approx(
        ada["d_real_mean"][-1] - ada["d_real_heldout"][-1], abs=1e-4)
    assert "ada_p" not in record["runs"]["none"]["0"]
    summary = record["summary"]["ada_kimg100"]
    assert summary["final_fid_change"] == pytest.approx(
        summary["final_fid_mean"] / record["summary"]["none"]["final_fid_mean"]
        - 1)
    assert summary["final_d_overfit_gap_mean"] == ada["d_overfit_gap"][-1]
    none = record["runs"]["none"]["0"]["fid"]
    assert (summary["first_below_none_step"], summary["below_none_from_step"]
            ) == low_data.crossing([1, 2], ada["fid"], none)
    assert (results / "low_data_32.png").is_file()


def test_low_data_settings_and_where_curves_cross():
    assert low_data.model_args("none") == {}
    assert low_data.model_args("ada_kimg100") == {"augment": "ada",
                                                  "ada_kimg": 100}
    assert low_data.model_args("color,cutout") == {"augment": "color,cutout"}
    steps = [1000, 2000, 3000, 4000]
    base = [5.0, 4.0, 3.0, 3.0]
    assert low_data.crossing(steps, [6, 3.5, 3.5, 2.5], base) == (2000, 4000)
    assert low_data.crossing(steps, [4, 3, 2, 1], base) == (1000, 1000)
    assert low_data.crossing(steps, [6, 5, 4, 3], base) == (None, None)


def test_reproduce_command_end_to_end(tmp_path, fashion):
    """The command line: one experiment (one run of one step), results
    named with the command."""
    result = subprocess.run(
        [sys.executable, os.path.join(REPO, "benchmarks", "reproduce.py"),
         "--experiment=low_data", "--seeds=0", "--augment=none",
         "--max_images=64", "--low_data_class=Bag", "--low_data_steps=1",
         "--fid_every=1", "--fid_num_images=16",
         f"--data_dir={fashion['data_dir']}",
         f"--classifier_path={fashion['classifier_path']}",
         f"--runs={tmp_path / 'runs'}", f"--results={tmp_path / 'results'}"],
        capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads((tmp_path / "results" / "low_data_64.json")
                        .read_text())
    assert record["command"].startswith(
        "python benchmarks/reproduce.py --experiment=low_data --seeds=0")
    assert record["runs"]["none"]["0"]["steps"] == [1]


@pytest.mark.slow  # the flag check of absl; the script runs above.
def test_an_experiment_is_required(tmp_path):
    result = subprocess.run(
        [sys.executable, os.path.join(REPO, "benchmarks", "reproduce.py")],
        capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    assert "--experiment" in result.stderr


def test_a_finished_run_is_extended_to_a_longer_length(tmp_path):
    """`common.finished` holds a run of 3 epochs finished for 3 and for no
    given length, and unfinished for 20 (`train` then extends it)."""
    from tfgan_suite import runs
    out = tmp_path / "runs" / "screen" / "x"
    out.mkdir(parents=True)
    runs.config.write_config(str(out), runs.make_config(epochs=3))
    if not common.FLAGS.is_parsed():
        common.FLAGS(["reproduce"])
    with flagsaver.flagsaver(runs=str(tmp_path / "runs")):
        assert not common.finished("screen/x", epochs=3)  # no model.keras
        (out / "model.keras").write_bytes(b"")
        assert common.finished("screen/x")
        assert common.finished("screen/x", epochs=3)
        assert not common.finished("screen/x", epochs=20)
        assert not common.finished("screen/x", steps=100)


def test_an_interrupted_extension_is_not_finished(tmp_path):
    """A run extended from 3 to 20 epochs and interrupted keeps the
    3-epoch model.keras and a config of 20: unfinished while its newest
    checkpoint is newer than model.keras, or short of the 20 epochs."""
    import json
    import tensorflow as tf
    from tfgan_suite import runs
    out = tmp_path / "runs" / "screen" / "x"
    out.mkdir(parents=True)
    runs.config.write_config(str(out), runs.make_config(epochs=20))
    (out / "model.keras").write_bytes(b"")
    (out / "model.json").write_text(json.dumps(
        {"step": 6, "keras": True, "problem": None}))
    epoch = tf.Variable(3, dtype=tf.int64)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(epoch=epoch),
                                         str(out / "checkpoints"), 5)
    manager.save(checkpoint_number=6)
    if not common.FLAGS.is_parsed():
        common.FLAGS(["reproduce"])
    with flagsaver.flagsaver(runs=str(tmp_path / "runs")):
        assert not common.finished("screen/x", epochs=20)  # 3 epochs held.
        assert common.finished("screen/x", epochs=3)
        epoch.assign(5)
        manager.save(checkpoint_number=10)  # newer than model.keras.
        assert not common.finished("screen/x", epochs=3)
        (out / "model.json").write_text(json.dumps(
            {"step": 10, "keras": True, "problem": None}))
        assert common.finished("screen/x", epochs=5)


def test_a_run_of_another_optimization_is_refused(tmp_path):
    """A run trained before its preset's learning rate changed is refused,
    not reported as the new setting; the same optimization spelt otherwise
    (the model's default Adam, or the preset's Adam at the same rate) is
    reused."""
    import dataclasses
    from tfgan_suite import runs
    out = tmp_path / "runs" / "fig8" / "dcgan"
    out.mkdir(parents=True)
    # In float32 and with the model of the records, as reproduce.py trains
    # unless told otherwise.
    new = runs.make_config(
        "fashion_mnist_dcgan", epochs=3, mixed_precision=False,
        model_args=harness.RECORDED_MODEL_ARGS["fashion_mnist_dcgan"])
    old = dataclasses.replace(new, compile=dataclasses.replace(
        new.compile, g_optimizer=None, d_optimizer=None,  # 2e-4 default.
        loss="non_saturating"))
    runs.config.write_config(str(out), old)
    (out / "model.keras").write_bytes(b"")
    if not common.FLAGS.is_parsed():
        common.FLAGS(["reproduce"])
    with flagsaver.flagsaver(runs=str(tmp_path / "runs")):
        with pytest.raises(ValueError, match="0.0008") as refused:
            common.train("fig8/dcgan", "fashion_mnist_dcgan", epochs=3)
        assert "fig8/dcgan" in str(refused.value)
        assert common.train("fig8/dcgan", "fashion_mnist_dcgan", epochs=3,
                            **common.RADFORD_DCGAN) == str(out)
