"""A model's constructor arguments as the command line and the runner see
them: which arguments a class takes (`init_args`), checked integers
(`integer`), and a model built for a data source (`from_data`).

`AdversarialModel.init_args` and `.from_data` call these; a model changes
what they do through its declarations (`DATA_ARGS`, `data_kind`, its
`__init__` signature), not by overriding them.
"""

import inspect
import numbers


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


#: What data of a kind holds, in errors; "images" and "labelled" both
#: hold single images.
HOLDS = {"pairs": "pairs (input, target)",
         "unpaired": "unpaired images of two domains (a, b)"}


def source_kind(source):
    """What a `tgs.data.Source` holds, in `data_kind`'s words."""
    return ("pairs" if source.paired else
            "unpaired" if source.unpaired else
            "labelled" if source.num_classes else "images")


def from_data(cls, source, args):
    """The model `cls(**args)` for `source`: its data shape (and number of
    classes) read from the data. Raises ValueError where `args` contradict
    the data or name no argument of `cls`."""
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
        given = args.setdefault(shape_arg, tuple(source.image_shape))
        if tuple(given) != tuple(source.image_shape):
            raise ValueError(
                f"{shape_arg}: the model expects {tuple(given)} but the "
                f"{source.name} examples are {tuple(source.image_shape)}")
    if kind == "labelled":
        if not source.num_classes:
            raise ValueError(f"dataset: {cls.__name__} with num_classes "
                             f"needs class labels and {source.name} has none")
        if "num_classes" in accepted and args.get("num_classes") is None:
            args["num_classes"] = source.num_classes
        if source.num_classes > int(args.get("num_classes") or 0):
            raise ValueError(
                f"num_classes: {source.name} has labels 0.."
                f"{source.num_classes - 1}, more than num_classes="
                f"{args.get('num_classes')}")
    return cls(**args)
