"""MNIST from its four IDX files, found locally or downloaded and verified."""

import gzip
import hashlib
import http.client
import shutil
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._home import atomic_write, get_data_home

__all__ = ["MNIST_MIRRORS", "fetch_mnist"]

#: Base URLs tried in turn by :func:`fetch_mnist` (each serves the four ``.gz`` files).
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# name -> (IDX magic number, shape, SHA-256 of the decompressed bytes)
_FILES = {
    "train_images": ("train-images-idx3-ubyte", 0x00000803, (60000, 28, 28),
                     "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train_labels": ("train-labels-idx1-ubyte", 0x00000801, (60000,),
                     "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "test_images": ("t10k-images-idx3-ubyte", 0x00000803, (10000, 28, 28),
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "test_labels": ("t10k-labels-idx1-ubyte", 0x00000801, (10000,),
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}

DESCR = """MNIST (LeCun, Cortes & Burges): 70,000 handwritten digits, 28x28 uint8
grey levels (0 background, 255 ink), 60,000 for training and 10,000 for test,
labels 0-9. Read from the four IDX files published by its authors, each
verified against its SHA-256. Distributed freely by its authors; no formal
licence text."""


def fetch_mnist(data_home=None, *, download=True, mirrors=None, return_X_y=False,
                timeout=60):
    """Load MNIST, downloading its four IDX files first if they are not found.

    Each file (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, gzipped with a
    ``.gz`` suffix or not) is looked for in ``<data_home>/mnist/``, then in
    ``data_home`` itself. A missing file is downloaded into
    ``<data_home>/mnist/`` from the first of ``mirrors`` that serves a
    correct copy. Every file read is checked: the IDX header (magic number
    ``0x00000803`` for images, ``0x00000801`` for labels, and the
    dimensions), the length, and the SHA-256 of the decompressed bytes.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Data folder; defaults to the ``SKCENTRAL_DATA`` environment
        variable, else ``~/skcentral_data`` (see :func:`get_data_home`).
    download : bool, default=True
        Download missing files. With False, a missing file raises
        ``FileNotFoundError``.
    mirrors : sequence of str, default=None
        Base URLs to download from, tried in order; defaults to
        :data:`MNIST_MIRRORS`. Any URL scheme ``urllib`` opens works
        (``https://``, ``http://``, ``file://``).
    return_X_y : bool, default=False
        Return ``(X_train, y_train, X_test, y_test)`` instead of a Bunch.
    timeout : float, default=60
        Seconds to wait for a mirror to answer.

    Returns
    -------
    data : Bunch
        ``X_train`` uint8 (60000, 28, 28), ``y_train`` uint8 (60000,),
        ``X_test`` uint8 (10000, 28, 28), ``y_test`` uint8 (10000,),
        ``filenames`` (dict of the files read) and ``DESCR``.
    (X_train, y_train, X_test, y_test) : tuple of ndarray
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        A file is missing and ``download=False``; the message lists where
        it was looked for.
    OSError
        A file is missing and no mirror served a correct copy (no network,
        say); the message lists each mirror's failure and where to put the
        file by hand.
    ValueError
        A local file is truncated, corrupt or not the expected IDX file;
        the message names it and what was expected.

    Notes
    -----
    Downloads go to a temporary file in the destination folder, are
    verified, then moved into place: an interrupted or failed download
    leaves no partial file. A corrupt local file is never overwritten;
    delete it to download it again.

    Examples
    --------
    >>> from skcentral.datasets import fetch_mnist
    >>> mnist = fetch_mnist()  # doctest: +SKIP
    >>> mnist.X_train.shape, mnist.X_test.shape  # doctest: +SKIP
    ((60000, 28, 28), (10000, 28, 28))
    """
    home = get_data_home(data_home)
    mirrors = MNIST_MIRRORS if mirrors is None else tuple(mirrors)
    arrays, filenames = {}, {}
    for key, spec in _FILES.items():
        path = _find(home, spec[0])
        if path is None:
            searched = ", ".join(str(p) for p in _candidates(home, spec[0]))
            if not download:
                raise FileNotFoundError(
                    f"MNIST file {spec[0]}(.gz) not found; looked for {searched}. "
                    "Pass download=True to fetch it, or place the file there "
                    "(or point data_home / SKCENTRAL_DATA to a folder holding it).")
            path = _download(spec, home / "mnist", mirrors, timeout, searched)
        arrays[key] = _read_idx(path, spec)
        filenames[key] = str(path)
    out = (arrays["train_images"], arrays["train_labels"],
           arrays["test_images"], arrays["test_labels"])
    if return_X_y:
        return out
    return Bunch(X_train=out[0], y_train=out[1], X_test=out[2], y_test=out[3],
                 filenames=filenames, DESCR=DESCR)


def _candidates(home, name):
    return [folder / (name + suffix) for folder in (home / "mnist", home)
            for suffix in (".gz", "")]


def _find(home, name):
    return next((p for p in _candidates(home, name) if p.is_file()), None)


def _download(spec, folder, mirrors, timeout, searched):
    name = spec[0] + ".gz"
    dest = folder / name
    failures = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        try:
            with atomic_write(dest) as f:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    shutil.copyfileobj(response, f, 2**20)
                    announced = response.headers.get("Content-Length")
                f.flush()
                if announced is not None and f.tell() != int(announced):
                    raise ValueError(f"incomplete download: {f.tell()} of "
                                     f"{announced} bytes")
                _read_idx(Path(f.name), spec, source=url)  # raises: nothing is kept
            return dest
        except (OSError, ValueError, http.client.HTTPException) as exc:
            failures.append(f"{url}: {_reason(exc).rstrip('.')}")
    raise OSError(
        f"Could not download MNIST file {name}, and there is no local copy "
        f"(looked for {searched}). Tried: " + "; ".join(failures) + ". On a "
        f"machine without network access, copy the four MNIST files into {folder} "
        "or point data_home / SKCENTRAL_DATA to a folder that holds them.")


def _reason(exc):
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return f"{type(exc).__name__}: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


def _read_idx(path, spec, source=None):
    """Read and verify one IDX file (gzipped or not); return its array."""
    name, magic, shape, sha256 = spec
    where = source or str(path)
    try:
        with open(path, "rb") as f:
            head = f.read(2)
            f.seek(0)
            data = gzip.GzipFile(fileobj=f).read() if head == b"\x1f\x8b" else f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(
            f"{where} is a truncated or corrupt gzip file ({exc}); expected the "
            f"gzipped MNIST file {name}.") from exc
    ndim = len(shape)
    header = 4 + 4 * ndim
    expected_len = header + int(np.prod(shape))
    if len(data) < header:
        raise ValueError(
            f"{where} is truncated: {len(data)} bytes, shorter than the "
            f"{header}-byte IDX header of {name}.")
    got_magic = int.from_bytes(data[:4], "big")
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    if got_magic != magic or dims != shape:
        raise ValueError(
            f"{where} is not the MNIST file {name}: its IDX header has magic "
            f"0x{got_magic:08x} and dimensions {dims}; expected 0x{magic:08x} "
            f"and {shape}.")
    if len(data) != expected_len:
        raise ValueError(
            f"{where} is {'truncated' if len(data) < expected_len else 'too long'}: "
            f"{len(data)} bytes (decompressed) where {name} has {expected_len}.")
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ValueError(
            f"{where} is corrupt: the SHA-256 of its decompressed bytes is "
            f"{digest}, expected {sha256} for {name}.")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()
