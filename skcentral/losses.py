"""Losses: the multi-task loss of the paper's Eq. 2."""

import contextlib
import numbers

import numpy as np

__all__ = ["multitask_loss", "check_beta", "loss_weights"]

#: Loss weight of each output role but ``modality`` (weighted by beta).
_ROLE_WEIGHTS = {"fused": 1.0, "average": 0.0, "member": 1.0}


def loss_weights(roles, beta):
    """Weight of each module output in the multi-task loss, from its role.

    The fused prediction and ensemble members weigh 1, an average of other
    outputs 0 (it is not trained itself), and modality k's own prediction
    ``beta[k]`` (Eq. 2).

    Parameters
    ----------
    roles : list of (str, int or None)
        A fusion module's ``output_roles``.
    beta : list of float
        One weight per modality (:func:`check_beta`).

    Returns
    -------
    list of float

    Examples
    --------
    >>> from skcentral.losses import loss_weights
    >>> loss_weights([("fused", None), ("modality", 0), ("modality", 1)], [0.5, 2.0])
    [1.0, 0.5, 2.0]
    >>> loss_weights([("average", None), ("member", 0), ("member", 1)], [0.5, 2.0])
    [0.0, 1.0, 1.0]
    """
    return [float(beta[k]) if role == "modality" else _ROLE_WEIGHTS[role]
            for role, k in roles]


def check_beta(beta, n_modalities, names=None):
    """Validate ``beta`` and return one non-negative weight per modality.

    Parameters
    ----------
    beta : float or sequence of float
        A scalar applies to every modality.
    n_modalities : int
    names : list of str, default=None
        Modality names, for the error message.

    Returns
    -------
    list of float

    Examples
    --------
    >>> from skcentral.losses import check_beta
    >>> check_beta(0.5, 3)
    [0.5, 0.5, 0.5]
    """
    if isinstance(beta, numbers.Real):
        betas = [float(beta)] * n_modalities
    else:
        try:
            betas = [float(b) for b in np.asarray(beta, dtype=float).ravel()]
        except (TypeError, ValueError):
            raise ValueError(
                f"beta must be a number or one number per modality; got {beta!r}."
            ) from None
        if len(betas) != n_modalities:
            raise ValueError(
                f"beta has {len(betas)} values but there are {n_modalities} "
                f"modalities{f' ({names})' if names else ''}; give one per modality "
                "or a single number."
            )
    bad = [b for b in betas if not np.isfinite(b) or b < 0]
    if bad:
        raise ValueError(f"beta must be finite and >= 0; got {beta!r}.")
    return betas


def multitask_loss(criterion, outputs, y, weights, sample_weight=None):
    """Eq. 2, ``loss_C + sum_k beta_k * loss_Mk``, as a weighted sum over outputs.

    Parameters
    ----------
    criterion : callable
        ``criterion(prediction, y)`` returning a scalar tensor.
    outputs : tuple of Tensor
        The module's outputs: for most methods the fused prediction, then one
        prediction per modality.
    y : Tensor
    weights : sequence of float
        One weight per output (Eq. 2: ``[1, beta_1, ..., beta_n]``); a zero
        weight skips that output.
    sample_weight : Tensor of shape (batch,) or (batch, n_outputs), default=None
        Weight of each sample (or of each of its loss terms) in every
        output's loss, which becomes ``mean(sample_weight * loss)``; it
        needs a criterion with a ``reduction`` attribute, as torch's losses.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skcentral.losses import multitask_loss
    >>> y = torch.tensor([0, 1])
    >>> outs = (torch.zeros(2, 2), torch.zeros(2, 2), torch.zeros(2, 2))
    >>> round(float(multitask_loss(nn.CrossEntropyLoss(), outs, y, [1, 1, 1])), 4)  # 3 ln 2
    2.0794
    """
    if len(weights) != len(outputs):
        raise ValueError(f"{len(weights)} loss weights for {len(outputs)} outputs.")
    if sample_weight is None:
        terms = [_times(w, criterion(out, y)) for w, out in zip(weights, outputs) if w]
    else:
        with _per_sample(criterion):
            terms = [_times(w, _weighted_mean(criterion(out, y), sample_weight))
                     for w, out in zip(weights, outputs) if w]
    return sum(terms[1:], terms[0])


def _times(weight, loss):
    """``weight * loss``, without a multiplication (two GPU launches a step) for 1."""
    return loss if weight == 1 else weight * loss


@contextlib.contextmanager
def _per_sample(criterion):
    """Let ``criterion`` return its unreduced loss terms for the time of a call."""
    if not hasattr(criterion, "reduction"):
        raise TypeError(
            f"sample_weight and class_weight need a criterion with a 'reduction' "
            f"attribute (as torch's losses) to weigh each sample; "
            f"{type(criterion).__name__} has none."
        )
    previous = criterion.reduction
    criterion.reduction = "none"
    try:
        yield
    finally:
        criterion.reduction = previous


def _weighted_mean(loss, weight):
    if loss.dim() == 0 or loss.shape[0] != weight.shape[0]:
        raise ValueError(
            f"The criterion returned loss terms of shape {tuple(loss.shape)} with "
            f"reduction='none'; weighing samples needs one row per sample "
            f"({weight.shape[0]}).")
    weight = weight.to(loss.dtype).reshape(*weight.shape, *[1] * (loss.dim() - weight.dim()))
    return (loss * weight).mean()
