"""Pure PyTorch fusion modules: they know nothing of scikit-learn.

Each takes a list of per-modality tensors and returns a flat tuple of
tensors, the fused output first, then one output per modality.
"""

from ._align import Align
from .centralnet import CentralNet

__all__ = ["Align", "CentralNet"]
