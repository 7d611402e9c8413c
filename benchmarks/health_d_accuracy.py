"""D's accuracy of a trained model (a run's model.keras) on 512 real
Fashion-MNIST test images and 512 of G's samples (of the same labels
for a conditional model), read two ways: in
inference mode (batch norm with its moving statistics) and as D's
training step reads it (training mode, each batch on its own statistics:
what the health monitor reports). Prints one line per way.

    python benchmarks/health_d_accuracy.py runs/demo/model.keras
"""

import sys

import keras
import tensorflow as tf

import tfgan_suite as tgs
from tfgan_suite.nets.common import as_in_training


def main(path):
    model = keras.models.load_model(path)
    conditional = bool(getattr(model, "num_classes", None))
    real = next(iter(tgs.data.load("fashion_mnist", split="test",
                                   batch_size=512, shuffle=False,
                                   labels=conditional)))
    real, labels = real if conditional else (real, None)
    fake = model.generator(model.conditioned(model.latent_from_seeds(
        tf.range(512, dtype=tf.int64)), labels), training=False)
    ways = {"inference": lambda x: model.discriminator(x, training=False),
            "training": lambda x: as_in_training(model.discriminator, x)}
    for way, judge in ways.items():
        r = judge(model.conditioned(real, labels))
        f = judge(model.conditioned(fake, labels))
        print(f"{way}: d_acc_real="
              f"{float(tf.reduce_mean(tf.cast(r > 0, tf.float32))):.3f} "
              f"d_acc_fake="
              f"{float(tf.reduce_mean(tf.cast(f < 0, tf.float32))):.3f} "
              f"d_real_mean={float(tf.reduce_mean(r)):.3f} "
              f"d_fake_mean={float(tf.reduce_mean(f)):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
