"""Ask a running TF Serving for images and save them as a PNG grid.

    docker run -p 8501:8501 -p 8500:8500 -v $PWD/saved_models:/models \\
        tensorflow/serving --model_config_file=/models/models.config
    python scripts/serve_client.py --server=localhost:8501 --model=dcgan --num=16
    python scripts/serve_client.py --server=localhost:8500 --protocol=grpc \\
        --model=cgan --label=7
    python scripts/serve_client.py --server=localhost:8501 --model=pix2pix \\
        --image=facade_labels.png --out=photo.png
"""

import os

import numpy as np
from absl import flags

import tfgan_suite as tgs
from tfgan_suite.commands import cli

flags.DEFINE_string("server", "localhost:8501", "host:port of TF Serving "
                    "(8501 REST, 8500 gRPC in the Docker image).")
flags.DEFINE_enum("protocol", "rest", ["rest", "grpc"], "API to call.")
flags.DEFINE_string("model", "dcgan", "Model name in models.config.")
flags.DEFINE_integer("num", 16, "Images to generate (generators).")
flags.DEFINE_integer("seed", 0, "Image i comes from seed + i.")
flags.DEFINE_list("label", None, "Class(es) for a conditional generator.")
flags.DEFINE_string("image", None, "Input image (JPEG/PNG) for pix2pix's "
                    "translate_bytes signature.")
flags.DEFINE_string("out", "served.png", "Output PNG.")
flags.DEFINE_integer("scale", 2, "Enlarge the grid this many times.")
FLAGS = flags.FLAGS


def request():
    """(signature, inputs) of the request the flags describe."""
    if FLAGS.image:
        if not os.path.isfile(FLAGS.image):
            raise ValueError(f"--image: {FLAGS.image} is not a file")
        with open(FLAGS.image, "rb") as f:
            return "translate_bytes", {"image_bytes": np.array([f.read()],
                                                                object)}
    if FLAGS.num <= 0:
        raise ValueError(f"--num: expected a positive integer, got {FLAGS.num}")
    inputs = {"seed": np.arange(FLAGS.seed, FLAGS.seed + FLAGS.num,
                                dtype=np.int64)}
    if FLAGS.label:
        labels = np.array([int(x) for x in FLAGS.label], np.int32)
        inputs["label"] = np.resize(labels, FLAGS.num).astype(np.int32)
    return "sample", inputs


def main(argv):
    signature, inputs = request()
    predict = (tgs.serving.rest_predict if FLAGS.protocol == "rest"
               else tgs.serving.grpc_predict)
    outputs = predict(FLAGS.server, FLAGS.model, signature, inputs)
    if signature == "translate_bytes":
        png = next(iter(outputs.values()))[0]
        with open(FLAGS.out, "wb") as f:
            f.write(png)
        print(f"wrote the translated image to {os.path.abspath(FLAGS.out)}")
        return
    images = next(iter(outputs.values())).astype(np.uint8)
    tgs.plots.save_grid(images, FLAGS.out, scale=FLAGS.scale)
    print(f"wrote {len(images)} served images to {os.path.abspath(FLAGS.out)}")


def run():
    """Runs the program (started by `tfgan_launch.serve_client`)."""
    cli.run(main)


if __name__ == "__main__":
    run()
