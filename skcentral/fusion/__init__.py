"""Pure PyTorch fusion modules: they know nothing of scikit-learn.

Each takes a list of per-modality tensors and returns a flat tuple of
tensors, the fused output first, then (for most) one output per modality;
its ``output_roles`` say what each output is (:data:`OUTPUT_ROLES`) and its
``supports_missing`` whether it can leave a modality out.
"""

from ._align import Align
from ._backbone import Backbone, feature_shapes, output_shape
from ._common import OUTPUT_ROLES, MultiBackbone, average_predictions, renormalise
from .centralnet import CentralNet
from .ensemble import Ensemble, SingleModality
from .gmu import GMU
from .layer import LayerFusion
from .moddrop import ModDrop
from .scores import ConcatScores, WeightedMean

__all__ = [
    "Align",
    "Backbone",
    "CentralNet",
    "ConcatScores",
    "Ensemble",
    "GMU",
    "LayerFusion",
    "ModDrop",
    "MultiBackbone",
    "OUTPUT_ROLES",
    "SingleModality",
    "WeightedMean",
    "average_predictions",
    "feature_shapes",
    "output_shape",
    "renormalise",
]
