"""The modality container and the validation of multimodal input.

scikit-learn cuts data by rows: its splitters call ``len``/``shape[0]`` and
index with integer arrays. A plain list of per-modality arrays has
``len == n_modalities`` and is indexed by modality, so it cannot go through
``GridSearchCV`` or ``train_test_split``. :class:`Modalities` is a list-like
whose ``shape[0]`` and ``len`` are the number of samples and whose row
indexing cuts every modality at once.
"""

import numbers
from collections.abc import Mapping

import numpy as np

from ._lazy import OnDiskArray, is_on_disk

__all__ = ["Modalities", "check_modalities"]


class Modalities:
    """Per-modality arrays that scikit-learn can cut by rows.

    Parameters
    ----------
    arrays : list of array-like or dict of str to array-like
        One array per modality, each of shape ``(n_samples, ...)``; every
        modality must have the same number of rows. A dict gives the
        modalities names (its keys, in order). Arrays on disk
        (``numpy.memmap``, h5py datasets, zarr arrays) stay there: they are
        held as :class:`OnDiskArray` views and read batch by batch.
    names : list of str, default=None
        Names of the modalities. Defaults to the dict keys, or to
        ``"modality_0"``, ``"modality_1"``, ...
    missing : array-like of bool of shape (n_samples, n_modalities), default=None
        Marks modalities absent for some samples (for ``predict`` with the
        methods that support it). A modality given as ``None`` is absent
        for every sample.

    Attributes
    ----------
    arrays : list of ndarray or OnDiskArray
        The per-modality arrays.
    names : list of str
        The modality names.
    shape : tuple of int
        ``(n_samples, n_modalities)``, so that ``shape[0]`` is what
        scikit-learn reads as the number of samples.

    Notes
    -----
    Indexing follows two rules:

    * an ``int`` or a ``str`` selects one **modality** (``Xs[0]``,
      ``Xs["image"]``), as in a list of arrays;
    * a slice, a list or an array of integers, or a boolean mask selects
      **rows** of every modality and returns a new :class:`Modalities`.

    ``len(Xs)`` is the number of samples, as scikit-learn expects;
    iterating yields the modality arrays. Selecting rows of an on-disk
    modality reads nothing: it gives a lazy view of those rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral import Modalities
    >>> Xs = Modalities([np.zeros((4, 8, 8)), np.ones((4, 3))], names=["image", "audio"])
    >>> Xs.shape, len(Xs)
    ((4, 2), 4)
    >>> Xs[[0, 2]].shape
    (2, 2)
    >>> Xs["audio"].shape
    (4, 3)
    """

    def __init__(self, arrays, names=None, missing=None):
        if isinstance(arrays, Modalities):
            names = arrays.names if names is None else names
            missing = arrays.missing if missing is None else missing
            arrays = arrays.arrays
        elif isinstance(arrays, Mapping):
            if names is None:
                names = [str(k) for k in arrays]
            arrays = list(arrays.values())
        elif isinstance(arrays, np.ndarray) or not isinstance(arrays, (list, tuple)):
            raise TypeError(
                "Modalities expects a list of per-modality arrays or a dict of "
                f"named ones; got {type(arrays).__name__}. A single 2-D array "
                "needs a `modalities=` column spec (see check_modalities)."
            )
        arrays = [None if a is None else _as_array(a, i) for i, a in enumerate(arrays)]
        if not arrays:
            raise ValueError("Modalities needs at least one modality; got an empty list.")
        if all(a is None for a in arrays):
            raise ValueError("Modalities needs at least one modality that is not None.")
        if names is None:
            names = [f"modality_{i}" for i in range(len(arrays))]
        names = [str(n) for n in names]
        arrays = [OnDiskArray(a, name=n) if isinstance(a, OnDiskArray) else a
                  for a, n in zip(arrays, names)]
        if len(names) != len(arrays):
            raise ValueError(
                f"Modalities got {len(arrays)} arrays but {len(names)} names: {names}."
            )
        if len(set(names)) != len(names):
            raise ValueError(f"Modality names must be unique; got {names}.")
        rows = {a.shape[0] for a in arrays if a is not None}
        if len(rows) != 1:
            raise ValueError(
                "Every modality must have the same number of rows (samples); got "
                + _describe(arrays, names)
                + "."
            )
        if missing is not None:
            missing = np.asarray(missing, dtype=bool)
            if missing.shape != (rows.pop(), len(arrays)):
                raise ValueError(
                    f"missing must have shape (n_samples, n_modalities) = "
                    f"{(next(a for a in arrays if a is not None).shape[0], len(arrays))}; "
                    f"got {missing.shape}."
                )
        self.arrays = arrays
        self.names = names
        self.missing = missing

    @property
    def shape(self):
        return (next(a for a in self.arrays if a is not None).shape[0], len(self.arrays))

    @property
    def n_modalities(self):
        return len(self.arrays)

    @property
    def sample_shapes(self):
        """Per-sample shape of each modality (without the row axis); None if absent."""
        return [None if a is None else a.shape[1:] for a in self.arrays]

    def __len__(self):
        return self.shape[0]

    def __iter__(self):
        return iter(self.arrays)

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return self.arrays[self.names.index(key)]
            except ValueError:
                raise KeyError(
                    f"No modality named {key!r}; modalities are {self.names}."
                ) from None
        if isinstance(key, numbers.Integral) and not isinstance(key, (bool, np.bool_)):
            return self.arrays[key]
        if isinstance(key, tuple):
            # scikit-learn indexes array-likes as ``X[rows, ...]``.
            if len(key) == 2 and key[1] is Ellipsis:
                key = key[0]
            else:
                raise IndexError(
                    "Modalities supports row indexing only (a slice, an index "
                    f"array or a boolean mask); got the tuple {key!r}."
                )
        if not isinstance(key, slice):
            key = np.asarray(key)
            if key.dtype.kind not in "iub":
                raise IndexError(
                    "Rows of Modalities are selected by a slice, integer indices "
                    f"or a boolean mask; got an array of dtype {key.dtype}."
                )
        return Modalities([None if a is None else a[key] for a in self.arrays],
                          names=self.names,
                          missing=None if self.missing is None else self.missing[key])

    def __repr__(self):
        parts = ", ".join(
            f"{n}: " + ("missing" if a is None else f"{a.shape[1:]} {a.dtype}")
            for n, a in zip(self.names, self.arrays)
        )
        return f"Modalities(n_samples={len(self)}, {parts})"

    def __eq__(self, other):  # pragma: no cover - identity semantics are enough
        return self is other

    __hash__ = object.__hash__


def _as_array(a, i):
    if is_on_disk(a):
        return OnDiskArray(a)
    if hasattr(a, "detach"):  # torch tensor
        a = a.detach().cpu().numpy()
    return np.asarray(a)


def _describe(arrays, names):
    return ", ".join(f"{n} {None if a is None else tuple(a.shape)}"
                     + (f" {a.dtype} on disk" if isinstance(a, OnDiskArray) else "")
                     for n, a in zip(names, arrays))


def _split_columns(X, modalities):
    """Cut a 2-D array into modalities following a column spec."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            "With a `modalities=` column spec, X must be a 2-D array of shape "
            f"(n_samples, n_columns); got shape {X.shape}."
        )
    if isinstance(modalities, numbers.Integral) and not isinstance(modalities, bool):
        if not 1 <= modalities <= X.shape[1]:
            raise ValueError(
                f"modalities={modalities} splits the columns into that many modalities, "
                f"but X has {X.shape[1]} feature(s) (shape {X.shape})."
            )
        modalities = [len(c) for c in np.array_split(np.arange(X.shape[1]), modalities)]
    if isinstance(modalities, Mapping):
        names, specs = [str(k) for k in modalities], list(modalities.values())
    else:
        names, specs = None, list(modalities)
    arrays, start = [], 0
    for k, spec in enumerate(specs):
        label = names[k] if names else f"modality {k}"
        shape = None
        if isinstance(spec, Mapping):
            columns, shape = spec.get("columns"), spec.get("shape")
            if columns is None:
                raise ValueError(
                    f"`modalities` entry for {label} is a dict without 'columns'."
                )
        else:
            columns = spec
        if isinstance(columns, numbers.Integral):
            columns = slice(start, start + int(columns))
        if isinstance(columns, slice):
            stop = columns.stop if columns.stop is not None else X.shape[1]
            if stop > X.shape[1]:
                raise ValueError(
                    f"`modalities` asks for columns {columns.start}:{stop} for "
                    f"{label}, but X has only {X.shape[1]} columns (shape {X.shape})."
                )
            start = stop
        else:
            columns = np.asarray(columns)
            if columns.size and (columns.max() >= X.shape[1] or columns.min() < -X.shape[1]):
                raise ValueError(
                    f"`modalities` column indices for {label} go up to "
                    f"{columns.max()}, but X has only {X.shape[1]} columns."
                )
        part = X[:, columns]
        if part.shape[1] == 0:
            raise ValueError(f"`modalities` selects no column for {label}.")
        if shape is not None:
            shape = tuple(int(s) for s in np.atleast_1d(shape))
            if int(np.prod(shape)) != part.shape[1]:
                raise ValueError(
                    f"`modalities` reshapes {label} to {shape} "
                    f"({int(np.prod(shape))} values) but it has {part.shape[1]} columns."
                )
            part = part.reshape((X.shape[0],) + shape)
        arrays.append(part)
    return Modalities(arrays, names=names)


def check_modalities(X, *, modalities=None, expected=None, dtype=np.float32,
                     allow_missing=False, input_name="X"):
    """Validate multimodal input and return it as :class:`Modalities`.

    Parameters
    ----------
    X : Modalities, list or tuple of array-like, dict of array-like, or 2-D array
        The input. A single 2-D array needs ``modalities``.
    modalities : int, list or dict, default=None
        Column spec for a 2-D ``X``: an int ``n`` splits the columns into
        ``n`` consecutive, near-equal flat modalities; a list has one entry
        per modality, either an int (that many consecutive columns), a
        slice or an array of column indices, or a dict
        ``{"columns": ..., "shape": ...}`` whose shape is the per-sample
        shape the columns are reshaped to. A dict of such entries names the
        modalities.
    expected : list of tuple, default=None
        Per-sample shapes seen at fit; when given, the number of modalities
        and each shape must match.
    dtype : numpy dtype, default=np.float32
        Numeric dtype every modality is converted to.
    allow_missing : bool, default=False
        Accept modalities given as ``None`` or marked in ``X.missing``
        (needs ``expected``): they are filled with zeros and the returned
        container's ``missing`` mask says where. Values of missing samples
        may be NaN.
    input_name : str, default="X"
        The argument's name in error messages.

    Returns
    -------
    Xs : Modalities
        Validated, contiguous arrays of ``dtype``. Modalities on disk are
        checked from their shape and dtype only, without reading them; they
        come back as :class:`OnDiskArray` views whose batches are converted
        to ``dtype`` and checked for NaN and infinity as they are read.

    Raises
    ------
    ValueError
        With a message naming the modality and the shapes involved when rows
        differ across modalities, a modality is empty or not numeric, holds
        NaN or infinity, or does not match what was seen at fit.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral import check_modalities
    >>> X = np.arange(20.0).reshape(2, 10)
    >>> Xs = check_modalities(X, modalities={"a": 4, "b": {"columns": 6, "shape": (2, 3)}})
    >>> Xs.names, Xs.sample_shapes
    (['a', 'b'], [(4,), (2, 3)])
    """
    if modalities is not None:
        if isinstance(X, (Modalities, Mapping, list, tuple)) and not _is_2d_numeric_list(X):
            raise ValueError(
                "`modalities=` is a column spec for a single 2-D array X; X is "
                f"already split into modalities ({type(X).__name__})."
            )
        Xs = _split_columns(X, modalities)
    elif isinstance(X, (Modalities, Mapping, list, tuple)):
        try:
            Xs = Modalities(X)
        except ValueError as exc:
            raise ValueError(f"{input_name}: {exc}") from None
    else:
        shape = getattr(X, "shape", None)
        raise TypeError(
            "X must be a list of per-modality arrays, a dict of named "
            f"modalities or a Modalities container; got {type(X).__name__}"
            + (f" of shape {tuple(shape)}" if shape is not None else "")
            + ". A single 2-D array needs a `modalities=` column spec."
        )

    missing = Xs.missing
    if missing is not None or any(a is None for a in Xs.arrays):
        absent = [n for n, a in zip(Xs.names, Xs.arrays) if a is None]
        if not allow_missing or expected is None:
            raise ValueError(
                "Missing modalities (" + (", ".join(repr(n) for n in absent) or "a `missing` mask")
                + ") are accepted only by `predict` of the methods that support them "
                "(CentralNet, ModDrop, weighted mean, GMU, ensembles)."
            )
        _check_expected(Xs, expected)
        n = len(Xs)
        missing = np.zeros((n, Xs.n_modalities), bool) if missing is None else missing.copy()
        arrays = []
        for k, a in enumerate(Xs.arrays):
            if a is None:
                missing[:, k] = True
                a = np.zeros((n,) + tuple(expected[k]), dtype=dtype)
            elif missing[:, k].any() and isinstance(a, OnDiskArray):
                a = a.with_zero_rows(missing[:, k])
            elif missing[:, k].any():
                a = np.array(a, dtype=dtype)
                a[missing[:, k]] = 0
            arrays.append(a)
        Xs = Modalities(arrays, names=Xs.names, missing=missing)

    arrays = []
    for name, a in zip(Xs.names, Xs.arrays):
        on_disk = " on disk" if isinstance(a, OnDiskArray) else ""
        if a.dtype.kind not in "biuf":
            raise ValueError(
                f"{input_name}: modality {name!r}{on_disk} must hold numbers; got "
                f"dtype {a.dtype} (shape {a.shape}) where the others are "
                + (", ".join(f"{n!r} {b.dtype}" for n, b in zip(Xs.names, Xs.arrays)
                             if b is not a and b is not None) or "none")
                + ". Encode strings or objects as numbers first."
            )
        if a.ndim < 2:
            raise ValueError(
                f"Modality {name!r} must have shape (n_samples, ...) with at "
                f"least one feature axis; got shape {a.shape}. Reshape a single "
                "feature with a.reshape(-1, 1)."
            )
        if a.shape[0] == 0:
            raise ValueError(
                f"Modality {name!r} has 0 samples (shape {a.shape}); at least "
                "one is required."
            )
        if 0 in a.shape[1:]:
            raise ValueError(f"Modality {name!r} has no features: shape {a.shape}.")
        if on_disk:  # read batch by batch: converted and checked then
            arrays.append(a.astype(dtype))
            continue
        a = np.ascontiguousarray(a, dtype=dtype)
        if not np.isfinite(a).all():
            n_bad = int(a.size - np.count_nonzero(np.isfinite(a)))
            raise ValueError(
                f"Modality {name!r} (shape {a.shape}) contains {n_bad} NaN or "
                "infinite values; impute or drop them first."
            )
        arrays.append(a)
    Xs = Modalities(arrays, names=Xs.names, missing=missing)
    if expected is not None:
        _check_expected(Xs, expected)
    return Xs


def _check_expected(Xs, expected):
    expected = [tuple(s) for s in expected]
    if Xs.n_modalities != len(expected):
        raise ValueError(
            f"X has {Xs.n_modalities} modalities ({Xs.names}) but the "
            f"estimator was fitted on {len(expected)} with per-sample shapes "
            f"{expected}."
        )
    for name, got, want in zip(Xs.names, Xs.sample_shapes, expected):
        if got is not None and tuple(got) != want:
            raise ValueError(
                f"Modality {name!r} has per-sample shape {tuple(got)} but the "
                f"estimator was fitted with {want}."
            )


def _is_2d_numeric_list(X):
    """True for a nested Python list that is really one 2-D table."""
    if not isinstance(X, list) or not X:
        return False
    return all(isinstance(r, (list, tuple)) and all(isinstance(v, numbers.Number) for v in r)
               for r in X)
