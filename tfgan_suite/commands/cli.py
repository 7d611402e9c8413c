"""What the commands share: absl flag definitions and error reporting.

Bad input raises a `ValueError` in the library (`tgs.errors`), worded in
arguments; `run` prints its message as one line in the words of the
program's flags (`flag_message`) and exits with status 2 (with a traceback
only for --verbosity>=1).

The flags are read from what the package registers: one model flag per
constructor argument of the models (`tgs.models.MODELS`, their
`init_args()`: names and each model's default; the help of
`model_flags.HELP`), the models, presets, data sources and losses by name.
"""

import ast
import functools
import os
import re
import signal
import sys

from absl import app, flags, logging

from tfgan_suite import data, losses, models
from tfgan_suite.commands import model_flags
from tfgan_suite.models import arguments


def model_defaults():
    """{argument: {model: its default}} of the registered models'
    constructor arguments that are flags (all but `model_flags.NOT_FLAGS`)."""
    defaults = {}
    for name, cls in sorted(models.MODELS.items()):
        for arg, default in cls.init_args().items():
            if arg not in model_flags.NOT_FLAGS:
                defaults.setdefault(arg, {})[name] = default
    return defaults


def dataset_help():
    """--dataset's help: the data sources by name (`tgs.data.SOURCES`)."""
    pairs, unpaired = data.PAIRED_SOURCES, data.UNPAIRED_SOURCES
    single = [name for name in data.SOURCES if name not in pairs + unpaired]
    return (f"Data source: {', '.join(single)}; pairs: {', '.join(pairs)}; "
            f"unpaired (two domains): {', '.join(unpaired)}.")


def define_training_flags(flag_values=flags.FLAGS):
    """Flags of `scripts/train.py` (in `flag_values`); None means "the
    preset's value"."""
    define = {kind: functools.partial(getattr(flags, f"DEFINE_{kind}"),
                                      flag_values=flag_values)
              for kind in ("string", "integer", "float", "bool", "enum",
                           "list", "multi_string")}
    names = ", ".join(sorted(models.MODELS))
    define["string"]("model", None, f"Model: {names}, or module:NAME for "
                     "your own: a subclass of tgs.models.AdversarialModel, "
                     "or any Keras GAN (a keras.Model class, or a function "
                     "returning one, with a train_step and a generator; "
                     "docs/adding_a_model.md) (default: the preset's, else "
                     f"{models.DEFAULT_MODEL}).")
    define["string"]("preset", None, "A configuration by name: "
                     f"{', '.join(models.presets.names())}.")
    define["string"]("dataset", None, dataset_help())
    define["list"]("classes", None, "Class names or indices to keep "
                   "(CIFAR-10), e.g. horse.")
    define["string"]("data_dir", None, "Where the data is (CIFAR-10 "
                     "pickles, an image folder, IDX files).")
    define["list"]("image_size", None, "Size (64) or H,W to resize folder "
                   "images and pairs to.")
    define["integer"]("channels", None, "Folder images: 1 (grayscale) or 3 "
                      "(RGB); default: read from the images (1 when all "
                      "are grayscale).")
    define["float"]("holdout", None, "Folder images: the share held out "
                    "for FID (a seeded pick per sub-folder; default 0.1) "
                    "when the folder has no test/ sub-folder; 0: none.")
    define_folder_flags(flag_values)
    define["integer"]("epochs", None, "Training epochs.")
    define["integer"]("steps", None, "Training steps (overrides epochs).")
    define["integer"]("steps_per_epoch", None, "Steps between epoch ends "
                      "(sample grids, logs) with --steps.")
    define["integer"]("batch_size", None, "Minibatch size m.")
    define["integer"]("max_images", None, "Train on this many examples of "
                      "the data (a seeded pick, --seed): the low-data "
                      "regime, e.g. with --augment.")
    define["enum"]("direction", None, list(data.paired.DIRECTIONS),
                   "Paired data (A|B images): which half is the input; "
                   "unpaired data: b_to_a swaps the domains (trainB/ is "
                   "then A, and the a_to_b signature maps it to trainA/'s).")
    define["string"]("loss", None, f"Loss by name: {', '.join(losses.LOSSES)}"
                     " (default: the preset's, else the model's).")
    define["integer"]("sample_every_n_steps", None,
                      "Also render the sample grid every n steps.")
    define["integer"]("fid_every_n_steps", None, "FID every n steps (0: "
                      "off) on the held-out images (a folder's test/ or "
                      "--holdout share).")
    define["string"]("fid_features", None, "What FID measures with: "
                     "inception (TF-GAN's Inception, fetched once), a "
                     "dataset's domain classifier (fashion_mnist, cifar10,"
                     " folder; trained on first use and cached) or a saved"
                     " Keras classifier file. Default: the data's domain "
                     "classifier; for unlabelled images Inception if a "
                     "local copy exists, else no FID (logged).")
    define["integer"]("fid_num_images", None, "Generated images per FID.")
    define["list"]("fid_metrics", None, "Scores measured with FID: any "
                   "of fid, kid, precision, recall, density, coverage, "
                   "classes (default: fid).")
    define["string"]("classifier_path", None, "Domain classifier file.")
    define["float"]("g_learning_rate", None, "G's learning rate (in the "
                    "preset's optimizer, else the model's default Adam).")
    define["float"]("d_learning_rate", None, "D's learning rate.")
    define["float"]("beta_1", None, "Adam's beta_1, for G and D (e.g. 0.5"
                    " as DCGAN, 0.0 as SAGAN).")
    define["float"]("beta_2", None, "Adam's beta_2, for G and D (e.g. "
                    "0.9 as WGAN-GP and SAGAN).")
    define["enum"]("jit_compile", "auto", ["auto", "true", "false"],
                   "XLA: auto = on with a GPU only.")
    define["integer"]("steps_per_execution", None, "Training steps per "
                      "call of the compiled function.")
    define["enum"]("mixed_precision", None, ["auto", "true", "false"],
                   "true = mixed_float16 on GPU (with loss scaling), "
                   "mixed_bfloat16 on CPU; auto = mixed_bfloat16 on a CPU "
                   "with bfloat16 instructions (AVX-512 BF16 / AMX), "
                   "float32 elsewhere (default: the preset's, else false).")
    define["enum"]("strategy", None, ["none", "mirrored", "multi_worker"],
                   "tf.distribute: mirrored = all local GPUs (or CPUs); "
                   "multi_worker = the cluster in TF_CONFIG.")
    define["integer"]("seed", None, "Random seed; also makes TF ops "
                      "deterministic (same seed, same losses on CPU) unless "
                      "the step compiles with XLA.")
    define["bool"]("resume", False, "Continue the run in --out_dir from "
                   "its latest checkpoint (its config.json; --epochs / "
                   "--steps may extend it).")
    define["integer"]("keep_checkpoints", None, "Checkpoints to keep "
                      "(one per epoch; --steps_per_epoch sets how often).")
    define["string"]("out_dir", "runs/train", "Run folder.")
    define["string"]("export", None, "Export the generator to this "
                     "folder (e.g. saved_models/dcgan).")
    define["multi_string"]("model_args", [], "key=value: a constructor "
                           "argument of the model (repeatable), for "
                           "arguments without a flag of their own (a "
                           "module:NAME model's).")
    define_model_flags(flag_values)


def define_folder_flags(flag_values=flags.FLAGS):
    """--resize and --skip_bad_files: how the images of a folder (or pairs)
    of other sizes and its unreadable files are taken, the data sources'
    `resize` and `skip_bad_files` (`tgs.data.load`)."""
    flags.DEFINE_enum("resize", None, ["stretch", "crop", "pad"], "Folder "
                      "images and pairs of another size than --image_size "
                      "(default: the first image's): stretch (default), "
                      "crop (scale to cover, centre crop) or pad (scale to "
                      "fit, black borders).", flag_values=flag_values)
    flags.DEFINE_bool("skip_bad_files", None, "Folder images and pairs: "
                      "use the readable images, leaving out (and counting) "
                      "the files that are not, rather than stop.",
                      flag_values=flag_values)


def define_model_flags(flag_values=flags.FLAGS):
    """One flag per constructor argument of the models (`model_defaults()`),
    its help from `model_flags.HELP` (a test checks that every argument has
    one) and each model's default. Values are Python literals (64, 0.5,
    None, auto, 28,28,1)."""
    for name, defaults in sorted(model_defaults().items()):
        per_model = ", ".join(f"{model}: {default!r}" for model, default in
                              sorted(defaults.items()))
        flags.DEFINE_string(name, None, f"{model_flags.HELP.get(name, '')} "
                            f"[model argument; defaults: {per_model}]",
                            flag_values=flag_values)


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
    for name in sorted(model_defaults()):
        if getattr(FLAGS, name) is not None:
            args[name] = parse_value(getattr(FLAGS, name))
    for item in FLAGS.model_args:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--model_args: expected key=value, got "
                             f"{item!r}")
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


#: `--mixed_precision`'s values as the config's `mixed_precision`.
MIXED_PRECISION = {"auto": "auto", "true": True, "false": False}


def training_overrides(FLAGS):
    """The training flags as keyword arguments of `tgs.runs.make_config`:
    every field of the config (`runs.config.FIELDS`) that has a flag, the
    model, the export and the model's arguments."""
    from tfgan_suite.runs.config import FIELDS, TOP
    converters = {
        "image_size": image_size,
        "skip_bad_files": lambda v: v or None,  # False: the sources' default.
        "jit_compile": {"auto": None, "true": True, "false": False}.get,
        "mixed_precision": MIXED_PRECISION.get}
    overrides = {}
    for key in [*TOP, *(k for keys in FIELDS.values() for k in keys)]:
        if key in FLAGS:
            value = getattr(FLAGS, key)
            overrides[key] = converters.get(key, lambda v: v)(value)
    overrides["model_args"] = model_args(FLAGS)
    return overrides


def run(main, aliases=None):
    """`absl.app.run(main)` with the suite's flags shown by `--help`, and
    bad input (a flag value of the wrong type, a ValueError of the library)
    as one line on stderr in the words of the flags (`flag_message`, with
    `aliases`) and exit status 2 (a traceback only with --verbosity=1 or
    more); SIGTERM and SIGHUP stop it as Ctrl-C does, outside training
    (which checkpoints first): "interrupted", exit status 128 + the
    signal's number, nothing half-written left."""
    _adopt_key_flags()
    # absl's --help prints __main__'s docstring before the flags.
    sys.modules["__main__"].__doc__ = usage(main).replace("%", "%%")

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
            print(f"error: {flag_message(e, flags.FLAGS, aliases)}",
                  file=sys.stderr)
            sys.exit(2)
        except KeyboardInterrupt:  # before or after training: nothing to save.
            print("interrupted", file=sys.stderr)
            sys.exit(128 + stopped_by[0])
    stopped_by = [signal.SIGINT]

    def interrupt(signum, frame):
        # SIGTERM / SIGHUP as Ctrl-C: what is being written is removed
        # (temporary paths), not left behind. Training sets its own.
        stopped_by[0] = signum
        raise KeyboardInterrupt
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)
    app.run(guarded, flags_parser=parse)


def usage(main):
    """The text `--help` shows before the flags: a usage line naming the
    program as the user started it, then the docstring of `main`'s module
    with its examples in that program's words."""
    doc = sys.modules[main.__module__].__doc__ or ""
    if not program().startswith("python "):  # a console script
        doc = re.sub(r"python scripts/(\w+)\.py",
                     lambda m: "tfgan-" + m.group(1).replace("_", "-"), doc)
    return f"USAGE: {program()} [flags]\n\n{doc}"


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


def optimizer_flags():
    """{"g_optimizer.learning_rate": "g_learning_rate", ...}: the flag that
    sets each optimizer setting the library's checks name."""
    from tfgan_suite.runs.config import OPTIMIZER_SETTINGS
    return {f"{net}_optimizer.{setting}": flag
            for flag, (nets, setting) in OPTIMIZER_SETTINGS.items()
            for net in nets}


def translator_without_input(model, model_path):
    """The error for a model that translates images (from `model_path`),
    asked to generate: the flags that translate with it."""
    directions = tuple(getattr(model, "directions", None) or ())
    direction = (f" and --direction={' or '.join(directions)}"
                 if len(directions) > 1 else "")
    return (f"--input: {model_path} holds a {arguments.shown_name(model)}, "
            "which translates images and does not generate them from noise; "
            f"give --input=FILE_OR_FOLDER{direction} (--out: a .png file for "
            "a file, a folder for a folder)")


def flag_message(error, flag_values=flags.FLAGS, aliases=None):
    """The library's `error` (a ValueError, or its text) in the words of the
    program's flags in `flag_values`: the argument it starts with
    (`direction: ...`; a `tgs.errors.ArgumentError`'s `argument`) as its
    flag (`--direction: ...`), and each argument it mentions as a caller
    writes it (`pass resume=True`, `got num_classes=5`) as the flag
    (`pass --resume`, `got --num_classes=5`), where the program has a flag
    of that name. `aliases`: {argument: flag} for an argument whose flag
    is named otherwise (`labels`: `label`); the argument an error is about
    is named by its alias only when that flag was given (a setting that
    came from elsewhere keeps the library's words)."""
    text = str(error)
    own = {flag.name: flag
           for module, defined in flag_values.flags_by_module_dict().items()
           if not module.startswith("absl.") for flag in defined}

    def flag_of(argument, given=False):
        alias = own.get((aliases or {}).get(argument))
        if alias is not None and (alias.present or not given):
            return alias
        return own.get(argument)

    argument = getattr(error, "argument", None) or text.partition(": ")[0]
    flag = (flag_of(argument, given=True)
            if text.startswith(f"{argument}: ") else None)
    if flag is not None:
        text = f"--{flag.name}{text[len(argument):]}"

    def mentioned(match):
        flag = flag_of(match.group(1))
        if flag is None:
            return match.group(0)
        if flag.boolean and match.group(2):
            return f"--{'' if match.group(2) == 'True' else 'no'}{flag.name}"
        return f"--{flag.name}={match.group(2) or ''}"

    return re.sub(r"(?<![\w./=-])([a-z][a-z0-9_]*)=(True\b|False\b)?",
                  mentioned, text)
