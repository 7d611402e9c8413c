"""Writing files so that a crash never leaves half of one.

Everything the suite writes that someone else reads (run folders,
checkpoints, exports, `models.config`) goes through a temporary path in the
same folder and an `os.replace`, which is atomic on POSIX file systems.
"""

import contextlib
import os
import re
import shutil
import tempfile
import time
import zipfile

from absl import logging

#: When this process loaded the suite: a temporary file last written
#: before then is no write of this process.
STARTED = time.time()

#: Names of the temporary files and folders of interrupted writes: the
#: suite's (`atomic_path`: `.<name>.<random>.tmp<ext>`, and `.<name>.old-
#: <random>` for a folder being replaced) and TensorFlow's (a checkpoint's
#: `ckpt-<step>_temp/`, `<file>.tempstate<n>`, the state file's
#: `checkpoint.tmp<hex>`).
TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp(\.[^.]+)?|"
                       r"\..+\.old-[a-z0-9_]{8}|ckpt-\d+_temp|"
                       r".+\.tempstate\d+|checkpoint\.tmp[0-9a-f]{32}")


def fsync_tree(root):
    """fsyncs every file below `root` (before an atomic rename)."""
    for directory, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(directory, name), "rb") as f:
                os.fsync(f.fileno())


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; renamed to `path` when the
    block ends without an error, removed otherwise (an existing `path`
    stays as it was). The block may write a file or a folder there; a
    folder replaces an existing one at `path` (moved aside first, then
    removed). An `OSError` (a full disk) is raised naming `path`.

    The temporary path keeps `path`'s extension (Keras picks the format of
    `model.save` by it) and starts with a dot (TF Serving, and `ls`, skip
    it)::

        with atomic_path("run/model.keras") as tmp:
            model.save(tmp)
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    base, ext = os.path.splitext(os.path.basename(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=f".tmp{ext}",
                                   dir=folder)
    except OSError as e:
        raise OSError(e.errno, e.strerror, path) from e
    os.close(fd)
    os.remove(tmp)  # writers such as h5py want to create the file.
    try:
        try:
            yield tmp
            if os.path.isdir(tmp):
                fsync_tree(tmp)
                if os.path.isdir(path):
                    old = tempfile.mkdtemp(prefix=f".{base}.old-",
                                           dir=folder)
                    os.rename(path, os.path.join(old, "replaced"))
                    try:
                        os.rename(tmp, path)
                    except OSError:
                        os.rename(os.path.join(old, "replaced"), path)
                        os.rmdir(old)
                        raise
                    shutil.rmtree(old)
                    return
            else:
                with open(tmp, "rb") as f:
                    os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as e:
            if e.errno is None or e.filename == path:
                raise
            # Named by the file the caller writes, not its temporary path
            # (nor None, as a write to an open file says).
            raise OSError(e.errno, e.strerror, path) from e
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
        elif os.path.exists(tmp):
            os.remove(tmp)


def remove_stale_temporaries(folder, before=None):
    """Removes the temporary files and folders (`TEMPORARY`) below `folder`
    that a process killed in the middle of a write left: those whose
    contents were last modified `before` (default: `STARTED`), so that no
    write under way, of this process or another, loses its file. Returns
    the paths removed."""
    before = STARTED if before is None else before
    removed = []
    for directory, folders, names in os.walk(folder):
        for name in [*folders, *names]:
            path = os.path.join(directory, name)
            if not TEMPORARY.fullmatch(name):
                continue
            if name in folders:
                folders.remove(name)  # a temporary folder: not walked.
            try:
                if _last_modified(path) >= before:
                    continue
                if os.path.isdir(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)
            except FileNotFoundError:  # its writer renamed it meanwhile.
                continue
            removed.append(path)
    if removed:
        logging.info("removed %d temporary file(s) of interrupted writes: "
                     "%s", len(removed), ", ".join(removed))
    return removed


def _last_modified(path):
    """The newest modification time of `path` and, for a folder, of
    everything below it."""
    times = [os.lstat(path).st_mtime]
    for directory, _, names in os.walk(path):
        times += [os.lstat(os.path.join(directory, n)).st_mtime
                  for n in [os.curdir, *names]]
    return max(times)


def write_text(path, text):
    """Writes `text` to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w") as f:
            f.write(text)
    return path


@contextlib.contextmanager
def owned_path(path, writes=True):
    """Yields `path` when this process `writes` there, else a temporary
    folder of its own, removed when the block ends: a multi-worker cluster's
    non-chief workers save as the chief does, and leave nothing behind."""
    if writes:
        yield path
        return
    folder = tempfile.mkdtemp(prefix="tfgan-worker-")
    try:
        yield os.path.join(folder, os.path.basename(path) or "out")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def zip_damage(path):
    """Why the zip archive `path` (a `.keras` file) cannot be read whole,
    in one line, or None when every member reads back with the CRC-32 the
    archive records for it (a file cut short, zeroed or overwritten shows
    here)."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        return " ".join(str(e).split()) or type(e).__name__
    return None if bad is None else f"member {bad} does not match its CRC-32"
