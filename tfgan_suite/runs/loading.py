"""Loading a trained model, whatever class made it: from a run folder
(its `model.keras`, or its latest checkpoint while it has none), a
`.keras` file, or a SavedModel export; and translating image files with a
model that translates (one way, or both ways between two domains).

A model of a user's own class loads wherever its module imports from (the
working directory or PYTHONPATH): a run's `config.json` names it as
`module:Class`, a `.keras` file's config names the module of every class in
it; loading imports them first, and a module that cannot be imported is one
line naming it and PYTHONPATH.
"""

import contextlib
import functools
import importlib
import json
import os
import sys
import zipfile

import keras
import numpy as np
import tensorflow as tf
from absl import logging
from google.protobuf import message

from tfgan_suite import files, models
from tfgan_suite.errors import ArgumentError, FileError
from tfgan_suite.models import arguments, latents
from tfgan_suite.runs import checkpoints, layout
from tfgan_suite.runs import config as config_lib
from tfgan_suite.serving import export


class SavedModelGenerator:
    """The `sample` signature of an exported generator, behind `generate_uint8`."""

    def __init__(self, path, loaded=None):
        """`loaded`: the SavedModel of `path` if the caller loaded it."""
        self.path = export.latest_version_dir(path)
        self.loaded = loaded or tf.saved_model.load(self.path)
        if "sample" not in self.loaded.signatures:
            raise FileError(self.path, "expected a generator SavedModel with "
                                       "a 'sample' signature, found "
                                       f"{sorted(self.loaded.signatures)}")

    @property
    def num_classes(self):
        return export.read_manifest(self.path)["config"].get("num_classes")

    @property
    def class_names(self):
        return export.read_manifest(self.path)["config"].get("class_names")

    def data_kind(self):
        """What the model trained on: "labelled" or "images" (a generator
        SavedModel never translates pairs)."""
        return "labelled" if self.num_classes else "images"

    def generate_uint8(self, n, seed=0, labels=None, truncation=None,
                       truncation_method="mean"):
        """Its `sample` signature; with `truncation`, `sample_truncated`
        (the "mean" method only)."""
        inputs = {"seed": tf.range(seed, seed + n, dtype=tf.int64)}
        signature = self.loaded.signatures["sample"]
        if truncation is not None:
            if truncation_method != "mean" or (
                    "sample_truncated" not in self.loaded.signatures):
                raise ValueError(
                    f"truncation: {self.path} serves only the 'mean' "
                    f"truncation (its sample_truncated signature, exports "
                    f"made since it exists); load the run folder or .keras "
                    f"file for {truncation_method!r}")
            signature = self.loaded.signatures["sample_truncated"]
            inputs["truncation"] = tf.constant(latents.check_truncation(
                truncation, truncation_method, n))
        if "label" in signature.structured_input_signature[1]:
            # Checked here: the signature would fail deep in the graph.
            inputs["label"] = tf.constant(arguments.label_indices(
                labels, n, self.num_classes, self.class_names))
        elif labels is not None:
            raise ArgumentError("labels", f"{self.path} is not a conditional "
                                          "model")
        return signature(**inputs)["images"].numpy()

    #: uint8 images: what the SavedModel serves.
    generate = generate_uint8

    def attention_maps(self, *args, **kwargs):
        raise ArgumentError(
            "attention_maps",
            "needs the Keras model (a run folder or .keras file), not the "
            f"SavedModel {self.path}")

    def discriminator_scores(self, *args, **kwargs):
        raise ArgumentError("min_d_score", "needs the discriminator; load the "
                                           "run folder or .keras file, not a "
                                           "SavedModel")


class SavedModelTranslator:
    """The translation signatures of an exported translator (uint8 image ->
    uint8 image), behind `translate_uint8`: `serving_default`, or the
    signature of a direction (`a_to_b`, `b_to_a`) of a model that
    translates both ways, as the export's manifest lists them."""

    def __init__(self, path, loaded=None):
        self.path = export.latest_version_dir(path)
        self.loaded = loaded or tf.saved_model.load(self.path)
        signature = self.loaded.signatures["serving_default"]
        self.data_shape = tuple(
            signature.structured_input_signature[1]["image"].shape[1:])
        manifest = export.read_manifest(self.path)
        #: Each direction names its signature; empty for a one-way model.
        directions = manifest.get("directions") or ()
        # An older manifest maps pix2pix's names to the signatures
        # ({"AtoB": "a_to_b", ...}): the signatures are the directions.
        if isinstance(directions, dict):
            directions = directions.values()
        self.directions = tuple(directions)
        self._data_kind = manifest.get("data_kind", "pairs")

    def data_kind(self):
        """What the model trained on: "pairs", or "unpaired" images."""
        return self._data_kind

    def translate_uint8(self, images, direction=None):
        """uint8 images translated by the SavedModel: in `direction` (one
        of `directions`), or by `serving_default` when None."""
        if direction is not None:
            check_direction(self, direction)
        return self.loaded.signatures[direction or "serving_default"](
            image=tf.constant(np.asarray(images, np.uint8)))["image"].numpy()


def check_direction(model, direction):
    """Raises an ArgumentError unless `model` (Keras or SavedModel) declares
    `direction` among its `directions`."""
    declared = tuple(getattr(model, "directions", None) or ())
    if direction not in declared:
        what = (f"translates in {', '.join(declared)}" if declared else
                "translates one way only (takes no direction)")
        raise ArgumentError("direction", f"{arguments.shown_name(model)} "
                                         f"{what}, got {direction!r}")


def translate_files(model, inputs, out, direction=None, overwrite=False):
    """Translates an image file, or every image of a folder, with a model
    that translates (Keras or SavedModel); writes PNGs of the model's size.

    Inputs are read as RGB (as greyscale for a one-channel model) and
    resized to the model's image shape when they differ. `out`: a `.png`
    path for one file; for a folder, a folder that receives `<name>.png`
    for each `<name>.<ext>` of `inputs` (two inputs of one name, `x.png`
    and `x.jpg`, are refused before anything is written). `out` is written
    under a temporary name and renamed when complete, as `generate_files`
    writes its folder: an interrupted call leaves no partial file or
    folder, and a non-empty existing folder is refused unless `overwrite`
    (then it is replaced). `direction`: one of the model's `directions`
    ("a_to_b", "b_to_a" for two-way models); None: its default one.
    Returns the paths written.
    """
    from PIL import Image
    if model.data_kind() not in arguments.TRANSLATION_KINDS:
        raise ArgumentError("inputs", "translating images needs a model that "
                                      "trains on pairs or unpaired images, "
                                      f"got {arguments.shown_name(model)}")
    translate = model.translate_uint8
    if direction is not None:
        check_direction(model, direction)
        translate = functools.partial(model.translate_uint8,
                                      direction=direction)

    def write(source, target):
        translated = translate(_read_image(source, model.data_shape)[None])[0]
        Image.fromarray(translated.squeeze(-1) if translated.shape[-1] == 1
                        else translated).save(target)

    if os.path.isfile(inputs):
        _check_file_out(inputs, out)
        with files.atomic_path(out) as tmp:
            write(inputs, tmp)
        return [out]
    names = _translated_names(inputs, out)
    _check_new_folder(out, overwrite)
    with _new_folder(out) as tmp:
        for name, target in names.items():
            write(os.path.join(inputs, name), os.path.join(tmp, target))
    return [os.path.join(out, target) for target in names.values()]


def _check_file_out(source, out):
    """Refuses an `out` that is no `.png` file path for the one input
    file `source`."""
    if os.path.isdir(out) or not out.lower().endswith(".png"):
        found = ("a folder" if os.path.isdir(out) or out.endswith(
            ("/", os.sep)) else "no .png name")
        raise ArgumentError("out", f"expected a .png file path for one input "
                                   f"file ({source}), got {out} ({found})")


def _translated_names(inputs, out):
    """{input file name: output file name} of the images in the folder
    `inputs` (`<name>.<ext>` -> `<name>.png`), refusing a folder with no
    image, two images of one name, or an `out` that is no folder."""
    from tfgan_suite.data.sources import IMAGE_EXTENSIONS
    if not os.path.isdir(inputs):
        raise ArgumentError("inputs", f"{inputs} is neither an image file nor "
                                      "a folder")
    names = sorted(n for n in os.listdir(inputs)
                   if n.lower().endswith(IMAGE_EXTENSIONS))
    if not names:
        raise ArgumentError("inputs", f"{inputs} holds no image (expected "
                                      "files ending in "
                                      f"{', '.join(IMAGE_EXTENSIONS)})")
    targets = {n: os.path.splitext(n)[0] + ".png" for n in names}
    by_target = {}
    for name, target in targets.items():
        by_target.setdefault(target, []).append(name)
    same = [" and ".join(group) for group in by_target.values()
            if len(group) > 1]
    if same:
        more = f" (and {len(same) - 3} more)" if len(same) > 3 else ""
        raise ArgumentError("inputs", f"expected one image per name in "
                                      f"{inputs} (each is written as "
                                      "<name>.png), found "
                                      f"{'; '.join(same[:3])}{more}")
    if out.lower().endswith(IMAGE_EXTENSIONS) and not os.path.isdir(out):
        raise ArgumentError("out", f"expected a folder for a folder of inputs "
                                   f"({inputs}), got {out} (an image file "
                                   "name)")
    if os.path.realpath(out) == os.path.realpath(inputs):
        raise ArgumentError("out", f"expected a folder other than the inputs' "
                                   f"({inputs}), got {out}")
    return targets


def _read_image(path, data_shape):
    """The image file `path` as uint8 pixels of `data_shape` (H, W, C):
    read as RGB (greyscale for one channel), resized when it differs."""
    from PIL import Image
    height, width, channels = data_shape
    try:
        image = Image.open(path).convert("L" if channels == 1 else "RGB")
    except OSError as e:
        raise FileError(path, f"not a readable image ({e})") from None
    if image.size != (width, height):
        image = image.resize((width, height), Image.BILINEAR)
    return np.asarray(image).reshape(height, width, channels)


def _check_new_folder(out, overwrite):
    """Refuses an `out` that is a file, or a non-empty folder unless
    `overwrite`: the folder `_new_folder` writes, checked before anything
    is computed."""
    if os.path.isfile(out):
        raise ArgumentError("out", f"{out} is a file; expected a folder to "
                                   "create")
    if os.path.isdir(out) and os.listdir(out) and not overwrite:
        raise ArgumentError("out", f"{out} exists and is not empty; choose "
                                   "another folder, empty it, or pass "
                                   "overwrite=True")


@contextlib.contextmanager
def _new_folder(out):
    """Yields a temporary folder beside the folder `out`, renamed to `out`
    when the block ends without an error (replacing an existing `out`),
    removed otherwise (`files.atomic_path`): an interrupted writer leaves
    no partial folder."""
    with files.atomic_path(out.rstrip(os.sep) or out) as tmp:
        os.makedirs(tmp)
        yield tmp


#: Images generated per call of the model when writing files.
GENERATE_BATCH = 256


def class_folder_names(model):
    """One folder name per class of a conditional model: its class name
    (path separators and other characters unsafe in file names replaced by
    "_", e.g. "T-shirt_top"), else its index."""
    import re
    names = list(getattr(model, "class_names", None) or
                 range(model.num_classes))
    safe = [re.sub(r"[^\w.+-]+", "_", str(name)).strip(".") or str(i)
            for i, name in enumerate(names)]
    return safe if len(set(safe)) == len(safe) else [
        str(i) for i in range(len(names))]


def generate_files(model, out, num, seed=0, labels=None, overwrite=False,
                   verbose=True, truncation=None, truncation_method="mean"):
    """Writes `num` generated images as PNG files into the folder `out`,
    the layout FID tools read (pytorch-fid, clean-fid, `tfgan-evaluate
    --fake`): `out/000000.png`, ...; for a conditional model one
    sub-folder per class, by name (`class_folder_names`):
    `out/<class>/000000.png`.

    Image i comes from seed + i (as `model.generate`); a conditional
    model's image i is of class i mod K of `labels` (one class or a list,
    by name or index; default: every class), so classes are balanced.
    The folder is written under a temporary name and renamed when
    complete: an interrupted call leaves no partial folder. A non-empty
    existing `out` is refused unless `overwrite` (then it is replaced).
    `verbose`: a Keras progress bar. `truncation`, `truncation_method`:
    as `model.generate` takes them (psi, one for all images).

    Returns the number of files written per sub-folder ({"": num} for an
    unconditional model).
    """
    from PIL import Image
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) \
            or num < 1:
        raise ArgumentError("num", "expected a positive number of images, "
                                   f"got {num!r}")
    if not hasattr(model, "generate_uint8"):
        raise ArgumentError("out", "writing generated images needs a model "
                                   "that generates from noise, got "
                                   f"{arguments.shown_name(model)}")
    _check_new_folder(out, overwrite)
    class_labels, folders = None, [""]
    if getattr(model, "num_classes", None):
        folders = class_folder_names(model)
        chosen = np.atleast_1d(np.asarray(
            list(range(model.num_classes)) if labels is None else labels,
            dtype=object))
        class_labels = arguments.label_indices(
            np.resize(chosen, num).tolist(), num, model.num_classes,
            getattr(model, "class_names", None))
    elif labels is not None:
        raise ArgumentError("labels", f"{arguments.shown_name(model)} is "
                                      "not a conditional model")
    counts = {}
    progress = keras.utils.Progbar(num, unit_name="image",
                                   verbose=1 if verbose else 0)
    with _new_folder(out) as tmp:
        for start in range(0, num, GENERATE_BATCH):
            n = min(GENERATE_BATCH, num - start)
            batch_labels = (None if class_labels is None
                            else class_labels[start:start + n])
            truncated = ({} if truncation is None else dict(
                truncation=truncation, truncation_method=truncation_method))
            images = model.generate_uint8(n, seed=seed + start,
                                          labels=batch_labels, **truncated)
            if images.ndim != 4:
                raise ArgumentError("out", f"{arguments.shown_name(model)} "
                                           "generates points of shape "
                                           f"{images.shape[1:]}, not images; "
                                           "plot them instead (out=FILE.png)")
            for i, image in enumerate(images):
                folder = (folders[0] if batch_labels is None
                          else folders[batch_labels[i]])
                os.makedirs(os.path.join(tmp, folder), exist_ok=True)
                Image.fromarray(image[..., 0] if image.shape[-1] == 1
                                else image).save(
                    os.path.join(tmp, folder, f"{start + i:06d}.png"))
                counts[folder] = counts.get(folder, 0) + 1
            progress.add(n)
    return counts


def load(path, model=None):
    """A model from a run folder, a `.keras` file or a SavedModel folder.

    Run folders and `.keras` files give the full Keras model (generator and
    discriminator; a run folder without a whole `model.keras` gives its
    latest intact checkpoint); a SavedModel gives a `SavedModelGenerator`
    (or a `SavedModelTranslator` for an image-to-image export). A folder
    of export versions gives its newest version that loads (older ones
    after a damaged one, with a warning). With `model` (a name
    `tgs.models.get` takes, e.g. "wgan_gp"), a
    Keras model of another class is an error.
    """
    given = path
    if os.path.isfile(os.path.join(path, layout.CONFIG)):
        config = config_lib.read_config(path)
        cls = models.get(config.model)  # imports a user's module.
        found = checkpoints.list_checkpoints(os.path.join(
            path, layout.CHECKPOINTS))
        keras_file = layout.keras_file(path, step=(
            checkpoints.step_of_prefix(found[-1]) if found else None))
        why = (f"no current {layout.MODEL} (an unfinished or extended run, "
               f"or a model no .keras file holds)")
        if keras_file:
            reason = files.zip_damage(keras_file)
            why = f"{layout.MODEL} is damaged ({reason})"
            if reason is None:
                loaded = load_keras(keras_file, {cls.__name__: cls})
                why = _other_step(loaded, layout.saved_model(path))
                if why is None:
                    return _checked(loaded, model, given)
        return _checked(model_from_run(path, config, why), model, given)
    if os.path.isfile(os.path.join(path, layout.MODEL)):
        path = os.path.join(path, layout.MODEL)  # a folder with a model.
    if path.endswith(".keras"):
        if not os.path.isfile(path):
            raise FileError(path, "no such model file")
        return _checked(load_keras(path), model, given)
    if os.path.isdir(path):
        version, loaded = load_saved_model(path)
        if "image" in loaded.signatures[
                "serving_default"].structured_input_signature[1]:
            return SavedModelTranslator(version, loaded)
        return SavedModelGenerator(version, loaded)
    raise FileError(path, f"expected a run folder (with {layout.CONFIG}), a "
                          ".keras file or a SavedModel folder")


def _other_step(model, saved):
    """Why `model`, loaded from a run's `model.keras`, is not the step its
    `model.json` (`saved`) records, or None when it is (or either does not
    say): in a copy taken while the run rewrote both, they are of other
    moments."""
    counter = getattr(model, "step_counter", None)
    if saved is None or counter is None or int(counter.numpy()) == saved[
            "step"]:
        return None
    return (f"{layout.MODEL} holds step {int(counter.numpy())}, not step "
            f"{saved['step']} as {layout.SAVED} records (files of different "
            f"moments: a copy taken while the run rewrote them)")


def load_saved_model(path):
    """(version folder, `tf.saved_model.load` of it) for a SavedModel
    folder, or for a folder of versions its newest that loads whole: a
    damaged newer one (TensorFlow checks every variable against its
    CRC32C) is skipped with one warning naming it, why, and the version
    taken instead.

    Raises:
      ValueError: `path` is neither, or no version of it loads.
    """
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        candidates = [path]
    else:
        candidates = [os.path.join(path, str(v))
                      for v in reversed(export.versions(path))]
        if not candidates:
            export.latest_version_dir(path)  # raises, naming the folder.
    skipped = []
    for version in candidates:
        try:
            loaded = tf.saved_model.load(version)
        except (tf.errors.OpError, OSError, ValueError, IndexError,
                message.DecodeError) as e:
            skipped.append(f"{version} (damaged: {checkpoints.reason(e)})")
            continue
        if skipped:
            logging.warning("exports: skipping %s; using %s, the newest "
                            "version that loads", "; ".join(skipped), version)
        return version, loaded
    raise FileError(path, f"no SavedModel here loads: {'; '.join(skipped)}")


def load_keras(path, custom_objects=None):
    """`keras.models.load_model(path)`, after importing the module of every
    class its config names outside Keras (a user's model, nets, layers).

    Raises:
      ValueError: `path` is not a whole `.keras` file (cut short, zeroed,
        overwritten: `files.zip_damage`).
    """
    reason = files.zip_damage(path)
    if reason is not None:
        raise FileError(path, f"not a readable .keras model file ({reason})")
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (KeyError, ValueError) as e:
        raise FileError(path, f"not a .keras model file ({e})") from None
    custom_objects = {**classes_named(config), **(custom_objects or {})}
    return keras.models.load_model(path, custom_objects=custom_objects)


def classes_named(config):
    """{name: class} of every class a Keras config names in a module
    outside Keras, imported from the working directory or PYTHONPATH
    (under its registered name and its class name, so an unregistered
    class loads too)."""
    found = {}
    if isinstance(config, dict):
        module, name = config.get("module"), config.get("class_name")
        if (isinstance(module, str) and isinstance(name, str) and
                module.split(".")[0] not in ("keras", "builtins")):
            cls = getattr(_import(module, name), name, None)
            if cls is not None:
                found[name] = cls
                if config.get("registered_name"):
                    found[config["registered_name"]] = cls
        for value in config.values():
            found.update(classes_named(value))
    elif isinstance(config, list):
        for value in config:
            found.update(classes_named(value))
    return found


def _import(module, name):
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ValueError(
            f"model: cannot import module {module!r} (of class {name}) from "
            f"the working directory or PYTHONPATH ({e}); run from the folder "
            f"that holds it or add that folder to PYTHONPATH") from None


def model_from_run(out_dir, config=None, why=None):
    """The model of the run in `out_dir` at its latest intact checkpoint
    (for a run without a current, whole `model.keras`: an interrupted or
    extended one, or a model no `.keras` file can hold); logs the
    checkpoint, its step and `why` in one line."""
    config = config or config_lib.read_config(out_dir)
    cls = models.get(config.model)
    # As the runner built it: the arguments the run recorded, as given,
    # under the run's precision policy.
    with config_lib.precision(config):
        model = cls(**classes_restored(config.model_args))
        model.compile(**config_lib.compile_arguments(cls, config.compile))
    why = why or f"no current {layout.MODEL}"
    try:
        state = checkpoints.restore_checkpoint(
            model, os.path.join(out_dir, layout.CHECKPOINTS))
    except ValueError as e:
        raise FileError(out_dir, f"{why}, and its checkpoints give no model: "
                                 f"{e}") from None
    logging.warning("%s has %s: using its latest intact checkpoint, %s "
                    "(step %d)", out_dir, why, state["path"], state["step"])
    return model


def classes_restored(model_args):
    """A run's `model_args` with handed-in nets deserialized (their
    modules imported first)."""
    args = dict(model_args)
    for key, value in args.items():
        if isinstance(value, dict) and "class_name" in value:
            args[key] = keras.saving.deserialize_keras_object(
                value, custom_objects=classes_named(value))
    return args


def _checked(model, name, given):
    if name:
        wanted = models.get(name)
        if type(model) is not wanted:
            raise ArgumentError("model", "expected a "
                                         f"{models.name_of(wanted)} model at "
                                         f"{given}, found "
                                         f"{models.name_of(type(model))}")
    return model
