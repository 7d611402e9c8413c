"""Evaluate a trained generator: domain FID / KID / IS and classes covered
(images), mode coverage (toy 2-D data), or L1 / PSNR / SSIM on the test
pairs (pix2pix). Writes JSON.

    # once per dataset: train the domain classifier (saved, then reused)
    python scripts/evaluate.py --train_classifier --dataset=fashion_mnist
    python scripts/evaluate.py --model_path=runs/demo --dataset=fashion_mnist
    python scripts/evaluate.py --model_path=runs/ring --dataset=ring
    python scripts/evaluate.py --model=pix2pix --model_path=runs/facades \
        --dataset=facades --data_dir=facades
"""

from tfgan_suite.commands.evaluate import run

if __name__ == "__main__":
    run()
