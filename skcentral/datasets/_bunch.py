"""The one shape every loader and generator returns.

scikit-learn's loaders return a :class:`~sklearn.utils.Bunch`, or ``(X, y)``
with ``return_X_y=True``. skcentral's do the same for multimodal data:

* a data set with splits has ``Xs_<split>`` and ``y_<split>`` for each of
  its splits (``train``, ``valid`` where it has one, ``test``), and
  ``return_X_y=True`` gives ``(Xs_train, Xs_test, y_train, y_test)``, the
  order of :func:`~sklearn.model_selection.train_test_split`;
* a generator has ``Xs`` and ``y``, and ``return_X_y=True`` gives
  ``(Xs, y)``.

Every ``Xs`` is a :class:`~skcentral.Modalities` named after the data set's
modalities: it indexes like a list of arrays (``Xs[0]``, ``Xs["audio"]``)
and goes unwrapped into scikit-learn's splitters, ``cross_val_score`` and
``GridSearchCV``. Every Bunch also has ``modality_names``, ``splits`` (the
split names, empty for a generator) and ``DESCR``.
"""

from sklearn.utils import Bunch

from .._modalities import Modalities


def multimodal_bunch(splits, modality_names, *, return_X_y=False, **extras):
    """Bunch (or tuple) of a data set, in the convention described above.

    Parameters
    ----------
    splits : dict of str to (list of ndarray, ndarray)
        ``{split: (arrays, y)}``; the key ``None`` for an unsplit data set.
    modality_names : list of str
    return_X_y : bool
    **extras
        Further Bunch entries (``DESCR``, ``target_names``, ...).
    """
    names = list(modality_names)
    data = Bunch(modality_names=names,
                 splits=tuple(s for s in splits if s is not None), **extras)
    for split, (arrays, y) in splits.items():
        suffix = "" if split is None else f"_{split}"
        data[f"Xs{suffix}"] = Modalities(list(arrays), names=names)
        data[f"y{suffix}"] = y
    if not return_X_y:
        return data
    if None in splits:
        return data.Xs, data.y
    if not {"train", "test"} <= set(splits):
        raise ValueError(
            "return_X_y=True returns (Xs_train, Xs_test, y_train, y_test) and needs "
            f"a 'train' and a 'test' split; this data set has {list(splits)}. "
            "Use the Bunch instead.")
    return data.Xs_train, data.Xs_test, data.y_train, data.y_test
