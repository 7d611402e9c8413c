"""Translating the user's own image files with a model that translates,
from a Keras model or its SavedModel; rectangular images; a direction for
a model that translates both ways."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import tfgan_suite as tgs
from tests.conftest import pattern_images


@pytest.fixture(scope="module")
def translator():
    model = tgs.models.Pix2Pix(image_shape=(32, 64, 3), filters=4)
    model.compile()
    pairs = tgs.data.from_arrays(pattern_images(4, 32, 64, 3))
    pairs = tgs.data.sources.Source(
        pairs.dataset.map(lambda x: (x, 255 - x)), 4, (32, 64, 3),
        paired=True)
    model.fit(tgs.data.build(pairs, batch_size=2), epochs=1, verbose=0)
    return model


def test_folder_and_file_from_keras_and_saved_model(tmp_path, translator):
    inputs = tmp_path / "labels"
    inputs.mkdir()
    for i, image in enumerate(pattern_images(3, 40, 70, 3)):  # resized
        Image.fromarray(image).save(inputs / f"{i}.jpg")
    written = tgs.runs.translate_files(translator, str(inputs),
                                           str(tmp_path / "out"))
    assert [os.path.basename(p) for p in written] == ["0.png", "1.png",
                                                      "2.png"]
    keras_png = np.asarray(Image.open(written[0]))
    assert keras_png.shape == (32, 64, 3)
    export = tgs.serving.export_saved_model(translator,
                                           str(tmp_path / "sm" / "p2p"))
    served = tgs.runs.load(export)
    assert served.data_kind() == "pairs" and served.data_shape == (32, 64, 3)
    out = tmp_path / "one.png"
    tgs.runs.translate_files(served, str(inputs / "0.jpg"), str(out))
    np.testing.assert_array_equal(np.asarray(Image.open(out)), keras_png)


def test_bad_inputs(tmp_path, translator):
    with pytest.raises(ValueError, match="neither an image file nor a "
                                         "folder"):
        tgs.runs.translate_files(translator, str(tmp_path / "nope"),
                                     str(tmp_path / "o"))
    with pytest.raises(ValueError, match="holds no image"):
        tgs.runs.translate_files(translator, str(tmp_path),
                                     str(tmp_path / "o"))
    gan = tgs.models.DCGAN(latent_dim=4, filters=4)
    with pytest.raises(ValueError, match="needs a model that trains on "
                                         "pairs"):
        tgs.runs.translate_files(gan, str(tmp_path), "o")


def test_one_channel_model_reads_and_writes_greyscale(tmp_path):
    """An edges -> image model of one channel (fashion_edges) translates
    colour files: read as greyscale, written as greyscale PNGs."""
    model = tgs.models.Pix2Pix(image_shape=(32, 32, 1), filters=4)
    model.compile()
    source = tmp_path / "edges.png"
    Image.fromarray(pattern_images(1, 32, 32, 3)[0]).save(source)
    written, = tgs.runs.translate_files(model, str(source),
                                            str(tmp_path / "out.png"))
    png = np.asarray(Image.open(written))
    grey = np.asarray(Image.open(source).convert("L"))[None, ..., None]
    np.testing.assert_array_equal(png, model.translate_uint8(grey)[0, ..., 0])


@pytest.fixture(scope="module")
def two_way(tmp_path_factory):
    """A model that translates both ways (CycleGAN) after one step, and a
    folder of two images."""
    model = tgs.models.CycleGAN(image_shape=(32, 32, 3), filters=4,
                                n_blocks=0, pool_size=2, seed=0)
    model.compile(run_eagerly=True)  # one step: no trace of train_step
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
            for _ in range(2))
    model.fit(tf.data.Dataset.from_tensors((a, b)), epochs=1, verbose=0)
    inputs = tmp_path_factory.mktemp("zebras")
    for i, image in enumerate(pattern_images(2, 32, 32, 3)):
        Image.fromarray(image).save(inputs / f"{i}.png")
    return model, inputs


def translated_files(translator, inputs, out, direction):
    written = tgs.runs.translate_files(translator, str(inputs), str(out),
                                       direction=direction)
    return np.stack([np.asarray(Image.open(p)) for p in written])


def one_by_one(model, images, direction):
    """`model`'s translations of `images` a batch of one at a time, as
    `translate_files` makes them (a batch of two may round a pixel the
    other way: other kernels, other float sums)."""
    return np.concatenate([model.translate_uint8(image[None], direction)
                           for image in images])


def test_two_way_model_translates_in_the_direction_asked(tmp_path, two_way):
    model, inputs = two_way
    images = pattern_images(2, 32, 32, 3)
    outputs = {d: translated_files(model, inputs, tmp_path / d, d)
               for d in ("a_to_b", "b_to_a")}
    for direction, out in outputs.items():
        np.testing.assert_array_equal(out,
                                      one_by_one(model, images, direction))
    assert not np.array_equal(outputs["a_to_b"], outputs["b_to_a"])
    np.testing.assert_array_equal(  # no direction: the first, a_to_b
        translated_files(model, inputs, tmp_path / "default", None),
        outputs["a_to_b"])
    with pytest.raises(ValueError, match=r"^direction: CycleGAN translates "
                                         r"in a_to_b, b_to_a, got 'CtoD'"):
        tgs.runs.translate_files(model, str(inputs), "o", direction="CtoD")


@pytest.mark.slow  # an export of five signatures (the harness verifies it)
def test_two_way_saved_model_translates_in_the_direction_asked(tmp_path,
                                                               two_way):
    model, inputs = two_way
    path = tgs.serving.export_saved_model(model, str(tmp_path / "sm"))
    served = tgs.runs.load(path)
    assert served.data_kind() == "unpaired"
    assert served.directions == ("a_to_b", "b_to_a")
    for direction in ("a_to_b", "b_to_a"):
        np.testing.assert_array_equal(
            translated_files(served, inputs, tmp_path / direction, direction),
            one_by_one(model, pattern_images(2, 32, 32, 3), direction))
    with pytest.raises(ValueError, match=r"^direction: SavedModelTranslator "
                                         r"translates in a_to_b, b_to_a"):
        served.translate_uint8(pattern_images(1, 32, 32, 3), direction="AtoA")
    # An older export's manifest maps pix2pix's names to the signatures.
    manifest = os.path.join(tgs.serving.export.latest_version_dir(path),
                            "assets.extra", "manifest.json")
    with open(manifest) as f:
        written = json.load(f)
    written["directions"] = {"AtoB": "a_to_b", "BtoA": "b_to_a"}
    with open(manifest, "w") as f:
        json.dump(written, f)
    older = tgs.runs.load(path)
    assert older.directions == ("a_to_b", "b_to_a")
    np.testing.assert_array_equal(
        older.translate_uint8(pattern_images(1, 32, 32, 3), "b_to_a"),
        served.translate_uint8(pattern_images(1, 32, 32, 3), "b_to_a"))


def test_one_way_model_refuses_a_direction(tmp_path, translator):
    with pytest.raises(ValueError, match=r"^direction: Pix2Pix translates "
                                         r"one way only"):
        tgs.runs.translate_files(translator, str(tmp_path), "o",
                                 direction="b_to_a")


def image_folder(path, names, height=32, width=64):
    """A folder at `path` of pattern images named `names`."""
    path.mkdir()
    for name, image in zip(names, pattern_images(len(names), height, width,
                                                 3)):
        Image.fromarray(image).save(path / name)
    return path


def test_an_interrupted_folder_leaves_no_output(tmp_path, translator,
                                                monkeypatch):
    """The folder is written under a temporary name and renamed whole: a
    stop after the first image (SIGINT, an error) leaves neither `out`
    nor its temporary folder."""
    inputs = image_folder(tmp_path / "in", ["0.png", "1.png", "2.png"])
    calls, translate = [], translator.translate_uint8

    def stopped(images, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return translate(images, **kwargs)

    monkeypatch.setattr(translator, "translate_uint8", stopped)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        tgs.runs.translate_files(translator, str(inputs), f"{out}/")
    assert len(calls) == 2 and sorted(os.listdir(tmp_path)) == ["in"]


def test_a_non_empty_folder_is_refused_unless_overwrite(tmp_path,
                                                        translator):
    inputs = image_folder(tmp_path / "in", ["a.png"])
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.png").write_bytes(b"earlier")
    with pytest.raises(ValueError, match=r"^out: .*out exists and is not "
                                         r"empty; choose another folder, "
                                         r"empty it, or pass overwrite=True$"):
        tgs.runs.translate_files(translator, str(inputs), str(out))
    assert os.listdir(out) == ["old.png"]
    written = tgs.runs.translate_files(translator, str(inputs), str(out),
                                       overwrite=True)
    assert written == [str(out / "a.png")] and os.listdir(out) == ["a.png"]
    # The same words as a folder of generated images (one implementation).
    with pytest.raises(ValueError) as generated:
        tgs.runs.generate_files(tgs.models.DCGAN(latent_dim=4, filters=4),
                                str(out), 2, verbose=False)
    with pytest.raises(ValueError) as translated:
        tgs.runs.translate_files(translator, str(inputs), str(out))
    assert str(generated.value) == str(translated.value)


def test_two_inputs_of_one_name_are_refused_before_writing(tmp_path,
                                                           translator):
    inputs = image_folder(tmp_path / "in", ["x.png", "x.jpg", "y.png"])
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"^inputs: expected one image per "
                                         r"name in .*in \(each is written as "
                                         r"<name>.png\), found x.jpg and "
                                         r"x.png$"):
        tgs.runs.translate_files(translator, str(inputs), str(out))
    assert not out.exists()


def test_out_must_be_a_png_for_a_file_and_a_folder_for_a_folder(
        tmp_path, translator):
    inputs = image_folder(tmp_path / "in", ["a.jpg"])
    for out, found in ((f"{tmp_path}/dir/", "a folder"),
                       (str(tmp_path), "a folder"),
                       (str(tmp_path / "a.jpg"), "no .png name")):
        with pytest.raises(ValueError, match=(
                rf"^out: expected a .png file path for one input file "
                rf"\(.*a.jpg\), got {out} \({found}\)$")):
            tgs.runs.translate_files(translator, str(inputs / "a.jpg"), out)
    with pytest.raises(ValueError, match=r"^out: expected a folder for a "
                                         r"folder of inputs \(.*in\), got "
                                         r".*grid.png \(an image file "
                                         r"name\)$"):
        tgs.runs.translate_files(translator, str(inputs),
                                 str(tmp_path / "grid.png"))
    with pytest.raises(ValueError, match=r"^out: expected a folder other "
                                         r"than the inputs'"):
        tgs.runs.translate_files(translator, str(inputs), str(inputs),
                                 overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["in"]
    assert os.listdir(inputs) == ["a.jpg"]
