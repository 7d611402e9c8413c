"""What a run folder holds, by name, and its config file.

    <out_dir>/config.json     the run's config (`runs.config`), written once
                              the run is known to start
              checkpoints/    ckpt-<step>: the full training state
              model.keras     the trained model, written at the end
              export.json     where the run's export went (with --export)
              samples/ losses.csv losses.png history.csv health.json logs/

A run is complete when its `model.keras` exists whole and, if it was asked to
export, `export.json` names an export of its last step.
"""

import json
import os

from tfgan_suite import files

CONFIG = "config.json"
CHECKPOINTS = "checkpoints"
MODEL = "model.keras"
EXPORTED = "export.json"


def read_config(out_dir):
    """The config of the run in `out_dir`, or a ValueError if it holds none."""
    path = os.path.join(out_dir, CONFIG)
    if not os.path.isfile(path):
        raise ValueError(f"{out_dir}: holds no run (no {CONFIG})")
    with open(path) as f:
        return json.load(f)


def write_config(out_dir, config):
    files.write_text(os.path.join(out_dir, CONFIG),
                     json.dumps(config, indent=2))


def exported(out_dir):
    """{"path", "step"} of the run's export, or None."""
    path = os.path.join(out_dir, EXPORTED)
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def record_export(out_dir, path, step):
    files.write_text(os.path.join(out_dir, EXPORTED),
                     json.dumps({"path": path, "step": int(step)}, indent=2))


def missing_outputs(out_dir, config, step):
    """What the run at `step` still lacks to be complete: a list of
    "model.keras" (absent or damaged) and / or "export"."""
    missing = []
    model = os.path.join(out_dir, MODEL)
    if not os.path.isfile(model) or files.zip_damage(model) is not None:
        missing.append(MODEL)
    if config.get("export"):
        done = exported(out_dir)
        if not (done and done["step"] == step and os.path.isdir(done["path"])
                and os.path.abspath(os.path.dirname(done["path"])) ==
                os.path.abspath(config["export"])):
            missing.append("export")
    return missing
