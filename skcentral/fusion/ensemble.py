"""Ensembles of unimodal networks, and a single-modality network."""

from torch import nn

from ._common import MultiBackbone, average_predictions

__all__ = ["Ensemble", "SingleModality"]


class Ensemble(MultiBackbone):
    """Average of independent networks' predictions, in probability space.

    ``members[k]`` is the index of the input modality network ``k`` reads,
    so several independently initialised networks can share one modality
    (the paper's "Ensemble 3 classifiers" on the original image).

    ``forward`` returns ``(average, score_1, ..., score_m)``: train on the
    members' own losses; the average is the prediction.

    Parameters
    ----------
    members : list of int
        For each network, the index of the modality it reads.
    task : {"multiclass", "multilabel", "regression"}, default="multiclass"
        How predictions are averaged: softmax probabilities, sigmoid
        probabilities, or raw outputs.

    Attributes
    ----------
    members : list of int
        The modality each network reads.

    Examples
    --------
    >>> import torch
    >>> from skcentral import MLP
    >>> from skcentral.fusion import Ensemble
    >>> nets = [MLP((8,)).build((5,), 3) for _ in range(3)]
    >>> m = Ensemble(nets, [(5,)] * 3, members=[0, 0, 0]).eval()
    >>> out = m([torch.zeros(4, 5)])
    >>> len(out), bool(torch.allclose(out[0].softmax(1).sum(1), torch.ones(4)))
    (4, True)
    """

    supports_missing = True

    def __init__(self, backbones, input_shapes, members, task="multiclass", names=None):
        super().__init__(backbones, input_shapes, names, same_depth=False)
        self.members = list(members)
        self.task = task

    @property
    def output_roles(self):
        """The average (not trained itself), then every member."""
        return [("average", None)] + [("member", m) for m in self.members]

    def forward(self, xs, missing=None):
        """``missing`` averages, per sample, the members whose modality is present."""
        preds = [b(xs[m]) for b, m in zip(self.backbones, self.members)]
        if missing is not None:
            missing = missing[:, self.members]
        return (average_predictions(preds, self.task, missing), *preds)


class SingleModality(nn.Module):
    """One modality's network; the other modalities are ignored.

    Parameters
    ----------
    backbone : Backbone
        The network of the modality used.
    modality : int
        Index of that modality in the input list.

    Attributes
    ----------
    backbone : Backbone
        The network.
    modality : int
        The modality it reads.

    Examples
    --------
    >>> import torch
    >>> from skcentral import MLP
    >>> from skcentral.fusion import SingleModality
    >>> m = SingleModality(MLP((8,)).build((2,), 3), modality=1).eval()
    >>> m([torch.zeros(4, 5), torch.zeros(4, 2)])[0].shape
    torch.Size([4, 3])
    """

    supports_missing = True
    #: One output: the modality's prediction, trained as the fused one.
    output_roles = [("fused", None)]

    def __init__(self, backbone, modality):
        super().__init__()
        self.backbone = backbone
        self.modality = int(modality)

    def forward(self, xs, missing=None):
        if missing is not None and bool(missing[:, self.modality].any()):
            raise ValueError(
                f"The single-modality model needs modality {self.modality}, which is "
                "missing for some samples."
            )
        return (self.backbone(xs[self.modality]),)
