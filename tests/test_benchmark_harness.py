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
