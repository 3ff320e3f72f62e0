"""Multimodal digits: the PCA split on scikit-learn's bundled 8x8 digits.

Runs offline, in seconds: the default data of the examples, tests and CLI.
"""

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from ._pca_split import PCASplit

__all__ = ["load_multimodal_digits"]


def load_multimodal_digits(energy=0.5, share_ratio=0.5, test_size=0.25,
                           random_state=0, return_split=False):
    """Two PCA modalities of scikit-learn's 8x8 digits, split into train and test.

    The 1,797 digits are split (stratified) into train and test, pixel
    values scaled to [0, 1], and the PCA of :class:`PCASplit` is fitted on
    the training images only.

    Parameters
    ----------
    energy : float, default=0.5
        Energy kept by each modality.
    share_ratio : float, default=0.5
        Fraction of components shared between the modalities.
    test_size : float, default=0.25
    random_state : int, default=0
        Seeds both the train/test split and the PCA split.
    return_split : bool, default=False
        Also return the fitted :class:`PCASplit`.

    Returns
    -------
    Xs_train, Xs_test : list of two ndarray of shape (n, 8, 8), float32
    y_train, y_test : ndarray of int
    split : PCASplit
        Only with ``return_split=True``.

    Examples
    --------
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs_train, Xs_test, y_train, y_test = load_multimodal_digits(random_state=0)
    >>> [x.shape for x in Xs_train], len(y_test)
    ([(1347, 8, 8), (1347, 8, 8)], 450)
    """
    digits = load_digits()
    images = digits.images / 16.0
    im_train, im_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=test_size, stratify=digits.target,
        random_state=random_state)
    split = PCASplit(energy, share_ratio, random_state=random_state).fit(im_train)
    out = (split.transform(im_train), split.transform(im_test), y_train, y_test)
    return out + (split,) if return_split else out
