"""Discovery of the package's estimators, as scikit-learn's ``all_estimators``."""

import inspect

from sklearn.base import ClassifierMixin, RegressorMixin

_TYPES = {"classifier": ClassifierMixin, "regressor": RegressorMixin}


def all_estimators(type_filter=None):
    """Every public fusion estimator of skcentral, and those of registered methods.

    The estimators exported by ``skcentral``, and the estimator of every
    method in :data:`skcentral.experiments.METHODS` (so that a method added
    with :func:`~skcentral.experiments.register_method` is found).

    Parameters
    ----------
    type_filter : {"classifier", "regressor"}, list of them or None, default=None
        Keep only estimators of these kinds; ``None`` keeps all.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs sorted by name.

    Examples
    --------
    >>> from skcentral.utils import all_estimators
    >>> names = [name for name, _ in all_estimators("regressor")]
    >>> "CentralNetRegressor" in names
    True
    """
    import skcentral
    from skcentral._base import FusionNet
    from skcentral.experiments import METHODS

    kinds = [type_filter] if isinstance(type_filter, str) else type_filter
    if kinds is not None:
        unknown = sorted(set(kinds) - set(_TYPES))
        if unknown:
            raise ValueError(f"type_filter must be None or among {sorted(_TYPES)}; "
                             f"got {unknown}")
    found = {}
    candidates = [(name, getattr(skcentral, name)) for name in skcentral.__all__]
    candidates += [(m.estimator.__name__, m.estimator) for m in METHODS.values()]
    for name, obj in candidates:
        if not (inspect.isclass(obj) and issubclass(obj, FusionNet)) or obj is FusionNet:
            continue
        if not issubclass(obj, (ClassifierMixin, RegressorMixin)):
            continue
        if kinds is None or any(issubclass(obj, _TYPES[k]) for k in kinds):
            found[name] = obj
    return sorted(found.items())
