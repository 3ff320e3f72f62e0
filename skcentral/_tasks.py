"""The tasks of the fusion estimators: classification (multiclass, multilabel) and regression."""

import warnings
from numbers import Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from skorch import NeuralNet
from skorch.callbacks import EpochScoring
from skorch.utils import to_numpy
from torch import nn

from ._weights import check_class_weight

__all__ = ["FusionClassifierMixin", "FusionRegressorMixin"]


def _encoded_accuracy(net, X, y):
    """Accuracy against the encoded labels skorch's validation split holds
    (subset accuracy for multilabel)."""
    proba, y = net.predict_proba(X), to_numpy(y)
    if net.task_ == "multilabel":
        return float(np.mean(((proba >= net.threshold) == (y > 0.5)).all(axis=1)))
    return float(np.mean(proba.argmax(axis=1) == y))


class FusionClassifierMixin(ClassifierMixin):
    """Classification for fusion estimators: multiclass and multilabel.

    String and other labels work: ``classes_`` holds them sorted and
    ``predict`` returns them. A 2-D binary indicator ``y`` makes the task
    multilabel: sigmoid outputs and the weighted binary cross-entropy of
    the paper's Eq. 4.

    Parameters
    ----------
    pos_weight : float, default=2.0
        Multilabel only: weight of the positive terms in the loss (Eq. 4,
        2.0 in the paper, to balance precision and recall).
    threshold : float, default=0.5
        Multilabel only: probability at or above which ``predict`` sets a
        label.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in every term of the loss, multiplied with
        ``sample_weight``, as in scikit-learn's classifiers: ``{label:
        weight}`` (unlisted classes weigh 1), or ``"balanced"``,
        ``n_samples / (n_classes * np.bincount(y))``. Multilabel: a dict
        ``{label index: weight}`` weighs both terms of that label, and
        ``"balanced"`` balances each label as a binary problem, weighting its
        present terms by ``n_samples / (2 * n_present)`` and its absent terms
        by ``n_samples / (2 * n_absent)`` (on top of ``pos_weight``).

    Attributes
    ----------
    class_weight_ : ndarray or None
        The class weights of the last fit: ``(n_classes,)``, or for
        multilabel ``(n_labels, 2)``, each label's weight when absent and
        when present; None without ``class_weight``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral import CentralNetClassifier, MLP
    >>> rng = np.random.default_rng(0)
    >>> Xs = [rng.normal(size=(100, 4)), rng.normal(size=(100, 3))]
    >>> Y = np.stack([Xs[0][:, 0] > 0, Xs[1][:, 0] > 0], axis=1).astype(int)
    >>> clf = CentralNetClassifier(backbones=MLP((8,)), max_epochs=2, random_state=0)
    >>> clf.fit(Xs, Y).predict(Xs).shape, clf.task_
    ((100, 2), 'multilabel')
    """

    _parameter_constraints = {
        "pos_weight": [Interval(Real, 0, None, closed="neither")],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, *, pos_weight=2.0, threshold=0.5, class_weight=None, **kwargs):
        super().__init__(**kwargs)
        self.pos_weight = pos_weight
        self.threshold = threshold
        self.class_weight = class_weight

    def _validate_for_fit(self, X, y, reset, classes=None):
        Xs, y, state = super()._validate_for_fit(X, y, reset, classes)
        if reset:
            state["class_weight_"] = check_class_weight(
                self.class_weight, y, state["classes_"], state["task_"])
        return Xs, y, state

    @property
    def _default_callbacks(self):
        callbacks = list(super()._default_callbacks)
        callbacks.insert(-1, ("valid_acc", EpochScoring(
            _encoded_accuracy, name="valid_acc", lower_is_better=False,
            on_train=False, use_caching=True)))
        return callbacks

    def _default_criterion(self):
        if self.task_ == "multilabel":
            return nn.BCEWithLogitsLoss(
                pos_weight=torch.full((len(self.classes_),), float(self.pos_weight)))
        return nn.CrossEntropyLoss()

    def _n_outputs(self):
        return len(self.classes_)

    def _check_y(self, y, reset, n_samples=None, classes=None):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected; "
                          "it is used as y.ravel().", DataConversionWarning, stacklevel=4)
            y = y.ravel()
        if reset and n_samples is not None and y.shape[0] != n_samples:
            raise ValueError(f"y has {y.shape[0]} labels but X has {n_samples} samples.")
        task = type_of_target(y) if reset else self.task_
        if task == "multilabel-indicator" or (not reset and task == "multilabel"):
            return self._check_multilabel(y, reset)
        if y.ndim != 1:
            raise ValueError(
                "y must be a 1-D array of class labels of shape (n_samples,) or a "
                f"binary indicator matrix (multilabel); got shape {y.shape}"
                + (f" with values {np.unique(y)[:5].tolist()}" if y.size else "") + "."
            )
        if not reset:
            if self.task_ != "multiclass":
                raise ValueError(f"The estimator was fitted on a {self.task_} y; got 1-D labels.")
            return self._encode(y, self.classes_)
        check_classification_targets(y)
        classes = np.unique(y) if classes is None else np.unique(classes)
        if len(classes) < 2:
            raise ValueError(
                f"A classifier needs samples of at least 2 classes in y; got "
                f"only {classes.tolist()}."
            )
        return self._encode(y, classes), {"classes_": classes, "task_": "multiclass"}

    def _check_multilabel(self, y, reset):
        if not np.isin(y, (0, 1)).all():
            raise ValueError("A multilabel y must be a binary (0/1) indicator matrix.")
        if not reset:
            if self.task_ != "multilabel" or y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"y has shape {y.shape} but the estimator was fitted on "
                    + (f"{len(self.classes_)} labels." if self.task_ == "multilabel"
                       else "1-D class labels.")
                )
            return y.astype(np.float32)
        return y.astype(np.float32), {"classes_": np.arange(y.shape[1]), "task_": "multilabel"}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    @staticmethod
    def _encode(y, classes):
        idx = np.searchsorted(classes, y)
        idx_clipped = np.clip(idx, 0, len(classes) - 1)
        unseen = classes[idx_clipped] != y
        if np.any(unseen):
            raise ValueError(
                f"y contains labels not seen at fit: {np.unique(y[unseen]).tolist()[:10]}; "
                f"known classes are {classes.tolist()[:20]}."
            )
        return idx_clipped.astype(np.int64)

    def predict_proba(self, X):
        """Probabilities of the fused prediction, ``(n_samples, n_classes)``.

        Softmax over classes, or one sigmoid per label for multilabel.
        """
        return super().predict_proba(X)

    def predict(self, X):
        """Class labels ``(n_samples,)``, or the indicator matrix for multilabel."""
        proba = self.predict_proba(X)
        if self.task_ == "multilabel":
            return (proba >= self.threshold).astype(int)
        return self.classes_[proba.argmax(axis=1)]


class FusionRegressorMixin(RegressorMixin):
    """Regression for fusion estimators: MSE multi-task loss, ``score`` is R^2.

    ``y`` may be 1-D or 2-D (multi-output); ``predict`` returns the same
    shape.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral import CentralNetRegressor, MLP
    >>> rng = np.random.default_rng(0)
    >>> Xs = [rng.normal(size=(100, 4)), rng.normal(size=(100, 3))]
    >>> Y = np.stack([Xs[0][:, 0], Xs[1][:, 0]], axis=1)
    >>> reg = CentralNetRegressor(backbones=MLP((8,)), max_epochs=2, random_state=0)
    >>> reg.fit(Xs, Y).predict(Xs).shape
    (100, 2)
    """

    def _default_criterion(self):
        return nn.MSELoss()

    def _n_outputs(self):
        return self.n_outputs_

    def _check_y(self, y, reset, n_samples=None, classes=None):
        y = np.asarray(y)
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"Regression targets must be numbers; got dtype {y.dtype}.") \
                from None
        if y.ndim not in (1, 2):
            raise ValueError(f"y must have shape (n_samples,) or (n_samples, n_outputs); "
                             f"got {y.shape}.")
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite values.")
        y2 = y.reshape(len(y), -1).astype(np.float32)
        if not reset:
            if y2.shape[1] != self.n_outputs_:
                raise ValueError(f"y has {y2.shape[1]} outputs but the estimator was "
                                 f"fitted on {self.n_outputs_}.")
            return y2
        if n_samples is not None and len(y) != n_samples:
            raise ValueError(f"y has {len(y)} targets but X has {n_samples} samples.")
        return y2, {"n_outputs_": y2.shape[1], "task_": "regression",
                    "_y_1d_": y.ndim == 1}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @available_if(lambda self: False)
    def predict_proba(self, X):  # regressors have no probabilities
        raise AttributeError("predict_proba")

    def predict(self, X):
        """Predicted targets, ``(n_samples,)`` or ``(n_samples, n_outputs)``."""
        out = NeuralNet.predict_proba(self, X).astype(np.float64)
        return out.ravel() if self._y_1d_ else out
