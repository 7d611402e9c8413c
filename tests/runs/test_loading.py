import numpy as np
import pytest

from tfgan_suite import metrics, models, runs, serving


def test_discriminator_filtered_keeps_only_high_scores():
    # An untrained D scores every sample 0.5 +- 1e-6, where float32 has a
    # few dozen values: many scores tie at the median, depending on the
    # weights drawn. A large logit kernel spreads them apart.
    gan = models.DCGAN(image_shape=(28, 28, 1), latent_dim=8, filters=4,
                       seed=1)
    gan.compile()
    logit = gan.discriminator.get_layer("logit")
    logit.kernel.assign(np.random.default_rng(0).normal(
        size=logit.kernel.shape).astype("float32") * 1e4)
    scores = gan.discriminator_scores(gan.generate(64, seed=0))
    threshold = float(np.median(scores))
    images, kept, rate = metrics.discriminator_filtered(
        gan, 10, threshold, batch_size=64, seed=0)
    assert images.shape == (10, 28, 28, 1)
    assert (kept >= threshold).all()
    assert 0.4 <= rate <= 0.6


def test_discriminator_filtered_gives_up_clearly(tiny_dcgan):
    with pytest.raises(ValueError, match=r"min_d_score: only 0 of 64 samples "
                                         r"\(0.00%\) scored >= 1.01"):
        metrics.discriminator_filtered(tiny_dcgan, 4, 1.01, batch_size=32,
                                        max_batches=2)


def test_scores_refused_for_non_probabilistic_losses(tiny_dcgan):
    tiny_dcgan.compile(loss="hinge")
    with pytest.raises(ValueError, match="probabilities only for the minimax"):
        tiny_dcgan.discriminator_scores(tiny_dcgan.generate(2, seed=0))


def test_load_keras_file_and_saved_model(tmp_path, tiny_dcgan, tiny_dataset):
    tiny_dcgan.fit(tiny_dataset.take(1), epochs=1, verbose=0)
    tiny_dcgan.save(str(tmp_path / "model.keras"))
    from_run = runs.load(str(tmp_path))
    path = serving.export_saved_model(tiny_dcgan, str(tmp_path / "sm"))
    served = runs.load(str(tmp_path / "sm"))
    assert served.path == path
    np.testing.assert_array_equal(served.generate_uint8(3, seed=5),
                                  from_run.generate_uint8(3, seed=5))
    with pytest.raises(ValueError, match="needs the discriminator"):
        metrics.discriminator_filtered(served, 1)
    with pytest.raises(ValueError, match="expected a run folder"):
        runs.load(str(tmp_path / "nothing"))
