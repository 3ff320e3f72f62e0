"""Sample weights and class weights, as scikit-learn's estimators take them.

Both weigh every term of the multi-task loss (Eq. 2), per sample: the
training loss of a batch is ``mean_i(w_i * loss_i)`` for every output, with
the sample weights of a ``fit`` rescaled to a mean of 1. With full-batch
training a weight of 0 is the same as leaving the sample out and an
integer weight the same as repeating the sample; with mini-batches they
agree in expectation.
"""

import numbers

import numpy as np
import torch

__all__ = ["check_sample_weight", "check_class_weight", "element_weights"]


def check_sample_weight(sample_weight, n_samples):
    """Validate ``sample_weight``; return float32 weights of mean 1, or None.

    ``None`` is returned too when every weight is the same, so that equal
    weights train exactly as no weights.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
    n_samples : int

    Returns
    -------
    ndarray of shape (n_samples,) or None

    Examples
    --------
    >>> from skcentral._weights import check_sample_weight
    >>> check_sample_weight([1, 3], 2).tolist()
    [0.5, 1.5]
    >>> check_sample_weight([2, 2, 2], 3) is None
    True
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, sample_weight)
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("sample_weight must be numbers, one per sample; got "
                         f"{type(sample_weight).__name__}.") from None
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(f"sample_weight must have shape ({n_samples},), one weight "
                         f"per sample of X; got shape {w.shape}.")
    if not np.isfinite(w).all():
        raise ValueError("sample_weight contains NaN or infinite values.")
    if (w < 0).any():
        raise ValueError(f"sample_weight must be >= 0; got {int((w < 0).sum())} "
                         f"negative weights (min {w.min():g}).")
    if not w.any():
        raise ValueError(f"sample_weight must contain at least one non-zero weight; "
                         f"all {n_samples} are zero.")
    if (w == w[0]).all():
        return None
    return (w / w.mean()).astype(np.float32)


def check_class_weight(class_weight, y, classes, task):
    """The weight table of ``class_weight`` for encoded targets ``y``.

    Parameters
    ----------
    class_weight : dict, "balanced" or None
    y : ndarray
        Encoded labels (multiclass) or the indicator matrix (multilabel).
    classes : ndarray
        The classifier's ``classes_``.
    task : {"multiclass", "multilabel"}

    Returns
    -------
    ndarray or None
        ``(n_classes,)`` for multiclass; ``(n_labels, 2)`` for multilabel,
        the weight of each label's absent (0) and present (1) term.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral._weights import check_class_weight
    >>> check_class_weight("balanced", np.array([0, 0, 0, 1]), np.array(["a", "b"]),
    ...                    "multiclass").tolist()
    [0.6666666666666666, 2.0]
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, str) and class_weight == "balanced":
        if task == "multilabel":
            counts = np.stack([(y == 0).sum(axis=0), (y == 1).sum(axis=0)], axis=1)
            return _balanced(counts, len(y), 2)
        counts = np.bincount(y, minlength=len(classes))
        return _balanced(counts, len(y), len(classes))
    if not isinstance(class_weight, dict):
        raise ValueError('class_weight must be None, "balanced" or a dict '
                         f"{{class: weight}}; got {class_weight!r}.")
    known = list(range(len(classes))) if task == "multilabel" else list(classes)
    unknown = [k for k in class_weight if k not in known]
    if unknown:
        what = "label indices" if task == "multilabel" else "classes"
        raise ValueError(f"class_weight has keys {unknown[:10]} that are not {what} "
                         f"of y ({known[:20]}).")
    table = np.ones(len(classes))
    for k, v in class_weight.items():
        if not isinstance(v, numbers.Real) or not np.isfinite(v) or v < 0:
            raise ValueError(f"class_weight[{k!r}] must be a finite number >= 0; got {v!r}.")
        table[known.index(k)] = float(v)
    return np.repeat(table[:, None], 2, axis=1) if task == "multilabel" else table


def _balanced(counts, n, n_kinds):
    """``n / (n_kinds * count)``, as scikit-learn's "balanced" (1 where absent)."""
    counts = np.asarray(counts, dtype=np.float64)
    return np.where(counts > 0, n / (n_kinds * np.maximum(counts, 1)), 1.0)


def element_weights(sample_weight, class_weight, y):
    """Weights of a batch's loss terms, or None when there are none.

    Parameters
    ----------
    sample_weight : Tensor of shape (batch,) or None
    class_weight : ndarray or None
        From :func:`check_class_weight`.
    y : Tensor
        The batch's encoded targets.

    Returns
    -------
    Tensor of shape (batch,) or (batch, n_labels), or None
    """
    if class_weight is None:
        return sample_weight
    table = torch.as_tensor(class_weight, dtype=torch.float32, device=y.device)
    if table.dim() == 2:  # multilabel: the label's absent or present term
        w = torch.where(y > 0.5, table[:, 1], table[:, 0])
    else:
        w = table[y.long()]
    if sample_weight is not None:
        w = w * sample_weight.to(w.device).reshape(-1, *[1] * (w.dim() - 1))
    return w
