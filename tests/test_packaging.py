"""What `pip install tfgan_suite` gets: the Apache-2.0 license in the
repository and in the wheel's metadata, and the TF Serving protos the
export writes with (setup.py's arguments, read without building)."""

import importlib.util
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


def test_each_console_script_starts_its_command_through_tfgan_launch(
        setup_args):
    import tfgan_launch
    assert "tfgan_launch" in setup_args["py_modules"]
    for script in setup_args["entry_points"]["console_scripts"]:
        program, _, target = script.partition("=")
        module, _, function = target.partition(":")
        assert module == "tfgan_launch", script
        assert callable(getattr(tfgan_launch, function)), script
        assert program == f"tfgan-{function.replace('_', '-')}"
        # Not imported: each command defines its own absl flags.
        assert importlib.util.find_spec(f"tfgan_suite.commands.{function}")
