"""tfgan-evaluate in-process (the script end to end: tests/scripts/)."""

from absl import flags
from absl.testing import flagsaver

from tests.conftest import write_gray_classes
from tests.metrics.test_inception import write_stand_in
from tfgan_suite.commands import evaluate


def test_two_folders_are_compared_on_a_local_inception(tmp_path,
                                                       monkeypatch):
    real = write_gray_classes(tmp_path / "real", n=12)
    fake = write_gray_classes(tmp_path / "fake", classes=("x",), n=12)
    stand_in = write_stand_in(tmp_path / "inception")
    monkeypatch.setenv("TFGAN_INCEPTION", stand_in)
    if not flags.FLAGS.is_parsed():
        flags.FLAGS(["evaluate"])
    with flagsaver.flagsaver(real=str(real), fake=str(fake),
                             features="inception"):
        scores = evaluate.compare_folders()
    assert scores["features"] == stand_in
    assert (scores["num_real"], scores["num_fake"]) == (36, 12)
    for key in ("fid", "kid", "precision", "recall", "density", "coverage",
                "inception_score"):
        assert key in scores, key
    assert scores["fid"] > 0  # one class of other images than three
