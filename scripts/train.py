"""Train a GAN of the suite.

    python scripts/train.py --model=dcgan --dataset=fashion_mnist --epochs=5
    python scripts/train.py --preset=cifar10_dcgan --data_dir=cifar-10-batches-py
    python scripts/train.py --out_dir=runs/x --resume     # after a crash
    python scripts/train.py --model=my_module:MyGAN --latent_dim=64  # your own
"""

from tfgan_suite.commands.train import run

if __name__ == "__main__":
    run()
