"""Speed measurements as ratios inside one process (`benchmarks/benchmark.py`).

The reference is the TensorFlow DCGAN tutorial's training loop: one
`tf.function` with two `GradientTape`s over the same nets, batch and data.
"""

import glob
import os
import re
import time

import keras
import numpy as np
import tensorflow as tf

from tfgan_suite import data, losses

#: Model arguments of a preset as the records under results/ trained it,
#: where the preset has moved since (CHANGELOG): the benchmarks and
#: `reproduce.py` give them unless a run asks otherwise, so that every
#: command reproduces its record. The `fashion_mnist_dcgan` preset's D
#: ended with its last strided convolution (Radford et al.'s) until it
#: gained a final stride-1 one, and had no EMA generator until it gained
#: one of half-life 20 kimg.
RECORDED_MODEL_ARGS = {"fashion_mnist_dcgan": {"d_final_convs": 0,
                                               "ema_kimg": None}}


def recorded_model_args(preset, model_args=None):
    """`model_args` (a run's own model arguments, over its preset's) over
    `RECORDED_MODEL_ARGS` of `preset`: what a benchmark run asks for."""
    return {**RECORDED_MODEL_ARGS.get(preset, {}), **(model_args or {})}

#: The Fashion-MNIST domain classifier that the benchmarks and experiments
#: read by default: one instrument on every machine (a classifier trained
#: on another CPU has other weights, and its FIDs do not compare).
#: Trained by `tgs.metrics.train_domain_classifier("fashion_mnist")` (2
#: epochs, test accuracy 0.884), saved without its optimizer.
CLASSIFIER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "fashion_mnist_classifier.keras")


def tutorial_train_step(generator, discriminator, g_optimizer, d_optimizer,
                        latent_dim):
    """The TF tutorial's `train_step` (tensorflow.org/tutorials/generative/dcgan)."""

    @tf.function
    def train_step(images):
        noise = tf.random.normal([tf.shape(images)[0], latent_dim])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated, training=True)
            gen_loss = losses.non_saturating_generator_loss(fake_output)
            disc_loss = losses.minimax_discriminator_loss(real_output,
                                                          fake_output)
        g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
        d_grads = disc_tape.gradient(disc_loss,
                                     discriminator.trainable_variables)
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        d_optimizer.apply_gradients(zip(d_grads,
                                        discriminator.trainable_variables))
        return gen_loss, disc_loss

    return train_step


def pix2pix_tutorial_train_step(generator, discriminator, g_optimizer,
                                d_optimizer, l1_lambda=100.0):
    """The TF pix2pix tutorial's `train_step`
    (tensorflow.org/tutorials/generative/pix2pix)."""
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def train_step(batch):
        input_image, target = batch
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            gen_output = generator(input_image, training=True)
            disc_real_output = discriminator([input_image, target],
                                             training=True)
            disc_generated_output = discriminator([input_image, gen_output],
                                                  training=True)
            gan_loss = bce(tf.ones_like(disc_generated_output),
                           disc_generated_output)
            l1_loss = tf.reduce_mean(tf.abs(target - gen_output))
            gen_total_loss = gan_loss + l1_lambda * l1_loss
            disc_loss = (bce(tf.ones_like(disc_real_output), disc_real_output)
                         + bce(tf.zeros_like(disc_generated_output),
                               disc_generated_output))
        g_grads = gen_tape.gradient(gen_total_loss,
                                    generator.trainable_variables)
        d_grads = disc_tape.gradient(disc_loss,
                                     discriminator.trainable_variables)
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        d_optimizer.apply_gradients(zip(d_grads,
                                        discriminator.trainable_variables))
        return gen_total_loss, disc_loss

    return train_step


def speed_case(name, batch_size=None, update=None):
    """(model, unbatched `Source`, batch size) of `benchmark.py --model`:
    the model of its default preset (the paper's size and batch), on random
    data of that shape (`update`: the GAN update rule, None for the
    model's default). The batch size is `batch_size` (default: the
    preset's) times the model's D steps per G step (Algorithm 1's k
    minibatches)."""
    from tfgan_suite import models
    cls = models.get(name)
    preset = models.presets.get(cls.default_preset)
    args = {**preset["model_args"],
            **recorded_model_args(cls.default_preset)}
    if update is not None:
        if "update" not in cls.init_args():
            raise ValueError(f"--update: {name} has a single update rule")
        args["update"] = update
    model = cls(**args)
    rng = np.random.default_rng(0)
    n = 2048
    if len(model.data_shape) < 3:  # points: the preset's own toy data.
        source = data.get_source(preset["data"]["dataset"])
    else:
        images = lambda: rng.integers(0, 256, (n, *model.data_shape),
                                      dtype=np.uint8)
        if model.data_kind() == "pairs":
            source = data.sources.Source(
                tf.data.Dataset.from_tensor_slices((images()[:64],
                                                    images()[:64])),
                64, model.data_shape, name="random pairs", paired=True)
        elif model.data_kind() == "unpaired":
            source = data.unpaired.domain_pair(
                data.from_arrays(images()), data.from_arrays(images()),
                name="random unpaired images")
        else:
            source = data.from_arrays(
                images(), name="random",
                labels=(np.arange(n) % model.num_classes
                        if model.num_classes else None))
    return model, source, ((batch_size or preset["data"]["batch_size"])
                           * model.d_steps)


def tutorial_step_for(model):
    """The TF tutorial's loop over `model`'s own nets: the pix2pix tutorial
    for pair models, the DCGAN tutorial for unconditional image GANs with
    a probabilistic loss; None where no tutorial has an equivalent."""
    adam = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5)
    if model.data_kind() == "pairs":
        return pix2pix_tutorial_train_step(model.generator,
                                           model.discriminator, adam(), adam(),
                                           model.l1_lambda)
    if (model.data_kind() == "images" and len(model.data_shape) == 3
            and model.adversarial_loss.probabilistic):
        return tutorial_train_step(model.generator, model.discriminator,
                                   adam(), adam(), model.latent_dim)
    return None


def time_steps(step, batches, warmup=3, clock=time.perf_counter):
    """Seconds per call of `step(batch)` after `warmup` calls (compilation),
    by `clock` (wall time, or `time.process_time`: this process's CPU
    time, which other processes on the machine shift less)."""
    iterator = iter(batches)
    for _ in range(warmup):
        out = step(next(iterator))
    block(out)
    count, start = 0, clock()
    for batch in iterator:
        out = step(batch)
        count += 1
    block(out)
    return (clock() - start) / max(count, 1)


def block(out):
    """Waits for the tensors of `out` (the end of the steps that made them)."""
    for t in tf.nest.flatten(out):
        if hasattr(t, "numpy"):
            t.numpy()


def time_fit(model, dataset, steps, warmup=3, clock=time.perf_counter):
    """Seconds per step of `model.fit` over `steps` steps (after warm-up),
    by `clock` (as in `time_steps`)."""
    model.fit(dataset.take(warmup), epochs=1, verbose=0)

    class Clock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = clock()

        def on_train_end(self, logs=None):
            self.seconds = clock() - self.start

    timer = Clock()
    model.fit(dataset.take(steps), epochs=1, verbose=0, callbacks=[timer])
    return timer.seconds / steps


def interleaved(measures, rounds):
    """{key: [one result of `measures[key]()` per round]}: each round calls
    every measure once, in an order rotated from round to round, so the
    load of a shared machine falls on each alike and the results of one
    round are neighbours in time (their ratios are compared)."""
    keys = list(measures)
    results = {key: [] for key in keys}
    for r in range(rounds):
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            results[key].append(measures[key]())
    return results


def ratio_summary(numerators, denominators):
    """{"median", "min", "max", "per_round"} of numerators[i] /
    denominators[i], round by round (`interleaved`)."""
    ratios = [a / b for a, b in zip(numerators, denominators)]
    return {"median": float(np.median(ratios)), "min": min(ratios),
            "max": max(ratios), "per_round": ratios}


#: A TF op's event in the profiler's trace: "<op name>:<op type>".
_OP_EVENT = re.compile(r"^([\w/.\-]+):(\w+)$")


def profile_ops(run, logdir):
    """{(op name, op type): [seconds, count]} of the TensorFlow ops executed
    while `run()` runs, from the host trace TF's profiler writes under
    `logdir` (`tf.profiler.experimental`, its `*.xplane.pb`): the time of
    every kernel, summed over the compute threads."""
    tf.profiler.experimental.start(logdir)
    try:
        run()
    finally:
        tf.profiler.experimental.stop()
    from tensorflow.tsl.profiler.protobuf import xplane_pb2
    newest = max(glob.glob(os.path.join(logdir, "plugins", "profile", "*",
                                        "*.xplane.pb")), key=os.path.getmtime)
    space = xplane_pb2.XSpace()
    with open(newest, "rb") as f:
        space.ParseFromString(f.read())
    ops = {}
    for plane in space.planes:
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):
                continue
            for event in line.events:
                match = _OP_EVENT.match(
                    plane.event_metadata[event.metadata_id].name)
                if match:
                    total = ops.setdefault(match.groups(), [0.0, 0])
                    total[0] += event.duration_ps * 1e-12
                    total[1] += 1
    return ops


def layer_kinds(model):
    """{name scope: what its ops belong to} of `model`'s nets and
    optimizers: each layer's name -> its class name, each optimizer's
    name -> "optimizer" (`op_group` reads the scopes of a traced op)."""
    kinds = {}
    for net in (model.generator, model.discriminator):
        for layer in net._flatten_layers(include_self=False):
            kinds[layer.name] = type(layer).__name__
    for optimizer in model.optimizers():
        # Also its class's automatic name, "adam" for "adam_3": the
        # tutorial loop's optimizers are others of the same class.
        for name in (optimizer.name, re.sub(r"(_\d+)+$", "", optimizer.name)):
            kinds[name] = "optimizer"
    return kinds


def op_group(op_name, kinds):
    """What the op `op_name` of a traced step computes: the class of the
    outermost layer whose name scope holds it ("optimizer" for an
    optimizer's update, "other" outside every layer: losses, noise,
    trackers, the sums of gradients), with " gradient" when the op is in
    the gradient (`kinds`: `layer_kinds`)."""
    scopes = op_name.split("/")
    kind = "other"
    for scope in scopes:
        # A layer called again gets a scope with a suffix: up1_bn_1.
        found = [kinds[s] for s in (scope, re.sub(r"_\d+$", "", scope),
                                    re.sub(r"(_\d+)+$", "", scope))
                 if s in kinds]
        if found:
            kind = found[0]
            break
    return kind + (" gradient" if "gradient_tape" in scopes else "")


def time_pipeline(dataset, batches):
    """Seconds per batch of just iterating `dataset`."""
    iterator = iter(dataset)
    next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return (time.perf_counter() - start) / batches


def matmul_gflops(dtype=tf.float32, n=2048, repeats=10):
    """Measured matmul throughput, the machine's practical peak."""
    a = tf.random.normal([n, n], dtype=tf.float32)
    a = tf.cast(a, dtype)
    matmul = tf.function(lambda x: tf.matmul(x, x))
    matmul(a).numpy()
    start = time.perf_counter()
    for _ in range(repeats):
        out = matmul(a)
    out.numpy()
    return 2 * n ** 3 * repeats / (time.perf_counter() - start) / 1e9


def cpu():
    """{"cpu": the processor's name, "bfloat16_instructions": whether it
    has AVX-512 BF16 / AMX (mixed precision's fast path on CPU)}."""
    from tfgan_suite.runs import config as config_lib
    name = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            name = next((line.split(":", 1)[1].strip() for line in f
                         if line.startswith("model name")), name)
    except OSError:
        pass
    return {"cpu": name, "bfloat16_instructions": config_lib.cpu_has_bfloat16()}


def peak_rss_mib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tutorial_generator(latent_dim=100):
    """The TF DCGAN tutorial's generator (28x28x1), for reference runs."""
    from keras import layers
    return keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(7 * 7 * 256, use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Reshape((7, 7, 256)),
        layers.Conv2DTranspose(128, 5, 1, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(64, 5, 2, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(1, 5, 2, padding="same", use_bias=False,
                               activation="tanh"),
    ], name="tutorial_generator")


def tutorial_discriminator():
    """The TF DCGAN tutorial's discriminator (28x28x1)."""
    from keras import layers
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 5, 2, padding="same"), layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Conv2D(128, 5, 2, padding="same"), layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Flatten(), layers.Dense(1),
    ], name="tutorial_discriminator")


class Contender:
    """Something that trains for a number of steps and draws samples."""

    def __init__(self, name, train_steps, sample):
        self.name, self.train_steps, self.sample = name, train_steps, sample


def tutorial_contender(images, latent_dim=100):
    """The TF tutorial as written: its nets and Adam(1e-4); `images` repeats
    forever in batches of the tutorial's 256."""
    g, d = tutorial_generator(latent_dim), tutorial_discriminator()
    step = tutorial_train_step(g, d, keras.optimizers.Adam(1e-4),
                               keras.optimizers.Adam(1e-4), latent_dim)
    iterator = iter(images)

    def train_steps(n):
        for _ in range(n):
            out = step(next(iterator))
        block(out)

    def sample(seeds):
        z = np.stack([np.random.default_rng(s).normal(size=latent_dim)
                      for s in seeds]).astype(np.float32)
        return g(z, training=False).numpy()

    return Contender("tf_tutorial", train_steps, sample)


def model_contender(name, model, images):
    """A tfgan_suite model trained with `fit` on `images` (repeating)."""
    def train_steps(n):
        model.fit(images, epochs=1, steps_per_epoch=n, verbose=0)

    def sample(seeds):
        return model.generate(len(seeds), seed=int(seeds[0]))

    return Contender(name, train_steps, sample)


def preset_model(preset):
    """The model of `preset`, built and compiled by `Model.from_preset`
    with the arguments its records trained (`recorded_model_args`)."""
    from tfgan_suite import models
    return models.presets.get(preset)["model_class"].from_preset(
        preset, **recorded_model_args(preset))


def preset_contender(preset, train_images):
    """(contender, real images per step) of `preset_model(preset)`,
    trained on `train_images(batch_size)` at the preset's batch size
    (times its D steps: each of Algorithm 1's k D steps takes its own
    minibatch)."""
    from tfgan_suite import models
    model = preset_model(preset)
    batch = models.presets.get(preset)["data"]["batch_size"] * model.d_steps
    return model_contender(preset, model, train_images(batch)), batch


def quality_race(contenders, extractor, real_features, num_classes,
                 seconds, eval_every_s, batch_images, num_samples=5000,
                 clock=time.perf_counter):
    """Trains each contender for `seconds` of training time (evaluation time
    excluded), measuring domain FID and classes covered every
    `eval_every_s` seconds on `num_samples` samples of fixed seeds.

    `clock` measures training time: `time.perf_counter` (wall time) or
    `time.process_time` (CPU time of this process, all threads; fair
    between contenders when other processes share the machine).

    Returns {name: [{"seconds", "steps", "images", "fid", "covered",
    "kl_from_uniform"}, ...]}.
    """
    from tfgan_suite import metrics
    seeds = np.arange(num_samples)
    results = {}
    for c in contenders:
        c.train_steps(2)  # compile outside the clock
        trained, steps, curve = 0.0, 0, []
        steps_per_chunk = 5
        while trained < seconds:
            start = clock()
            c.train_steps(steps_per_chunk)
            elapsed = clock() - start
            trained += elapsed
            steps += steps_per_chunk
            # Aim the next chunk at the next evaluation time.
            per_step = elapsed / steps_per_chunk
            steps_per_chunk = max(1, int(min(eval_every_s,
                                             seconds - trained) / per_step))
            features, logits = extractor(c.sample(seeds))
            coverage = metrics.class_coverage(logits, num_classes)
            curve.append({
                "seconds": round(trained, 1), "steps": steps,
                "images": steps * batch_images[c.name],
                "fid": metrics.frechet_distance(real_features, features),
                "covered": coverage["covered"],
                "kl_from_uniform": coverage["kl_from_uniform"]})
        results[c.name] = curve
    return results
