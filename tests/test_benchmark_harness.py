"""benchmarks/harness.py: `benchmark.py --model=all` times every model on
random data of the kind it trains on."""

import os
import sys

import pytest

from tfgan_suite import data, models

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "benchmarks"))
import harness  # noqa: E402


@pytest.mark.parametrize("name", list(models.MODELS))
def test_every_model_gets_batches_of_its_data_kind(name):
    model, source, batch_size = harness.speed_case(name, batch_size=2)
    assert batch_size == 2 * model.d_steps
    batch = next(iter(data.build(source, batch_size=batch_size,
                                 repeat=True, augment=False)))
    kind = model.data_kind()
    images = {"images": lambda b: [b], "labelled": lambda b: [b[0]],
              "pairs": list, "unpaired": list}[kind](batch)
    assert len(images) == (2 if kind in ("pairs", "unpaired") else 1)
    for x in images:
        assert tuple(x.shape) == (batch_size, *model.data_shape), kind
    if kind == "labelled":
        assert tuple(batch[1].shape) == (batch_size,)


def test_the_benchmarks_build_the_model_their_records_trained():
    # The DCGAN preset's D gained a final convolution after the records.
    recorded = harness.RECORDED_MODEL_ARGS["fashion_mnist_dcgan"]
    today = models.presets.get("fashion_mnist_dcgan")["model_args"]
    assert any(today.get(k) != v for k, v in recorded.items())
    model, _, _ = harness.speed_case("dcgan", batch_size=2)
    for built in (model, harness.preset_model("fashion_mnist_dcgan")):
        assert {k: getattr(built, k) for k in recorded} == recorded


def test_interleaved_rotates_the_order_of_each_round():
    calls = []
    measures = {key: (lambda key=key: calls.append(key) or len(calls))
                for key in "abc"}
    results = harness.interleaved(measures, rounds=3)
    assert calls == list("abc" "bca" "cab")
    assert results == {"a": [1, 6, 8], "b": [2, 4, 9], "c": [3, 5, 7]}


def test_ratios_are_taken_round_by_round():
    spread = harness.ratio_summary([2.0, 6.0, 3.0], [1.0, 2.0, 1.0])
    assert spread == {"median": 3.0, "min": 2.0, "max": 3.0,
                      "per_round": [2.0, 3.0, 3.0]}


def test_profiled_ops_are_grouped_by_the_layer_that_runs_them(tmp_path):
    import tensorflow as tf
    from tests import tiny_models
    model = tiny_models.tiny("dcgan")
    model.compile()
    kinds = harness.layer_kinds(model)
    norm = next(layer.name for layer in model.generator.layers
                if type(layer).__name__ == "BatchNormalization")
    assert harness.op_group(
        f"StatefulPartitionedCall/gradient_tape/generator_1/{norm}_1/"
        f"FusedBatchNormGradV3", kinds) == "BatchNormalization gradient"
    assert harness.op_group(f"generator/{norm}/moments/mean",
                            kinds) == "BatchNormalization"
    assert harness.op_group("StatefulPartitionedCall/adam_7/Mul_3",
                            kinds) == "optimizer"
    assert harness.op_group("StatefulPartitionedCall/Mean_2",
                            kinds) == "other"
    x = tf.random.stateless_normal((256, 256), (0, 1))
    step = tf.function(lambda x: tf.matmul(x, x, name="product"))
    step(x)
    ops = harness.profile_ops(lambda: harness.block([step(x)
                                                     for _ in range(3)]),
                              str(tmp_path))
    (name, kind), = [key for key in ops if "product" in key[0]]
    assert "MatMul" in kind and ops[name, kind][1] == 3
    assert ops[name, kind][0] > 0


def test_the_benchmarks_read_the_committed_domain_classifier():
    """One instrument on every machine: the default --classifier_path of
    the experiments is the file in benchmarks/, a Fashion-MNIST domain
    classifier whose features make domain FIDs."""
    from experiments import common
    from tfgan_suite import metrics
    assert common.FLAGS["classifier_path"].default == harness.CLASSIFIER
    extractor = metrics.classifier.DomainExtractor.load(harness.CLASSIFIER)
    assert extractor.label == "domain FID"
    assert extractor.image_shape == (28, 28, 1)
    import numpy as np
    features, logits = extractor(np.zeros((2, 28, 28, 1), np.float32))
    assert features.shape == (2, 128) and logits.shape == (2, 10)
