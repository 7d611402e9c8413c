"""Export a trained model for TF Serving.

    python scripts/export.py --run_dir=runs/train --name=dcgan
    # -> saved_models/dcgan/<next version>/, saved_models/models.config,
    #    then tgs.export.verify: signatures, warm-up replays, outputs equal
    #    to the Keras model's, saved_model_cli show/run.
"""

from tfgan_suite.commands.export import run

if __name__ == "__main__":
    run()
