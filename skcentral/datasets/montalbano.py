"""Montalbano gestures (ChaLearn 2014) as the ModDrop features, in a documented layout.

The per-modality gesture features of Neverova et al. (ModDrop) that the
paper uses have no documented public file layout, so skcentral defines a
simple one: a folder with one ``.npz`` per split (``train.npz``,
``valid.npz``, ``test.npz``), each holding the arrays ``audio`` (n, 350),
``mocap`` (n, 350), ``left_hand`` (n, 400), ``right_hand`` (n, 400) and
``y`` (n,) (integer class labels, 20 gesture classes).
:func:`save_montalbano` writes it from arrays however they were obtained.
"""

from pathlib import Path

import numpy as np

from ._bunch import multimodal_bunch
from ._home import get_data_home, load_npz, save_npz

__all__ = ["MONTALBANO_MODALITIES", "load_montalbano", "save_montalbano"]

#: Modalities of the ModDrop features, in order, with their sizes.
MONTALBANO_MODALITIES = {"audio": 350, "mocap": 350, "left_hand": 400, "right_hand": 400}
SPLITS = ("train", "valid", "test")


def save_montalbano(path, splits):
    """Write Montalbano features in the layout :func:`load_montalbano` reads.

    Parameters
    ----------
    path : str or path-like
        Folder to write ``<split>.npz`` into (created if needed).
    splits : dict of str to dict of array-like
        ``{"train": {"audio": ..., "mocap": ..., "left_hand": ...,
        "right_hand": ..., "y": ...}, "valid": {...}, "test": {...}}``:
        per split, one 2-D float array per modality (rows = samples) and
        the 1-D integer labels. Any subset of the three splits may be given.

    Returns
    -------
    paths : list of pathlib.Path
        The files written.

    Raises
    ------
    ValueError
        For an unknown split, a missing modality or labels, arrays that are
        not 2-D or whose rows disagree, non-integer labels, or a modality
        whose width differs between splits.

    Notes
    -----
    Each file is written atomically (a temporary file, then a rename), and
    every split is checked before any file is written.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from skcentral.datasets import save_montalbano, load_montalbano
    >>> rng = np.random.default_rng(0)
    >>> def split(n):
    ...     return {"audio": rng.random((n, 350)), "mocap": rng.random((n, 350)),
    ...             "left_hand": rng.random((n, 400)), "right_hand": rng.random((n, 400)),
    ...             "y": rng.integers(0, 20, n)}
    >>> folder = tempfile.mkdtemp()
    >>> paths = save_montalbano(folder, {"train": split(40), "valid": split(10),
    ...                                  "test": split(10)})
    >>> sorted(p.name for p in paths)
    ['test.npz', 'train.npz', 'valid.npz']
    """
    path = Path(path).expanduser()
    checked = {}
    widths = {}
    for name, arrays in splits.items():
        if name not in SPLITS:
            raise ValueError(f"Unknown Montalbano split {name!r}; expected some of {SPLITS}.")
        checked[name] = _check_split(arrays, f"split {name!r}", widths)
    written = []
    for name, arrays in checked.items():
        save_npz(path / f"{name}.npz", arrays)
        written.append(path / f"{name}.npz")
    return written


def load_montalbano(path=None, *, data_home=None, pad_to=400, return_X_y=False):
    """Load the Montalbano gesture features (ModDrop), zero-padded as in the paper.

    Parameters
    ----------
    path : str or path-like, default=None
        Folder holding ``train.npz``, ``valid.npz`` and ``test.npz`` in the
        layout of :func:`save_montalbano`; defaults to
        ``<data_home>/montalbano``.
    data_home : str or path-like, default=None
        Data folder (``SKCENTRAL_DATA``, else ``~/skcentral_data``).
    pad_to : int or None, default=400
        Zero-pad every modality on the right to this many features, as the
        paper does (audio and mocap have 350); None leaves them as stored.
    return_X_y : bool, default=False
        Return ``(Xs_train, Xs_test, y_train, y_test)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``Xs_train``, ``Xs_valid``, ``Xs_test``:
        :class:`~skcentral.Modalities` of four float32 modalities
        ``audio``, ``mocap``, ``left_hand``, ``right_hand``, each of shape
        (n, pad_to); ``y_train``, ``y_valid``, ``y_test``: int64 labels;
        ``modality_names``; ``splits``; ``n_features`` (each modality's
        stored width); ``DESCR``.
    (Xs_train, Xs_test, y_train, y_test) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        When a split's file is missing (named).
    ValueError
        When a file is truncated or corrupt, lacks an array, or holds
        arrays in the wrong shape; or a modality is wider than ``pad_to``.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from skcentral.datasets import save_montalbano, load_montalbano
    >>> rng = np.random.default_rng(0)
    >>> def split(n):
    ...     return {"audio": rng.random((n, 350)), "mocap": rng.random((n, 350)),
    ...             "left_hand": rng.random((n, 400)), "right_hand": rng.random((n, 400)),
    ...             "y": rng.integers(0, 20, n)}
    >>> folder = tempfile.mkdtemp()
    >>> _ = save_montalbano(folder, {"train": split(40), "valid": split(10), "test": split(10)})
    >>> data = load_montalbano(folder)
    >>> [x.shape for x in data.Xs_train]
    [(40, 400), (40, 400), (40, 400), (40, 400)]
    """
    path = Path(path).expanduser() if path is not None else get_data_home(data_home) / "montalbano"
    read, widths = {}, {}
    for name in SPLITS:
        file = path / f"{name}.npz"
        if not file.is_file():
            raise FileNotFoundError(
                f"Montalbano file {file} not found; expected train.npz, valid.npz "
                f"and test.npz in {path} (write them with save_montalbano).")
        arrays = _check_split(load_npz(file, keys=list(MONTALBANO_MODALITIES) + ["y"]),
                              str(file), widths)
        Xs = []
        for m in MONTALBANO_MODALITIES:
            x = arrays[m]
            if pad_to is not None:
                if x.shape[1] > pad_to:
                    raise ValueError(f"{file}: {m} has {x.shape[1]} features, more "
                                     f"than pad_to={pad_to}.")
                x = np.pad(x, ((0, 0), (0, pad_to - x.shape[1])))
            Xs.append(x)
        read[name] = (Xs, arrays["y"])
    descr = (
        "Montalbano (ChaLearn LAP 2014 gestures), ModDrop features of Neverova et "
        "al.: " + ", ".join(f"{m} {w}" for m, w in widths.items())
        + (f", zero-padded to {pad_to}" if pad_to else "") + "; 20 classes. "
        + ", ".join(f"{s} {len(read[s][1])}" for s in SPLITS) + " samples.")
    return multimodal_bunch(read, list(MONTALBANO_MODALITIES), return_X_y=return_X_y,
                            n_features=dict(widths), DESCR=descr)


def _check_split(arrays, where, widths):
    """Validate one split's arrays: float32 modalities, int64 labels."""
    missing = [k for k in list(MONTALBANO_MODALITIES) + ["y"] if k not in arrays]
    if missing:
        raise ValueError(f"Montalbano {where} lacks {missing}; expected the arrays "
                         f"{list(MONTALBANO_MODALITIES)} and 'y'.")
    y = np.asarray(arrays["y"])
    if y.ndim != 1 or not (y.dtype.kind in "iu" or (
            y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0))):
        raise ValueError(f"Montalbano {where}: 'y' must be 1-D integer labels; got "
                         f"shape {y.shape}, dtype {y.dtype}.")
    out = {}
    for m in MONTALBANO_MODALITIES:
        x = np.asarray(arrays[m])
        if x.ndim != 2 or x.shape[0] != len(y) or x.dtype.kind not in "fiu":
            raise ValueError(
                f"Montalbano {where}: {m} must be a numeric (n_samples, n_features) "
                f"array with one row per label ({len(y)}); got shape {x.shape}, "
                f"dtype {x.dtype}.")
        if widths.setdefault(m, x.shape[1]) != x.shape[1]:
            raise ValueError(f"Montalbano {where}: {m} has {x.shape[1]} features but "
                             f"{widths[m]} in another split.")
        out[m] = x.astype(np.float32, copy=False)
    out["y"] = y.astype(np.int64)
    return out
