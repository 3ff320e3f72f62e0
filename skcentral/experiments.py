"""The methods of the paper's comparison, by name, ready to run.

Each entry builds an estimator from the shared settings (backbone spec,
epochs, learning rate, batch size), so that a comparison changes only the
method. Methods that fuse at one layer are listed once per depth.
"""

from sklearn.base import clone

from .centralnet import CentralNetClassifier
from .ensemble import EnsembleClassifier, UnimodalClassifier
from .gmu import GMUClassifier
from .layer_fusion import LayerFusionClassifier
from .moddrop import ModDropClassifier
from .score_fusion import ConcatClassifier, WeightedMeanClassifier

__all__ = ["METHODS", "make_method", "method_configs"]

# The paper zero-pads representations of different sizes (Montalbano's 350
# features against 400, MM-IMDb's 300-d text against 4096-d images).
_PAD = {"fused_shapes": "pad"}

# name: (label in the paper's tables, class, fixed parameters, fuses at a depth)
METHODS = {
    "unimodal": ("Baseline on one modality", UnimodalClassifier, {"modality": 0}, False),
    "ensemble": ("Ensemble 2 classifiers", EnsembleClassifier, {}, False),
    "fusion_sum": ("Fusion Sum", LayerFusionClassifier, {"op": "sum", **_PAD}, True),
    "fusion_subtract": ("Fusion Subtract", LayerFusionClassifier,
                        {"op": "subtract", **_PAD}, True),
    "fusion_product": ("Fusion Prod", LayerFusionClassifier, {"op": "product", **_PAD}, True),
    "fusion_ensemble_sum": ("Fusion+Ensemble Sum", LayerFusionClassifier,
                            {"op": "sum", "ensemble": True, **_PAD}, True),
    "fusion_ensemble_subtract": ("Fusion+Ensemble Subtract", LayerFusionClassifier,
                                 {"op": "subtract", "ensemble": True, **_PAD}, True),
    "fusion_ensemble_product": ("Fusion+Ensemble Prod", LayerFusionClassifier,
                                {"op": "product", "ensemble": True, **_PAD}, True),
    "weighted_mean": ("Weighted mean", WeightedMeanClassifier, {}, False),
    "concat": ("Concat", ConcatClassifier, {}, False),
    "concat_mt": ("Concat + Multi-Task", ConcatClassifier, {"multi_task": True}, False),
    "moddrop": ("Moddrop", ModDropClassifier, {"p_drop": 0.2}, False),
    "gmu": ("Gated Multimodal Unit", GMUClassifier, {}, False),
    "centralnet": ("CentralNet", CentralNetClassifier, {**_PAD}, False),
}


def make_method(name, backbone, fusion_layer=None, **params):
    """An estimator for method ``name`` with ``backbone`` for every modality.

    Parameters
    ----------
    name : str
        A key of :data:`METHODS`.
    backbone : BackboneSpec
    fusion_layer : int, default=None
        Depth, for the layer-fusion methods.
    **params
        Shared estimator parameters (``max_epochs``, ``lr``, ...).

    Examples
    --------
    >>> from skcentral import MLP
    >>> from skcentral.experiments import make_method
    >>> est = make_method("fusion_ensemble_sum", MLP(), fusion_layer=2, max_epochs=5)
    >>> type(est).__name__, est.op, est.ensemble, est.fusion_layer, est.max_epochs
    ('LayerFusionClassifier', 'sum', True, 2, 5)
    """
    if name not in METHODS:
        raise ValueError(f"Unknown method {name!r}; choose from {sorted(METHODS)}.")
    _, cls, fixed, at_depth = METHODS[name]
    kwargs = dict(fixed, **params)
    if at_depth:
        kwargs["fusion_layer"] = 0 if fusion_layer is None else fusion_layer
    return cls(backbones=clone(backbone), **kwargs)


def method_configs(names, backbone, depths, **params):
    """``{config name: estimator}``, one config per depth for layer fusion.

    Examples
    --------
    >>> from skcentral import MLP
    >>> from skcentral.experiments import method_configs
    >>> sorted(method_configs(["centralnet", "fusion_sum"], MLP(), depths=[0, 2]))
    ['centralnet', 'fusion_sum@0', 'fusion_sum@2']
    """
    configs = {}
    for name in names:
        if METHODS[name][3]:
            for d in depths:
                configs[f"{name}@{d}"] = make_method(name, backbone, d, **params)
        else:
            configs[name] = make_method(name, backbone, **params)
    return configs
