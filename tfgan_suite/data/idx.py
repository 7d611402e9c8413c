"""Reader for the IDX format of (Fashion-)MNIST (plain or gzip-compressed)."""

import gzip
import os

import numpy as np

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4",
           0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Returns the array stored in the IDX file `path` (LeCun's format)."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        raise ValueError(f"{path}: could not read an IDX file ({e})") from e
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise ValueError(f"{path}: expected an IDX file (magic 0x0000TTNN), "
                         f"got {data[:4].hex() or 'an empty file'}")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
                  for i in range(ndim))
    dtype = np.dtype(_DTYPES[data[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"{path}: IDX header says shape {shape} "
                         f"({expected} bytes), file has {len(data)} bytes")
    return np.frombuffer(data, dtype, offset=header).reshape(shape)


def find_idx(data_dir, stem):
    """Path of `<stem>` or `<stem>.gz` in `data_dir`, or None."""
    for name in (stem, stem + ".gz"):
        path = os.path.join(data_dir, name)
        if os.path.isfile(path):
            return path
    return None


def write_idx(path, array):
    """Writes `array` (uint8) as an IDX file; gzip-compressed if `.gz`."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.tobytes())
