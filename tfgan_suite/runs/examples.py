"""The examples of a run, from its config (`RunConfig`): those it trains
on (its data, or a seeded subset of `max_images` of them) and those it
never sees (the test split, else what the subset leaves out). Training,
its health measures and the evaluation of a finished run all pick them
here, so they pick the same ones.
"""

import keras

from tfgan_suite import data, models


def training_source(config):
    """The `tgs.data.Source` the run of `config` trains on."""
    source = _training_split(config)
    if config.data.max_images:
        source = data.subset(source, config.data.max_images,
                             seed=_pick_seed(config))
    return source


def trained_on(config):
    """`training_source(config)` outside its run (to evaluate it): the same
    examples, since TensorFlow's global seed is first set to the run's
    seed, as the run sets it before it picks (the subset's shuffle takes
    it in)."""
    if config.data.max_images and config.train.seed is not None:
        keras.utils.set_random_seed(int(config.train.seed))
    return training_source(config)


def held_out(config):
    """Examples of the run's data it never trains on, or None: the test
    split (of the same classes and options) where the data has one and the
    run trains on another, else those a `max_images` subset leaves out of
    the training split."""
    dataset = config.data.dataset
    if dataset in data.SPLIT_SOURCES and config.data.split != "test":
        try:
            return data.get_source(dataset, split="test",
                                   labels=_labelled(config),
                                   **config.data.source_options())
        except ValueError:  # e.g. a folder with no test/ and holdout=0.
            pass
    if not config.data.max_images:
        return None
    return data.left_out(_training_split(config), config.data.max_images,
                         seed=_pick_seed(config))


def _training_split(config):
    """The run's training data before a `max_images` subset."""
    dataset = config.data.dataset
    return data.get_source(
        dataset,
        split=config.data.split if dataset in data.SPLIT_SOURCES else None,
        labels=_labelled(config), **config.data.source_options())


def _labelled(config):
    """True for a model that trains on labelled images (the source then
    gives labels), else None (the source's default)."""
    kind = models.get(config.model).data_kind(config.model_args)
    return (kind == "labelled") or None


def _pick_seed(config):
    # An unseeded run still picks its subset by a fixed seed: the same
    # examples on every resume and evaluation.
    return config.train.seed or 0
