"""What the scripts share: absl flag definitions and error reporting.

Bad input raises `ValueError` in the library; `run` prints its message as
one line and exits with status 2 (with a traceback only for --verbosity>=1).

This module does not load TensorFlow: the model flags come from
`FLAG_TABLE`, the models' own declarations (constructor arguments, their
help, presets) written to a file, so `--help` and a bad flag answer at
once. `tests/training/test_cli.py` checks the file equals
`model_flag_table()`; `python -m tfgan_suite.training.cli` rewrites it
after a model changes.
"""

import ast
import functools
import inspect
import json
import os
import re
import sys

from absl import app, flags, logging

#: Constructor arguments that are not model flags (--seed is the run's).
_NOT_FLAGS = ("seed", "generator", "discriminator")
#: What the models declare for the command line (see the docstring).
FLAG_TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "model_flags.json")


def model_flag_table():
    """The models' declarations for the command line, read from the model
    classes (this loads them): names, default model, presets, and per
    constructor argument its help and each model's default."""
    from tfgan_suite import models
    args = {}
    for name, cls in sorted(models.MODELS.items()):
        for arg, default in cls.init_args().items():
            if arg in _NOT_FLAGS:
                continue
            entry = args.setdefault(arg, {"help": _arg_help(cls, arg),
                                          "defaults": {}})
            entry["defaults"][name] = _show(default)
    return {"models": sorted(models.MODELS),
            "default_model": models.DEFAULT_MODEL,
            "presets": models.presets.names(), "args": args}


@functools.lru_cache(maxsize=None)
def flag_table():
    """`FLAG_TABLE` as written (no model is loaded); read once."""
    with open(FLAG_TABLE) as f:
        return json.load(f)


def define_training_flags():
    """Flags of `scripts/train.py`; None means "the preset's value"."""
    table = flag_table()
    flags.DEFINE_string("model", None, f"Model: {', '.join(table['models'])}"
                        f", or module:Class for your own subclass of "
                        f"tgs.models.AdversarialModel (default: the preset's, "
                        f"else {table['default_model']}).")
    flags.DEFINE_string("preset", None, "A configuration by name: "
                        f"{', '.join(table['presets'])}.")
    flags.DEFINE_string("dataset", None, "fashion_mnist, cifar10, folder, "
                        "ring, grid; pairs: facades, pairs (any A|B folder),"
                        " synthetic_pairs.")
    flags.DEFINE_list("classes", None, "Class names or indices to keep "
                      "(CIFAR-10), e.g. horse.")
    flags.DEFINE_string("data_dir", None, "Where the data is (CIFAR-10 "
                        "pickles, an image folder, IDX files).")
    flags.DEFINE_list("image_size", None, "Size (64) or H,W to resize folder "
                      "images and pairs to.")
    flags.DEFINE_integer("epochs", None, "Training epochs.")
    flags.DEFINE_integer("steps", None, "Training steps (overrides epochs).")
    flags.DEFINE_integer("steps_per_epoch", None, "Steps between epoch ends "
                         "(sample grids, logs) with --steps.")
    flags.DEFINE_integer("batch_size", None, "Minibatch size m.")
    flags.DEFINE_integer("max_images", None, "Train on this many examples of "
                         "the data (a seeded pick, --seed): the low-data "
                         "regime, e.g. with --augment.")
    flags.DEFINE_enum("direction", None, ["AtoB", "BtoA"], "pix2pix: which "
                      "half of each A|B image is the input.")
    flags.DEFINE_string("loss", None, "minimax, non_saturating, "
                        "least_squares, wasserstein_gp or hinge.")
    flags.DEFINE_integer("sample_every_n_steps", None,
                         "Also render the sample grid every n steps.")
    flags.DEFINE_integer("fid_every_n_steps", None, "Domain FID every n "
                         "steps (0: off); the classifier is trained on "
                         "first use and cached.")
    flags.DEFINE_integer("fid_num_images", None, "Generated images per FID.")
    flags.DEFINE_list("fid_metrics", None, "Scores measured with FID: any "
                      "of fid, kid, precision, recall, density, coverage, "
                      "classes (default: fid).")
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
    flags.DEFINE_multi_string("model_args", [], "key=value: a constructor "
                              "argument of the model (repeatable), for "
                              "arguments without a flag of their own (a "
                              "module:Class model's).")
    define_model_flags(table)


def define_model_flags(table, flag_values=flags.FLAGS):
    """One flag per constructor argument of the models (`table["args"]`,
    the union of their `init_args()`), help from the Args sections of their
    docstrings. Values are Python literals (64, 0.5, None, auto, 28,28,1)."""
    for name, entry in sorted(table["args"].items()):
        per_model = ", ".join(f"{m}: {d}" for m, d in
                              sorted(entry["defaults"].items()))
        flags.DEFINE_string(name, None, f"{entry['help'] or name} "
                            f"[model argument; defaults: {per_model}]",
                            flag_values=flag_values)


def _show(value):
    return "None" if value is inspect.Parameter.empty else repr(value)


def _arg_help(cls, name):
    """The text of `name:` in the Args section of a class's docstring or
    its `__init__`'s."""
    for klass in cls.__mro__:
        for doc in (klass.__doc__, getattr(klass.__init__, "__doc__", None)):
            match = re.search(rf"^\s+(?:[\w, ]*\b)?{name}\b[\w, ]*:\s*(.+?)"
                              rf"(?:\n\s*\n|\n\s+[\w, ]+:\s|\Z)",
                              doc or "", re.M | re.S)
            if match:
                return " ".join(match.group(1).split())
    return ""


def parse_value(text):
    """A flag's text as a Python value: a literal (64, 0.5, None, True,
    (28, 28, 1)), a comma list as a tuple, else the string itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        pass
    if "," in text:
        return tuple(parse_value(part.strip()) for part in text.split(","))
    lowered = {"none": None, "true": True, "false": False}
    return lowered.get(text.lower(), text)


def model_args(FLAGS):
    """{argument: value} of the model flags set on the command line and of
    --model_args=key=value."""
    args = {}
    for name in sorted(flag_table()["args"]):
        if getattr(FLAGS, name) is not None:
            args[name] = parse_value(getattr(FLAGS, name))
    for item in FLAGS.model_args:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--model_args: expected key=value, got {item!r}")
        args[key.strip()] = parse_value(value.strip())
    return args


def image_size(values):
    """--image_size as [H, W]: one number means a square."""
    if not values:
        return None
    try:
        size = [int(v) for v in values]
    except ValueError:
        size = []
    if len(size) not in (1, 2) or min(size) < 1:
        raise ValueError(f"--image_size: expected a size (64) or H,W (64,128),"
                         f" got {','.join(values)}")
    return size * 2 if len(size) == 1 else size


def training_overrides(FLAGS):
    """The training flags as keyword arguments of `experiment.make_config`."""
    jit = {"auto": None, "true": True, "false": False}[FLAGS.jit_compile]
    return dict(
        model=FLAGS.model, dataset=FLAGS.dataset, classes=FLAGS.classes,
        data_dir=FLAGS.data_dir,
        image_size=image_size(FLAGS.image_size),
        epochs=FLAGS.epochs, steps=FLAGS.steps,
        steps_per_epoch=FLAGS.steps_per_epoch, batch_size=FLAGS.batch_size,
        max_images=FLAGS.max_images,
        loss=FLAGS.loss, direction=FLAGS.direction,
        sample_every_n_steps=FLAGS.sample_every_n_steps, jit_compile=jit,
        steps_per_execution=FLAGS.steps_per_execution,
        mixed_precision=FLAGS.mixed_precision, strategy=FLAGS.strategy,
        keep_checkpoints=FLAGS.keep_checkpoints,
        seed=FLAGS.seed, export=FLAGS.export,
        fid_every_n_steps=FLAGS.fid_every_n_steps,
        fid_num_images=FLAGS.fid_num_images,
        fid_metrics=FLAGS.fid_metrics,
        classifier_path=FLAGS.classifier_path,
        model_args=model_args(FLAGS))


def run(main):
    """`absl.app.run(main)` with the suite's flags shown by `--help`, and
    bad input (a flag value of the wrong type, a ValueError of the library)
    as one line on stderr and exit status 2 (a traceback only with
    --verbosity=1 or more)."""
    _adopt_key_flags()

    def parse(argv):
        try:
            return flags.FLAGS(argv)
        except flags.Error as e:
            print(f"error: {e}\nTry --help.", file=sys.stderr)
            sys.exit(2)

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
        except KeyboardInterrupt:  # before or after training: nothing to save.
            print("interrupted", file=sys.stderr)
            sys.exit(130)
    app.run(guarded, flags_parser=parse)


def program():
    """How the user started this program: `tfgan-train` for a console
    script, `python scripts/train.py` for a script."""
    name = sys.argv[0]
    if name.endswith(".py"):
        return f"python {os.path.relpath(name)}"
    return os.path.basename(name)


def _adopt_key_flags():
    """Makes every flag defined by the suite a key flag of the program
    (`sys.argv[0]`), so `--help` lists them, whether it runs as
    scripts/<name>.py or as an installed console script."""
    for module, defined in flags.FLAGS.flags_by_module_dict().items():
        if module.startswith("tfgan_suite"):
            for flag in defined:
                flags.FLAGS.register_key_flag_for_module(sys.argv[0], flag)


if __name__ == "__main__":  # rewrite FLAG_TABLE from the models.
    with open(FLAG_TABLE, "w") as f:
        json.dump(model_flag_table(), f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {FLAG_TABLE}")
