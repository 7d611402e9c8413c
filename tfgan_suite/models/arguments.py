"""A model's constructor arguments as the command line and the runner see
them: which arguments a class takes (`init_args`), checked integers
(`integer`), and a model's arguments for a data source (`for_data`).

`AdversarialModel.init_args` and `.arguments_for` call these; a model changes
what they do through its declarations (`DATA_ARGS`, `data_kind`, its
`__init__` signature), not by overriding them.

The arguments every model takes (`AdversarialModel.COMMON_ARGS`):

  augment: what D sees in training: None, DiffAugment transforms
    ("color,translation,cutout", any subset in any order; Zhao et al.
    2020), or "ada" (their probability adapted, Karras et al. 2020); see
    `tfgan_suite.augment`.
  ada_kimg: ADA's adjustment speed, thousands of images for its p to go
    from 0 to 1 (500: the paper's; 100 reacts five times faster).
  ema_kimg: None, or the half-life in thousands of images of an
    exponential moving average of G's trainable weights (StyleGAN2-ADA's
    `ema_kimg`, e.g. 10), updated after every step from step `ema_start`
    on, whatever `train_step` does (`models.steps`, which `fit` runs); the
    average makes the samples (`generate`, sample grids, FID, exports,
    D-filtered sampling), its batch-norm statistics re-estimated for it
    first (`tfgan_suite.models.ema`).
  ema_rampup: the half-life is at most this share of the images seen
    since the average started (StyleGAN2-ADA's ramp-up, 0.05); None:
    `ema_kimg` from the first step.
  ema_start: G steps before the average starts (it copies G until then).
  class_names: the names of a class-conditional model's classes (label i
    is `class_names[i]`), read from the data by `from_data` (a folder's
    sub-folders); `generate(labels=...)` takes them too.
  pack: m, the samples D judges at once (PacGAN, Lin et al. 2018): the
    real and the generated batches are each cut into packs of m examples,
    concatenated (vectors) or stacked on the channels (images), and D
    scores each pack; 1: no packing. Unconditional models only; every D
    minibatch must be a multiple of m.
  value_range: (low, high), what G makes and D takes (Keras' name; the
    data in [-1, 1] is converted to it, samples from it). Models whose
    step converts its batches (`models.inputs.unpack`, wrapped models);
    Pix2Pix and CycleGAN train in [-1, 1] and refuse any other.
  r1_gamma, r2_gamma: weights of the zero-centred gradient penalties on
    D, gamma/2 * R1 on real data and gamma/2 * R2 on generated data
    (Mescheder et al. 2018; R3GAN, Huang et al. 2024); 0: none. For models
    whose `train_step` scores D through `logits_and_penalty` (the GAN
    family, R3GAN); others refuse them at start.
  penalty_interval: N, R1 and R2 computed every N-th update of D only,
    weighted N times (StyleGAN2's lazy regularization, N = 16 there): the
    penalties' extra backward pass paid once in N steps; 1: every step.
"""

import inspect
import numbers

import numpy as np


def integer(name, value, minimum=1):
    """`value` as an int, or a ValueError naming `name`: bools, fractions
    (2.5) and text are refused, not truncated."""
    wanted = {0: "a non-negative integer", 1: "a positive integer"}.get(
        minimum, f"an integer >= {minimum}")
    if isinstance(value, bool) or not (
            isinstance(value, numbers.Integral) or (
                isinstance(value, numbers.Real) and float(value).is_integer())
    ) or int(value) < minimum:
        raise ValueError(f"{name}: expected {wanted}, got {value!r}")
    return int(value)


def weight(name, value):
    """`value` as a float weight >= 0 (e.g. a penalty's gamma), or a
    ValueError naming `name`."""
    if isinstance(value, bool) or not (
            isinstance(value, numbers.Real) and 0 <= value < float("inf")):
        raise ValueError(f"{name}: expected a finite weight >= 0, got "
                         f"{value!r}")
    return float(value)


def penalty_interval(value, r1_gamma, r2_gamma):
    """`value` as a positive int, the updates of D per computation of the
    R1 / R2 penalties; a ValueError if it is not one, or if it is over 1
    with neither penalty on."""
    value = integer("penalty_interval", value)
    if value > 1 and not (r1_gamma or r2_gamma):
        raise ValueError(f"penalty_interval: {value} spaces out the R1 / R2 "
                         f"penalties, but r1_gamma and r2_gamma are 0; set "
                         f"one, or drop penalty_interval")
    return value


def pack(value, model):
    """PacGAN's m for `model` as an int: 1, or m > 1 for an unconditional
    model of examples ("images" data), else a ValueError."""
    value = integer("pack", value)
    if value > 1 and model.data_kind() != "images":
        num = model.num_classes
        raise ValueError(
            f"pack: packing (PacGAN) needs an unconditional model; "
            f"{type(model).__name__}"
            f"{f' with num_classes={num}' if num else ''} trains on "
            f"{model.data_kind()} data, got pack={value}")
    return value


def init_args(cls, base):
    """{name: default} of the keywords `cls(...)` takes (the nets
    excepted): its own `__init__`, and the `__init__`s it passes `**kwargs`
    on to, down to the first one of this package (whose signature lists
    every argument) or to `base`, whose `COMMON_ARGS` every model takes."""
    args = {}
    passes_on = True
    for klass in cls.__mro__:
        if klass is base or not issubclass(klass, base):
            break
        if "__init__" not in vars(klass):
            continue
        params = inspect.signature(klass.__init__).parameters
        for name, p in params.items():
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                args.setdefault(name, p.default)
        passes_on = any(p.kind == p.VAR_KEYWORD for p in params.values())
        if klass.__module__.startswith("tfgan_suite.") or not passes_on:
            break
    if passes_on:
        for name, default in base.COMMON_ARGS.items():
            args.setdefault(name, default)
    for name in ("self", *cls.NET_ARGS):
        args.pop(name, None)
    return {name: (None if default is inspect.Parameter.empty else default)
            for name, default in args.items()}


def shown_name(model):
    """The class name messages give `model`: the user's class for a model
    of theirs the suite wraps (`models.wrapped.Wrapped`)."""
    return type(getattr(model, "inner", model)).__name__


#: The range `tgs.data` gives images in: every model's default `value_range`.
DATA_RANGE = (-1.0, 1.0)


def value_range(value):
    """`value` as a (low, high) pair of floats with low < high (Keras'
    `value_range`), or a ValueError."""
    if isinstance(value, str):
        value = value.split(",")
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        low = high = None
    if low is None or not low < high:
        raise ValueError(f"value_range: expected (low, high) with low < high,"
                         f" e.g. (-1, 1) or (0, 1), got {value!r}")
    return (low, high)


def refuse_other_value_range(model_name, value):
    """Refuses a `value_range` other than `DATA_RANGE` for a model whose
    step trains on images as `tgs.data` gives them, in [-1, 1]: it would be
    recorded and ignored. Called before the model builds its nets."""
    value = value_range(value)
    if value != DATA_RANGE:
        raise ValueError(f"value_range: {model_name} trains on images in "
                         f"[-1, 1], as tgs.data gives them, so "
                         f"value_range={value} would be recorded and "
                         f"ignored; drop value_range")


#: Data kinds of models that translate images (`data_kind()`): they serve
#: image -> image signatures and draw their pictures from held-out examples.
TRANSLATION_KINDS = ("pairs", "unpaired")

#: What data of a kind holds, in errors; "images" and "labelled" both
#: hold single images.
HOLDS = {"pairs": "pairs (input, target)",
         "unpaired": "unpaired images of two domains (a, b)"}


def class_names(names, num_classes):
    """`names` as a list of strings, one per class of a model with
    `num_classes` classes (None stays None)."""
    if names is None:
        return None
    names = [str(name) for name in names]
    if len(names) != (num_classes or 0) or len(set(names)) != len(names):
        raise ValueError(f"class_names: expected {num_classes or 0} distinct "
                         f"names (one per class), got {names}")
    return names


def label_indices(labels, n, num_classes, names=None):
    """`labels` (one class or n classes, each an index or, with `names`, a
    name; None: 0, 1, ... cycling) as an int32 array of length n."""
    labels = np.asarray(np.arange(n) % num_classes if labels is None
                        else labels)
    if labels.ndim == 0:
        labels = np.full(n, labels)
    if labels.shape != (n,):
        raise ValueError(f"labels: expected one class or {n} classes, got "
                         f"{labels.tolist()}")
    if not np.issubdtype(labels.dtype, np.integer):
        labels = np.array([_index(label, num_classes, names)
                           for label in labels.tolist()])
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels: expected classes 0..{num_classes - 1}"
                         f"{_listing(names)}, got "
                         f"{sorted(set(labels.tolist()))}")
    return labels.astype(np.int32)


def _index(label, num_classes, names):
    """The index of one label: an integer, its text, or a class name."""
    if isinstance(label, str) and label.strip().lstrip("-").isdigit():
        return int(label)
    if isinstance(label, numbers.Integral) and not isinstance(label, bool):
        return int(label)
    if names and isinstance(label, str) and label.strip() in names:
        return names.index(label.strip())
    raise ValueError(f"labels: unknown class {label!r}; expected "
                     f"{'one of ' + ', '.join(names) + ' or ' if names else ''}"
                     f"an index 0..{num_classes - 1}")


def _listing(names):
    return f" ({', '.join(names)})" if names else ""


def source_kind(source):
    """What a `tgs.data.Source` holds, in `data_kind`'s words."""
    return ("pairs" if source.paired else
            "unpaired" if source.unpaired else
            "labelled" if source.num_classes else "images")


def for_data(cls, source, args):
    """The arguments of `cls` for `source`: `args`, with the data shape (and
    number and names of classes) read from the data. Raises ValueError
    where `args` contradict the data or name no argument of `cls`."""
    args = dict(args)
    accepted = cls.init_args()
    for key in args:
        if key not in accepted:
            raise ValueError(f"{key}: not an argument of {cls.__name__} "
                             f"(--{key} does not apply to this model)")
    kind, found = cls.data_kind(args), source_kind(source)
    wanted, has = (HOLDS.get(k, "single images") for k in (kind, found))
    if wanted != has:
        raise ValueError(f"dataset: {cls.__name__} trains on {wanted} and "
                         f"{source.name} has {has}")
    shape_arg = next((k for k in cls.DATA_ARGS if k in accepted), None)
    if shape_arg:
        given = args.setdefault(shape_arg, tuple(source.data_shape))
        if tuple(given) != tuple(source.data_shape):
            raise ValueError(
                f"{shape_arg}: the model expects {tuple(given)} but the "
                f"{source.name} examples are {tuple(source.data_shape)}")
    if kind == "labelled":
        if not source.num_classes:
            raise ValueError(f"dataset: {cls.__name__} with num_classes "
                             f"needs class labels and {source.name} has none")
        # The classes are the data's: their number and names.
        for key, found in (("num_classes", source.num_classes),
                           ("class_names", list(source.class_names))):
            if key not in accepted:
                continue
            given = args.get(key)
            if given not in (None, "auto") and (
                    given != found if key == "num_classes"
                    else list(given) != found):
                raise ValueError(
                    f"{key}: {source.name} has {source.num_classes} classes"
                    f"{_listing(source.class_names)}, got {key}={given} "
                    f"(leave it out to take the data's)")
            args[key] = found
    return args
