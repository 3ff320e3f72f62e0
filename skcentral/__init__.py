"""skcentral: deep multimodal fusion (CentralNet and its baselines) for scikit-learn."""

from ._alphas import FusionWeights
from ._base import FusionNet
from ._data import ModalityBatchIterator, ModalityDataset
from ._modalities import Modalities, check_modalities
from .backbones import AudioCNN, BackboneSpec, LeNet5, MLP, ModuleBackbone
from .centralnet import CentralNetClassifier
from .ensemble import EnsembleClassifier, UnimodalClassifier
from .gmu import GMUClassifier
from .layer_fusion import LayerFusionClassifier
from .moddrop import ModDropClassifier
from .score_fusion import ConcatClassifier, WeightedMeanClassifier

__version__ = "0.1.0"

__all__ = [
    "AudioCNN",
    "BackboneSpec",
    "CentralNetClassifier",
    "ConcatClassifier",
    "EnsembleClassifier",
    "FusionNet",
    "FusionWeights",
    "GMUClassifier",
    "LayerFusionClassifier",
    "LeNet5",
    "MLP",
    "ModDropClassifier",
    "Modalities",
    "ModalityBatchIterator",
    "ModalityDataset",
    "ModuleBackbone",
    "UnimodalClassifier",
    "WeightedMeanClassifier",
    "check_modalities",
]
