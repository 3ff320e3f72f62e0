"""Multimodal digits: the PCA split on scikit-learn's bundled 8x8 digits.

Runs offline, in seconds: the default data of the examples, tests and CLI.
"""

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from ._bunch import multimodal_bunch
from ._pca_split import PCASplit

__all__ = ["load_multimodal_digits"]


def load_multimodal_digits(energy=0.5, share_ratio=0.5, test_size=0.25,
                           random_state=0, *, return_X_y=False):
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
        Fraction of the digits held out for testing.
    random_state : int, default=0
        Seeds both the train/test split and the PCA split.
    return_X_y : bool, default=False
        Return ``(Xs_train, Xs_test, y_train, y_test)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``Xs_train``, ``Xs_test``: :class:`~skcentral.Modalities` of two
        modalities, ``"a"`` and ``"b"``, each of shape (n, 8, 8), float32;
        ``y_train``, ``y_test``: int labels; ``split``: the fitted
        :class:`PCASplit` (energy and share ratio achieved);
        ``modality_names``; ``splits``; ``target_names``; ``DESCR``.
    (Xs_train, Xs_test, y_train, y_test) : tuple
        With ``return_X_y=True``.

    Examples
    --------
    >>> from sklearn.model_selection import cross_val_score
    >>> from skcentral import WeightedMeanClassifier
    >>> from skcentral.datasets import load_multimodal_digits
    >>> data = load_multimodal_digits(random_state=0)
    >>> data.Xs_train
    Modalities(n_samples=1347, a: (8, 8) float32, b: (8, 8) float32)
    >>> data.Xs_train["a"].shape, data.y_test.shape
    ((1347, 8, 8), (450,))
    >>> clf = WeightedMeanClassifier(max_epochs=2, random_state=0)
    >>> cross_val_score(clf, data.Xs_train[:300], data.y_train[:300], cv=2).shape
    (2,)
    """
    digits = load_digits()
    images = digits.images / 16.0
    im_train, im_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=test_size, stratify=digits.target,
        random_state=random_state)
    split = PCASplit(energy, share_ratio, random_state=random_state).fit(im_train)
    return multimodal_bunch(
        {"train": (split.transform(im_train), y_train),
         "test": (split.transform(im_test), y_test)},
        ["a", "b"], return_X_y=return_X_y, split=split,
        target_names=digits.target_names,
        DESCR=("Multimodal digits: two 8x8 views of each of scikit-learn's 1,797 "
               "digits, each the projection onto a set of principal components of "
               f"the training images (energy {split.energy_.round(3).tolist()}, "
               f"share ratio {split.share_ratio_:.3f}); {len(y_train)} train, "
               f"{len(y_test)} test."))
