"""skcentral: deep multimodal fusion (CentralNet and its baselines) for scikit-learn."""

from ._alphas import FusionWeights
from ._base import FusionClassifierMixin, FusionNet, FusionRegressorMixin
from ._data import ModalityBatchIterator, ModalityDataset
from ._lazy import OnDiskArray
from ._modalities import Modalities, check_modalities
from .backbones import AudioCNN, BackboneSpec, LeNet5, MLP, ModuleBackbone
from .centralnet import CentralNetClassifier, CentralNetRegressor
from .ensemble import (EnsembleClassifier, EnsembleRegressor, UnimodalClassifier,
                       UnimodalRegressor)
from .gmu import GMUClassifier, GMURegressor
from .layer_fusion import LayerFusionClassifier, LayerFusionRegressor
from .moddrop import ModDropClassifier, ModDropRegressor
from .score_fusion import (ConcatClassifier, ConcatRegressor, WeightedMeanClassifier,
                           WeightedMeanRegressor)

__version__ = "0.1.0"

__all__ = [
    "AudioCNN",
    "BackboneSpec",
    "CentralNetClassifier",
    "CentralNetRegressor",
    "ConcatClassifier",
    "ConcatRegressor",
    "EnsembleClassifier",
    "EnsembleRegressor",
    "FusionClassifierMixin",
    "FusionNet",
    "FusionRegressorMixin",
    "FusionWeights",
    "GMUClassifier",
    "GMURegressor",
    "LayerFusionClassifier",
    "LayerFusionRegressor",
    "LeNet5",
    "MLP",
    "ModDropClassifier",
    "ModDropRegressor",
    "Modalities",
    "ModalityBatchIterator",
    "ModalityDataset",
    "ModuleBackbone",
    "OnDiskArray",
    "UnimodalClassifier",
    "UnimodalRegressor",
    "WeightedMeanClassifier",
    "WeightedMeanRegressor",
    "check_modalities",
]
