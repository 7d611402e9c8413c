import keras
import numpy as np
import pytest

from tfgan_suite import data, runs, training
from tfgan_suite.training import runner
from tfgan_suite.models import presets


def test_presets_build_and_compile():
    for name in presets.PRESETS:
        config = runs.make_config(name)
        assert config.preset == name and config.model


def test_toy_preset_uses_a_decaying_learning_rate():
    config = runs.make_config("ring_gan")
    model = runner.build_model(config, data.get_source("ring",
                                                           num_examples=64))
    schedule = model.g_optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)
    assert model.generator.output_shape == (None, 2)


def test_overrides_are_routed_to_their_section():
    config = runs.make_config("fashion_mnist_dcgan", epochs=3,
                                    batch_size=16, loss="hinge",
                                    model_args={"filters": 8}, classes=None)
    assert config.train.epochs == 3
    assert config.data.batch_size == 16
    assert config.compile.loss == "hinge"
    assert config.model_args["filters"] == 8
    with pytest.raises(ValueError, match="filters: not a config field"):
        runs.make_config("fashion_mnist_dcgan", filters=8)
    with pytest.raises(ValueError, match="colour: not a config field"):
        runs.make_config(colour="red")
    with pytest.raises(ValueError, match="model: expected one of"):
        runs.make_config(model="nope")


def test_image_shape_must_match_the_data(cifar_dir):
    config = runs.make_config("cifar10_dcgan", data_dir=cifar_dir,
                                    model_args={"image_shape": (28, 28, 1)})
    source = data.get_source("cifar10", data_dir=cifar_dir)
    with pytest.raises(ValueError, match=r"image_shape: the model expects "
                                         r"\(28, 28, 1\) but the cifar10 "
                                         r"examples are \(32, 32, 3\)"):
        runner.build_model(config, source)


def test_conditional_model_needs_labels():
    config = runs.make_config(model="cgan")
    with pytest.raises(ValueError, match="dataset: CGAN with num_classes "
                                         "needs class labels and ring has "
                                         "none"):
        runner.build_model(config, data.get_source("ring",
                                                       num_examples=8))


def test_mlp_gan_on_images_gets_a_tanh_output(idx_dir):
    config = runs.make_config(model="gan")
    source = data.get_source("fashion_mnist", data_dir=idx_dir)
    model = runner.build_model(config, source)
    assert model.output_activation == "tanh"
    assert model.generator.output_shape == (None, 28, 28, 1)


def test_toy_run_draws_scatter_plots(tmp_path):
    config = runs.make_config("ring_gan", steps=4, steps_per_epoch=2,
                                    verbose=0)
    model, history = training.run(config, str(tmp_path))
    assert len(history.history["d_loss"]) == 2
    from PIL import Image
    assert Image.open(tmp_path / "samples" / "epoch_0002.png").size == (500,
                                                                       500)
    assert model.generate(3, seed=0).shape == (3, 2)


def test_pix2pix_run_draws_translations_and_plots_its_losses(tmp_path,
                                                             pairs_dir):
    """The runner with a pairs model, in-process (scripts/train.py
    --model=pix2pix end to end is a slow test)."""
    config = runs.make_config(
        None, model="pix2pix", dataset="pairs", data_dir=pairs_dir,
        image_size=[64, 64], steps=2, batch_size=2, verbose=0,
        model_args={"filters": 4})
    model, history = training.run(config, str(tmp_path))
    assert model.data_kind() == "pairs" and model.data_shape == (64, 64, 3)
    assert (tmp_path / "samples" / "epoch_0001.png").exists()
    header = (tmp_path / "losses.csv").read_text().splitlines()[0]
    assert header == "step,d_loss,g_gan_loss,g_l1_loss"
    assert len(history.history["g_l1_loss"]) == 1


def test_optimizer_settings_are_recorded_and_kept_on_resume(tmp_path,
                                                            idx_dir):
    config = runs.make_config(
        "fashion_mnist_dcgan", data_dir=idx_dir, batch_size=16, steps=1,
        fid_every_n_steps=0, verbose=0, g_learning_rate=1e-3,
        d_learning_rate=3e-4, beta_1=0.0, beta_2=0.9,
        model_args={"filters": 4, "latent_dim": 8})
    model, _ = training.run(config, str(tmp_path))
    settings = lambda opt: [round(float(keras.ops.convert_to_numpy(
        getattr(opt, k))), 6) for k in ("learning_rate", "beta_1", "beta_2")]
    assert settings(model.g_optimizer) == [1e-3, 0.0, 0.9]
    assert settings(model.d_optimizer) == [3e-4, 0.0, 0.9]
    saved = runs.read_config(str(tmp_path)).compile
    assert (saved.g_learning_rate, saved.d_learning_rate,
            saved.beta_1, saved.beta_2) == (1e-3, 3e-4, 0.0, 0.9)
    resumed = runs.resume_config(str(tmp_path), steps=2)
    model, _ = training.run(resumed, str(tmp_path), resume=True)
    assert settings(model.g_optimizer) == [1e-3, 0.0, 0.9]
    with pytest.raises(ValueError, match=r"^g_learning_rate: the run in .* "
                                         r"trained with 0.001 and "
                                         r"resume=True cannot change it"):
        runs.resume_config(str(tmp_path), g_learning_rate=1e-4)
    with pytest.raises(ValueError, match=r"^max_images: the run in .* "
                                         r"trained with the default and "
                                         r"resume=True cannot change it"):
        runs.resume_config(str(tmp_path), max_images=10)


def test_a_labelled_folder_gives_its_classes_not_the_presets(tmp_path,
                                                             gray_folder):
    config = runs.make_config("fashion_mnist_cgan", dataset="folder",
                              data_dir=gray_folder, batch_size=9, steps=1,
                              fid_every_n_steps=0, verbose=0,
                              model_args={"filters": 4, "latent_dim": 8})
    model, _ = training.run(config, str(tmp_path / "run"))
    assert model.num_classes == 3 and model.data_shape == (16, 16, 1)
    assert model.class_names == ["bag", "shirt", "shoe"]
    saved = runs.read_config(str(tmp_path / "run")).model_args
    assert saved["class_names"] == ["bag", "shirt", "shoe"]
    assert saved["num_classes"] == 3
    np.testing.assert_array_equal(model.generate(2, seed=0, labels="shoe"),
                                  model.generate(2, seed=0, labels=2))
    loaded = runs.load(str(tmp_path / "run"))
    assert loaded.class_names == model.class_names
