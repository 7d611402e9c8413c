import json
import os

import pytest

from tests.experiments.conftest import reproduce_flags


@pytest.mark.slow  # tens of seconds: the default suite keeps under 10 minutes
def test_truncation_scores_each_psi_and_method_and_resumes(fashion, tmp_path):
    from experiments import truncation
    with reproduce_flags(fashion, tmp_path, psis=["0.5", "1.0"],
                         truncation_epochs=1) as results:
        truncation.truncation()
        path = results / "truncation.json"
        record = json.load(open(path))
        assert set(record["scores"]) == {"mean", "truncated_normal"}
        for by_psi in record["scores"].values():
            assert set(by_psi) == {"0.5", "1"}
            for scores in by_psi.values():
                assert scores["fid"] >= 0
                assert 0 <= scores["precision"] <= 1
                assert 0 <= scores["recall"] <= 1
        assert os.path.getsize(results / "truncation.png") > 0
        # A repeated command measures only what is missing.
        record["scores"]["mean"]["0.5"]["fid"] = -1.0
        del record["scores"]["mean"]["1"]
        path.write_text(json.dumps(record))
        truncation.truncation()
        again = json.load(open(path))["scores"]["mean"]
        assert again["0.5"]["fid"] == -1.0
        assert again["1"]["fid"] >= 0
