"""Faults a training run survives, measured: `kill -9` at random moments
(during checkpoint, sample and export writes too), damaged checkpoints,
`model.keras` and exports, a full disk at every kind of file and under
TensorBoard's event files alone, copies of a run folder taken while it
trains.

    python benchmarks/faults.py --kills=12 --seed=0      # writes results/reliability.json

Every figure compares with an uninterrupted run of the same command: the
same `losses.csv`, every tensor of every kept checkpoint, the weights of
`model.keras` (bit for bit). A full disk is tried for real on a small tmpfs
when this process may mount one (root), else skipped (the default tests
inject ENOSPC instead: tests/test_reliability.py).

The chaos harness (`chaos`) is also what tests/test_reliability.py runs.
"""

import argparse
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: The training command's flags (a tiny DCGAN on the tests' tiny
#: Fashion-MNIST: 64 training images).
TRAIN = ["--preset=fashion_mnist_dcgan", "--batch_size=8", "--filters=4",
         "--latent_dim=8", "--fid_every_n_steps=0", "--seed=3"]

# Runs `tfgan-train` with SIGKILL at one moment: the n-th file-system
# event of the process (a file opened for writing, fsync, rename, remove,
# a checkpoint save, a training step: `event n`), or s seconds after its
# first such event (`time s`: anywhere, inside TensorFlow's writes too),
# or at the n-th event that names a path containing `<target>` (`<target>
# n`, e.g. `checkpoints 3`: during a checkpoint's write).
# Writes what it was doing when killed to the log file, and at a normal
# exit its count of events and the seconds from its first step.
CHILD = r'''
import atexit, builtins, io, os, signal, sys, threading, time
mode, value, log = sys.argv[1], float(sys.argv[2]), sys.argv[3]
sys.argv = ["tfgan-train", *sys.argv[4:]]
fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
count = [0]
started = [False]
first = [None]
atexit.register(lambda: os.write(fd, (
    f"events {count[0]} seconds {time.time() - (first[0] or time.time())}"
    "\n").encode()))

def kill(what):
    os.write(fd, (what + "\n").encode())
    os.kill(os.getpid(), signal.SIGKILL)

matched = [0]

def event(name, *args):
    count[0] += 1
    if name == "fsync":  # a file descriptor: the file's name instead
        args = (os.readlink(f"/proc/self/fd/{args[0]}"),)
    elif name == "save":  # a CheckpointManager: its folder
        args = (args[0].directory,)
    what = f"{name} {' '.join(map(str, args))}"
    if mode not in ("event", "time", "none") and mode in what:
        matched[0] += 1
        if matched[0] == int(value):
            kill(f"{mode} event {matched[0]} (event {count[0]}): {what}")
    if mode == "time" and not started[0]:
        started[0] = True
        threading.Thread(target=timer, daemon=True).start()
    if mode == "event" and count[0] == int(value):
        kill(f"event {count[0]}: {what}")

def timer():
    time.sleep(value)
    kill(f"time {value:.3f}s after the first event")

def wrap(owner, name, writes=None):
    real = getattr(owner, name)
    def wrapped(*args, **kwargs):
        if writes is None or writes(*args, **kwargs):
            event(name, *args[:2])
        return real(*args, **kwargs)
    setattr(owner, name, wrapped)

def opened_for_writing(file, mode="r", *args, **kwargs):
    return isinstance(file, (str, bytes, os.PathLike)) and any(
        c in mode for c in "wax+")

for name in ("replace", "rename", "remove", "fsync"):
    wrap(os, name)
wrap(builtins, "open", opened_for_writing)
io.open = builtins.open

import tensorflow as tf
from tfgan_suite.training import callbacks
wrap(tf.train.CheckpointManager, "save")
real_step = callbacks.LossHistory.on_train_batch_end

def on_step(self, batch, logs=None):
    real_step(self, batch, logs)
    if first[0] is None:
        first[0] = time.time()
    event("step", batch)
callbacks.LossHistory.on_train_batch_end = on_step

from tfgan_suite.commands import train
train.run()
'''


def train_command(args, kill=None, log=None):
    """(argv, environment) of the training command with `args`; `kill`:
    ("event", n), ("time", seconds) or (target, n): the n-th event naming
    a path that contains `target`; else none."""
    mode, value = kill or ("none", 0)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join(
                   [REPO, os.environ.get("PYTHONPATH", "")]))
    return [sys.executable, "-c", CHILD, mode, str(value),
            log or os.devnull, *args], env


def train(args, kill=None, log=None, timeout=600):
    """Runs `train_command`; returns the CompletedProcess."""
    argv, env = train_command(args, kill, log)
    return subprocess.run(argv, env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def count_events(args):
    """(file-system events, seconds from its first step to its end) of an
    uninterrupted run of `args` (which it makes)."""
    with tempfile.NamedTemporaryFile() as log:
        result = train(args, None, log.name)
        if result.returncode:
            raise RuntimeError(result.stderr[-3000:])
        with open(log.name) as f:
            words = f.read().split()
    return int(words[1]), float(words[3])


def chaos(out, args, kills, seed, events, seconds, plan=("event", "time"),
          share=None, max_launches=None):
    """Runs `args` into `out`, then `--resume` until it completes; the
    first `kills` launches are SIGKILLed at seeded random moments,
    at a random file-system event, a random time after the first event,
    or a random one of the first 6 events naming a path that contains a
    target (`plan`: "event", "time" or a target for each kill, repeated
    as needed), drawn over a `share` of an
    uninterrupted run's `events` and `seconds` (default 2 / (kills + 1):
    the run needs about `kills` launches to end).
    Returns {"kills": [what each hit], "launches": n, "errors": [the end of
    the stderr of a launch that failed otherwise]}."""
    rng = random.Random(seed)
    log = os.path.join(os.path.dirname(os.path.abspath(out)),
                       f".{os.path.basename(out)}.kills")
    open(log, "w").close()
    share = share or 2 / (kills + 1)
    killed = launches = 0
    errors = []
    max_launches = max_launches or 4 * kills + 10
    while launches < max_launches:
        kill = None
        if killed < kills:
            mode = plan[killed % len(plan)]
            kill = (("event", rng.randint(1, max(1, int(events * share))))
                    if mode == "event" else
                    ("time", round(rng.uniform(0, seconds * share), 3))
                    if mode == "time" else (mode, rng.randint(1, 6)))
        resume = ["--resume"] if os.path.isdir(out) else []
        result = train([*args, f"--out_dir={out}", *resume], kill, log)
        launches += 1
        if result.returncode == -9:
            killed += 1
        elif result.returncode == 0:
            break  # complete (before its kill, if it had one)
        else:
            errors.append(result.stderr[-3000:])
            break
    with open(log) as f:
        hit = [line for line in f.read().splitlines()
               if not line.startswith("events ")]
    return {"kills": hit, "launches": launches, "errors": errors}


def training_state(prefix):
    """{name: value} of a checkpoint's model and random states."""
    import tensorflow as tf
    reader = tf.train.load_checkpoint(prefix)
    return {name: reader.get_tensor(name)
            for name in reader.get_variable_to_shape_map()
            if name.startswith(("model/", "seed_states/"))}


def differences(straight, other):
    """What differs between two run folders: `losses.csv`, the tensors of
    every checkpoint of `straight`, the weights of `model.keras`; [] when
    they are the same bit for bit."""
    import keras
    import tfgan_suite.models  # noqa: F401 (registers the classes)
    found = []
    with open(os.path.join(straight, "losses.csv")) as f, \
            open(os.path.join(other, "losses.csv")) as g:
        if f.read() != g.read():
            found.append("losses.csv")
    for index in sorted(glob.glob(os.path.join(straight, "checkpoints",
                                               "*.index"))):
        name = os.path.basename(index)[:-len(".index")]
        path = os.path.join(other, "checkpoints", name)
        if not os.path.exists(path + ".index"):
            found.append(f"{name}: missing")
            continue
        a, b = training_state(index[:-len(".index")]), training_state(path)
        if a.keys() != b.keys() or any(not np.array_equal(a[k], b[k])
                                       for k in a):
            found.append(f"{name}: tensors differ")
    try:
        a, b = (keras.models.load_model(os.path.join(run, "model.keras"))
                for run in (straight, other))
        if any(not np.array_equal(x.numpy(), y.numpy())
               for x, y in zip(a.weights, b.weights, strict=True)):
            found.append("model.keras: weights differ")
    except (OSError, ValueError) as e:
        found.append(f"model.keras: {e}")
    return found


#: Where the kills of `run_chaos` land, in turn: anywhere (a random
#: event, a random time), and during the writes of a checkpoint (its files
#: fsynced before the state file names it), of a sample grid; a share of
#: them, last, during the export.
MODES = ("event", "time", "checkpoints", "samples/", "/export/")


def run_chaos(work, data, kills, seed, steps, modes=MODES):
    """`chaos` of a run of `steps` steps with an export, compared with an
    uninterrupted one; returns the report with the `differences`."""
    args = [*TRAIN, f"--data_dir={data}", f"--steps={steps}",
            "--steps_per_epoch=2"]
    straight = os.path.join(work, "straight")
    events, seconds = count_events(
        [*args, f"--out_dir={straight}",
         f"--export={os.path.join(work, 'export_straight')}"])
    start = time.time()
    out = os.path.join(work, "chaos")
    export = os.path.join(work, "export")
    # Kills during the export last: the first trains the run to its end.
    others = [m for m in modes if m != "/export/"]
    exports = kills // len(modes) if "/export/" in modes else 0
    plan = [others[i % len(others)] for i in range(kills - exports)]
    report = chaos(out, [*args, f"--export={export}"], kills, seed, events,
                   seconds, plan + ["/export/"] * exports,
                   share=1.5 / kills)
    report["seconds"] = round(time.time() - start, 1)
    report["events_per_run"] = events
    report["differences"] = differences(straight, out)
    report["export_versions"] = sorted(os.listdir(export)) if os.path.isdir(
        export) else []
    return report


#: How each kind of damage is made to a file (a copy cut short, a disk
#: that zeroed or overwrote it, a shard lost).
DAMAGE = ("truncated", "zero_bytes", "garbage", "missing")


def spoil(path, kind, seed=0):
    size = os.path.getsize(path)
    if kind == "truncated":
        os.truncate(path, size // 2)
    elif kind == "zero_bytes":
        os.truncate(path, 0)
    elif kind == "garbage":
        with open(path, "r+b") as f:
            f.seek(size // 3)
            f.write(np.random.default_rng(seed).bytes(max(1, size // 3)))
    else:
        os.remove(path)


def run_damage(work, straight, export_root):
    """Each kind of damage to each file a reader trusts, in this process:
    the latest checkpoint's data and index file (then `--resume`, via
    `training.run`), `model.keras` (then `tgs.runs.load`, as
    tfgan-generate / -evaluate / -export load), the newest export version's
    variables (then `tgs.runs.load` of the export folder). Returns a list
    of {"file", "damage", "result", "lost"}."""
    from tfgan_suite import runs, training
    rows = []
    latest = sorted(glob.glob(os.path.join(straight, "checkpoints",
                                           "ckpt-*.index")),
                    key=lambda p: int(p.split("-")[-1].split(".")[0]))[-1]
    prefix = latest[:-len(".index")]
    for target, suffix in (("checkpoint data", ".data-00000-of-00001"),
                           ("checkpoint index", ".index")):
        for kind in DAMAGE:
            out = os.path.join(work, f"ckpt-{target.split()[1]}-{kind}")
            shutil.copytree(straight, out)
            os.remove(os.path.join(out, "model.keras"))
            spoil(os.path.join(out, "checkpoints",
                               os.path.basename(prefix) + suffix), kind)
            try:
                training.run(runs.resume_config(out), out, resume=True)
                result = "resumed from the checkpoint before"
            except ValueError as e:
                result = f"error: {e}"
            rows.append({"file": f"latest {target}", "damage": kind,
                         "result": result,
                         "lost": differences(straight, out)})
    for kind in DAMAGE:
        out = os.path.join(work, f"model-{kind}")
        shutil.copytree(straight, out)
        spoil(os.path.join(out, "model.keras"), kind)
        model, reference = runs.load(out), runs.load(straight)
        lost = ["weights differ from the uninterrupted run's"] if any(
            not np.array_equal(a.numpy(), b.numpy())
            for a, b in zip(model.weights, reference.weights)) else []
        rows.append({"file": "model.keras", "damage": kind,
                     "result": "loaded the latest checkpoint", "lost": lost})
    for kind in DAMAGE:
        root = os.path.join(work, f"export-{kind}")
        shutil.copytree(export_root, root)
        # A second version (a copy of the first), then damaged.
        shutil.copytree(os.path.join(root, "1"), os.path.join(root, "2"))
        spoil(os.path.join(root, "2", "variables",
                           "variables.data-00000-of-00001"), kind)
        served = runs.load(root)
        rows.append({"file": "newest export version", "damage": kind,
                     "result": f"loaded version "
                               f"{os.path.basename(served.path)}",
                     "lost": []})
    return rows


def run_full_disk(work, data, straight, sizes_kb, logs_only=False):
    """A real full disk: the run's folder (with `logs_only`, its `logs/`,
    where TensorBoard's event files are, alone) on a tmpfs of each size
    (root only), trained until the disk is full, then the tmpfs enlarged
    and the run resumed. Returns a list of {"size_kb", "error", "other
    stderr" (what else the command says besides INFO lines), "previous
    whole", "lost"} ({"size_kb", "filled": False} where the run fitted),
    or None where tmpfs cannot be mounted."""
    sys.path.insert(0, REPO)
    import tfgan_launch  # what the commands filter out of stderr
    from tfgan_suite.runs import checkpoints
    rows = []
    args = [*TRAIN, f"--data_dir={data}", "--steps=24", "--steps_per_epoch=2"]
    for size in sizes_kb:
        if logs_only:
            out = os.path.join(work, f"run-{size}")
            mount = os.path.join(out, "logs")
        else:
            mount = os.path.join(work, f"tmpfs-{size}")
            out = os.path.join(mount, "run")
        os.makedirs(mount, exist_ok=True)
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}k",
                               "tmpfs", mount], capture_output=True)
        if made.returncode:
            return None
        try:
            first = train([*args, f"--out_dir={out}"])
            if first.returncode == 0:  # the run fitted: no full disk
                rows.append({"size_kb": size, "filled": False})
                continue
            errors = [line for line in first.stderr.splitlines()
                      if line.startswith("error: ")]
            kept = checkpoints.list_checkpoints(os.path.join(out,
                                                             "checkpoints"))
            whole = all(checkpoints.damage(p) is None for p in kept)
            subprocess.run(["mount", "-o", "remount,size=16m", mount],
                           check=True)
            second = train([*args, f"--out_dir={out}", "--resume"])
            rows.append({
                "size_kb": size, "exit": first.returncode,
                "error": errors, "traceback": "Traceback" in first.stderr,
                "other stderr": [line for line in first.stderr.splitlines()
                                 if not line.startswith(("I", "error: "))
                                 and not tfgan_launch.NOISE.search(line)],
                "checkpoints kept": [os.path.basename(p) for p in kept],
                "previous whole": whole,
                "resume exit": second.returncode,
                "lost": (differences(straight, out) if second.returncode == 0
                         else [second.stderr[-2000:]])})
        finally:
            subprocess.run(["umount", "-l", mount])
    return rows


def run_copies(work, data, seed, steps=24):
    """Copies of a run folder (`shutil.copytree`) taken at seeded random
    moments while the run, extended from `steps` // 2 to `steps`, trains,
    saves and deletes checkpoints and rewrites `model.keras` and
    `model.json`; each copy loaded as the commands load a run
    (`tgs.runs.load`) and compared with the checkpoint of the step it
    gives from a run of the same command that keeps every checkpoint.
    Returns {"copies", "steps" (how many copies gave each step),
    "copy errors" (files gone while copied, as `cp -r` says),
    "problems" (a copy that did not load, gave another step's weights, or
    a step older than its newest intact checkpoint)}."""
    from tfgan_suite import runs
    from tfgan_suite.runs import checkpoints
    args = [*TRAIN, f"--data_dir={data}", "--steps_per_epoch=2"]
    reference = os.path.join(work, "reference")
    out = os.path.join(work, "run")
    for run in (train([*args, f"--steps={steps}", "--keep_checkpoints=1000",
                       f"--out_dir={reference}"]),
                train([*args, f"--steps={steps // 2}", f"--out_dir={out}"])):
        if run.returncode:
            raise RuntimeError(run.stderr[-3000:])
    argv, env = train_command([*args, f"--steps={steps}", f"--out_dir={out}",
                               "--resume"])
    writer = subprocess.Popen(argv, env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    rng, copies, copy_errors = random.Random(seed), [], 0
    while writer.poll() is None:
        time.sleep(rng.uniform(0, 1))
        copy = os.path.join(work, "copies", str(len(copies)))
        try:
            shutil.copytree(out, copy)
        except shutil.Error:
            copy_errors += 1
        copies.append(copy)
    if writer.returncode:
        raise RuntimeError(f"the extended run failed ({writer.returncode})")
    expected = {}
    report = {"copies": len(copies), "steps": {}, "copy errors": copy_errors,
              "problems": []}
    for copy in copies:
        try:
            newest = checkpoints.latest_intact(os.path.join(copy,
                                                            "checkpoints"))
            model = runs.load(copy)
        except ValueError as e:
            report["problems"].append(f"{copy}: {e}")
            continue
        step = int(model.step_counter.numpy())
        report["steps"][step] = report["steps"].get(step, 0) + 1
        if newest and step < checkpoints.step_of_prefix(newest):
            report["problems"].append(f"{copy}: step {step}, older than "
                                      f"{newest}")
        if step not in expected:
            expected[step] = [w.numpy() for w in runs.load(
                checkpoint_of(reference, step)).weights]
        if any(not np.array_equal(a, b.numpy())
               for a, b in zip(expected[step], model.weights, strict=True)):
            report["problems"].append(f"{copy}: not the weights of step "
                                      f"{step}")
    return report


def checkpoint_of(run, step):
    """A run folder holding the run `run`'s config and its checkpoint of
    `step` alone (loaded, it gives the model at `step`)."""
    folder = os.path.join(run, f"at-{step}")
    if not os.path.isdir(folder):
        os.makedirs(os.path.join(folder, "checkpoints"))
        shutil.copy(os.path.join(run, "config.json"), folder)
        for path in glob.glob(os.path.join(run, "checkpoints",
                                           f"ckpt-{step}.*")):
            shutil.copy(path, os.path.join(folder, "checkpoints"))
        with open(os.path.join(folder, "checkpoints", "checkpoint"),
                  "w") as f:
            f.write(f'model_checkpoint_path: "ckpt-{step}"\n'
                    f'all_model_checkpoint_paths: "ckpt-{step}"\n')
    return folder


def table(report):
    """The markdown rows of docs/reliability.md's table from a report."""
    command = f"`{report['command']}`"
    kills = report["kill -9"]["kills"]
    lost = report["kill -9"]["differences"] or ["nothing"]
    rows = []
    for label, prefix in (
            ("at a random file-system event", "event "),
            ("at a random time (inside TensorFlow's writes too)", "time "),
            ("during a checkpoint's write", "checkpoints "),
            ("during a sample grid's write", "samples/ "),
            ("during the export", "/export/ ")):
        hit = [k for k in kills if k.startswith(prefix)]
        rows.append((f"`kill -9` {label}, then `--resume`", len(hit),
                     ", ".join(lost)))
    by_file = {}
    for row in report["damaged"]:
        by_file.setdefault(row["file"], []).append(row)
    for name, found in by_file.items():
        kinds = ", ".join(row["damage"] for row in found)
        what = sorted({row["result"] for row in found})
        lost = sorted({x for row in found for x in row["lost"]}) or [
            "nothing"]
        rows.append((f"{name} damaged ({kinds}): {'; '.join(what)}",
                     len(found), ", ".join(lost)))
    disk = [row for row in report["full disk"] or []
            if row.get("filled", True)]
    if disk:
        stopped = sorted({row["error"][0].split(":")[1].strip().rsplit(
            "/", 1)[-1] for row in disk if row["error"]})
        lost = sorted({x for row in disk for x in row["lost"]}) or [
            "nothing"]
        rows.append((f"a real full disk (tmpfs of "
                     f"{', '.join(str(r['size_kb']) for r in disk)} KB; "
                     f"stopped at {', '.join(stopped)}), then `--resume` "
                     f"after space is freed", len(disk), ", ".join(lost)))
    logs = [row for row in report.get("full disk under logs/") or []
            if row.get("filled", True)]
    if logs:
        stopped = sorted({
            re.search(r"last good checkpoint: (\S+)", row["error"][0]).group(
                1).rsplit("/", 1)[-1] if "last good" in row["error"][0]
            else "none yet" for row in logs if row["error"]})
        lost = sorted({x for row in logs for x in row["lost"]}) or [
            "nothing"]
        rows.append((f"a real full disk under TensorBoard's event files "
                     f"alone (`logs/` on a tmpfs of "
                     f"{', '.join(str(r['size_kb']) for r in logs)} KB; "
                     f"stopped in one line naming the event file, last good "
                     f"checkpoint: {', '.join(stopped)}), then `--resume` "
                     f"after space is freed", len(logs), ", ".join(lost)))
    copies = report.get("copies while training")
    if copies:
        rows.append((
            "a copy of the run folder (`shutil.copytree`) at a random moment "
            "while it trains, deletes old checkpoints and, extended, "
            "rewrites `model.keras` and `model.json`, then loaded as the "
            f"commands load a run (it gave {len(copies['steps'])} different "
            f"steps), compared with the checkpoint of its step",
            copies["copies"], "; ".join(copies["problems"]) or "nothing"))
    lines = ["| fault | tried | lost | reproduce |", "|---|---|---|---|"]
    lines += [f"| {fault} | {n} | {lost} | {command} |"
              for fault, n, lost in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes_kb", default="200,400,600,800")
    parser.add_argument("--logs_sizes_kb", default="16,24,32,48",
                        help="sizes of the full disks under logs/ alone")
    parser.add_argument("--out", default=os.path.join(REPO, "results",
                                                      "reliability.json"))
    parser.add_argument("--table", action="store_true",
                        help="print the docs' table of --out and stop")
    flags = parser.parse_args()
    if flags.table:
        with open(flags.out) as f:
            print(table(json.load(f)))
        return
    sys.path.insert(0, REPO)
    from tests.conftest import write_idx
    from pathlib import Path
    work = tempfile.mkdtemp(prefix="tfgan-faults-")
    data = write_idx(Path(work))
    report = {
        "what": "A tiny DCGAN (--filters=4 --latent_dim=8), 64 training "
                "images, --batch_size=8 --steps=24 --steps_per_epoch=2 "
                "--seed=3 with an export; every figure compares with an "
                "uninterrupted run of the same command: losses.csv, every "
                "tensor of every kept checkpoint, the weights of model.keras "
                "(bit for bit); 'lost' lists what differs",
        "command": "python benchmarks/faults.py " + " ".join(sys.argv[1:]),
    }
    start = time.time()
    chaos_report = run_chaos(os.path.join(work, "chaos"), data, flags.kills,
                             flags.seed, steps=24)
    report["kill -9"] = chaos_report
    straight = os.path.join(work, "chaos", "straight")
    report["damaged"] = run_damage(os.path.join(work, "damage"), straight,
                                   os.path.join(work, "chaos",
                                                "export_straight"))
    report["full disk"] = run_full_disk(
        os.path.join(work, "disk"), data, straight,
        [int(s) for s in flags.sizes_kb.split(",")])
    report["full disk under logs/"] = run_full_disk(
        os.path.join(work, "logs"), data, straight,
        [int(s) for s in flags.logs_sizes_kb.split(",")], logs_only=True)
    report["copies while training"] = run_copies(
        os.path.join(work, "copies"), data, flags.seed)
    report["seconds"] = round(time.time() - start)
    with open(flags.out, "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps({k: v for k, v in report.items() if k != "damaged"},
                     indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
