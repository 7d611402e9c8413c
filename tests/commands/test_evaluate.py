"""tfgan-evaluate on folders with unreadable files: --skip_bad_files and
--resize, given or the run's."""

import json

from tests.conftest import folder_config
from tests.scripts.test_scripts import script
from tfgan_suite import metrics, training


def test_a_folder_run_is_evaluated_with_its_data_policies_and_folders_too(
        tmp_path, gray_folder):
    """A run that trained with skip_bad_files and resize="crop" on a folder
    holding a broken file is scored as it read its data; two folders are
    compared with the flags given."""
    import os
    from PIL import Image
    with open(os.path.join(gray_folder, "bag", "broken.png"), "wb") as f:
        f.write(b"not a png")
    Image.new("L", (20, 16)).save(os.path.join(gray_folder, "shoe",
                                               "wide.png"))
    out = tmp_path / "run"
    policies = dict(skip_bad_files=True, resize="crop", holdout=0.3)
    training.run(folder_config(gray_folder, **policies), str(out))
    classifier = str(tmp_path / "classifier.keras")
    metrics.train_domain_classifier("folder", gray_folder, classifier,
                                    epochs=1, **policies)
    result = script("evaluate.py", f"--model_path={out}", "--num=8",
                    f"--classifier_path={classifier}", "--nomemorization")
    assert result.returncode == 0, result.stderr[-3000:]
    scored = json.loads((out / "eval.json").read_text())
    assert scored["domain_fid"] >= 0
    steps = json.loads((out / "model.json").read_text())["step"]
    assert scored["step"] == steps > 0  # which model eval.json scored.

    # Two folders, in process (the command passes its flags through).
    scores = metrics.evaluate(real=gray_folder, fake=f"{gray_folder}/shoe",
                              features=classifier, skip_bad_files=True,
                              resize="pad")
    assert (scores["num_real"], scores["num_fake"]) == (31, 11)
