"""Score-level fusion: weighted mean and concatenation of unimodal scores."""

import torch
from torch import nn

from ._common import MultiBackbone, renormalise, weighted_sum

__all__ = ["WeightedMean", "ConcatScores"]


class WeightedMean(MultiBackbone):
    """Learnt weighted average of the unimodal scores (the paper's baseline (a)).

    ``fused = sum_k w_k * score_k``, the weights ``w`` trainable and started
    equal (``1 / n``). ``forward`` returns ``(fused, score_1, ..., score_n)``.

    Parameters
    ----------

    Attributes
    ----------
    weights : torch.nn.Parameter of shape (n_modalities,)
        The weight of each modality's score.

    Examples
    --------
    >>> import torch
    >>> from skcentral import MLP
    >>> from skcentral.fusion import WeightedMean
    >>> nets = [MLP((8,)).build((5,), 3), MLP((8,)).build((2,), 3)]
    >>> WeightedMean(nets, [(5,), (2,)]).weights.tolist()
    [0.5, 0.5]
    """

    supports_missing = True

    def __init__(self, backbones, input_shapes, names=None):
        super().__init__(backbones, input_shapes, names, same_depth=False)
        n = len(backbones)
        self.weights = nn.Parameter(torch.full((n,), 1.0 / n))

    def forward(self, xs, missing=None):
        """``missing`` leaves absent modalities out (see :func:`renormalise`)."""
        preds = [b(x) for b, x in zip(self.backbones, xs)]
        w = self.weights if missing is None else renormalise(self.weights, missing)
        return (weighted_sum(w, preds), *preds)


class ConcatScores(MultiBackbone):
    """Unimodal scores concatenated, then a single-layer perceptron (baseline (b)).

    ``forward`` returns ``(fused, score_1, ..., score_n)``, so the same module
    serves Concat (loss on ``fused``) and Concat + Multi-Task (Eq. 2).

    Parameters
    ----------
    n_outputs : int
        Width of each score and of the prediction.

    Attributes
    ----------
    perceptron : torch.nn.Linear
        From the concatenated scores to the prediction.

    Examples
    --------
    >>> import torch
    >>> from skcentral import MLP
    >>> from skcentral.fusion import ConcatScores
    >>> nets = [MLP((8,)).build((5,), 3), MLP((8,)).build((2,), 3)]
    >>> m = ConcatScores(nets, [(5,), (2,)], n_outputs=3).eval()
    >>> m([torch.zeros(4, 5), torch.zeros(4, 2)])[0].shape
    torch.Size([4, 3])
    """

    def __init__(self, backbones, input_shapes, n_outputs, names=None):
        super().__init__(backbones, input_shapes, names, same_depth=False)
        self.perceptron = nn.Linear(n_outputs * len(backbones), n_outputs)

    def forward(self, xs):
        preds = [b(x) for b, x in zip(self.backbones, xs)]
        return (self.perceptron(torch.cat(preds, dim=1)), *preds)
