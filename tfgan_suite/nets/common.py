"""What the nets share: the GAN weight initialisation and batch norm that
stays exact under `tf.distribute`."""

import keras
import tensorflow as tf
from keras import layers


def init():
    """N(0, 0.02), the initialisation of DCGAN, SAGAN and pix2pix."""
    return keras.initializers.RandomNormal(stddev=0.02)


def batch_norm(name=None, **kwargs):
    """`BatchNormalization`, synchronized across replicas when built under a
    multi-replica strategy: each replica then normalizes with the statistics
    of the global batch, so a step on N devices equals a step on one."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return layers.BatchNormalization(synchronized=replicas > 1, name=name,
                                     **kwargs)
