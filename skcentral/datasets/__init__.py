"""Datasets: the paper's PCA split generator and loaders."""

from ._pca_split import PCASplit, make_pca_split
from .digits import load_multimodal_digits

__all__ = ["PCASplit", "load_multimodal_digits", "make_pca_split"]
