"""The Gated Multimodal Unit (Arevalo et al., 2017)."""

import math

import torch
from torch import nn

from ._common import MultiBackbone

__all__ = ["GMU"]


class GMU(MultiBackbone):
    """Gated fusion of the modalities' last hidden layers.

    Arevalo et al.'s unit for two modalities is
    ``h_k = tanh(W_k x_k)``, ``z = sigmoid(W_z [x_1; x_2])``,
    ``h = z * h_1 + (1 - z) * h_2``. For ``n`` modalities we use a softmax
    gate per hidden dimension, ``z = softmax_k(W_z [x_1; ...; x_n])``,
    ``h = sum_k z_k * h_k``: with two modalities,
    ``softmax([a_1, a_2])_1 = sigmoid(a_1 - a_2)``, the original unit.
    The gated representation feeds a prediction layer (with dropout, which
    the paper raises for the GMU).

    ``forward`` returns ``(fused, score_1, ..., score_n)``; :meth:`gates`
    returns the gate activations ``(n_samples, n_modalities, hidden_size)``.

    Parameters
    ----------
    n_outputs : int
        Width of the prediction (number of classes or targets).
    hidden_size : int, default=None
        Width of the gated representation; ``None`` uses the widest
        modality representation.
    dropout : float, default=0.0
        Dropout before the prediction layer.

    Attributes
    ----------
    projections : torch.nn.ModuleList
        ``W_k``, one linear map per modality to ``hidden_size``.
    gate : torch.nn.Linear
        ``W_z``, from the concatenated representations to the gates.
    head : torch.nn.Sequential
        Dropout and the prediction layer.

    Examples
    --------
    >>> import torch
    >>> from skcentral import MLP
    >>> from skcentral.fusion import GMU
    >>> nets = [MLP((8,)).build((5,), 3), MLP((6,)).build((2,), 3)]
    >>> m = GMU(nets, [(5,), (2,)], n_outputs=3, hidden_size=4).eval()
    >>> m.gates([torch.zeros(4, 5), torch.zeros(4, 2)]).shape
    torch.Size([4, 2, 4])
    """

    supports_missing = True

    def __init__(self, backbones, input_shapes, n_outputs, hidden_size=None, dropout=0.0,
                 names=None):
        super().__init__(backbones, input_shapes, names, same_depth=False)
        dims = [math.prod(s[-2]) for s in self.shapes]
        hidden = int(hidden_size or max(dims))
        self.n_modalities = len(backbones)
        self.projections = nn.ModuleList(nn.Linear(d, hidden) for d in dims)
        self.gate = nn.Linear(sum(dims), hidden * len(dims))
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, n_outputs))

    def _gate(self, flat, missing=None):
        z = self.gate(torch.cat(flat, dim=1))
        z = z.view(z.shape[0], self.n_modalities, -1)
        if missing is not None:
            # an absent modality gets gate 0; the softmax shares 1 among the others
            z = z.masked_fill(missing.unsqueeze(-1), float("-inf"))
        return torch.softmax(z, dim=1)

    def forward(self, xs, missing=None):
        """``missing`` closes the gates of absent modalities."""
        hs = self.features(xs)
        preds = self.heads(hs)
        flat = [h.flatten(1) for h in hs]
        z = self._gate(flat, missing)
        h = sum(z[:, k] * torch.tanh(p(f)) for k, (p, f) in
                enumerate(zip(self.projections, flat)))
        return (self.head(h), *preds)

    def gates(self, xs, missing=None):
        """Gate activations for a batch, ``(n, n_modalities, hidden_size)``."""
        return self._gate([h.flatten(1) for h in self.features(xs)], missing)
