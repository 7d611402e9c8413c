"""The batches a model trains on, checked before its step uses them: float
examples of the model's shape, images in [-1, 1] (what `tgs.data` gives),
labels with them for a class-conditional model. One clear ValueError for
each mistake (`AdversarialModel.unpack` calls `unpack`)."""

import tensorflow as tf


def unpack(model, data):
    """(examples, int32 labels) of a batch of `model` in its `value_range`;
    labels None if the model is unconditional."""
    if not model.num_classes:
        examples = data[0] if isinstance(data, (tuple, list)) else data
        return model.in_value_range(check_floats(model, examples)), None
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"dataset: {type(model).__name__} with num_classes"
                         f" trains on (images, labels) batches; load the "
                         f"data with labels=True")
    return (model.in_value_range(check_floats(model, data[0])),
            tf.cast(data[1], tf.int32))


def check_floats(model, x):
    """`x` if it holds floats of `model`'s example shape (`data_shape`),
    images in [-1, 1]; integer pixels and float images in [0, 255] or
    [0, 1] (`image_dataset_from_directory`'s) are refused (D would tell
    G's samples from them by range alone), and so are examples of another
    shape."""
    dtype = tf.as_dtype(x.dtype)  # a tensor's, or a NumPy array's
    if not dtype.is_floating:
        raise ValueError(
            f"dataset: expected float examples in [-1, 1], got "
            f"{dtype.name}; convert uint8 images with "
            f"tgs.data.to_float (tgs.data.load does it for you)")
    found, wanted = tuple(x.shape[1:]), tuple(model.data_shape)
    if len(found) != len(wanted) or any(
            a is not None and b is not None and a != b
            for a, b in zip(found, wanted)):
        raise ValueError(
            f"dataset: {type(model).__name__} takes examples of shape "
            f"{wanted}, the data's are {found}")
    if len(wanted) == 3:
        with tf.control_dependencies([tf.debugging.assert_less_equal(
                tf.reduce_max(tf.abs(tf.cast(x, tf.float32))), 1.001,
                message="dataset: expected images in [-1, 1] (what "
                "tgs.data gives; the model's value_range is applied to "
                "them), got values outside it: scale images x in "
                "[0, 255] as x / 127.5 - 1")]):
            x = tf.identity(x)
    return x
