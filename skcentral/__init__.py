"""skcentral: deep multimodal fusion (CentralNet and its baselines) for scikit-learn."""

from ._alphas import FusionWeights
from ._base import FusionNet
from ._data import ModalityBatchIterator, ModalityDataset
from ._modalities import Modalities, check_modalities
from .backbones import AudioCNN, BackboneSpec, LeNet5, MLP, ModuleBackbone
from .centralnet import CentralNetClassifier

__version__ = "0.1.0"

__all__ = [
    "AudioCNN",
    "BackboneSpec",
    "CentralNetClassifier",
    "FusionNet",
    "FusionWeights",
    "LeNet5",
    "MLP",
    "Modalities",
    "ModalityBatchIterator",
    "ModalityDataset",
    "ModuleBackbone",
    "check_modalities",
]
