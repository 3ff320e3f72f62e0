"""LayerFusionClassifier: fusion at one depth by sum, subtract or product."""

from numbers import Integral

from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ._base import FusionNet
from ._docstring import regressor_doc
from ._tasks import FusionClassifierMixin, FusionRegressorMixin
from .fusion import feature_shapes
from .fusion import LayerFusion
from .fusion._align import ALIGN_MODES, fused_shape
from .fusion.layer import FUSION_OPS

__all__ = ["LayerFusionClassifier", "LayerFusionRegressor"]


class _LayerFusionBase(FusionNet):
    """What LayerFusionClassifier and LayerFusionRegressor share."""

    _parameter_constraints = {
        "fusion_layer": [Interval(Integral, 0, None, closed="left")],
        "op": [StrOptions(set(FUSION_OPS))],
        "ensemble": ["boolean"],
        "trunk": [None, HasMethods("build_central")],
        "fused_shapes": [StrOptions(set(ALIGN_MODES))],
    }

    def __init__(self, *, backbones=None, fusion_layer=0, op="sum", ensemble=False,
                 trunk=None, fused_shapes="pad", beta=1.0, **kwargs):
        super().__init__(backbones=backbones, beta=beta, **kwargs)
        self.fusion_layer = fusion_layer
        self.op = op
        self.ensemble = ensemble
        self.trunk = trunk
        self.fused_shapes = fused_shapes

    def build_module(self, backbones, input_shapes, n_outputs):
        spec = self.trunk if self.trunk is not None else \
            self.backbone_specs(len(backbones))[0]
        stem_shapes = [feature_shapes(b, s)[0] for b, s in zip(backbones, input_shapes)]
        trunk = spec.build_central(fused_shape(stem_shapes), n_outputs)
        return LayerFusion(backbones, trunk, input_shapes, self.fusion_layer, op=self.op,
                           ensemble=self.ensemble, fused_shapes=self.fused_shapes,
                           task=self.task_, names=self.modality_names_)


class LayerFusionClassifier(FusionClassifierMixin, _LayerFusionBase):
    """Fuse the modality networks at one layer, element-wise (the paper's Fig. 2a).

    The modality networks run up to fusion point ``fusion_layer``; their
    representations are combined by ``op`` and a single network continues
    to the prediction. ``fusion_layer=0`` is early fusion (of the inputs,
    for LeNet5), the last point is late fusion of the predictions.

    Parameters
    ----------
    backbones : BackboneSpec or list of BackboneSpec, default=None
    fusion_layer : int, default=0
        Fusion point, from 0 to the number of layers after the stem (4 for
        LeNet5: input, conv1, conv2, dense, prediction).
    op : {"sum", "subtract", "product"}, default="sum"
        ``subtract`` computes ``h_1 - h_2 - ... - h_n``.
    ensemble : bool, default=False
        The paper's Fusion+Ensemble: also let each modality network predict,
        and average the fused and unimodal predictions (probabilities); the
        unimodal networks are trained on their own losses, weighted by
        ``beta``.
    trunk : BackboneSpec, default=None
        Spec of the network after the fusion (its layers from
        ``fusion_layer`` on are used); ``None`` mirrors the first backbone.
    fused_shapes : {"pad", "project"}, default="pad"
    beta : float or list of float, default=1.0
        Used with ``ensemble=True`` only, where each modality network's
        prediction enters the average and so is trained on its own loss,
        with the weight of the fused loss (1) by default.
    **kwargs
        Shared parameters, see :class:`~skcentral.FusionNet`.

    Examples
    --------
    >>> from skcentral import LayerFusionClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = LayerFusionClassifier(backbones=MLP((64,)), fusion_layer=1, op="sum",
    ...                             ensemble=True, max_epochs=5, random_state=0)
    >>> clf.fit(Xs, y).score(Xt, yt) > 0.5
    True
    """


class LayerFusionRegressor(FusionRegressorMixin, _LayerFusionBase):
    __doc__ = regressor_doc("LayerFusion")
