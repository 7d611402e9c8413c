"""Writing files so that a crash never leaves half of one.

Everything the suite writes that someone else reads (run folders,
checkpoints, exports, `models.config`) goes through a temporary path in the
same folder and an `os.replace`, which is atomic on POSIX file systems.
"""

import contextlib
import os
import shutil
import tempfile
import zipfile


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
