"""The scripts as a user runs them: subprocesses, exit codes, files."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO, write_cifar

TINY = ["--filters=4", "--latent_dim=8", "--batch_size=4"]
NO_FID = ["--fid_every_n_steps=0"]  # presets measure FID; tests don't


def script(name, *args, folder="scripts"):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    return subprocess.run([sys.executable, os.path.join(REPO, folder, name),
                           *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=300)


@pytest.fixture(scope="module")
def cifar_run(tmp_path_factory):
    """train.py --dataset=cifar10 --classes=horse on pickle fixtures."""
    tmp = tmp_path_factory.mktemp("cifar_run")
    data_dir = write_cifar(tmp)
    out = tmp / "run"
    result = script("train.py", "--model=dcgan", "--dataset=cifar10",
                    "--classes=horse", f"--data_dir={data_dir}", "--steps=3",
                    f"--out_dir={out}", f"--export={tmp / 'saved' / 'dcgan'}",
                    "--seed=0", *TINY, *NO_FID)
    assert result.returncode == 0, result.stderr[-3000:]
    (tmp / "stdout.txt").write_text(result.stdout)
    (tmp / "stderr.txt").write_text(result.stderr)
    return tmp, out


def test_train_ends_with_a_short_summary_and_no_export_notes(cifar_run):
    tmp, out = cifar_run
    lines = (tmp / "stdout.txt").read_text().splitlines()
    summary = lines[lines.index(f"run folder: {out}"):]
    assert [line.split(":")[0] for line in summary] == [
        "run folder", "samples", "model", "exported", "train on"], summary
    assert f"{out}/samples/ (last: " in summary[1]
    assert summary[2] == f"model:      {out}/model.keras"
    assert summary[3].endswith(str(tmp / "saved" / "dcgan" / "1"))
    assert summary[4].endswith(f"--out_dir={out} --resume --steps=6")
    stderr = (tmp / "stderr.txt").read_text()
    assert "exported" not in stderr  # said once, in the summary
    assert not any(note in stderr for note in (
        "Assets written to", "Writing fingerprint", "unsupported characters"))


def test_train_writes_a_complete_run_folder(cifar_run):
    tmp, out = cifar_run
    for name in ("config.json", "model.keras", "losses.csv", "losses.png",
                 "history.csv", "samples/initial.png", "samples/progress.gif",
                 "health.json", "logs"):
        assert (out / name).exists(), name
    # tf.train.CheckpointManager layout: checkpoints/ckpt-<step>.
    from tfgan_suite.runs.checkpoints import list_checkpoints
    last = list_checkpoints(str(out / "checkpoints"))[-1]
    assert int(last.rsplit("-", 1)[1]) >= 3
    assert os.path.isfile(last + ".index")
    assert (tmp / "saved" / "dcgan" / "1" / "saved_model.pb").exists()
    assert (tmp / "saved" / "models.config").exists()
    config = json.loads((out / "config.json").read_text())
    assert config["data"]["classes"] == ["horse"]


# Discriminator filtering is tested in-process (tests/test_sampling.py);
# generate.py runs end to end in the next test.
@pytest.mark.slow
def test_generate_from_a_run_with_discriminator_filtering(cifar_run):
    tmp, out = cifar_run
    png = tmp / "filtered.png"
    result = script("generate.py", f"--model_path={out}", "--num=8",
                    "--min_d_score=0.0", f"--out={png}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "acceptance rate at D >= 0.0: 100.00%" in result.stdout
    assert png.exists()
    result = script("generate.py", f"--model_path={out}", "--num=8",
                    "--min_d_score=1.5", "--max_batches=1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        "error: --min_d_score: only 0 of 256 samples")


def test_generate_from_the_saved_model_and_export_again(cifar_run):
    tmp, out = cifar_run
    result = script("generate.py", f"--model_path={tmp / 'saved' / 'dcgan'}",
                    "--num=4", f"--out={tmp / 'served.png'}")
    assert result.returncode == 0, result.stderr[-3000:]
    result = script("export.py", f"--model_path={out}", "--name=horses",
                    f"--root={tmp / 'saved'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp / "saved" / "horses" / "1" / "saved_model.pb").exists()
    assert 'name: "horses"' in (tmp / "saved" / "models.config").read_text()
    assert "verified: signatures sample, sample_truncated, serving_default" in result.stdout
    said = (result.stdout + result.stderr).splitlines()
    assert [line for line in said if "exported" in line] == [
        f"exported {tmp / 'saved' / 'horses' / '1'}"], said


# The library's errors are tested in-process (tests/test_bad_inputs.py);
# these check the script layer turns them into one line (two in CI).
slow = pytest.mark.slow


@pytest.mark.parametrize("args, message", [
    (["--model=stylegan"],
     "error: --model: expected one of ['cgan', 'cyclegan', 'dcgan', 'gan', "),
    pytest.param(["--dataset=cifar10", "--data_dir=/no/such/dir"],
                 "error: --data_dir: /no/such/dir is not a directory",
                 marks=slow),
    pytest.param(["--epochs=0"],
                 "error: --epochs: expected a positive integer, got 0",
                 marks=slow),
    pytest.param(["--batch_size=-1"],
                 "error: --batch_size: expected a positive integer",
                 marks=slow),
    pytest.param(["--loss=hinje"], "error: --loss: expected one of",
                 marks=slow),
    pytest.param(["--preset=nope"], "error: --preset: expected one of",
                 marks=slow),
    pytest.param(["--model=dcgan", "--dataset=synthetic_pairs"],
                 "error: --dataset: DCGAN trains on single images",
                 marks=slow),
    pytest.param(["--model=dcgan", "--l1_lambda=10"],
                 "error: --l1_lambda: not an argument of DCGAN (--model=dcgan "
                 "takes ", marks=slow),
    pytest.param(["--preset=fashion_mnist_sagan", "--num_classes=5"],
                 "error: --num_classes: fashion_mnist has 10 classes "
                 "(T-shirt/top, ", marks=slow),
])
def test_bad_input_is_one_clear_line(args, message, tmp_path):
    result = script("train.py", *args, f"--out_dir={tmp_path}", *NO_FID)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(message), result.stderr[-2000:]
    assert "Traceback" not in result.stderr


@slow
def test_misspelled_enum_flag_names_the_flag(tmp_path):
    result = script("train.py", "--model=pix2pix", "--direction=AtoC",
                    f"--out_dir={tmp_path}")
    assert result.returncode != 0
    assert "--direction" in result.stderr and "a_to_b" in result.stderr


def test_fid_during_training_and_evaluate(tmp_path, idx_dir):
    """A run with FID during training (in process: train.py's end-to-end
    run is above) trains the domain classifier on first use; evaluate.py
    scores the run with it."""
    from tfgan_suite import runs, training
    classifier = tmp_path / "classifier.keras"
    out = tmp_path / "run"
    training.run(runs.make_config(
        None, dataset="fashion_mnist", data_dir=str(idx_dir), steps=4,
        steps_per_epoch=2, fid_every_n_steps=2, fid_num_images=32,
        classifier_path=str(classifier), max_images=32, seed=5,
        batch_size=4, model_args={"filters": 4, "latent_dim": 8},
        verbose=0), str(out))
    assert classifier.exists()
    # The real statistics are cached beside the classifier for later runs
    # (named by the data's fingerprint).
    assert len(list(tmp_path.glob("classifier.keras.real-*.npz"))) == 1
    assert (out / "fid.csv").read_text().splitlines()[0] == "step,domain_FID"
    assert len((out / "fid.csv").read_text().splitlines()) == 3
    assert "fid" in (out / "history.csv").read_text().splitlines()[0]
    # The data (dataset, data_dir) comes from the run's config.json.
    result = script("evaluate.py", f"--model_path={out}",
                    f"--classifier_path={classifier}", "--num=64")
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"data: fashion_mnist (from {out}/config.json)" in result.stdout
    scores = json.loads((out / "eval.json").read_text())
    assert scores["domain_fid"] > 0 and scores["num_real"] == 16
    assert 1 <= scores["class_coverage"]["covered"] <= 10
    # Memorization: against the run's 32 training images.
    nearest = scores["nearest_train_distance"]
    assert nearest["num_train"] == 32 and "(32 of 64)" in nearest[
        "train_images"]
    assert nearest["ratio"] == pytest.approx(nearest["samples"]
                                             / nearest["heldout"])


# One end-to-end run per script stays in the default suite (above); these
# per-model runs are covered in-process (tests/models/, test_experiment.py).
@slow
def test_cgan_end_to_end(tmp_path, idx_dir):
    out = tmp_path / "cgan"
    result = script("train.py", "--model=cgan", "--dataset=fashion_mnist",
                    f"--data_dir={idx_dir}", "--steps=2", f"--out_dir={out}",
                    *TINY, *NO_FID)
    assert result.returncode == 0, result.stderr[-3000:]
    result = script("generate.py", f"--model_path={out}", "--label=7",
                    "--num=4", f"--out={tmp_path / 'sevens.png'}")
    assert result.returncode == 0, result.stderr[-3000:]
    result = script("generate.py", f"--model_path={out}", "--label=12",
                    "--num=4")
    assert result.returncode == 2
    assert ("error: --label: expected classes 0..9 (T-shirt/top, "
            in result.stderr and "got [12]" in result.stderr)


@slow
def test_sagan_preset_and_attention_maps(tmp_path):
    data_dir = write_cifar(tmp_path)
    out = tmp_path / "sagan"
    result = script("train.py", "--model=sagan", "--preset=cifar10_horse_sagan",
                    f"--data_dir={data_dir}", "--steps=2",
                    "--filters=8", "--latent_dim=8", "--batch_size=2",
                    f"--out_dir={out}", *NO_FID)
    assert result.returncode == 0, result.stderr[-3000:]
    config = json.loads((out / "config.json").read_text())
    assert config["train"]["fid_every_n_steps"] == 0  # the flag wins
    assert config["data"]["classes"] == ["horse"]
    png = tmp_path / "attention.png"
    result = script("generate.py", "--model=sagan", f"--model_path={out}",
                    "--attention_maps", "--num=2", f"--out={png}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert png.stat().st_size > 1000
    result = script("generate.py", "--model=dcgan", f"--model_path={out}")
    assert result.returncode == 2
    assert "error: --model: expected a dcgan model" in result.stderr


@slow
def test_pix2pix_end_to_end(tmp_path):
    from tests.conftest import write_pairs
    pairs = write_pairs(tmp_path)
    out = tmp_path / "p2p"
    result = script("train.py", "--model=pix2pix", "--dataset=pairs",
                    f"--data_dir={pairs}", "--image_size=64,64", "--epochs=1",
                    "--filters=4", "--batch_size=2", f"--out_dir={out}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "samples" / "epoch_0001.png").exists()
    header = (out / "losses.csv").read_text().splitlines()[0]
    assert header == "step,d_loss,g_gan_loss,g_l1_loss"
    result = script("evaluate.py", "--model=pix2pix", f"--model_path={out}",
                    "--dataset=pairs", f"--data_dir={pairs}")
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads((out / "eval.json").read_text())
    assert scores["num_pairs"] == 4 and 0 < scores["l1"] < 1
    assert 0 < scores["psnr"] < 100 and -1 <= scores["ssim"] <= 1
    result = script("export.py", f"--model_path={out}", "--name=pix2pix",
                    f"--root={tmp_path / 'saved'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "saved" / "pix2pix" / "1" / "saved_model.pb").exists()


@slow
def test_cyclegan_end_to_end(tmp_path):
    """train.py on the unpaired layout (with --export), --resume, evaluate.py
    (domain FID both ways, cycle L1) and generate.py --direction from the
    run and from the SavedModel."""
    from tests.data.test_unpaired import write_unpaired
    data_dir = write_unpaired(tmp_path / "h2z")
    out, saved = tmp_path / "run", tmp_path / "saved" / "cyclegan"
    args = ["--model=cyclegan", "--dataset=unpaired", f"--data_dir={data_dir}",
            "--image_size=32", "--filters=4", "--n_blocks=0",
            "--batch_size=2", "--steps_per_epoch=2", f"--out_dir={out}"]
    result = script("train.py", *args, "--steps=2", f"--export={saved}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "samples" / "epoch_0001.png").exists()
    assert (saved / "1" / "saved_model.pb").exists()
    header = (out / "losses.csv").read_text().splitlines()[0]
    assert header == "step,d_loss,g_gan_loss,cycle_loss,identity_loss"
    result = script("train.py", f"--out_dir={out}", "--resume", "--steps=4")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "checkpoints" / "ckpt-4.index").exists()
    result = script("evaluate.py", f"--model_path={out}",
                    f"--classifier_path={tmp_path / 'domains.keras'}")
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads((out / "eval.json").read_text())
    assert scores["num_a"] == 2 and scores["num_b"] == 3
    for key in ("a_to_b_domain_fid", "b_to_a_domain_fid"):
        assert scores[key] >= 0, key
    assert 0 < scores["cycle_l1_a"] < 1 and 0 < scores["cycle_l1_b"] < 1
    for model_path in (out, saved):
        result = script("generate.py", f"--model_path={model_path}",
                        f"--input={data_dir}/testB", "--direction=b_to_a",
                        f"--out={tmp_path / 'horses' / model_path.name}")
        assert result.returncode == 0, result.stderr[-3000:]
        assert "translated 3 image(s)" in result.stdout
    result = script("generate.py", f"--model_path={out}", "--direction=b_to_a")
    assert result.returncode == 2
    assert "error: --direction: applies to translating --input" in \
        result.stderr


def test_benchmark_speed_table(tmp_path):
    """benchmarks/benchmark.py times fit against the tutorial loop on the
    same nets and writes every column of the README's table; under
    --mixed_precision also against the float32 tutorial loop."""
    out = tmp_path / "speed.json"
    result = script("benchmark.py", "--model=dcgan", "--update=simultaneous",
                    "--batch_size=8", "--steps=2", "--repeats=2",
                    "--mixed_precision", "--matmul_size=128",
                    f"--profile={tmp_path / 'profile'}",
                    f"--json={out}", folder="benchmarks")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "fit/tutorial" in result.stdout
    results = json.loads(out.read_text())
    row, = results["rows"]
    assert (row["model"], row["update"], row["batch_size"],
            row["precision"]) == ("dcgan", "simultaneous", 8,
                                  "mixed_bfloat16")
    for key in ("fit_images_per_s", "tutorial_images_per_s",
                "fit_over_tutorial", "tutorial_fp32_images_per_s",
                "fit_over_fp32_tutorial", "pipeline_images_per_s",
                "peak_rss_mib"):
        assert row[key] > 0, key
    # The median of 2 interleaved measurements each; float32 fit and
    # tutorial loop in the same rounds, ratios taken round by round.
    assert len(row["seconds_per_step"]["fit"]) == 2
    assert row["fit_images_per_s"] == pytest.approx(
        8 / np.median(row["seconds_per_step"]["fit"]))
    assert row["fit_fp32_images_per_s"] > 0
    for ratio in ("fit_over_tutorial", "fit_over_fp32_tutorial",
                  "fp32_fit_over_fp32_tutorial", "fit_mixed_over_fp32",
                  "tutorial_mixed_over_fp32"):
        spread = row["ratios"][ratio]
        assert len(spread["per_round"]) == 2
        assert spread["min"] <= row[ratio] == spread["median"] <= \
            spread["max"], ratio
    # --profile: each timed step's ops by layer and by op type.
    assert "profile by layer" in result.stdout
    assert set(row["profile"]) == {"fit", "fit_fp32", "tutorial",
                                   "tutorial_fp32"}
    by_layer = row["profile"]["fit"]["by_layer"]
    assert by_layer["Conv2D gradient"][0] > 0
    assert "BatchNormalization" in by_layer and "optimizer" in by_layer
    assert results["command"].startswith("python benchmarks/benchmark.py")
    assert results["matmul_fp32_gflops"] > 0
    assert results["matmul_bf16_gflops"] > 0
    assert isinstance(results["bfloat16_instructions"], bool)
    assert results["cpu"] and "bfloat16 instructions: " in result.stdout


def test_two_folders_compared_on_a_local_inception(tmp_path, monkeypatch):
    from tests.conftest import write_gray_classes
    from tests.metrics.test_inception import write_stand_in
    real = write_gray_classes(tmp_path / "real", n=12)
    fake = write_gray_classes(tmp_path / "fake", classes=("x",), n=12)
    monkeypatch.setenv("TFGAN_INCEPTION",
                       write_stand_in(tmp_path / "inception"))
    result = script("evaluate.py", f"--real={real}", f"--fake={fake}",
                    "--features=inception", f"--out={tmp_path / 'e.json'}")
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads((tmp_path / "e.json").read_text())
    assert (scores["num_real"], scores["num_fake"]) == (36, 12)
    for key in ("fid", "kid", "precision", "recall", "density", "coverage",
                "inception_score"):
        assert key in scores and key in result.stdout, key
    assert scores["fid"] > 0


# The rest in-process in the default suite: tests/training/test_folders.py
# (a labelled grayscale folder, its classes, FID on its held-out share).
@pytest.mark.slow
def test_own_labelled_grayscale_folder_end_to_end(tmp_path, monkeypatch):
    """A labelled grayscale folder trained with CGAN (1 channel, its 3
    classes, FID on its held-out share), samples of a class by name from
    the export, a label out of range as one line, and two folders
    compared on (a stand-in of) Inception."""
    from tests.conftest import write_gray_classes
    from tests.metrics.test_inception import write_stand_in
    data_dir = write_gray_classes(tmp_path, n=12)
    out, export = tmp_path / "run", tmp_path / "saved" / "cgan"
    result = script("train.py", "--model=cgan", "--dataset=folder",
                    f"--data_dir={data_dir}", "--holdout=0.25", "--steps=2",
                    "--fid_every_n_steps=2", "--fid_num_images=16",
                    f"--classifier_path={tmp_path / 'classifier.keras'}",
                    f"--out_dir={out}", f"--export={export}", *TINY)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "remapper" not in result.stderr and "Traceback" not in result.stderr
    args = json.loads((out / "config.json").read_text())["model_args"]
    assert (args["num_classes"], args["class_names"], args["image_shape"]) \
        == (3, ["bag", "shirt", "shoe"], [16, 16, 1])
    assert (out / "fid.csv").read_text().startswith("step,domain_FID\n2,")
    # Scored on the run's held-out images with the run's classifier.
    result = script("evaluate.py", f"--model_path={out}", "--num=30")
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads((out / "eval.json").read_text())
    assert scores["num_real"] == 9 and scores["domain_fid"] > 0
    assert set(scores["label_accuracy"]) == {"bag", "shirt", "shoe", "mean"}
    result = script("generate.py", f"--model_path={export}", "--label=bag",
                    "--num=4", f"--out={tmp_path / 'bags.png'}")
    assert result.returncode == 0, result.stderr[-3000:]
    result = script("generate.py", f"--model_path={export}", "--label=4")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "error: --label: expected classes 0..2 (bag, shirt, shoe), got [4]")
    fake = write_gray_classes(tmp_path / "fake", classes=("x",), n=12)
    stand_in = write_stand_in(tmp_path / "inception")
    monkeypatch.setenv("TFGAN_INCEPTION", stand_in)
    result = script("evaluate.py", f"--real={data_dir}", f"--fake={fake}",
                    "--features=inception", f"--out={tmp_path / 'e.json'}")
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads((tmp_path / "e.json").read_text())
    assert scores["features"] == stand_in and scores["num_real"] == 36
    for key in ("fid", "kid", "precision", "recall", "density", "coverage",
                "inception_score"):
        assert key in scores and key in result.stdout, key
