"""skcentral: deep multimodal fusion (CentralNet and its baselines) for scikit-learn.

Public names are imported on first use, so that ``import skcentral.fusion``
(pure PyTorch) loads neither scikit-learn nor skorch.
"""

import importlib

__version__ = "0.1.0"

#: Where each public name lives.
_LOCATIONS = {
    "AudioCNN": ".backbones",
    "BackboneSpec": ".backbones",
    "CentralNetClassifier": ".centralnet",
    "CentralNetRegressor": ".centralnet",
    "check_modalities": "._modalities",
    "ConcatClassifier": ".score_fusion",
    "ConcatRegressor": ".score_fusion",
    "EnsembleClassifier": ".ensemble",
    "EnsembleRegressor": ".ensemble",
    "FusionClassifierMixin": "._base",
    "FusionNet": "._base",
    "FusionRegressorMixin": "._base",
    "FusionWeights": "._alphas",
    "GMUClassifier": ".gmu",
    "GMURegressor": ".gmu",
    "LayerFusionClassifier": ".layer_fusion",
    "LayerFusionRegressor": ".layer_fusion",
    "LeNet5": ".backbones",
    "MLP": ".backbones",
    "Modalities": "._modalities",
    "ModalityBatchIterator": "._data",
    "ModalityDataset": "._data",
    "ModDropClassifier": ".moddrop",
    "ModDropRegressor": ".moddrop",
    "ModuleBackbone": ".backbones",
    "OnDiskArray": "._lazy",
    "TrainingCheckpoint": "._resume",
    "UnimodalClassifier": ".ensemble",
    "UnimodalRegressor": ".ensemble",
    "WeightedMeanClassifier": ".score_fusion",
    "WeightedMeanRegressor": ".score_fusion",
}

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
    "TrainingCheckpoint",
    "UnimodalClassifier",
    "UnimodalRegressor",
    "WeightedMeanClassifier",
    "WeightedMeanRegressor",
    "check_modalities",
]


def __getattr__(name):
    if name in _LOCATIONS:
        value = getattr(importlib.import_module(_LOCATIONS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
