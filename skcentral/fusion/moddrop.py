"""ModDrop (Neverova et al., 2016): modality dropout on fused features."""

import math

import torch
from torch import nn

from ._common import MultiBackbone

__all__ = ["ModDrop"]


class ModDrop(MultiBackbone):
    """Fuse the modalities' last hidden layers, dropping whole modalities in training.

    Each modality's last hidden representation (the input of its head) is
    flattened; during training each is zeroed, independently per sample,
    with probability ``p_drop``. The kept ones are not rescaled: a sample
    with a modality missing at prediction then looks exactly like one the
    network saw in training with that modality dropped. The concatenation
    goes through a shared hidden layer and a prediction layer, as in
    Neverova et al.'s fusion layers.

    ``forward`` returns ``(fused, score_1, ..., score_n)``, the unimodal
    scores from the backbones' own heads (used when ``beta > 0``).

    Parameters
    ----------
    n_outputs : int
        Width of the prediction (number of classes or targets).
    p_drop : float, default=0.2
        Probability of dropping each modality of each sample in training,
        in ``[0, 1)``.
    hidden_size : int, default=None
        Width of the shared hidden layer; ``None`` uses the widest
        modality representation.

    Attributes
    ----------
    p_drop : float
        The drop probability.
    fusion : torch.nn.Sequential
        The shared hidden layer and the prediction layer.

    Examples
    --------
    >>> import torch
    >>> from skcentral import MLP
    >>> from skcentral.fusion import ModDrop
    >>> nets = [MLP((8,)).build((5,), 3), MLP((8,)).build((2,), 3)]
    >>> m = ModDrop(nets, [(5,), (2,)], n_outputs=3, p_drop=0.5)
    >>> m.drop_mask(4, 2, "cpu").shape
    torch.Size([4, 2])
    """

    supports_missing = True

    def __init__(self, backbones, input_shapes, n_outputs, p_drop=0.2, hidden_size=None,
                 names=None):
        super().__init__(backbones, input_shapes, names, same_depth=False)
        if not 0 <= p_drop < 1:
            raise ValueError(f"p_drop must be in [0, 1); got {p_drop!r}.")
        self.p_drop = float(p_drop)
        dims = [math.prod(s[-2]) for s in self.shapes]
        hidden = hidden_size or max(dims)
        self.fusion = nn.Sequential(nn.Linear(sum(dims), hidden), nn.ReLU(inplace=True),
                                    nn.Linear(hidden, n_outputs))

    def drop_mask(self, n, n_modalities, device):
        """Per-sample keep mask ``(n, n_modalities)``: 1 kept, 0 dropped."""
        return (torch.rand(n, n_modalities, device=device) >= self.p_drop).float()

    def forward(self, xs, missing=None):
        """``missing`` zeroes absent modalities, as dropped ones are in training."""
        hs = self.features(xs)
        preds = self.heads(hs)
        flat = [h.flatten(1) for h in hs]
        if self.training and self.p_drop > 0:
            mask = self.drop_mask(flat[0].shape[0], len(flat), flat[0].device)
            flat = [f * mask[:, k:k + 1] for k, f in enumerate(flat)]
        if missing is not None:
            keep = (~missing).to(flat[0].dtype)
            flat = [f * keep[:, k:k + 1] for k, f in enumerate(flat)]
        return (self.fusion(torch.cat(flat, dim=1)), *preds)
