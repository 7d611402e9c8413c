"""What the scripts share: absl flag definitions and error reporting.

Bad input raises `ValueError` in the library; `run` prints its message as
one line and exits with status 2 (with a traceback only for --verbosity>=1).
"""

import sys

from absl import app, flags, logging


def define_training_flags():
    """Flags of `scripts/train.py`; None means "the preset's value"."""
    flags.DEFINE_string("model", None, "Model: gan, dcgan, cgan, sagan, pix2pix "
                        "(default: the preset's, else dcgan).")
    flags.DEFINE_string("preset", None, "A configuration of tgs.presets, "
                        "e.g. fashion_mnist_dcgan.")
    flags.DEFINE_string("dataset", None, "fashion_mnist, cifar10, folder, "
                        "ring, grid; pairs: facades, pairs (any A|B folder),"
                        " synthetic_pairs.")
    flags.DEFINE_list("classes", None, "Class names or indices to keep "
                      "(CIFAR-10), e.g. horse.")
    flags.DEFINE_string("data_dir", None, "Where the data is (CIFAR-10 "
                        "pickles, an image folder, IDX files).")
    flags.DEFINE_list("image_size", None, "H,W to resize folder images to.")
    flags.DEFINE_integer("epochs", None, "Training epochs.")
    flags.DEFINE_integer("steps", None, "Training steps (overrides epochs).")
    flags.DEFINE_integer("steps_per_epoch", None, "Steps between epoch ends "
                         "(sample grids, logs) with --steps.")
    flags.DEFINE_integer("batch_size", None, "Minibatch size m.")
    flags.DEFINE_integer("latent_dim", None, "Length of z.")
    flags.DEFINE_integer("filters", None, "Width of the DCGAN nets.")
    flags.DEFINE_integer("num_classes", None, "Class-conditional SAGAN: the "
                         "number of classes (the data must have labels).")
    flags.DEFINE_integer("attention_resolution", None, "SAGAN: width of the "
                         "feature maps with self-attention.")
    flags.DEFINE_enum("direction", None, ["AtoB", "BtoA"], "pix2pix: which "
                      "half of each A|B image is the input.")
    flags.DEFINE_float("l1_lambda", None, "pix2pix: weight of the L1 term.")
    flags.DEFINE_enum("norm", None, ["batch", "instance"], "pix2pix: "
                      "normalization in both nets.")
    flags.DEFINE_integer("d_steps", None, "Discriminator steps per "
                         "generator step (k of Algorithm 1).")
    flags.DEFINE_enum("update", None, ["alternating", "simultaneous"],
                      "alternating: Algorithm 1 (D step, then G step on "
                      "fresh noise); simultaneous: the TF tutorial's step "
                      "(both nets from one forward pass, d_steps=1).")
    flags.DEFINE_string("loss", None, "minimax, non_saturating, "
                        "least_squares, wasserstein_gp or hinge.")
    flags.DEFINE_integer("sample_every_n_steps", None,
                         "Also render the sample grid every n steps.")
    flags.DEFINE_integer("fid_every_n_steps", None, "Domain FID every n "
                         "steps (0: off); the classifier is trained on "
                         "first use and cached.")
    flags.DEFINE_integer("fid_num_images", None, "Generated images per FID.")
    flags.DEFINE_string("classifier_path", None, "Domain classifier file.")
    flags.DEFINE_enum("jit_compile", "auto", ["auto", "true", "false"],
                      "XLA: auto = on with a GPU only.")
    flags.DEFINE_integer("steps_per_execution", None, "Training steps per "
                         "call of the compiled function.")
    flags.DEFINE_bool("mixed_precision", None, "mixed_float16 on GPU (with "
                      "loss scaling), mixed_bfloat16 on CPU.")
    flags.DEFINE_enum("strategy", None, ["none", "mirrored", "multi_worker"],
                      "tf.distribute: mirrored = all local GPUs (or CPUs); "
                      "multi_worker = the cluster in TF_CONFIG.")
    flags.DEFINE_integer("seed", None, "Random seed; also makes TF ops "
                         "deterministic (same seed, same losses on CPU).")
    flags.DEFINE_bool("resume", False, "Continue the run in --out_dir from "
                      "its latest checkpoint (its config.json; --epochs / "
                      "--steps may extend it).")
    flags.DEFINE_integer("keep_checkpoints", None, "Checkpoints to keep "
                         "(one per epoch; --steps_per_epoch sets how often).")
    flags.DEFINE_string("out_dir", "runs/train", "Run folder.")
    flags.DEFINE_string("export", None, "Export the generator to this "
                        "folder (e.g. saved_models/dcgan).")


def training_overrides(FLAGS):
    """The training flags as keyword arguments of `experiment.make_config`."""
    jit = {"auto": None, "true": True, "false": False}[FLAGS.jit_compile]
    return dict(
        model=FLAGS.model, dataset=FLAGS.dataset, classes=FLAGS.classes,
        data_dir=FLAGS.data_dir,
        image_size=([int(s) for s in FLAGS.image_size]
                    if FLAGS.image_size else None),
        epochs=FLAGS.epochs, steps=FLAGS.steps,
        steps_per_epoch=FLAGS.steps_per_epoch, batch_size=FLAGS.batch_size,
        latent_dim=FLAGS.latent_dim, filters=FLAGS.filters,
        d_steps=FLAGS.d_steps, update=FLAGS.update, loss=FLAGS.loss,
        num_classes=FLAGS.num_classes,
        attention_resolution=FLAGS.attention_resolution,
        direction=FLAGS.direction, l1_lambda=FLAGS.l1_lambda, norm=FLAGS.norm,
        sample_every_n_steps=FLAGS.sample_every_n_steps, jit_compile=jit,
        steps_per_execution=FLAGS.steps_per_execution,
        mixed_precision=FLAGS.mixed_precision, strategy=FLAGS.strategy,
        keep_checkpoints=FLAGS.keep_checkpoints,
        seed=FLAGS.seed, export=FLAGS.export,
        fid_every_n_steps=FLAGS.fid_every_n_steps,
        fid_num_images=FLAGS.fid_num_images,
        classifier_path=FLAGS.classifier_path)


def run(main):
    """`absl.app.run(main)`, turning a ValueError into one line on stderr."""
    def guarded(argv):
        if len(argv) > 1:
            raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
        try:
            return main(argv)
        except ValueError as e:
            if logging.get_verbosity() >= logging.DEBUG:
                raise
            print(f"error: {e}", file=sys.stderr)
            sys.exit(2)
    app.run(guarded)
