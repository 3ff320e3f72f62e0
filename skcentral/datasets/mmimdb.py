"""MM-IMDb (Arevalo et al. 2017): movie genres from plot and poster features."""

import json
from pathlib import Path

import numpy as np

from .._lazy import OnDiskArray
from ._bunch import multimodal_bunch
from ._home import get_data_home

__all__ = ["MMIMDB_SPLITS", "load_mmimdb"]

#: Row ranges of the published split of ``multimodal_imdb.hdf5``.
#: The published "dev" split is ``valid`` here, as in the other loaders.
MMIMDB_SPLITS = {"train": (0, 15552), "valid": (15552, 18160), "test": (18160, 25959)}
_KEYS = {"text": "features", "visual": "vgg_features", "genres": "genres"}


def load_mmimdb(path=None, *, data_home=None, splits=None, return_X_y=False, lazy=False):
    """Load MM-IMDb's precomputed features from ``multimodal_imdb.hdf5``.

    The file published by Arevalo et al. holds, for N = 25,959 movies, the
    datasets ``features`` (N, 300) float32 (averaged word2vec of the plot),
    ``vgg_features`` (N, 4096) float32 (VGG16 of the poster) and ``genres``
    (N, 23) int32 (0/1 genre indicators) whose attribute ``target_names``
    is a JSON list of the genre names. The split is by rows: train
    [0, 15552), valid (the published "dev" split) [15552, 18160), test
    [18160, 25959).

    Parameters
    ----------
    path : str or path-like, default=None
        The HDF5 file; defaults to ``<data_home>/mmimdb/multimodal_imdb.hdf5``,
        else ``<data_home>/multimodal_imdb.hdf5``.
    data_home : str or path-like, default=None
        Data folder (``SKCENTRAL_DATA``, else ``~/skcentral_data``).
    splits : dict of str to (int, int), default=None
        Row ranges ``{"train": (start, stop), "valid": ..., "test": ...}``;
        defaults to :data:`MMIMDB_SPLITS`. Give your own for a smaller file
        in the same layout (any split names work).
    return_X_y : bool, default=False
        Return ``(Xs_train, Xs_test, y_train, y_test)`` instead of a Bunch
        (needs a ``train`` and a ``test`` split).
    lazy : bool, default=False
        Leave the features on disk: each ``Xs_s`` holds
        :class:`~skcentral.OnDiskArray` views of the file's datasets (the
        file stays open, read-only), which the estimators read batch by
        batch. The genres are read into memory either way.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        For each split ``s``: ``Xs_s``, :class:`~skcentral.Modalities`
        ``text`` (n, 300) and ``visual`` (n, 4096), float32, and ``y_s``
        (n, 23) int64, a multilabel indicator matrix; ``target_names``
        (list of 23 genre names); ``modality_names`` (``["text",
        "visual"]``); ``splits``; ``DESCR``.
    (Xs_train, Xs_test, y_train, y_test) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    ImportError
        When h5py (an optional dependency: ``pip install h5py`` or
        ``skcentral[data]``) is missing.
    FileNotFoundError
        When the file is not there.
    ValueError
        When the file is not readable HDF5 (truncated, corrupt) or not in
        this layout (a dataset missing, shapes that disagree, genres not
        0/1, names not a JSON list of the right length, a split outside
        the rows); the message names the file and what was expected.

    Notes
    -----
    The file is distributed by its authors at
    http://lisi1.unal.edu.co/mmimdb/ (see that page for its terms of use).
    The features read here take about 460 MB in memory. The paper uses
    them with an MLP on each modality and the weighted binary
    cross-entropy of its Eq. 4.

    Examples
    --------
    A small file in the published layout:

    >>> import json, os, tempfile
    >>> import h5py, numpy as np
    >>> from skcentral.datasets import load_mmimdb
    >>> path = os.path.join(tempfile.mkdtemp(), "multimodal_imdb.hdf5")
    >>> rng = np.random.default_rng(0)
    >>> with h5py.File(path, "w") as f:
    ...     _ = f.create_dataset("features", data=rng.random((10, 300), dtype=np.float32))
    ...     _ = f.create_dataset("vgg_features", data=rng.random((10, 4096), dtype=np.float32))
    ...     g = f.create_dataset("genres", data=rng.integers(0, 2, (10, 23), dtype=np.int32))
    ...     g.attrs["target_names"] = json.dumps([f"genre_{i}" for i in range(23)])
    >>> data = load_mmimdb(path, splits={"train": (0, 6), "valid": (6, 8), "test": (8, 10)})
    >>> [x.shape for x in data.Xs_train], data.y_test.shape
    ([(6, 300), (6, 4096)], (2, 23))
    >>> load_mmimdb(path, splits={"train": (0, 6)}, lazy=True).Xs_train["visual"]
    OnDiskArray('visual', hdf5, shape=(6, 4096), dtype=float32)
    """
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "load_mmimdb reads HDF5 files with h5py, an optional dependency: "
            "pip install h5py (or skcentral[data]).") from exc
    if path is None:
        home = get_data_home(data_home)
        candidates = [home / "mmimdb" / "multimodal_imdb.hdf5", home / "multimodal_imdb.hdf5"]
        path = next((p for p in candidates if p.is_file()), candidates[0])
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"MM-IMDb file {path} not found. Download multimodal_imdb.hdf5 from "
            "http://lisi1.unal.edu.co/mmimdb/ and pass its path (or put it at "
            "<data_home>/mmimdb/multimodal_imdb.hdf5).")
    splits = dict(MMIMDB_SPLITS if splits is None else splits)
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise ValueError(f"{path} is not a readable HDF5 file (truncated or corrupt?): "
                         f"{exc}") from exc
    try:
        if lazy:
            data = _read(f, path, splits, lazy=True)
        else:
            with f:
                data = _read(f, path, splits)
    except (OSError, RuntimeError, KeyError) as exc:
        # h5py reports a damaged dataset when it is read
        raise ValueError(f"{path}: cannot read the MM-IMDb data ({exc}).") from exc
    return multimodal_bunch(data.pop("splits"), list(_KEYS)[:2], return_X_y=return_X_y,
                            **data)


def _read(f, path, splits, lazy=False):
    missing = [k for k in _KEYS.values() if k not in f]
    if missing:
        raise ValueError(
            f"{path} lacks the dataset(s) {missing}; an MM-IMDb file holds "
            f"'features' (N, 300), 'vgg_features' (N, 4096) and 'genres' (N, 23).")
    shapes = {k: f[k].shape for k in _KEYS.values()}
    rows = {s[0] if len(s) == 2 else None for s in shapes.values()}
    if len(rows) != 1 or None in rows:
        raise ValueError(
            f"{path}: 'features', 'vgg_features' and 'genres' must be 2-D with one "
            f"row per movie; got shapes {shapes}.")
    n_rows = rows.pop()
    raw = f["genres"].attrs.get("target_names")
    try:
        target_names = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{path}: genres.attrs['target_names'] must be a JSON list of genre "
            f"names; got {raw!r}.") from exc
    n_genres = shapes["genres"][1]
    if not isinstance(target_names, list) or len(target_names) != n_genres:
        raise ValueError(
            f"{path}: genres.attrs['target_names'] must list {n_genres} names "
            f"(one per column of 'genres'); got {target_names!r}.")
    read = {}
    for name, (start, stop) in splits.items():
        if not 0 <= start < stop <= n_rows:
            raise ValueError(
                f"{path} has {n_rows} rows; the {name!r} split asks for rows "
                f"[{start}, {stop}). The published split needs 25,959 rows; pass "
                "splits= for a smaller file.")
        if lazy:
            Xs = [OnDiskArray(f[_KEYS[m]], name=m)[start:stop].astype(np.float32)
                  for m in ("text", "visual")]
        else:
            Xs = [np.asarray(f[_KEYS[m]][start:stop], dtype=np.float32)
                  for m in ("text", "visual")]
        Y = np.asarray(f["genres"][start:stop])
        if not np.isin(Y, (0, 1)).all():
            raise ValueError(f"{path}: 'genres' rows [{start}, {stop}) hold values "
                             "other than 0 and 1; expected genre indicators.")
        read[name] = (Xs, Y.astype(np.int64))
    descr = (
        f"MM-IMDb (Arevalo et al. 2017) from {path.name}: text (word2vec of the "
        f"plot, {shapes['features'][1]}) and visual (VGG16 of the poster, "
        f"{shapes['vgg_features'][1]}) features, {n_genres} genres, multilabel. "
        + ", ".join(f"{k} rows [{a}, {b})" for k, (a, b) in splits.items()) + ".")
    return {"splits": read, "target_names": [str(t) for t in target_names], "DESCR": descr}
