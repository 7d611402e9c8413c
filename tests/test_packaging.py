"""What `pip install tfgan_suite` gets: the Apache-2.0 license in the
repository and in the wheel's metadata, and the TF Serving protos the
export writes with (setup.py's arguments, read without building)."""

import os
import runpy

import pytest
import setuptools

from tests.conftest import REPO


@pytest.fixture
def setup_args(monkeypatch):
    captured = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kw: captured.update(kw))
    monkeypatch.chdir(REPO)
    runpy.run_path(os.path.join(REPO, "setup.py"))
    return captured


def test_the_license_is_apache_2_in_full_and_in_the_metadata(setup_args):
    with open(os.path.join(REPO, "LICENSE")) as f:
        text = f.read()
    assert text.lstrip().startswith("Apache License\n")
    for part in ("Version 2.0, January 2004", "9. Accepting Warranty or "
                 "Additional Liability", "END OF TERMS AND CONDITIONS"):
        assert part in text
    assert setup_args["license"] == "Apache-2.0"
    assert setup_args["license_files"] == ["LICENSE"]
    assert ("License :: OSI Approved :: Apache Software License"
            in setup_args["classifiers"])


def test_a_plain_install_can_export_for_tf_serving(setup_args):
    assert "tensorflow-serving-api" in setup_args["install_requires"]
