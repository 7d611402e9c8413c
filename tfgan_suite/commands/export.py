"""Export a trained model for TF Serving.

    python scripts/export.py --model_path=runs/train --name=dcgan
    # -> saved_models/dcgan/<next version>/, saved_models/models.config,
    #    then tgs.serving.verify: signatures, warm-up replays, outputs equal
    #    to the Keras model's, saved_model_cli show/run.
"""

import os

from absl import flags

import tfgan_suite as tgs
from tfgan_suite.commands import cli

flags.DEFINE_string("model_path", None, "Run folder or .keras file.")
flags.DEFINE_string("name", None, "Model name under --root (default: the "
                    "model's name, e.g. wgan_gp; a class of your own: its "
                    "name in lower case).")
flags.DEFINE_string("root", "saved_models", "Folder of all served models.")
flags.DEFINE_integer("version", None, "Version (default: next integer).")
flags.DEFINE_bool("overwrite", False, "Replace an existing version.")
flags.DEFINE_bool("verify", True, "Verify the export (tgs.serving.verify).")
FLAGS = flags.FLAGS


def main(argv):
    source = FLAGS.model_path
    if not source:
        raise ValueError("--model_path: expected a run folder or .keras "
                         "file")
    model = tgs.runs.load(source)
    if not hasattr(model, "get_config"):
        raise ValueError(f"--model_path: {source} is already a SavedModel; "
                         f"expected a run folder or .keras file")
    name = FLAGS.name or (type(model).cli_name or type(model).__name__.lower())
    model = tgs.serving.in_float32(model)  # one copy for export and check.
    reports = []
    # Verified before it is renamed into place: a failed export (or
    # verification) leaves no version behind.
    check = (lambda tmp: reports.append(tgs.serving.verify(tmp, model))
             if FLAGS.verify else None)
    path = tgs.serving.export_saved_model(
        model, os.path.join(FLAGS.root, name), version=FLAGS.version,
        overwrite=FLAGS.overwrite, check=check,
        metrics=tgs.runs.layout.last_fid(source) if os.path.isdir(source)
        else None)
    print(f"exported {path}")
    for report in reports:
        print(f"verified: signatures {', '.join(report['signatures'])}; "
              f"{report['warmup_requests']} warm-up requests replayed, equal "
              f"to the Keras outputs; saved_model_cli show/run ok")


def run():
    """Runs the program (started by `tfgan_launch.export`)."""
    cli.run(main)


if __name__ == "__main__":
    run()
