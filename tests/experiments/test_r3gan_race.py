"""r3gan_race of benchmarks/reproduce.py: both presets to tiny CPU budgets
on the small data, then the report from the finished runs."""

import json

from tests.experiments.conftest import reproduce_flags
from experiments import EXPERIMENTS


def test_r3gan_race_evaluates_at_budgets_and_reuses_its_runs(tmp_path,
                                                            fashion):
    flags = dict(race_budgets=["0.03", "0.06"], race_eval_every=0.02,
                 seeds=["0"])
    with reproduce_flags(fashion, tmp_path, **flags) as results:
        EXPERIMENTS["r3gan_race"]()
    record = json.loads((results / "r3gan_race.json").read_text())
    assert (results / "r3gan_race.png").stat().st_size > 0
    assert record["budgets_cpu_minutes"] == [0.03, 0.06]
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
        run = tmp_path / "runs" / "r3gan_race" / f"{preset}_seed0"
        assert (run / "model.keras").is_file()
        steps = [int(line.split(",")[0]) for line in
                 (run / "cpu.csv").read_text().splitlines()[1:]]
        assert steps == list(range(1, len(steps) + 1))
    mtime = (run / "model.keras").stat().st_mtime
    with reproduce_flags(fashion, tmp_path, **flags) as results:
        EXPERIMENTS["r3gan_race"]()  # finished runs: reported, not trained.
    assert (run / "model.keras").stat().st_mtime == mtime
    again = json.loads((results / "r3gan_race.json").read_text())
    assert again["curves"] == record["curves"]
