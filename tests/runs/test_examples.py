"""The examples a run trains on and those it never sees
(`tgs.runs.examples`), picked the same way in and outside the run."""

import tfgan_suite as tgs
from tfgan_suite import runs
from tfgan_suite.runs import examples


def as_set(source):
    return {image.tobytes() for image in tgs.data.sources.images_and_labels(
        source)[0]}


def test_held_out_examples_are_never_training_examples(tmp_path,
                                                       gray_folder):
    config = lambda **data: runs.make_config(
        "fashion_mnist_dcgan", dataset="folder", data_dir=gray_folder,
        batch_size=4, seed=3, **data)
    # A folder's held-out share (its test split), whatever the subset.
    share = examples.held_out(config(max_images=8))
    assert share.num_examples == 3  # one of each class's ten
    assert not as_set(share) & as_set(examples.training_source(
        config(max_images=8)))
    # No held-out share: the training images a subset leaves out ...
    everything = as_set(examples.training_source(config(holdout=0)))
    picked = as_set(examples.training_source(config(holdout=0, max_images=8)))
    rest = examples.held_out(config(holdout=0, max_images=8))
    assert len(picked) == 8 and rest.num_examples == 22
    assert as_set(rest) == everything - picked
    # ... and none without a subset.
    assert examples.held_out(config(holdout=0)) is None
    # A run that trains on the test split has no test split held out.
    assert examples.held_out(config(split="test")) is None


def test_a_runs_subset_is_rebuilt_outside_the_run(gray_folder):
    import keras
    config = runs.make_config(
        "fashion_mnist_dcgan", dataset="folder", data_dir=gray_folder,
        batch_size=4, seed=3, max_images=8)
    keras.utils.set_random_seed(3)  # as the run sets it
    in_run = as_set(examples.training_source(config))
    keras.utils.set_random_seed(99)  # another process's state
    assert as_set(examples.trained_on(config)) == in_run
