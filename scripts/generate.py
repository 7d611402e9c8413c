"""Generate images from a trained model.

    python scripts/generate.py --model_path=runs/train --num=64 --out=samples.png
    python scripts/generate.py --model_path=saved_models/dcgan --num=16
    # The seed paper's Fig. 9: keep only samples D scores >= 0.99.
    python scripts/generate.py --model_path=runs/cifar_horse --min_d_score=0.99
    # SAGAN Fig. 1: where a few query pixels attend.
    python scripts/generate.py --model=sagan --model_path=runs/sagan \
        --attention_maps --num=4 --out=attention.png
"""

from tfgan_suite.commands.generate import run

if __name__ == "__main__":
    run()
