"""tfgan-generate's message for a model that translates, asked to
generate (the program's flags are parsed by its one end-to-end test in
tests/scripts; `--input` itself is `tgs.runs.translate_files`, tested in
tests/runs/test_translate.py)."""

import tfgan_suite as tgs
from tfgan_suite.commands import cli


def test_a_translating_model_asked_to_generate_names_the_flags():
    cyclegan = tgs.models.CycleGAN(image_shape=(32, 32, 3), filters=4,
                                   n_blocks=0, pool_size=2)
    assert cli.translator_without_input(cyclegan, "runs/cyc") == (
        "--input: runs/cyc holds a CycleGAN, which translates images and "
        "does not generate them from noise; give --input=FILE_OR_FOLDER and "
        "--direction=a_to_b or b_to_a (--out: a .png file for a file, a "
        "folder for a folder)")
    pix2pix = tgs.models.Pix2Pix(image_shape=(32, 32, 3), filters=4)
    assert "give --input=FILE_OR_FOLDER (--out:" in \
        cli.translator_without_input(pix2pix, "runs/p")
