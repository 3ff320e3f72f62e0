"""Datasets: the paper's PCA split generator, loaders and fetchers.

Every loader and generator returns a :class:`~sklearn.utils.Bunch` whose
``Xs_<split>`` (``Xs`` for a generator) are :class:`~skcentral.Modalities`
named after the data set's modalities, ready for scikit-learn's splitters and
searches, and ``y_<split>`` (``y``) the targets; ``return_X_y=True`` gives
``(Xs_train, Xs_test, y_train, y_test)`` (``(Xs, y)``). Built caches go to
``SKCENTRAL_CACHE``, else ``<data_home>/cache``.
"""

from ._home import get_data_home
from ._pca_split import PCASplit, make_pca_split
from .avmnist import load_avmnist
from .digits import load_multimodal_digits
from .mm_mnist import load_multimodal_mnist
from .mmimdb import MMIMDB_SPLITS, load_mmimdb
from .mnist import MNIST_MIRRORS, fetch_mnist
from .montalbano import MONTALBANO_MODALITIES, load_montalbano, save_montalbano
from .synthetic import MONTALBANO_LIKE_SEPARATION, make_mmimdb_like, make_montalbano_like

__all__ = [
    "MMIMDB_SPLITS",
    "MNIST_MIRRORS",
    "MONTALBANO_LIKE_SEPARATION",
    "MONTALBANO_MODALITIES",
    "PCASplit",
    "fetch_mnist",
    "get_data_home",
    "load_avmnist",
    "load_mmimdb",
    "load_montalbano",
    "load_multimodal_digits",
    "load_multimodal_mnist",
    "make_mmimdb_like",
    "make_montalbano_like",
    "make_pca_split",
    "save_montalbano",
]
