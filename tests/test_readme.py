"""The README's code runs as written, and the names the docs cite exist.

* the quick start (`<!-- quickstart -->`) and the own-nets example
  (`<!-- own-nets -->`) run on a few batches of the real Fashion-MNIST;
* the "Your own GAN" module trains through the runner behind `train.py
  --model=my_gan:NoisyDCGAN` and round-trips through `.keras`;
* every `tgs.<name>...` / `tfgan_suite.<name>...` in README.md and
  docs/*.md resolves, attribute by attribute, after
  `import tfgan_suite as tgs`.
"""

import glob
import os
import re

import numpy as np
import pytest

from tests.conftest import REPO
from tfgan_suite.data import sources

README = os.path.join(REPO, "README.md")
needs_fashion_mnist = pytest.mark.skipif(
    not os.path.isdir(sources.FASHION_MNIST_DIR),
    reason="Debian package dataset-fashion-mnist not installed")


def marked_block(marker, path=README):
    """The python block between `<!-- marker -->` and `<!-- /marker -->`."""
    text = open(path).read()
    block = re.search(rf"<!-- {marker} -->\s*```python\n(.*?)```\s*"
                      rf"<!-- /{marker} -->", text, re.S)
    assert block, f"{path} lost its <!-- {marker} --> block"
    return block.group(1)


def quickstart():
    return marked_block("quickstart")


def run_block(marker, tmp_path, monkeypatch, batches):
    """Runs a README block in `tmp_path`, each dataset cut to `batches`."""
    import tfgan_suite as tgs
    load = tgs.data.load
    monkeypatch.setattr(tgs.data, "load",
                        lambda *a, **k: load(*a, **k).take(batches))
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(marked_block(marker), f"README.md ({marker})", "exec"),
         scope)
    return scope


@needs_fashion_mnist
def test_quickstart_runs(tmp_path, monkeypatch):
    scope = run_block("quickstart", tmp_path, monkeypatch, batches=2)
    assert scope["images"].shape == (16, 28, 28, 1)
    assert os.path.isfile(tmp_path / "dcgan.keras")
    assert os.listdir(tmp_path / "samples")
    assert os.path.isfile(tmp_path / "saved_models" / "dcgan" / "1" /
                          "saved_model.pb")


@needs_fashion_mnist
def test_own_nets_block_runs(tmp_path, monkeypatch):
    scope = run_block("own-nets", tmp_path, monkeypatch, batches=3)
    gan, restored = scope["gan"], scope["restored"]
    # The model read its shapes from the nets and trained on every batch.
    assert gan.latent_dim == 16 and gan.data_shape == (28, 28, 1)
    assert int(gan.g_optimizer.iterations) == 3
    assert int(gan.d_optimizer.iterations) == 3
    assert gan.generator is scope["generator"]
    # The .keras file holds the user's nets and their trained weights.
    assert type(restored) is type(gan)
    assert restored.generator.name == "my_generator"
    assert scope["images"].shape == (8, 28, 28, 1)
    np.testing.assert_array_equal(scope["images"], gan.generate(8, seed=0))


def own_gan_module():
    """The `# my_gan.py` block of the README's "Your own GAN"."""
    text = open(README).read()
    block = re.search(r"```python\n(# my_gan\.py\n.*?)```", text, re.S)
    assert block, "README.md lost the my_gan.py example of 'Your own GAN'"
    return block.group(1)


def test_own_gan_trains_by_module_name(tmp_path, monkeypatch, idx_dir):
    """`train.py --model=my_gan:NoisyDCGAN --model_args=noise_std=0.2`,
    through the runner the script calls."""
    import keras
    import tfgan_suite as tgs
    (tmp_path / "my_gan.py").write_text(own_gan_module())
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    config = tgs.runs.make_config(
        None, model="my_gan:NoisyDCGAN", dataset="fashion_mnist",
        data_dir=idx_dir, batch_size=16, steps=2, steps_per_epoch=2,
        fid_every_n_steps=0, seed=0,
        model_args={"latent_dim": 16, "filters": 8, "noise_std": 0.2})
    model, history = tgs.training.run(config, str(tmp_path / "run"))
    assert type(model).__name__ == "NoisyDCGAN"
    assert model.noise_std == 0.2 and model.latent_dim == 16
    assert int(model.g_optimizer.iterations) == 2
    assert np.isfinite(history.history["d_loss"]).all()
    restored = keras.models.load_model(str(tmp_path / "run" / "model.keras"))
    assert type(restored).__name__ == "NoisyDCGAN"
    assert restored.noise_std == 0.2
    np.testing.assert_array_equal(restored.generate(4, seed=1),
                                  model.generate(4, seed=1))


# --------------------------------------------------------- documented names
DOCS = [README] + sorted(glob.glob(os.path.join(REPO, "docs", "*.md")))
NAME = re.compile(r"(?<![\w.])(tgs|tfgan_suite)((?:\.[A-Za-z_]\w*)+)")


def documented_names():
    """{dotted name: [files citing it]} of README.md and docs/*.md."""
    found = {}
    for path in DOCS:
        for match in NAME.finditer(open(path).read()):
            name = "tgs" + match.group(2)
            found.setdefault(name, []).append(os.path.relpath(path, REPO))
    return found


def test_docs_cite_names():
    names = documented_names()
    assert "tgs.models.DCGAN" in names and "tgs.serving.export_saved_model" in names


@pytest.mark.parametrize("name", sorted(documented_names()))
def test_documented_name_resolves(name):
    import tfgan_suite as tgs
    obj, walked = tgs, "tgs"
    for part in name.split(".")[1:]:
        assert hasattr(obj, part), (
            f"{name} (cited in {sorted(set(documented_names()[name]))}): "
            f"{walked} has no attribute {part!r}")
        obj, walked = getattr(obj, part), f"{walked}.{part}"
