import sys

from tfgan_suite.compat import tfgan


def test_loads_submodules_without_the_estimator_package():
    assert callable(tfgan.losses_impl.minimax_discriminator_loss)
    assert callable(
        tfgan.classifier_metrics.frechet_classifier_distance_from_activations)
    # The top-level package is our empty stand-in: its __init__ never ran.
    assert not hasattr(sys.modules["tensorflow_gan"], "estimator")
    assert "tensorflow_gan.python.estimator" not in sys.modules


def test_unknown_attribute():
    import pytest
    with pytest.raises(AttributeError):
        tfgan.no_such_module
