"""The method registry: every fusion method of the comparisons, by name.

An entry says how to build the method's estimator from the shared settings
(backbone spec, epochs, learning rate, ...), so that a comparison changes
only the method. Methods that fuse at one layer are run once per depth.
"""

from dataclasses import dataclass, field

from sklearn.base import clone

__all__ = ["Method", "METHODS", "register_method", "make_method", "method_configs"]


@dataclass(frozen=True)
class Method:
    """One registered method.

    Parameters
    ----------
    name : str
        Its key in :data:`METHODS`, used on the command line.
    label : str
        Its row label in the paper's tables.
    estimator : type
        The estimator class (a :class:`~skcentral.FusionNet` subclass).
    params : dict, default={}
        Fixed estimator parameters that make this method (``op="sum"``, ...).
    at_depth : bool, default=False
        Whether the method fuses at one layer, given by ``fusion_layer``; it
        is then run at every depth of the comparison.
    """

    name: str
    label: str
    estimator: type
    params: dict = field(default_factory=dict)
    at_depth: bool = False

    def make(self, backbone, fusion_layer=None, **params):
        """The estimator with ``backbone`` for every modality and ``params``."""
        kwargs = dict(self.params, **params)
        if self.at_depth:
            kwargs["fusion_layer"] = 0 if fusion_layer is None else fusion_layer
        return self.estimator(backbones=clone(backbone, safe=False), **kwargs)


#: The registered methods, by name.
METHODS = {}


def register_method(name, label, estimator, params=None, at_depth=False):
    """Add a method to :data:`METHODS`, so that ``compare``, ``reproduce`` and
    :func:`skcentral.utils.all_estimators` find it.

    Parameters
    ----------
    name, label, estimator, params, at_depth
        See :class:`Method`.

    Returns
    -------
    Method

    Examples
    --------
    >>> from skcentral import ConcatClassifier
    >>> from skcentral.experiments import METHODS, register_method
    >>> m = register_method("concat_beta_half", "Concat + MT (beta 0.5)", ConcatClassifier,
    ...                     {"multi_task": True, "beta": 0.5})
    >>> METHODS["concat_beta_half"].make(None).beta
    0.5
    >>> del METHODS["concat_beta_half"]
    """
    method = Method(name, label, estimator, dict(params or {}), at_depth)
    METHODS[name] = method
    return method


def _register_the_papers_methods():
    from ..centralnet import CentralNetClassifier
    from ..ensemble import EnsembleClassifier, UnimodalClassifier
    from ..gmu import GMUClassifier
    from ..layer_fusion import LayerFusionClassifier
    from ..moddrop import ModDropClassifier
    from ..score_fusion import ConcatClassifier, WeightedMeanClassifier

    # The paper zero-pads representations of different sizes (Montalbano's 350
    # features against 400, MM-IMDb's 300-d text against 4096-d images).
    pad = {"fused_shapes": "pad"}
    register_method("unimodal", "Baseline on one modality", UnimodalClassifier,
                    {"modality": 0})
    register_method("ensemble", "Ensemble 2 classifiers", EnsembleClassifier)
    for ensemble, prefix, label in ((False, "fusion", "Fusion"),
                                    (True, "fusion_ensemble", "Fusion+Ensemble")):
        for op, op_label in (("sum", "Sum"), ("subtract", "Subtract"), ("product", "Prod")):
            params = {"op": op, "ensemble": True, **pad} if ensemble else {"op": op, **pad}
            register_method(f"{prefix}_{op}", f"{label} {op_label}", LayerFusionClassifier,
                            params, at_depth=True)
    register_method("weighted_mean", "Weighted mean", WeightedMeanClassifier)
    register_method("concat", "Concat", ConcatClassifier)
    register_method("concat_mt", "Concat + Multi-Task", ConcatClassifier, {"multi_task": True})
    register_method("moddrop", "Moddrop", ModDropClassifier, {"p_drop": 0.2})
    register_method("gmu", "Gated Multimodal Unit", GMUClassifier)
    register_method("centralnet", "CentralNet", CentralNetClassifier, pad)


_register_the_papers_methods()


def check_method(name):
    """The :class:`Method` called ``name``, or a ValueError naming the choices."""
    if name not in METHODS:
        raise ValueError(f"Unknown method {name!r}; choose from {sorted(METHODS)}.")
    return METHODS[name]


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
    return check_method(name).make(backbone, fusion_layer, **params)


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
        method = check_method(name)
        for d in (depths if method.at_depth else [None]):
            configs[name if d is None else f"{name}@{d}"] = method.make(backbone, d, **params)
    return configs
