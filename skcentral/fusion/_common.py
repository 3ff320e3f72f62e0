"""What every fusion module shares: one backbone per modality, and the
shapes of their hidden representations at each fusion point."""

import torch
import torch.nn.functional as F
from torch import nn

from .._docstring import complete_module_doc
from ._backbone import feature_shapes

__all__ = ["MultiBackbone", "OUTPUT_ROLES", "average_predictions", "renormalise", "TASKS"]

TASKS = ("multiclass", "multilabel", "regression")

#: What a fusion module's output can be, as its ``output_roles`` name them:
#: ``("fused", None)`` the method's prediction; ``("average", None)`` an
#: average of other outputs (not trained itself); ``("member", k)`` an
#: ensemble member on modality k, trained on its own loss; ``("modality", k)``
#: modality k's own prediction, trained with weight ``beta_k`` (Eq. 2).
OUTPUT_ROLES = ("fused", "average", "member", "modality")


def fused_and_modality_roles(n_modalities):
    """The usual outputs: the fused prediction, then one per modality."""
    return [("fused", None)] + [("modality", k) for k in range(n_modalities)]


class MultiBackbone(nn.Module):
    """Base of the fusion modules: per-modality networks and their shapes.

    Parameters
    ----------
    backbones : list of Backbone
        One network per modality (built by a spec's ``build``).
    input_shapes : list of tuple of int
        Per-sample input shape of each modality.
    names : list of str, default=None
        Modality names, for error messages.
    same_depth : bool, default=True
        Require every backbone to have the same number of layers after its
        stem (methods that fuse layer by layer need it).

    Attributes
    ----------
    backbones : torch.nn.ModuleList
        The modality networks.
    shapes : list of list of tuple of int
        Per modality, the per-sample shape at every fusion point.
    names : list of str
        The modality names.
    n_layers : int
        Layers after the stem; fusion points are ``0..n_layers``.

    Examples
    --------
    >>> from skcentral import MLP
    >>> from skcentral.fusion import MultiBackbone
    >>> m = MultiBackbone([MLP((8,)).build((5,), 3)], [(5,)])
    >>> m.n_layers, m.shapes
    (2, [[(5,), (8,), (3,)]])
    """

    #: Whether ``forward`` takes ``missing`` and leaves absent modalities out.
    supports_missing = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # each module's page lists the shared parameters and attributes too
        cls.__doc__ = complete_module_doc(cls, MultiBackbone)

    def __init__(self, backbones, input_shapes, names=None, same_depth=True):
        super().__init__()
        self.backbones = nn.ModuleList(backbones)
        self.names = list(names) if names is not None else \
            [f"modality_{k}" for k in range(len(backbones))]
        self.shapes = [feature_shapes(b, s) for b, s in zip(backbones, input_shapes)]
        if same_depth:
            depths = [len(b.layers) for b in backbones]
            if len(set(depths)) > 1:
                desc = ", ".join(f"{n!r}: {d}" for n, d in zip(self.names, depths))
                raise ValueError(
                    "Every modality network must have the same number of layers "
                    f"after its stem (blocks + head) to be fused layer by layer; "
                    f"got {desc}."
                )

    @property
    def output_roles(self):
        """The role of each output of ``forward``: the fused prediction, then
        one per modality (see :data:`OUTPUT_ROLES`)."""
        return fused_and_modality_roles(len(self.backbones))

    @property
    def n_layers(self):
        """Layers after the stem (blocks + head); fusion points are 0..n_layers."""
        return len(self.backbones[0].layers)

    def run(self, xs, start=None, stop=None):
        """Each modality from fusion point ``start`` (None: the raw input) to ``stop``."""
        out = []
        for b, h in zip(self.backbones, xs):
            if start is None:
                h = b.stem(h)
                start_k = 0
            else:
                start_k = start
            for layer in b.layers[start_k:stop]:
                h = layer(h)
            out.append(h)
        return out

    def features(self, xs):
        """Each modality's last hidden representation (the input of its head)."""
        return self.run(xs, stop=-1)

    def heads(self, hs):
        return [b.head(h) for b, h in zip(self.backbones, hs)]


def renormalise(weights, missing):
    """Per-sample weights with absent modalities left out.

    The rule for predicting with missing modalities: an absent modality's
    weight becomes 0 and the present ones are scaled so that the total
    absolute weight is unchanged,
    ``w'_k = w_k * sum_j |w_j| / sum_{j present} |w_j|``.

    Parameters
    ----------
    weights : Tensor of shape (n_modalities,)
    missing : bool Tensor of shape (batch, n_modalities)

    Returns
    -------
    Tensor of shape (batch, n_modalities)

    Examples
    --------
    >>> import torch
    >>> from skcentral.fusion import renormalise
    >>> renormalise(torch.tensor([0.5, 0.25, 0.25]), torch.tensor([[False, True, False]]))
    tensor([[0.6667, 0.0000, 0.3333]])
    """
    present = (~missing).to(weights.dtype)
    total = weights.abs().sum()
    kept = (weights.abs() * present).sum(dim=1, keepdim=True).clamp_min(1e-12)
    return weights * present * (total / kept)


def weighted_sum(weights, hs):
    """``sum_k w_k h_k`` with ``w`` of shape (n,) or per sample (batch, n)."""
    if weights.dim() == 1:
        return sum(w * h for w, h in zip(weights, hs))
    return sum(weights[:, k].view((-1,) + (1,) * (h.dim() - 1)) * h
               for k, h in enumerate(hs))


def average_predictions(preds, task="multiclass", missing=None):
    """Average predictions in probability space, returned as logits.

    ``multiclass``: log of the mean softmax (its softmax is the mean);
    ``multilabel``: logit of the mean sigmoid; ``regression``: the mean.
    With ``missing`` (bool, ``(batch, len(preds))``) the mean is over the
    present predictions of each sample.

    Examples
    --------
    >>> import torch
    >>> from skcentral.fusion import average_predictions
    >>> a, b = torch.tensor([[2.0, 0.0]]), torch.tensor([[0.0, 2.0]])
    >>> average_predictions([a, b]).softmax(1)
    tensor([[0.5000, 0.5000]])
    """
    stacked = torch.stack(preds)
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}.")
    if missing is None:
        w = torch.full(stacked.shape[:2], 1.0 / len(preds), device=stacked.device)
    else:
        present = (~missing).T.to(stacked.dtype)
        w = present / present.sum(0, keepdim=True).clamp_min(1)
    w = w.unsqueeze(-1)
    if task == "multiclass":
        p = (F.softmax(stacked, dim=-1) * w).sum(0)
        return torch.log(p.clamp_min(1e-30))
    if task == "multilabel":
        p = (torch.sigmoid(stacked) * w).sum(0).clamp(1e-7, 1 - 1e-7)
        return torch.log(p) - torch.log1p(-p)
    return (stacked * w).sum(0)
