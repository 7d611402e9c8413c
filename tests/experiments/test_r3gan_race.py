"""r3gan_race of benchmarks/reproduce.py: both presets to tiny CPU budgets
on the small data, then the report from the finished runs."""

import json

import pytest

import tensorflow as tf

from tests.experiments.conftest import reproduce_flags
from experiments import EXPERIMENTS, r3gan_race


@pytest.mark.slow  # tens of seconds: the default suite keeps under 10 minutes
def test_r3gan_race_evaluates_at_budgets_and_reuses_its_runs(tmp_path,
                                                            fashion):
    flags = dict(race_budgets=["0.03", "0.06"], race_eval_every=0.02,
                 seeds=["0"])
    with reproduce_flags(fashion, tmp_path, **flags) as results:
        EXPERIMENTS["r3gan_race"]()
    record = json.loads((results / "r3gan_race.json").read_text())
    assert (results / "r3gan_race.png").stat().st_size > 0
    assert record["budgets_cpu_minutes"] == [0.03, 0.06]
    # The DCGAN side races at the learning rate it was measured with.
    dcgan = record["optimization"]["fashion_mnist_dcgan"]
    assert dcgan["g_optimizer"]["config"]["learning_rate"] == 2e-4
    assert dcgan["d_optimizer"]["config"]["learning_rate"] == 2e-4
    for preset in ("fashion_mnist_dcgan", "fashion_mnist_r3gan"):
        curve = record["curves"][preset]["0"]
        seconds = [p["cpu_seconds"] for p in curve]
        assert seconds == sorted(seconds) and len(curve) >= 2
        # The last evaluation is at the largest budget, where training
        # stopped; one falls at each budget, none later than due.
        assert 3.6 <= seconds[-1] < 3.6 + 10
        for p in curve:
            assert p["fid"] >= 0 and 1 <= p["covered"] <= 10
        summary = record["summary"][preset]
        assert set(summary) == {"0.03_cpu_minutes", "0.06_cpu_minutes"}
        assert summary["0.06_cpu_minutes"]["fid_per_seed"] == [curve[-1]["fid"]]
        assert summary["0.06_cpu_minutes"]["seeds"] == [0]
        run = tmp_path / "runs" / "r3gan_race" / f"{preset}_seed0"
        assert (run / "model.keras").is_file()
        # float32 as every reproduce.py run, whatever the preset says
        # (the DCGAN preset's "auto" is bfloat16 on some CPUs).
        config = json.loads((run / "config.json").read_text())
        assert config["train"]["mixed_precision"] is False
        steps = [int(line.split(",")[0]) for line in
                 (run / "cpu.csv").read_text().splitlines()[1:]]
        assert steps == list(range(1, len(steps) + 1))
    mtime = (run / "model.keras").stat().st_mtime
    with reproduce_flags(fashion, tmp_path, **flags) as results:
        EXPERIMENTS["r3gan_race"]()  # finished runs: reported, not trained.
    assert (run / "model.keras").stat().st_mtime == mtime
    again = json.loads((results / "r3gan_race.json").read_text())
    assert again["curves"] == record["curves"]
    # A larger budget later: the runs stopped at the old one go on.
    flags["race_budgets"] = ["0.03", "0.06", "0.09"]
    with reproduce_flags(fashion, tmp_path, **flags) as results:
        EXPERIMENTS["r3gan_race"]()
    longer = json.loads((results / "r3gan_race.json").read_text())
    for preset in ("fashion_mnist_dcgan", "fashion_mnist_r3gan"):
        curve = longer["curves"][preset]["0"]
        assert curve[:len(record["curves"][preset]["0"])] == \
            record["curves"][preset]["0"]
        assert curve[-1]["cpu_seconds"] >= 5.4
        assert longer["summary"][preset]["0.09_cpu_minutes"]["seeds"] == [0]
    assert "unfinished_runs" not in longer
    # --report_only with a budget no run has reached: the finished runs
    # (of a smaller budget) are listed as unfinished, nothing is trained.
    flags["race_budgets"].append("0.5")
    with reproduce_flags(fashion, tmp_path, report_only=True,
                         **flags) as results:
        EXPERIMENTS["r3gan_race"]()
    reported = json.loads((results / "r3gan_race.json").read_text())
    assert reported["curves"] == longer["curves"]
    assert set(reported["unfinished_runs"]) == {
        f"r3gan_race/{p}_seed0"
        for p in ("fashion_mnist_dcgan", "fashion_mnist_r3gan")}
    assert reported["summary"]["fashion_mnist_r3gan"]["0.5_cpu_minutes"][
        "seeds"] == []


class _Stub:
    """What CPURace reads of a model: its step, and where it stops."""

    def __init__(self, step):
        self.step_counter = tf.Variable(step, dtype=tf.int64)
        self.stop_training = False


def test_cpu_clock_resumes_at_the_checkpoint_step(tmp_path):
    """A run resumed at step 6 restarts its clock at step 6's CPU seconds
    and drops what was recorded after it (an evaluation at step 9)."""
    (tmp_path / "cpu.csv").write_text(
        "step,cpu_seconds\n" + "".join(f"{s},{s * 10.0}\n"
                                        for s in range(1, 11)))
    (tmp_path / "race.csv").write_text(
        "step,cpu_seconds,fid,covered\n4,40.0,9.0,7\n9,90.0,5.0,8\n")
    evaluated = []
    race = r3gan_race.CPURace(str(tmp_path), budgets=[100.0],
                              eval_every=40.0,
                              evaluate=lambda m: evaluated.append(1) or {
                                  "fid": 4.0, "covered": 9})
    model = _Stub(6)
    race.set_model(model)
    race.on_train_begin()
    assert race.cpu == 60.0
    assert [e["step"] for e in race.evaluations] == [4]
    assert race.next_evaluation() == 80.0
    for step in (7, 8):  # the first batch of a fit (tracing) is not timed.
        race.on_train_batch_begin(0)
        model.step_counter.assign(step)
        race.on_train_batch_end(0)
    race.on_train_end()
    rows = (tmp_path / "cpu.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows] == ["step", *map(str, range(1, 9))]
    assert rows[7] == "7,60.0"  # the traced step took no clock time.
    assert evaluated == [] and not model.stop_training


@pytest.mark.slow  # builds and traces three models
def test_step_cost_variants_time_each_row_at_its_precision_and_batch(
        tmp_path, fashion):
    names = ["dcgan_raced", "r3gan_bf16", "r3gan_penalty_interval_16"]
    with reproduce_flags(fashion, tmp_path, step_cost_variants=names,
                         step_cost_steps=2, step_cost_rounds=2) as results:
        EXPERIMENTS["r3gan_step_cost"]()
    rows = json.loads((results / "r3gan_step_cost_variants.json").read_text(
        ))["variants"]
    assert list(rows) == names
    raced, bf16, lazy = (rows[n] for n in names)
    # The race's DCGAN: Radford's D, no EMA, its batch of 128.
    assert raced["model_args"] == {"d_final_convs": 0, "ema_kimg": None}
    assert raced["batch_size"] == 128 and raced["precision"] == "float32"
    assert bf16["precision"] == "mixed_bfloat16" and bf16["batch_size"] == 32
    assert lazy["model_args"] == {"penalty_interval": 16}
    for row in rows.values():
        assert len(row["cpu_seconds_per_step"]) == 2
        assert all(s > 0 for s in row["cpu_seconds_per_step"])
    assert raced["image_cost_relative_to_first"]["median"] == 1.0
    assert bf16["image_cost_relative_to_first"]["median"] > 1
    with reproduce_flags(fashion, tmp_path,
                         step_cost_variants=["r3gan_fast"]):
        with pytest.raises(ValueError, match="unknown \\['r3gan_fast'\\]"):
            EXPERIMENTS["r3gan_step_cost"]()
