r"""Generate images from a trained model.

    python scripts/generate.py --model_path=runs/train --num=64 --out=samples.png
    # 50 000 PNG files in a folder, for FID (a conditional model: one
    # sub-folder per class):
    python scripts/generate.py --model_path=runs/train --num=50000 --out=gen/
    # pix2pix on your own images (a run folder or its SavedModel):
    python scripts/generate.py --model_path=runs/p2p --input=labels/ --out=photos/
    # a model that translates both ways (unpaired domains A and B):
    python scripts/generate.py --model_path=runs/h2z --input=zebras/ \
        --out=horses/ --direction=b_to_a
    python scripts/generate.py --model_path=saved_models/dcgan --num=16
    # A conditional model: its classes by name (a folder's sub-folders) or index.
    python scripts/generate.py --model_path=runs/cgan --label=bag --num=16
    # The seed paper's Fig. 9: keep only samples D scores >= 0.99.
    python scripts/generate.py --model_path=runs/cifar_horse --min_d_score=0.99
    # Truncation: psi < 1 trades variety for fidelity (StyleGAN's pull
    # toward the mean latent; --truncation_method=truncated_normal: BigGAN's).
    python scripts/generate.py --model_path=runs/train --truncation=0.7
    # A latent walk between seeds 3 and 8: walk.png (a row) and walk.gif;
    # a conditional model: also between two classes (--label=A,B).
    python scripts/generate.py --model_path=runs/train --interpolate=3,8 \
        --frames=16 --out=walk.png
    # SAGAN Fig. 1: where a few query pixels attend.
    python scripts/generate.py --model=sagan --model_path=runs/sagan \
        --attention_maps --num=4 --out=attention.png
"""

import os

from absl import flags

import tfgan_suite as tgs
from tfgan_suite.commands import cli

flags.DEFINE_string("model_path", None, "Run folder, .keras file or "
                    "SavedModel folder.", required=True)
flags.DEFINE_string("model", None, "Expected model, by the name training "
                    "takes (e.g. wgan_gp, or module:Class): an error if the "
                    "file holds another.")
flags.DEFINE_integer("num", 64, "Number of images.")
flags.DEFINE_integer("seed", 0, "Image i comes from seed + i.")
flags.DEFINE_string("out", "samples.png", "Output: a PNG grid (a file "
                    "name ending in .png), or a folder (ending in / or "
                    "without an extension) to write --num PNG files into, "
                    "one sub-folder per class for a conditional model.")
flags.DEFINE_bool("overwrite", False, "With a folder --out (also of "
                  "--input): replace it when it exists and is not empty.")
flags.DEFINE_integer("scale", 2, "Enlarge the grid this many times.")
flags.DEFINE_list("label", None, "Class(es) to generate (conditional "
                  "models), by name (e.g. bag: a folder's sub-folder) or "
                  "index: one for all images, or one per image.")
flags.DEFINE_float("min_d_score", None, "Keep only samples the "
                   "discriminator scores at least this (e.g. 0.99).")
flags.DEFINE_bool("attention_maps", False, "SAGAN: plot where query "
                  "pixels attend (a .keras model or run folder).")
flags.DEFINE_string("input", None, "Image-to-image models (pix2pix, "
                    "CycleGAN): an image file or a folder of images to "
                    "translate; --out is then the output .png file, or the "
                    "folder to create (<name>.png per input <name>.<ext>; "
                    "written whole or not at all, refused when not empty "
                    "unless --overwrite).")
flags.DEFINE_string("direction", None, "With --input, for a model that "
                    "translates both ways: a_to_b or b_to_a (default: the "
                    "model's first, a_to_b).")
flags.DEFINE_integer("max_batches", 200, "Give up filtering after this "
                     "many batches of 256 samples.")
flags.DEFINE_float("truncation", None, "Truncation psi: pull z toward "
                   "the mean latent, psi * z (StyleGAN's trick; 1: none), "
                   "or with --truncation_method=truncated_normal draw z "
                   "within [-psi, psi] (BigGAN's).")
flags.DEFINE_enum("truncation_method", "mean", list(
    tgs.models.latents.TRUNCATION_METHODS), "How --truncation truncates.")
flags.DEFINE_list("interpolate", None, "SEED_A,SEED_B: a latent walk "
                  "(spherical interpolation) from one seed's image to the "
                  "other's, --frames images written as the --out grid "
                  "(.png) and a GIF beside it; with --label=A,B also from "
                  "class A to B.")
flags.DEFINE_integer("frames", 8, "With --interpolate: images in the walk.")
FLAGS = flags.FLAGS

#: Library arguments whose flag is named otherwise: {argument: flag}.
ALIASES = {"labels": "label", "inputs": "input"}


def main(argv):
    if FLAGS.num <= 0:
        raise ValueError(f"--num: expected a positive integer, got {FLAGS.num}")
    model = tgs.runs.load(FLAGS.model_path, model=FLAGS.model)
    if FLAGS.direction and not FLAGS.input:
        raise ValueError("--direction: applies to translating --input "
                         "images; give --input=FILE_OR_FOLDER")
    if not FLAGS.input and tgs.serving.signatures.translates(model):
        raise ValueError(cli.translator_without_input(model,
                                                       FLAGS.model_path))
    if FLAGS.input:
        written = tgs.runs.translate_files(model, FLAGS.input, FLAGS.out,
                                           direction=FLAGS.direction,
                                           overwrite=FLAGS.overwrite)
        print(f"translated {len(written)} image(s) into "
              f"{os.path.abspath(FLAGS.out)}")
        return
    if FLAGS.interpolate:
        return write_interpolation(model)
    if FLAGS["frames"].present:
        raise ValueError("--frames: applies to a latent walk; give "
                         "--interpolate=SEED_A,SEED_B")
    if is_folder(FLAGS.out):
        return write_folder(model)
    conditioning = {}
    if FLAGS.label:
        conditioning["labels"] = (FLAGS.label[0] if len(FLAGS.label) == 1
                                  else FLAGS.label)
    if FLAGS.truncation is not None:
        for flag in ("min_d_score", "attention_maps"):
            if FLAGS[flag].present:
                raise ValueError(f"--truncation: does not apply with "
                                 f"--{flag} (untruncated samples only)")
        conditioning.update(truncation=FLAGS.truncation,
                            truncation_method=FLAGS.truncation_method)
    if FLAGS.attention_maps:
        images, attention = model.attention_maps(FLAGS.num, FLAGS.seed,
                                                 **conditioning)
        side = int(round(attention.shape[-1] ** 0.5))
        queries = [(side // 4, side // 4), (side // 4, 3 * side // 4),
                   (side // 2, side // 2), (3 * side // 4, side // 3)]
        tgs.plots.save_attention_maps(images, attention, queries, FLAGS.out)
        print(f"wrote attention maps of {FLAGS.num} images to "
              f"{os.path.abspath(FLAGS.out)}")
        return
    if FLAGS.min_d_score is not None:
        images, scores, rate = tgs.metrics.discriminator_filtered(
            model, FLAGS.num, FLAGS.min_d_score, max_batches=FLAGS.max_batches,
            seed=FLAGS.seed, **conditioning)
        print(f"acceptance rate at D >= {FLAGS.min_d_score}: {rate:.2%} "
              f"(mean score of kept samples {scores.mean():.4f})")
    else:
        images = model.generate(FLAGS.num, seed=FLAGS.seed, **conditioning)
    tgs.plots.save_samples(images, FLAGS.out, scale=FLAGS.scale)
    print(f"wrote {len(images)} images to {os.path.abspath(FLAGS.out)}")


def is_folder(out):
    """Whether --out names a folder of files rather than a grid image:
    it ends with a path separator, is an existing folder, or has no
    extension."""
    return (out.endswith(("/", os.sep)) or os.path.isdir(out)
            or not os.path.splitext(out)[1])


def write_folder(model):
    for flag in ("min_d_score", "attention_maps"):
        if FLAGS[flag].present:
            raise ValueError(f"--{flag}: writes a grid image; give --out="
                             f"FILE.png (--out={FLAGS.out} is a folder)")
    labels = None
    if FLAGS.label:
        labels = FLAGS.label[0] if len(FLAGS.label) == 1 else FLAGS.label
    counts = tgs.runs.generate_files(
        model, FLAGS.out, FLAGS.num, seed=FLAGS.seed, labels=labels,
        overwrite=FLAGS.overwrite, truncation=FLAGS.truncation,
        truncation_method=FLAGS.truncation_method)
    where = os.path.abspath(FLAGS.out)
    if list(counts) == [""]:
        print(f"wrote {counts['']} images to {where}")
    else:
        print(f"wrote {sum(counts.values())} images to {where}: "
              + ", ".join(f"{name}/ {n}" for name, n in counts.items()))


def write_interpolation(model):
    for flag in ("min_d_score", "attention_maps", "input"):
        if FLAGS[flag].present:
            raise ValueError(f"--interpolate: does not combine with --{flag}")
    try:
        seed_a, seed_b = (int(seed) for seed in FLAGS.interpolate)
    except ValueError:
        raise ValueError(f"--interpolate: expected SEED_A,SEED_B (two "
                         f"integers), got {','.join(FLAGS.interpolate)}"
                         ) from None
    labels = None
    if FLAGS.label:
        labels = FLAGS.label[0] if len(FLAGS.label) == 1 else FLAGS.label
    png, gif = tgs.runs.write_interpolation(
        model, FLAGS.out, seed_a, seed_b, FLAGS.frames, labels=labels,
        truncation=FLAGS.truncation,
        truncation_method=FLAGS.truncation_method, scale=FLAGS.scale)
    print(f"wrote a walk of {FLAGS.frames} frames to {os.path.abspath(png)} "
          f"and {os.path.abspath(gif)}")


def run():
    """Runs the program (started by `tfgan_launch.generate`)."""
    cli.run(main, aliases=ALIASES)


if __name__ == "__main__":
    run()
