"""What a run folder holds, by name, and its config file.

    <out_dir>/config.json     the run's config (`runs.config.RunConfig`),
                              written once the run is known to start
              checkpoints/    ckpt-<step>: the full training state
              model.keras     the trained model, written at the end
              model.json      the step model.keras holds (or why a
                              .keras file could not be written)
              export.json     where the run's export went (if it exports)
              fid.csv         FID during training (`callbacks.Scores`)
              samples/ losses.csv losses.png history.csv health.json logs/

A run is complete when `model.json` records its last step (with a whole
`model.keras` of that step, or the reason there is none) and, if it was
asked to export, `export.json` names an export of its last step.
"""

import csv
import json
import math
import os

from tfgan_suite import files

CONFIG = "config.json"
CHECKPOINTS = "checkpoints"
MODEL = "model.keras"
EXPORTED = "export.json"
SAVED = "model.json"
FID = "fid.csv"


def _record(out_dir, name):
    """The JSON record `name` of the run in `out_dir`, or None."""
    path = os.path.join(out_dir, name)
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def exported(out_dir):
    """{"path", "step"} of the run's export, or None."""
    return _record(out_dir, EXPORTED)


def record_export(out_dir, path, step):
    files.write_text(os.path.join(out_dir, EXPORTED),
                     json.dumps({"path": path, "step": int(step)}, indent=2))


def record_model(out_dir, step, problem=None):
    """Records that `model.keras` holds step `step`, or, with `problem`,
    why no `.keras` file of the model could be written."""
    files.write_text(os.path.join(out_dir, SAVED), json.dumps(
        {"step": int(step), "keras": problem is None, "problem": problem},
        indent=2))


def saved_model(out_dir):
    """{"step", "keras", "problem"} of the run's `model.keras`, or None."""
    return _record(out_dir, SAVED)


def keras_file(out_dir, step=None):
    """The run's `model.keras` if it holds `step` (None: any step; a run
    extended by resuming it rewrites it at the end), else None: none was
    written, or it holds an older step."""
    saved = saved_model(out_dir)
    path = os.path.join(out_dir, MODEL)
    if not os.path.isfile(path) or (saved is not None and not (
            saved["keras"] and (step is None or saved["step"] >= step))):
        return None
    return path


def last_fid(out_dir):
    """The run's last measured FID, from its `fid.csv` (a `step` column
    and one named by the extractor's label: `domain_FID`, `FID`, ...):
    {"fid": value, "fid_features": the label ("domain FID"), "fid_step":
    step}, or {} when it measured none."""
    path = os.path.join(out_dir, FID)
    if not os.path.isfile(path):
        return {}
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    column = next((c for c in (rows[0] if rows else {})
                   if c.endswith("FID")), None)
    for row in reversed(rows if column else []):
        try:
            value = float(row[column])
        except (TypeError, ValueError):
            continue
        if math.isfinite(value):
            return {"fid": value, "fid_features": column.replace("_", " "),
                    "fid_step": int(row["step"])}
    return {}


def missing_outputs(out_dir, config, step):
    """What the run of `config` (a `RunConfig`) at `step` still lacks to be
    complete: a list of
    "model.keras" (absent or damaged) and / or "export"."""
    missing = []
    saved = saved_model(out_dir)
    model = os.path.join(out_dir, MODEL)
    if not (saved and saved["step"] == step and (not saved["keras"] or (
            os.path.isfile(model) and files.zip_damage(model) is None))):
        missing.append(MODEL)
    if config.export:
        done = exported(out_dir)
        if not (done and done["step"] == step and os.path.isdir(done["path"])
                and os.path.abspath(os.path.dirname(done["path"])) ==
                os.path.abspath(config.export)):
            missing.append("export")
    return missing
