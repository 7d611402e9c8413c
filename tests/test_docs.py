"""docs/adding_a_model.md's model file is whole and right: executed as a
module of its own, the class builds, trains two steps with `fit`, counts
them, round-trips through `.keras`, and gets its flags. Its walk through
DCGAN's step names every helper the step calls, each in gan.py or base.py."""

import ast
import inspect
import os
import re
import sys
import textwrap

import keras
import numpy as np

from tests.conftest import REPO, pattern_images
from tfgan_suite import data


def doc_block(name, path="docs/adding_a_model.md"):
    with open(os.path.join(REPO, path)) as f:
        text = f.read()
    match = re.search(rf"<!-- {name} -->\n```python\n(.*?)```\n<!-- /{name} -->",
                      text, re.S)
    assert match, f"{path}: no {name} block"
    return match.group(1)


def test_the_docs_model_file_builds_trains_and_saves(tmp_path, monkeypatch):
    # Its own module and Keras package, so it does not replace the suite's
    # registered WGANGP in this process.
    source = doc_block("model-file").replace('package="tfgan_suite"',
                                             'package="doc_models"')
    (tmp_path / "doc_wgan_gp.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import doc_wgan_gp
        model = doc_wgan_gp.WGANGP(image_shape=(28, 28, 1), latent_dim=8,
                                   filters=4, d_steps=2)
        model.compile()
        assert model.init_args()["gp_weight"] == 10.0
        ds = data.build(data.from_arrays(pattern_images(32, 28, 28, 1)),
                        batch_size=16, seed=0)
        history = model.fit(ds.take(2), verbose=0)
        assert np.isfinite(history.history["gp"][-1])
        assert int(model.step_counter.numpy()) == 2
        assert int(model.d_optimizer.iterations.numpy()) == 4  # d_steps 2
        path = str(tmp_path / "doc.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        np.testing.assert_array_equal(loaded.generate(2, seed=0),
                                      model.generate(2, seed=0))
    finally:
        sys.modules.pop("doc_wgan_gp", None)


def test_the_docs_factory_trains_keras_ios_gan(tmp_path, monkeypatch,
                                                idx_dir):
    from tests.training.test_keras_io_gans import KERAS_IO
    from tfgan_suite import runs, training
    nets = '''
def discriminator():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(),
                             layers.Dense(1, activation="sigmoid")])


def generator(latent_dim):
    return keras.Sequential([keras.Input((latent_dim,)), layers.Dense(784),
                             layers.Reshape((28, 28, 1)),
                             layers.Activation("sigmoid")])
'''
    (tmp_path / "kio.py").write_text(KERAS_IO + nets)
    (tmp_path / "my_gans.py").write_text(doc_block("factory"))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        config = runs.make_config(
            None, model="my_gans:build", dataset="fashion_mnist",
            data_dir=idx_dir, batch_size=8, steps=2, fid_every_n_steps=0,
            verbose=0, model_args={"value_range": (0, 1), "latent_dim": 4})
        model, _ = training.run(config, str(tmp_path / "run"))
        assert int(model.step_counter.numpy()) == 2
        assert type(model.inner).__name__ == "GAN"
    finally:
        for name in ("kio", "my_gans"):
            sys.modules.pop(name, None)


def test_dcgans_step_reads_in_two_files_as_the_docs_walk_it():
    from tfgan_suite.models import base, gan
    with open(os.path.join(REPO, "docs/adding_a_model.md")) as f:
        table = re.search(r"<!-- dcgan-step -->\n(.*?)<!-- /dcgan-step -->",
                          f.read(), re.S).group(1)
    listed = set(re.findall(r"`(\w+)[`(]", table))
    steps = (gan.GAN.train_step, gan.GAN.discriminator_pass)
    called = {node.attr for method in steps
              for node in ast.walk(ast.parse(textwrap.dedent(
                  inspect.getsource(method))))
              if isinstance(node, ast.Attribute)
              and isinstance(node.value, ast.Name) and node.value.id == "self"}
    # The helpers: methods and properties of the class (not the nets and
    # hyperparameters the model holds), and where each is defined.
    owners = {name: next(k for k in gan.GAN.__mro__ if name in vars(k))
              for name in called if any(name in vars(k)
                                        for k in gan.GAN.__mro__)}
    elsewhere = {n: k for n, k in owners.items()
                 if k not in (gan.GAN, base.AdversarialModel)}
    assert not elsewhere, f"DCGAN's step calls helpers outside gan.py and " \
                          f"base.py: {elsewhere}"
    core = {n for n, k in owners.items() if k is base.AdversarialModel}
    assert core <= listed, f"the docs' walk misses {sorted(core - listed)}"
    lines = sum(len(inspect.getsourcelines(
        getattr(vars(base.AdversarialModel)[n], "fget", None)
        or vars(base.AdversarialModel)[n])[0]) for n in core)
    lines += sum(len(inspect.getsourcelines(m)[0]) for m in steps)
    assert lines <= 170, f"DCGAN's step and its helpers: {lines} lines"
