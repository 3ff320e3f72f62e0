"""Where datasets live, and how their files are written and checked.

Every loader resolves its folder the same way (:func:`get_data_home`), writes
every file it creates atomically (a temporary file in the same folder, then
``os.replace``), so that an interrupted download or cache write leaves no
partial file behind, and checks what it reads.

Caches are ``.npz`` files written and read one block of rows at a time
(:func:`save_npz`, :func:`load_npz`): a multi-gigabyte array can be stored
in a smaller dtype (float16) and read back into another (float32) without
holding both copies in memory. They remain ordinary ``.npz`` files that
``numpy.load`` reads.
"""

import contextlib
import hashlib
import json
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["get_data_home"]

#: Environment variable naming the default data folder.
DATA_ENV = "SKCENTRAL_DATA"
#: Environment variable naming the default folder of built caches.
CACHE_ENV = "SKCENTRAL_CACHE"

# Bytes per block when streaming arrays in and out of a cache file.
_BLOCK_BYTES = 64 * 2**20


def get_data_home(data_home=None, *, create=False):
    """Return the folder where skcentral looks for and stores datasets.

    The folder is, in order of precedence: ``data_home`` when given, else
    the ``SKCENTRAL_DATA`` environment variable when set and not empty, else
    ``~/skcentral_data``. A leading ``~`` is expanded.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit folder.
    create : bool, default=False
        Create the folder (and its parents) if it does not exist.

    Returns
    -------
    data_home : pathlib.Path

    Examples
    --------
    >>> from skcentral.datasets import get_data_home
    >>> str(get_data_home("/tmp/my_data"))
    '/tmp/my_data'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_ENV) or Path("~") / "skcentral_data"
    path = Path(data_home).expanduser()
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_cache_dir(cache, data_home):
    """Folder for built caches, or None.

    ``cache`` is True (the ``SKCENTRAL_CACHE`` environment variable when set
    and not empty, else ``<data_home>/cache``), False (no cache) or a path.
    Caches live apart from the downloaded data so that the data folder may
    be read-only and shared.
    """
    if cache is False or cache is None:
        return None
    if cache is True:
        env = os.environ.get(CACHE_ENV)
        return Path(env).expanduser() if env else get_data_home(data_home) / "cache"
    return Path(cache).expanduser()


def save_cache(path, arrays, dtypes=None):
    """:func:`save_npz`, or a warning when the cache folder cannot be written.

    A read-only data home (a shared copy, a mounted volume) still loads: the
    data are built in memory each time instead.
    """
    try:
        save_npz(path, arrays, dtypes=dtypes)
    except OSError as exc:
        warnings.warn(
            f"Cannot write the cache file {path} ({exc.strerror or exc}); the data "
            f"are not cached. Set {CACHE_ENV} or pass cache= a writable folder "
            "(or cache=False).", RuntimeWarning, stacklevel=3)


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file beside ``path``; move it onto ``path`` on success.

    The temporary file is in the same folder (so ``os.replace`` is atomic),
    hidden and suffixed ``.part``. If the body of the ``with`` raises,
    including ``KeyboardInterrupt``, the temporary file is removed and
    ``path`` is left as it was: an existing file untouched, a missing one
    still missing. Parent folders are created.

    Yields
    ------
    file
        The open temporary file; its ``name`` is its path, so the body may
        re-read what it wrote (to verify it) before the move.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        with open(tmp, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def sha256_file(path, block_size=2**20):
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(block_size), b""):
            h.update(block)
    return h.hexdigest()


def params_key(params):
    """Short stable hash of a JSON-serialisable dict (for cache file names)."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_file(cache_dir, name, version, params):
    """``<cache_dir>/<name>-v<version>-<hash of params>.npz``."""
    return Path(cache_dir) / f"{name}-v{version}-{params_key(params)}.npz"


def save_npz(path, arrays, dtypes=None):
    """Write ``arrays`` (a dict) to an uncompressed ``.npz``, atomically.

    Arrays are streamed a block of rows at a time, converted to
    ``dtypes[name]`` when given, so no converted copy of a large array is
    ever held whole. Object arrays are refused (no pickles in caches).
    """
    dtypes = dtypes or {}
    with atomic_write(path) as f, zipfile.ZipFile(
            f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in arrays.items():
            arr = np.asarray(arr)
            dtype = np.dtype(dtypes.get(name, arr.dtype))
            if dtype.hasobject:
                raise TypeError(f"save_npz refuses object arrays ({name!r}).")
            header = {"descr": np.lib.format.dtype_to_descr(dtype),
                      "fortran_order": False, "shape": arr.shape}
            with zf.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array_header_2_0(member, header)
                for block in _row_blocks(arr):
                    member.write(np.ascontiguousarray(block, dtype=dtype).tobytes())


def load_npz(path, dtypes=None, keys=None):
    """Read a ``.npz`` into a dict, converting ``dtypes[name]`` block by block.

    Raises
    ------
    ValueError
        Naming the file, when it is not a readable ``.npz`` (truncated,
        corrupt: a zip CRC mismatch is detected) or lacks one of ``keys``.
    """
    dtypes = dtypes or {}
    out = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n[:-4] for n in zf.namelist() if n.endswith(".npy")]
            missing = sorted(set(keys or ()) - set(names))
            if missing:
                raise ValueError(f"it lacks the arrays {missing}")
            for name in names:
                with zf.open(name + ".npy") as member:
                    out[name] = _read_member(member, dtypes.get(name))
                    if member.read(1):
                        raise ValueError(f"array {name!r} has trailing bytes")
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise ValueError(f"{path} is not a readable cache file: {exc}.") from exc
    return out


def load_cache(path, dtypes=None, keys=None):
    """:func:`load_npz`, or None (with a warning, after removing the file) if unreadable.

    An unreadable cache (say, the disk filled up before atomic writes were
    used, or it was damaged since) is rebuilt rather than fatal.
    """
    if path is None or not Path(path).exists():
        return None
    try:
        return load_npz(path, dtypes=dtypes, keys=keys)
    except ValueError as exc:
        warnings.warn(f"{exc} Removing it and rebuilding.", RuntimeWarning, stacklevel=3)
        with contextlib.suppress(OSError):  # a read-only folder keeps it
            os.unlink(path)
        return None


def _row_blocks(arr):
    if arr.ndim == 0 or arr.nbytes <= _BLOCK_BYTES:
        yield arr
        return
    rows = max(1, _BLOCK_BYTES // max(1, arr[0].nbytes))
    for start in range(0, len(arr), rows):
        yield arr[start:start + rows]


def _read_member(fp, dtype=None):
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, fortran, stored = np.lib.format.read_array_header_1_0(fp)
    else:
        shape, fortran, stored = np.lib.format.read_array_header_2_0(fp)
    if stored.hasobject or fortran:
        raise ValueError("it holds an object or Fortran-ordered array")
    out = np.empty(shape, dtype=stored if dtype is None else dtype)
    flat = out.reshape(-1)
    step = max(1, _BLOCK_BYTES // max(1, stored.itemsize))
    for start in range(0, flat.size, step):
        count = min(step, flat.size - start)
        data = fp.read(count * stored.itemsize)
        if len(data) != count * stored.itemsize:
            raise ValueError("it is truncated")
        flat[start:start + count] = np.frombuffer(data, dtype=stored)
    return out
