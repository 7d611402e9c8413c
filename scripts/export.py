"""Export a trained model for TF Serving.

    python scripts/export.py --model_path=runs/train --name=dcgan
    # -> saved_models/dcgan/<next version>/, saved_models/models.config
"""

import os

from absl import flags

from tfgan_suite import cli, export, sampling

flags.DEFINE_string("model_path", None, "Run folder or .keras file.",
                    required=True)
flags.DEFINE_string("name", None, "Model name under --root (default: the "
                    "model's class name in lower case).")
flags.DEFINE_string("root", "saved_models", "Folder of all served models.")
flags.DEFINE_integer("version", None, "Version (default: next integer).")
flags.DEFINE_bool("overwrite", False, "Replace an existing version.")
FLAGS = flags.FLAGS


def main(argv):
    model = sampling.load(FLAGS.model_path)
    if not hasattr(model, "serving_endpoints"):
        raise ValueError(f"--model_path: {FLAGS.model_path} is already a "
                         f"SavedModel; expected a run folder or .keras file")
    name = FLAGS.name or type(model).__name__.lower()
    path = export.export_saved_model(model, os.path.join(FLAGS.root, name),
                                     version=FLAGS.version,
                                     overwrite=FLAGS.overwrite)
    print(f"exported {path}")


if __name__ == "__main__":
    cli.run(main)
