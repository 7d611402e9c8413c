"""The seed papers' configurations by name, as plain data.

Each preset gives the model (`model`, `model_args`), how it is compiled
(`compile`), its data (`data`) and how long it trains (`train`). Callers
override any field; `scripts/train.py --preset=NAME` applies one.
"""

import copy

# Cosine decay to 0 over the run: the late small steps put samples within
# 3 std (0.03 on the ring) of the modes.
_ADAM_1E3 = {"class_name": "Adam", "config": {
    "learning_rate": {"module": "keras.optimizers.schedules",
                      "class_name": "CosineDecay", "config": {
                          "initial_learning_rate": 1e-3, "decay_steps": 5000}},
    "beta_1": 0.5}}
_TOY_GAN = {
    "model": "gan",
    "model_args": {"latent_dim": 2, "hidden": (128, 128)},
    "compile": {"loss": "non_saturating", "g_optimizer": _ADAM_1E3,
                "d_optimizer": _ADAM_1E3},
    "train": {"steps": 5000, "steps_per_epoch": 1000},
}

PRESETS = {
    # Seed paper Fig. 8: DCGAN on the full Fashion-MNIST training set.
    # filters=32: at 5 CPU-minutes it reached domain FID 39.5 vs 62.7 for
    # filters=64 (results/quality_race_5min_cpu.json).
    "fashion_mnist_dcgan": {
        "model": "dcgan",
        "model_args": {"latent_dim": 100, "filters": 32},
        "compile": {"loss": "non_saturating"},
        "data": {"dataset": "fashion_mnist", "batch_size": 128},
        "train": {"epochs": 20, "fid_every_n_steps": 1000},
    },
    # Seed paper Fig. 9: DCGAN on one CIFAR-10 class at a time.
    "cifar10_dcgan": {
        "model": "dcgan",
        "model_args": {"latent_dim": 100},
        "compile": {"loss": "non_saturating"},
        "data": {"dataset": "cifar10", "classes": ["horse"], "batch_size": 64},
        "train": {"epochs": 100, "fid_every_n_steps": 1000},
    },
    # Conditional GAN (Mirza & Osindero 2014) on Fashion-MNIST labels.
    "fashion_mnist_cgan": {
        "model": "cgan",
        "model_args": {"latent_dim": 100},
        "compile": {"loss": "non_saturating"},
        "data": {"dataset": "fashion_mnist", "batch_size": 128},
        "train": {"epochs": 20},
    },
    # Seed paper Fig. 10: SAGAN on CIFAR-10 horses, 10 000 steps of batch
    # 64, FID every 1 000 steps on 5 000 samples (hinge, TTUR: the model's
    # defaults).
    "cifar10_horse_sagan": {
        "model": "sagan",
        "model_args": {"latent_dim": 128, "filters": 64,
                       "attention_resolution": 16},
        "compile": {"loss": "hinge"},
        "data": {"dataset": "cifar10", "classes": ["horse"], "batch_size": 64},
        "train": {"steps": 10000, "steps_per_epoch": 1000,
                  "fid_every_n_steps": 1000, "fid_num_images": 5000},
    },
    # The same SAGAN recipe on Fashion-MNIST (attention at 14x14), the data
    # this machine has offline; filters=32 as the DCGAN preset.
    "fashion_mnist_sagan": {
        "model": "sagan",
        "model_args": {"latent_dim": 128, "filters": 32},
        "compile": {"loss": "hinge"},
        "data": {"dataset": "fashion_mnist", "batch_size": 64},
        "train": {"steps": 10000, "steps_per_epoch": 1000,
                  "fid_every_n_steps": 1000, "fid_num_images": 5000},
    },
    # Seed paper Figs. 12-13: pix2pix on facades (labels -> photos), 400
    # training pairs, batch 1, 150 epochs; lambda = 100.
    "facades_pix2pix": {
        "model": "pix2pix",
        "model_args": {"l1_lambda": 100.0, "filters": 64, "norm": "batch"},
        "compile": {"loss": "non_saturating"},
        "data": {"dataset": "facades", "batch_size": 1, "image_size": 256},
        "train": {"epochs": 150},
    },
    # The same recipe on generated label maps -> renderings at 64x64: no
    # download, minutes on a CPU.
    "synthetic_pix2pix": {
        "model": "pix2pix",
        "model_args": {"l1_lambda": 100.0, "filters": 32, "norm": "batch"},
        "compile": {"loss": "non_saturating"},
        "data": {"dataset": "synthetic_pairs", "batch_size": 4,
                 "image_size": 64},
        "train": {"epochs": 10},
    },
    # Goodfellow et al. 2014 MLP GAN on the mode-collapse benchmarks of
    # VEEGAN / PacGAN (8 Gaussians on a ring, 25 on a grid).
    "ring_gan": {**_TOY_GAN, "data": {"dataset": "ring", "batch_size": 256}},
    "grid_gan": {**_TOY_GAN, "data": {"dataset": "grid", "batch_size": 256}},
}


#: The preset `scripts/train.py --model=NAME` starts from when none is given.
DEFAULT_FOR_MODEL = {"dcgan": "fashion_mnist_dcgan",
                     "cgan": "fashion_mnist_cgan", "gan": "ring_gan",
                     "sagan": "cifar10_horse_sagan",
                     "pix2pix": "facades_pix2pix"}


def default_for(model):
    """Name of the default preset of `model` (None if it has none)."""
    return DEFAULT_FOR_MODEL.get(model)


def get(name):
    """A deep copy of preset `name`."""
    if name not in PRESETS:
        raise ValueError(f"preset: expected one of {sorted(PRESETS)}, got "
                         f"{name!r}")
    return copy.deepcopy(PRESETS[name])
