"""The help of the model flags: one text per constructor argument of the
registered models (`tgs.models.MODELS`, their `init_args()`), whichever
models take it. `--help` adds each model's default.

A new constructor argument needs a line here; `tests/commands/test_cli.py`
fails until it has one.
"""

#: Constructor arguments that are not model flags (--seed is the run's;
#: the nets are handed in by code; the class names are the data's).
NOT_FLAGS = ("seed", "generator", "discriminator", "class_names")

#: {constructor argument: what it sets}.
HELP = {
    "ada_kimg": "ADA's adjustment speed: thousands of images for its "
                "probability p to go from 0 to 1 (500: the paper's; 100 "
                "reacts five times faster).",
    "attention_resolution": "Width of the feature maps that get "
                            "self-attention: auto (half the image width: 16 "
                            "for 32x32), a width, or None.",
    "augment": "What D sees in training: None, DiffAugment transforms "
               "(color,translation,cutout: any subset in any order; Zhao et "
               "al. 2020), or ada (their probability adapted, Karras et al. "
               "2020).",
    "batch_norm": "Batch norm in G's hidden layers (PacGAN's 2-D G).",
    "cycle_lambda": "Weight of the cycle-consistency loss (lambda = 10).",
    "d_hidden": "Widths of D's hidden layers when they differ from G's "
                "(None: --hidden).",
    "d_norm": "Normalization of D's hidden layers: batch (DCGAN's), layer "
              "or None (R1 / R2 are per example; batch norm couples "
              "examples).",
    "d_final_convs": "Stride-1 3x3 convolutions at the end of D, each as "
                     "wide as its last strided layer (0: Radford et al.'s "
                     "D).",
    "d_steps": "Discriminator (critic) steps per generator step, each on "
               "its own minibatch (k of Algorithm 1; WGAN-GP's n_critic).",
    "data_shape": "Shape of one example, e.g. 2, for points; read from the "
                  "nets when they are handed in.",
    "blocks": "Residual blocks per resolution stage.",
    "dropout": "D's dropout after each maxout layer (0: none, as PacGAN's "
               "2-D D).",
    "ema_kimg": "None, or the half-life in thousands of images of an "
                "exponential moving average of G's weights (e.g. 10; "
                "StyleGAN2-ADA's ema_kimg), updated by the suite after every "
                "step from --ema_start on, whatever the model's step does; "
                "the average makes the samples, FID and exports.",
    "ema_rampup": "The EMA's half-life is at most this share of the images "
                  "seen since it started (StyleGAN2-ADA's ramp-up, 0.05); "
                  "None: --ema_kimg from the first step.",
    "ema_start": "Steps before the average starts (it copies G until "
                 "then).",
    "expansion": "Inverted bottleneck's expansion: a block's inner width "
                 "over its stage's width.",
    "filters": "Width of the nets' first layer (G mirrors D's); None: "
               "sized to the images (the model's docstring).",
    "gan_weight": "Weight of the GAN term in G's loss (1 in the paper); 0 "
                  "trains G on L1 alone (the L1 ablation) while D still "
                  "trains.",
    "r1_gamma": "Weight of the zero-centred R1 gradient penalty on real "
                "data (r1_gamma / 2 * R1 in D's loss; 0: none).",
    "r2_gamma": "Weight of the zero-centred R2 gradient penalty on "
                "generated data (r2_gamma / 2 * R2 in D's loss; 0: none).",
    "penalty_interval": "N: R1 / R2 computed every N-th update of D "
                        "only, weighted N times (StyleGAN2's lazy "
                        "regularization, 16 there); 1: every update.",
    "gp_weight": "Weight of the gradient penalty (lambda of Gulrajani et al."
                 " 2017, Algorithm 1).",
    "group_size": "Channels per group of the grouped 3x3 convolutions.",
    "hidden": "Widths of the MLPs' hidden layers (G's and D's).",
    "identity_lambda": "Weight of the identity loss relative to "
                       "--cycle_lambda (0.5 in the reference; 0 drops it).",
    "image_shape": "H,W,C of the built-in nets' images (the sizes each "
                   "model's nets take: its docstring); read from the nets "
                   "when they are handed in.",
    "l1_lambda": "Weight of the L1 term (lambda = 100 in the paper).",
    "latent_dim": "Length of z; read from the nets when they are handed in.",
    "n_blocks": "Residual blocks of the generators; None: 9 for images over "
                "128 pixels, else 6.",
    "norm": "Normalization in the nets: batch or instance.",
    "num_classes": "Number of classes of a conditional model (labels 0 .. "
                   "num_classes - 1); None: unconditional.",
    "output_activation": "G's output activation (None: linear; tanh for "
                         "images in [-1, 1]).",
    "pack": "m, the samples D judges at once (PacGAN, Lin et al. 2018); 1: "
            "no packing. Unconditional models only; every D minibatch must "
            "be a multiple of m.",
    "pool_size": "Generated images kept per discriminator for its updates "
                 "(50; 0: none).",
    "value_range": "low,high: what G makes and D takes (Keras' name), e.g. "
                   "0,1 for a sigmoid G; data, samples, FID and exports "
                   "convert from it (default -1,1).",
    "update": "alternating (Algorithm 1: D step(s), then a G step) or "
              "simultaneous (one noise batch for both, the TF tutorial's "
              "step).",
    "weight_std": "N(0, weight_std) initial weights (0.02 in PacGAN); None: "
                  "Keras' Glorot uniform.",
}
