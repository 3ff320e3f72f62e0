"""Fusion at one layer by an element-wise operation (the paper's Fig. 2a)."""

from torch import nn

from ._backbone import feature_shapes
from ._align import Align, fused_shape
from ._common import MultiBackbone, average_predictions

__all__ = ["LayerFusion", "FUSION_OPS"]

FUSION_OPS = ("sum", "subtract", "product")


def combine(hs, op):
    """Element-wise fusion: sum, ``h_1 - h_2 - ... - h_n``, or product."""
    if op == "sum":
        return sum(hs[1:], hs[0])
    if op == "subtract":
        return hs[0] - sum(hs[2:], hs[1])
    if op == "product":
        out = hs[0]
        for h in hs[1:]:
            out = out * h
        return out
    raise ValueError(f"op must be one of {FUSION_OPS}; got {op!r}.")


class LayerFusion(MultiBackbone):
    """Fuse the modalities at fusion point ``fusion_layer``, then one network.

    The modality networks run up to ``fusion_layer`` (0: their stem
    outputs, the inputs for LeNet5; ``n_layers``: their predictions); their
    representations are aligned to a common shape and combined by ``op``;
    the remaining layers of ``trunk`` (a network built on the fused shape of
    point 0, whose layers from ``fusion_layer`` on are used) make the
    prediction.

    With ``ensemble=True`` (the paper's Fusion+Ensemble) every modality
    network also runs to its own prediction, and the output averages the
    fused prediction with each modality's, in probability space.

    ``forward`` returns ``(output, fused, score_1, ..., score_n)`` with
    ``ensemble=True`` and ``(fused,)`` otherwise.

    Parameters
    ----------
    backbones : list of Backbone
        One network per modality, all with the same number of layers.
    trunk : Backbone
        Network built on the fused shape of point 0; its layers from
        ``fusion_layer`` on follow the fusion.
    input_shapes : list of tuple of int
        Per-sample input shape of each modality.
    fusion_layer : int
        Fusion point, from 0 (stem outputs) to ``n_layers`` (predictions).
    op : {"sum", "subtract", "product"}, default="sum"
        Element-wise operation combining the aligned representations
        (``"subtract"`` takes the first modality minus the others).
    ensemble : bool, default=False
        Also average the fused prediction with each modality's own.
    fused_shapes : {"pad", "project"}, default="pad"
        How representations of different shapes are aligned (see
        :class:`~skcentral.fusion.Align`).
    task : {"multiclass", "multilabel", "regression"}, default="multiclass"
        How predictions are averaged with ``ensemble=True``.

    Attributes
    ----------
    trunk_layers : torch.nn.ModuleList
        The trunk's layers after the fusion point.
    aligners : torch.nn.ModuleList
        One :class:`~skcentral.fusion.Align` per modality.

    Examples
    --------
    >>> import torch
    >>> from skcentral import MLP
    >>> from skcentral.fusion import LayerFusion
    >>> spec = MLP((8, 8))
    >>> nets = [spec.build((5,), 3), spec.build((5,), 3)]
    >>> m = LayerFusion(nets, spec.build_central((5,), 3), [(5,), (5,)], fusion_layer=1,
    ...                 op="product").eval()
    >>> m([torch.zeros(4, 5), torch.zeros(4, 5)])[0].shape
    torch.Size([4, 3])
    """

    def __init__(self, backbones, trunk, input_shapes, fusion_layer, op="sum",
                 ensemble=False, fused_shapes="pad", task="multiclass", names=None):
        super().__init__(backbones, input_shapes, names)
        if op not in FUSION_OPS:
            raise ValueError(f"op must be one of {FUSION_OPS}; got {op!r}.")
        n_layers = self.n_layers
        if not 0 <= fusion_layer <= n_layers:
            raise ValueError(
                f"fusion_layer must be between 0 (the inputs) and {n_layers} (the "
                f"predictions) for these backbones; got {fusion_layer!r}."
            )
        if len(trunk.layers) != n_layers:
            raise ValueError(
                f"The fused network has {len(trunk.layers)} layers after its stem but "
                f"the modality networks have {n_layers}."
            )
        self.fusion_layer, self.op, self.ensemble, self.task = fusion_layer, op, ensemble, task
        self.trunk_layers = nn.ModuleList(trunk.layers[fusion_layer:])
        shapes = [s[fusion_layer] for s in self.shapes]
        target = fused_shape(shapes) if fusion_layer == 0 else \
            feature_shapes(trunk, fused_shape([s[0] for s in self.shapes]))[fusion_layer]
        self.aligners = nn.ModuleList(
            Align(s, target, fused_shapes,
                  where=f"fusion at layer {fusion_layer}, modality {n!r}")
            for s, n in zip(shapes, self.names))

    @property
    def output_roles(self):
        """The fused prediction; with ``ensemble``, first the average of it and
        the modalities' predictions, then it, then theirs."""
        if not self.ensemble:
            return [("fused", None)]
        return [("average", None), *super().output_roles]

    def forward(self, xs):
        k = self.fusion_layer
        hs = self.run(xs, stop=k)
        h = combine([a(x) for a, x in zip(self.aligners, hs)], self.op)
        for layer in self.trunk_layers:
            h = layer(h)
        if not self.ensemble:
            return (h,)
        preds = self.run(hs, start=k)
        return (average_predictions([h, *preds], self.task), h, *preds)

