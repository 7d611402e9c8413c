"""What the runner checks of a model before it trains, so that nothing is
done wrong in silence (`docs/adding_a_model.md`, "The contract").

`check_step` traces the model's `train_step` once on the run's batches
(building any optimizer the model made itself, so that a checkpoint fits
it) and refuses, in one line, an option the step would ignore: augmentation,
packing, a `value_range`, an R1 / R2 penalty or a loss by name that its
`train_step` never reaches, or logs that are not a dict of scalars.
`stepping_with` has `fit` step with that trace rather than trace
`train_step` a second time.
`keras_file_problem` says why a `.keras` file of the model would not give
it back (an argument `get_config` does not return), or None.
"""

import contextlib

import tensorflow as tf

from tfgan_suite.models import arguments


def check_step(model, dataset, loss_given=False):
    """Traces `model.train_step` on `dataset`'s batches (nothing runs) and
    raises a ValueError naming the option it would ignore, or a step that
    fails on these batches or returns no dict of scalars; returns the
    trace (a `tf.types.experimental.ConcreteFunction` of the batch)."""
    name = arguments.shown_name(model)
    model._tgs_used.clear()
    try:
        # Traced as fit compiles it: control flow (tf.cond) traced outside
        # XLA keeps ops that XLA cannot compile.
        concrete = tf.function(
            model.train_step, jit_compile=model.jit_compile or None
        ).get_concrete_function(dataset.element_spec)
    except (ValueError, TypeError, tf.errors.OpError) as e:
        lines = [line.strip() for line in str(e).splitlines()
                 if line.strip()]
        raise ValueError(f"train_step: {name}.train_step fails on the run's "
                         f"batches ({dataset.element_spec}): "
                         f"{lines[-1] if lines else repr(e)}") from None
    logs = concrete.structured_outputs
    if not isinstance(logs, dict) or not logs:
        raise ValueError(f"train_step: {name}.train_step must return a dict "
                         f"of scalars (its logs), got {type(logs).__name__}")
    used = model._tgs_used
    ignored = []
    if getattr(model, "augment", None) and "augment" not in used:
        ignored.append(("augment", model.augment, "d_logits()"))
    if (model.value_range != arguments.DATA_RANGE
            and "value_range" not in used):
        ignored.append(("value_range", model.value_range, "unpack()"))
    if getattr(model, "pack", 1) > 1 and "pack" not in used:
        ignored.append(("pack", model.pack, "d_logits()"))
    for penalty in ("r1_gamma", "r2_gamma"):
        if getattr(model, penalty, 0) and "penalty" not in used:
            ignored.append((penalty, getattr(model, penalty),
                            "logits_and_penalty()"))
    if loss_given and "loss" not in used:
        ignored.append(("loss", model._adversarial_loss.name,
                        "discriminator_loss() / generator_loss()"))
    if ignored:
        option, value, helpers = ignored[0]
        raise ValueError(
            f"{option}: {name}.train_step never calls the suite's {helpers}, "
            f"so {option}={value!r} would be recorded and ignored; call them "
            f"in train_step, or drop {option}")
    return concrete


@contextlib.contextmanager
def stepping_with(model, concrete):
    """Within the block, `model.fit` steps with `concrete` (`check_step`'s
    trace of its `train_step`; None: none was made): Keras wraps it in its
    train function as it would wrap `train_step` (jit_compile and all),
    without tracing the step again. Only for a model of the default
    strategy: a trace made outside `strategy.run` is no replica's step."""
    if (concrete is None or model.run_eagerly or tf.distribute.has_strategy()
            or model.distribute_strategy is not tf.distribute.get_strategy()):
        yield
        return
    # Not tracked (Keras' __setattr__ would): the model's own method comes
    # back after the block.
    object.__setattr__(model, "train_step", lambda data: concrete(data))
    try:
        yield
    finally:
        object.__delattr__(model, "train_step")


def keras_file_problem(model, args):
    """Why `model.save` would not give the model of constructor `args` back
    (an argument `get_config()` does not return), or None."""
    try:
        config = model.get_config()
    except NotImplementedError:
        return f"{type(model).__name__} has no get_config"
    saved = {*config, *(config.get("factory_args") or {})}
    for key in args:
        if key not in saved and key not in getattr(model, "NET_ARGS", ()):
            return (f"{type(model).__name__}.get_config() does not return "
                    f"the argument {key} (store it as self.{key}, or write "
                    f"get_config)")
    return None
