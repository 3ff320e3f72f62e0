"""Modalities that stay on disk: lazy row views read batch by batch.

``numpy.memmap`` arrays, h5py datasets and zarr arrays are wrapped in an
:class:`OnDiskArray`, a view of some of their rows that knows its shape and
dtype without reading anything. Selecting rows (as scikit-learn's splitters
do) gives a new view; data is read only by :meth:`OnDiskArray.read`, one
batch at a time. h5py and zarr are optional: they are recognised by the
module of the array's type and never imported here, except to reopen an
HDF5 dataset after unpickling.
"""

import mmap
import numbers

import numpy as np

__all__ = ["OnDiskArray", "is_on_disk"]


def _kind(a):
    if isinstance(a, OnDiskArray):
        return a.kind
    if isinstance(a, np.memmap):
        return "memmap"
    if not (hasattr(a, "shape") and hasattr(a, "dtype")):  # an HDF5 group, say
        return None
    module = type(a).__module__.split(".")[0]
    return {"h5py": "hdf5", "zarr": "zarr"}.get(module)


def is_on_disk(a):
    """True for the arrays that are read lazily: memmap, h5py, zarr, or a view of one."""
    return _kind(a) is not None


class OnDiskArray:
    """Rows of an on-disk array, read only when asked, a batch at a time.

    Parameters
    ----------
    source : numpy.memmap, h5py.Dataset, zarr.Array or OnDiskArray
        Any array whose first axis is the samples.
    name : str, default=None
        The modality it holds, for error messages.

    Attributes
    ----------
    shape : tuple of int
        Shape of the selected rows; nothing is read to know it.
    dtype : numpy dtype
        The dtype rows are returned in (the source's, until :meth:`astype`).

    Notes
    -----
    Indexing by a slice, an integer array or a boolean mask returns a view
    of those rows; an integer reads one row. :meth:`read` gathers rows:
    the row indices of a batch are sorted and deduplicated (HDF5 demands
    increasing indices, and every format reads in order faster), read in
    one call (a contiguous range as a single slice), then put back in the
    requested order. ``numpy.asarray`` reads every selected row.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skcentral import OnDiskArray
    >>> path = os.path.join(tempfile.mkdtemp(), "audio.f32")
    >>> mm = np.memmap(path, dtype=np.float32, mode="w+", shape=(6, 2))
    >>> mm[:] = np.arange(12).reshape(6, 2)
    >>> view = OnDiskArray(mm)[[4, 1, 5]]
    >>> view.shape
    (3, 2)
    >>> view.read([2, 0])
    array([[10., 11.],
           [ 8.,  9.]], dtype=float32)
    """

    def __init__(self, source, name=None):
        self.rows, self.out_dtype, self.zero_rows = None, None, None
        if isinstance(source, OnDiskArray):
            self.__dict__.update(source.__dict__)
            self.name = source.name if name is None else name
            return
        self.kind = _kind(source)
        if self.kind is None:
            raise TypeError(
                "OnDiskArray wraps a numpy.memmap, an h5py dataset or a zarr array; "
                f"got {type(source).__name__}.")
        if len(source.shape) == 0:
            raise ValueError(f"An on-disk modality needs a row axis; got a scalar {name!r}.")
        self.source = source
        self.name = name

    # ------------------------------------------------------------ metadata
    @property
    def shape(self):
        n = self.source.shape[0] if self.rows is None else len(self.rows)
        return (n,) + tuple(self.source.shape[1:])

    @property
    def dtype(self):
        return np.dtype(self.source.dtype if self.out_dtype is None else self.out_dtype)

    @property
    def ndim(self):
        return len(self.source.shape)

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        label = "" if self.name is None else f"{self.name!r}, "
        return f"OnDiskArray({label}{self.kind}, shape={self.shape}, dtype={self.dtype})"

    # ------------------------------------------------------------ views
    def _view(self, **changes):
        view = OnDiskArray(self)
        view.__dict__.update(changes)
        return view

    def astype(self, dtype):
        """A view whose reads are converted to ``dtype`` and checked to be finite."""
        return self._view(out_dtype=np.dtype(dtype))

    def with_zero_rows(self, mask):
        """A view whose rows where ``mask`` is True read as zeros (absent samples)."""
        mask = np.asarray(mask, dtype=bool)
        return self._view(zero_rows=mask if mask.any() else None)

    def __getitem__(self, key):
        if isinstance(key, numbers.Integral) and not isinstance(key, (bool, np.bool_)):
            return self.read(np.array([key]))[0]
        rows = _positions(key, len(self))
        return self._view(
            rows=rows if self.rows is None else self.rows[rows],
            zero_rows=None if self.zero_rows is None else self.zero_rows[rows])

    # ------------------------------------------------------------ reading
    def read(self, rows=None):
        """Read rows of this view (all of them by default) into a numpy array.

        Parameters
        ----------
        rows : slice, array-like of int or bool, default=None
            Positions within this view.

        Returns
        -------
        ndarray of shape ``(len(rows),) + shape[1:]``

        Raises
        ------
        ValueError
            When a view made by :meth:`astype` reads NaN or infinite
            values; the message names the modality and the rows.
        """
        pos = np.arange(len(self)) if rows is None else _positions(rows, len(self))
        src = pos if self.rows is None else self.rows[pos]
        out = _take(self.source, src, self.kind)
        if self.out_dtype is None:
            return out
        out = np.ascontiguousarray(out, dtype=self.out_dtype)
        if self.zero_rows is not None:
            out[self.zero_rows[pos]] = 0
        if not np.isfinite(out).all():
            bad = src[~np.isfinite(out.reshape(len(out), -1)).all(axis=1)]
            raise ValueError(
                f"Modality {self.name!r} (on disk, shape {tuple(self.source.shape)}) "
                f"holds NaN or infinite values in rows {bad[:10].tolist()}"
                + (" ..." if len(bad) > 10 else "") + "; impute or drop them first.")
        return out

    def __array__(self, dtype=None, copy=None):
        out = self.read()
        return out if dtype is None else out.astype(dtype, copy=False)

    # ------------------------------------------------------------ pickling
    def __getstate__(self):
        state = dict(self.__dict__)
        if self.kind == "hdf5":
            # h5py objects cannot be pickled: keep where the dataset lives
            state["source"] = ("hdf5", self.source.file.filename, self.source.name)
        elif self.kind == "memmap" and isinstance(self.source.base, mmap.mmap):
            # a whole-file memmap is reopened, not copied into the pickle
            s = self.source
            state["source"] = ("memmap", s.filename, s.dtype, s.shape, s.offset,
                               "F" if s.flags.f_contiguous and not s.flags.c_contiguous
                               else "C")
        return state

    def __setstate__(self, state):
        source = state["source"]
        if isinstance(source, tuple) and source[0] == "hdf5":
            state["source"] = _open_hdf5(*source[1:])
        elif isinstance(source, tuple) and source[0] == "memmap":
            filename, dtype, shape, offset, order = source[1:]
            state["source"] = np.memmap(filename, dtype=dtype, mode="r", shape=shape,
                                        offset=offset, order=order)
        self.__dict__.update(state)


def _open_hdf5(filename, name):
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("Reading an HDF5 modality needs h5py: pip install h5py "
                          "(or skcentral[data]).") from exc
    return h5py.File(filename, "r")[name]


def _positions(key, n):
    """Row positions (int64, in range) for a slice, an index array or a mask."""
    if isinstance(key, slice):
        return np.arange(n)[key]
    key = np.asarray(key)
    if key.dtype == bool:
        if key.shape != (n,):
            raise IndexError(f"A boolean row mask must have shape ({n},); got {key.shape}.")
        return np.flatnonzero(key)
    if key.dtype.kind not in "iu" or key.ndim != 1:
        raise IndexError("Rows of an on-disk array are selected by a slice, a 1-D "
                         f"integer array or a boolean mask; got {key.dtype} {key.shape}.")
    key = key.astype(np.int64)
    if key.size and (key.max() >= n or key.min() < -n):
        raise IndexError(f"Row index out of range for {n} rows: "
                         f"{int(key.max() if key.max() >= n else key.min())}.")
    return np.where(key < 0, key + n, key)


def _take(source, rows, kind):
    """Read ``source[rows]`` in increasing, deduplicated order, then reorder."""
    if rows.size == 0:
        return np.empty((0,) + tuple(source.shape[1:]), dtype=source.dtype)
    uniq, inverse = np.unique(rows, return_inverse=True)
    lo, hi = int(uniq[0]), int(uniq[-1]) + 1
    if hi - lo == uniq.size:  # a contiguous range: one slice read
        # (copied for a memmap, whose slices are views of the file)
        block = np.array(source[lo:hi]) if kind == "memmap" else np.asarray(source[lo:hi])
    elif kind == "zarr":
        block = source.oindex[uniq]
    else:
        block = np.asarray(source[uniq])
    if uniq.size == rows.size and (rows[1:] > rows[:-1]).all():
        return block  # already in order
    return block[inverse.reshape(-1)]
