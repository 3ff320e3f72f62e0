"""Per-modality preprocessing: scikit-learn transformers applied to each modality.

A scaler fitted on images and one fitted on spectrograms should not share
statistics, and a PCA may suit one modality and not another.
:class:`PerModality` fits a clone of a scikit-learn transformer on each
modality (or a transformer of its own per modality), inside a ``Pipeline``
before a fusion estimator, so that ``cross_val_score`` refits it on every
fold and ``GridSearchCV`` tunes it.
"""

import numbers
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.base import TransformerMixin, clone
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import check_is_fitted

from ._modalities import Modalities

__all__ = ["PerModality"]

_SPECIAL = ("passthrough", "drop")


class PerModality(TransformerMixin, _BaseComposition, auto_wrap_output_keys=None):
    """Apply a scikit-learn transformer to each modality, keeping sample shapes.

    Each modality's rows are flattened to 2-D, ``(n_samples, n_features)``,
    for the transformer. When the transformer keeps the number of features
    (a scaler, an imputer) the result is reshaped back to the modality's
    sample shape, so that images stay images for a convolutional backbone;
    when it changes it (a PCA), the modality becomes ``(n_samples, k)``.

    Parameters
    ----------
    transformer : transformer, list or dict
        What to apply:

        * one transformer: a clone of it is fitted on every modality;
        * a list with one entry per modality, in order;
        * a dict mapping modality names (``str``) or positions (``int``)
          to entries; modalities it leaves out get ``remainder``.

        An entry is a transformer, ``"passthrough"`` (left as it is) or
        ``"drop"`` (removed from the output).
    remainder : transformer, "passthrough" or "drop", default="passthrough"
        What the modalities a dict leaves out get.
    keep_shape : bool, default=True
        Reshape a transformer's output back to the modality's sample shape
        when it has as many features as its input. ``False`` leaves every
        transformed modality 2-D.

    Attributes
    ----------
    transformers_ : dict of str to transformer or str
        The fitted transformer of each modality (by name), or
        ``"passthrough"`` / ``"drop"``.
    modality_names_ : list of str
        Names of the modalities seen in ``fit``.
    sample_shapes_in_ : list of tuple of int
        Per-sample shape of each modality seen in ``fit``.
    sample_shapes_out_ : dict of str to tuple of int
        Per-sample shape of each modality of the output (dropped ones
        excluded).

    See Also
    --------
    sklearn.compose.ColumnTransformer : the same idea for the columns of one table.
    skcentral.Modalities : the container transformed.

    Notes
    -----
    Input may be a :class:`~skcentral.Modalities`, a list of per-modality
    arrays or a dict of named ones; the output is a
    :class:`~skcentral.Modalities` with the same names, which the fusion
    estimators take as they are. A modality whose transformer is a dict
    entry can be tuned by name in a search: with the step named
    ``"permodality"`` (the name :func:`~sklearn.pipeline.make_pipeline`
    gives), ``permodality__b__n_components`` is the ``n_components`` of
    modality ``b``'s transformer; with one transformer for all,
    ``permodality__transformer__with_std``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.decomposition import PCA
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skcentral import Modalities
    >>> from skcentral.preprocessing import PerModality
    >>> rng = np.random.default_rng(0)
    >>> Xs = Modalities([rng.random((50, 8, 8)), rng.random((50, 20))],
    ...                 names=["image", "audio"])
    >>> PerModality(StandardScaler()).fit_transform(Xs)
    Modalities(n_samples=50, image: (8, 8) float64, audio: (20,) float64)
    >>> pm = PerModality({"image": PCA(n_components=5)}).fit(Xs)
    >>> pm.sample_shapes_out_
    {'image': (5,), 'audio': (20,)}
    >>> pm.get_feature_names_out()[:2].tolist()
    ['image__pca0', 'image__pca1']
    """

    def __init__(self, transformer, *, remainder="passthrough", keep_shape=True):
        self.transformer = transformer
        self.remainder = remainder
        self.keep_shape = keep_shape

    # --------------------------------------------------------- parameters
    # A dict or list of transformers exposes each entry as a parameter of
    # its own (``b``, ``b__n_components``, or ``0`` for a list), as
    # ColumnTransformer does, so that searches reach inside.
    def _entries(self):
        t = self.transformer
        if isinstance(t, Mapping):
            return [(str(k), v) for k, v in t.items()]
        if isinstance(t, Sequence) and not isinstance(t, str):
            return [(str(k), v) for k, v in enumerate(t)]
        return []

    def get_params(self, deep=True):
        params = super().get_params(deep=False)
        if not deep:
            return params
        entries = self._entries()
        if not entries:
            return super().get_params(deep=True)
        for key, value in entries:
            params[key] = value
            if hasattr(value, "get_params") and not isinstance(value, type):
                for sub, v in value.get_params(deep=True).items():
                    params[f"{key}__{sub}"] = v
        return params

    def set_params(self, **params):
        entries = dict(self._entries())
        own = {k: v for k, v in params.items() if k.split("__")[0] not in entries}
        nested = {k: v for k, v in params.items() if k not in own}
        if "transformer" in own:
            super().set_params(transformer=own.pop("transformer"))
        if nested:
            # a new container for replaced entries; nested parameters are set
            # on the entries themselves, as scikit-learn's compositions do
            t = self.transformer
            t = dict(t) if isinstance(t, Mapping) else list(t)
            keys = {str(k): k for k in (t if isinstance(t, dict) else range(len(t)))}
            for name, value in sorted(nested.items(), key=lambda kv: "__" in kv[0]):
                key, _, sub = name.partition("__")
                if sub:
                    t[keys[key]].set_params(**{sub: value})
                else:
                    t[keys[key]] = value
            self.transformer = t
        if own:
            super().set_params(**own)
        return self

    # -------------------------------------------------------------- fitting
    def fit(self, X, y=None, **fit_params):
        """Fit each modality's transformer on that modality's rows.

        Parameters
        ----------
        X : Modalities, list of array-like or dict of array-like
            The modalities, each of shape ``(n_samples, ...)``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Passed on to every transformer (most ignore it).
        **fit_params : dict
            Passed on to every transformer's ``fit``.

        Returns
        -------
        self : PerModality
        """
        self._fit(X, y, fit_params, transform=False)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """Fit, then transform ``X`` (with each transformer's ``fit_transform``)."""
        return self._fit(X, y, fit_params, transform=True)

    def transform(self, X):
        """Transform each modality with its fitted transformer.

        Parameters
        ----------
        X : Modalities, list of array-like or dict of array-like
            As many modalities as in ``fit``, with the same sample shapes.

        Returns
        -------
        Xs : Modalities
            The transformed modalities (dropped ones removed), same names.
        """
        check_is_fitted(self, "transformers_")
        Xs = self._validate(X, reset=False)
        out = {}
        for name, x in zip(Xs.names, Xs):
            t = self.transformers_[name]
            if t == "drop":
                continue
            out[name] = x if t == "passthrough" else self._shape(
                name, x, self._call(name, x, lambda flat, t=t: t.transform(flat), "transform"))
        return self._output(out)

    def _fit(self, X, y, fit_params, transform):
        Xs = self._validate(X, reset=True)
        chosen = self._resolve(Xs.names)
        self.transformers_, out, self.sample_shapes_out_ = {}, {}, {}
        for name, x in zip(Xs.names, Xs):
            t = chosen[name]
            if isinstance(t, str):
                self.transformers_[name] = t
                if t == "passthrough":
                    out[name] = x
                    self.sample_shapes_out_[name] = x.shape[1:]
                continue
            t = clone(t)
            if transform:
                z = self._call(name, x, lambda f, t=t: t.fit_transform(f, y, **fit_params),
                               "fit_transform")
                out[name] = self._shape(name, x, z)
            else:
                self._call(name, x, lambda f, t=t: (t.fit(f, y, **fit_params), f)[1], "fit")
                # one row tells the output's width
                z = self._call(name, x[:1], lambda f, t=t: t.transform(f), "transform")
            self.transformers_[name] = t
            n_out = z.shape[1]
            self.sample_shapes_out_[name] = (
                x.shape[1:] if self.keep_shape and n_out == _n_features(x) else (int(n_out),))
        return self._output(out) if transform else None

    # -------------------------------------------------------------- helpers
    def _validate(self, X, reset):
        if X is None or isinstance(X, np.ndarray):
            raise TypeError(
                "PerModality expects a Modalities container, a list of per-modality "
                f"arrays or a dict of named ones; got {type(X).__name__}.")
        named = isinstance(X, (Modalities, Mapping))
        Xs = Modalities(X)
        absent = [n for n, a in zip(Xs.names, Xs.arrays) if a is None]
        if absent:
            raise ValueError(f"PerModality got no data for the modalities {absent}.")
        for name, x in zip(Xs.names, Xs):
            if x.ndim < 2:
                raise ValueError(
                    f"Modality {name!r} must have shape (n_samples, ...) with at least "
                    f"one feature axis; got shape {x.shape}.")
        if reset:
            self.modality_names_ = list(Xs.names)
            self.sample_shapes_in_ = [tuple(s) for s in Xs.sample_shapes]
            return Xs
        if Xs.n_modalities != len(self.modality_names_):
            raise ValueError(
                f"X has {Xs.n_modalities} modalities ({Xs.names}) but PerModality was "
                f"fitted on {len(self.modality_names_)} ({self.modality_names_}).")
        for name, got, want in zip(self.modality_names_, Xs.sample_shapes,
                                   self.sample_shapes_in_):
            if tuple(got) != want:
                raise ValueError(
                    f"Modality {name!r} has per-sample shape {tuple(got)} but PerModality "
                    f"was fitted with {want}.")
        if named and Xs.names != self.modality_names_ and not _default_names(Xs.names):
            raise ValueError(
                f"X has the modalities {Xs.names} but PerModality was fitted on "
                f"{self.modality_names_}.")
        # names follow fit's, so a plain list is transformed like the fitted data
        return Modalities(Xs.arrays, names=self.modality_names_)

    def _resolve(self, names):
        """Map every modality name to its (unfitted) entry."""
        t = self.transformer
        if isinstance(t, Mapping):
            chosen = {}
            for key, value in t.items():
                if isinstance(key, numbers.Integral) and not isinstance(key, bool):
                    if not -len(names) <= key < len(names):
                        raise ValueError(
                            f"PerModality: transformer key {key} is out of range for "
                            f"{len(names)} modalities {names}.")
                    key = names[key]
                elif key not in names:
                    raise ValueError(
                        f"PerModality: no modality named {key!r}; modalities are {names}.")
                if key in chosen:
                    raise ValueError(f"PerModality: modality {key!r} is given twice "
                                     "(by name and by position).")
                chosen[key] = value
            chosen = {n: chosen.get(n, self.remainder) for n in names}
        elif isinstance(t, Sequence) and not isinstance(t, str):
            if len(t) != len(names):
                raise ValueError(
                    f"PerModality: transformer is a list of {len(t)} entries but X has "
                    f"{len(names)} modalities {names}; give one per modality or a dict.")
            chosen = dict(zip(names, t))
        else:
            chosen = {n: t for n in names}
        for name, value in chosen.items():
            if isinstance(value, str) and value not in _SPECIAL:
                raise ValueError(f"PerModality: the entry of modality {name!r} must be a "
                                 f"transformer, 'passthrough' or 'drop'; got {value!r}.")
            if not isinstance(value, str) and not (
                    hasattr(value, "fit") and hasattr(value, "transform")):
                raise TypeError(f"PerModality: the entry of modality {name!r} must have "
                                f"fit and transform; got {value!r}.")
        return chosen

    def _call(self, name, x, method, what):
        flat = x.reshape(len(x), -1)
        try:
            z = method(flat)
        except ValueError as exc:
            raise ValueError(
                f"PerModality: {what} failed on modality {name!r} (shape {x.shape}, "
                f"flattened to {flat.shape}): {exc}") from exc
        if not hasattr(z, "shape") or getattr(z, "ndim", 0) != 2 or len(z) != len(x):
            raise ValueError(
                f"PerModality: {what} of modality {name!r} must return a 2-D array with "
                f"{len(x)} rows; got {type(z).__name__} of shape {getattr(z, 'shape', None)}.")
        return np.asarray(z)

    def _shape(self, name, x, z):
        if self.keep_shape and z.shape[1] == _n_features(x):
            return z.reshape(x.shape)
        return z

    def _output(self, out):
        if not out:
            raise ValueError("PerModality dropped every modality; keep at least one.")
        return Modalities(list(out.values()), names=list(out))

    def get_feature_names_out(self, input_features=None):
        """Output feature names, ``"<modality>__<feature>"``, modality after modality.

        A modality's input features are named ``x0``, ``x1``, ... (its
        flattened columns); each transformer names its outputs from them
        (``pca0``, ... for a PCA).

        Parameters
        ----------
        input_features : None
            Not used; the names come from the modalities.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self, "transformers_")
        names = []
        for name, shape in zip(self.modality_names_, self.sample_shapes_in_):
            t = self.transformers_[name]
            if t == "drop":
                continue
            features = np.asarray([f"x{i}" for i in range(int(np.prod(shape)))], dtype=object)
            if t != "passthrough":
                if not hasattr(t, "get_feature_names_out"):
                    raise AttributeError(
                        f"The transformer of modality {name!r} ({type(t).__name__}) does "
                        "not provide get_feature_names_out.")
                features = t.get_feature_names_out(features)
            names.extend(f"{name}__{f}" for f in features)
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags


def _default_names(names):
    return names == [f"modality_{i}" for i in range(len(names))]


def _n_features(x):
    return int(np.prod(x.shape[1:]))
