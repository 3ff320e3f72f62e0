"""Input of the fusion estimators: X as modalities, y, sample weights, and batches."""

import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

import torch

from . import distributed
from ._data import ModalityBatchIterator, ModalityDataset
from ._weights import check_sample_weight
from ._modalities import check_modalities

__all__ = ["InputMixin", "modality_index"]


def modality_index(modality, names):
    """The index of ``modality`` (a name in ``names`` or an index), or a clear error.

    Examples
    --------
    >>> from skcentral._input import modality_index
    >>> modality_index("audio", ["image", "audio"]), modality_index(0, ["image", "audio"])
    (1, 0)
    """
    names = list(names)
    if isinstance(modality, str):
        if modality not in names:
            raise ValueError(f"modality {modality!r} is not one of {names}.")
        return names.index(modality)
    if not isinstance(modality, numbers.Integral) or not 0 <= modality < len(names):
        raise ValueError(
            f"modality must be a name in {names} or an index in "
            f"[0, {len(names)}); got {modality!r}."
        )
    return int(modality)


class InputMixin:
    """Validation of ``X`` and ``y`` at fit and predict (part of :class:`FusionNet`)."""

    def _validate_for_fit(self, X, y, reset, classes=None):
        """Validate X and y; on reset, return the fitted attributes to set."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if not reset:
            return self._check_X(X), self._check_y(y, reset=False), {}
        Xs = check_modalities(self._check_2d(X), modalities=self.modalities)
        if len(Xs) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to train (batch "
                f"normalisation and mini-batches); got 1 sample."
            )
        state = {
            "modality_names_": list(Xs.names),
            "modality_shapes_": [tuple(s) for s in Xs.sample_shapes],
            "n_modalities_": Xs.n_modalities,
            "random_seed_": _draw_seed(self.random_state),
        }
        if self.modalities is not None:
            state["n_features_in_"] = np.asarray(X).shape[1]
        y, y_state = self._check_y(y, reset=True, n_samples=len(Xs), classes=classes)
        state.update(y_state)
        return Xs, y, state

    def _check_2d(self, X):
        """With a ``modalities`` column spec, X is an ordinary 2-D sklearn input."""
        if self.modalities is None:
            return X
        return check_array(X, dtype="numeric", input_name="X")

    def _check_X(self, X, allow_missing=False):
        self.check_is_fitted()
        if self.modalities is not None:
            X = self._check_2d(X)
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is "
                    f"expecting {self.n_features_in_} features as input."
                )
        Xs = check_modalities(X, modalities=self.modalities, expected=self.modality_shapes_,
                              allow_missing=allow_missing)
        if Xs.missing is not None and Xs.missing.all(axis=1).any():
            raise ValueError(
                f"{int(Xs.missing.all(axis=1).sum())} samples have every modality "
                "missing; at least one must be present to predict."
            )
        if Xs.missing is not None and not getattr(self.module_, "supports_missing", False):
            absent = [n for n, m in zip(Xs.names, Xs.missing.any(axis=0)) if m]
            raise ValueError(
                f"{type(self).__name__} cannot predict with missing modalities "
                f"({', '.join(map(repr, absent))}): its fusion has no rule to leave "
                f"one out. Estimators built on {', '.join(_modules_supporting_missing())} can."
            )
        return Xs

    def get_dataset(self, X, y=None):
        if isinstance(X, ModalityDataset):
            return X
        Xs = self._check_X(X, allow_missing=True)
        return ModalityDataset(Xs.arrays, y, missing=Xs.missing)

    def _device_dataset(self, arrays, y, sample_weight=None):
        dataset = ModalityDataset(arrays, y, sample_weight=sample_weight)
        if torch.device(self.device).type != "cpu":
            # Copy the data to the device once, not batch by batch.
            # (modalities on disk stay there and are read batch by batch)
            w = dataset.sample_weight
            dataset = ModalityDataset([x.to(self.device) if torch.is_tensor(x) else x
                                       for x in dataset.X], dataset.y.to(self.device),
                                      sample_weight=None if w is None else w.to(self.device))
        return dataset

    def _check_sample_weight(self, sample_weight, n_samples):
        """Validated weights of mean 1 (None when all equal), see ``fit``."""
        sample_weight = check_sample_weight(sample_weight, n_samples)
        iterator = self.iterator_train
        if sample_weight is not None and not (
                isinstance(iterator, type) and issubclass(iterator, ModalityBatchIterator)):
            raise ValueError(
                "sample_weight needs iterator_train=ModalityBatchIterator, whose batches "
                f"carry the weights; got {getattr(iterator, '__name__', iterator)}.")
        return sample_weight

    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        iterator = getattr(self, prefix)
        if not (isinstance(iterator, type) and issubclass(iterator, ModalityBatchIterator)):
            return super().get_iterator(dataset, training=training)
        kwargs = self.get_params_for(prefix)
        kwargs.setdefault("batch_size", self.batch_size)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        if training:
            kwargs.setdefault("shuffle", True)
            kwargs.setdefault("seed", [self.random_seed_, len(self.history)])
            if distributed.active(self):
                kwargs.setdefault("shard", distributed.shard())
        return iterator(dataset, **kwargs)


def _modules_supporting_missing():
    """The fusion modules that can leave a modality out."""
    from . import fusion
    return sorted(name for name in fusion.__all__
                  if getattr(getattr(fusion, name), "supports_missing", False) is True)


def _draw_seed(random_state):
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
