"""Losses: the multi-task loss of the paper's Eq. 2."""

import numbers

import numpy as np

__all__ = ["multitask_loss", "check_beta"]


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


def multitask_loss(criterion, outputs, y, betas):
    """Eq. 2: ``loss_C + sum_k beta_k * loss_Mk``.

    Parameters
    ----------
    criterion : callable
        ``criterion(prediction, y)`` returning a scalar tensor.
    outputs : tuple of Tensor
        The fused prediction first, then one prediction per modality (only
        the fused one is used when there are no per-modality outputs).
    y : Tensor
    betas : sequence of float
        One weight per modality; a zero weight skips that loss.
    """
    loss = criterion(outputs[0], y)
    for beta, out in zip(betas, outputs[1:]):
        if beta:
            loss = loss + beta * criterion(out, y)
    return loss
