"""The paper's Sec. 3.1 PCA split: two modalities from one set of images.

A PCA of the (training) images gives singular vectors, each carrying a share
of the energy (explained variance). Each modality keeps a set of them and is
the projection of the image onto that set. Two knobs: the *energy* of each
modality (the summed explained-variance ratio of its vectors) and the
*share ratio* (the fraction of a modality's vectors that the other modality
also has).
"""

import numpy as np
from sklearn.decomposition import PCA
from sklearn.utils import check_random_state

__all__ = ["PCASplit", "make_pca_split"]


class PCASplit:
    """Split images into two modalities by sets of principal components.

    Parameters
    ----------
    energy : float, default=0.5
        Target energy (explained-variance ratio) kept by each modality, in
        (0, 1].
    share_ratio : float, default=0.5
        Target fraction, in [0, 1], of each modality's components that are
        shared with the other modality.
    tol : float, default=0.01
        A modality may exceed the target energy by at most this much.
    n_draws : int, default=10
        Random orders tried; the one closest to the targets (energy first,
        then share ratio) is kept.
    random_state : int, RandomState instance or None, default=None
        Seeds the orders in which components are drawn.

    Attributes
    ----------
    pca_ : PCA
        Fitted on the images given to :meth:`fit`.
    components_ : list of ndarray of int
        Indices of the components of each modality.
    energy_ : ndarray of shape (2,)
        Energy actually kept by each modality.
    share_ratio_ : float
        Actual fraction of shared components, ``|A & B| / mean(|A|, |B|)``.

    Notes
    -----
    Components are visited in a random order (``n_draws`` orders are
    tried, the best kept). Each goes to the pool
    (shared, A only, B only) furthest below its target share of the count,
    among pools that can take it without a modality exceeding the target
    energy by more than ``tol``; a component no pool can take is left out.
    The energy is therefore matched from below within ``tol`` when there
    are enough small components, and the share ratio as closely as the
    components' sizes allow; the attributes say what was achieved.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcentral.datasets import PCASplit
    >>> images = load_digits().images
    >>> split = PCASplit(energy=0.5, share_ratio=0.5, random_state=0).fit(images)
    >>> a, b = split.transform(images)
    >>> a.shape, bool(abs(split.energy_ - 0.5).max() < 0.05)
    ((1797, 8, 8), True)
    """

    def __init__(self, energy=0.5, share_ratio=0.5, tol=0.01, n_draws=10,
                 random_state=None):
        self.energy = energy
        self.share_ratio = share_ratio
        self.tol = tol
        self.n_draws = n_draws
        self.random_state = random_state

    def fit(self, images):
        if not 0 < self.energy <= 1:
            raise ValueError(f"energy must be in (0, 1]; got {self.energy!r}.")
        if not 0 <= self.share_ratio <= 1:
            raise ValueError(f"share_ratio must be in [0, 1]; got {self.share_ratio!r}.")
        images = np.asarray(images, dtype=np.float64)
        if images.ndim < 2 or images.shape[0] < 2:
            raise ValueError(
                f"images must have shape (n_images, ...) with at least 2 images; "
                f"got {images.shape}."
            )
        self.image_shape_ = images.shape[1:]
        flat = images.reshape(len(images), -1)
        # n_images >> n_pixels: the eigendecomposition of the covariance is fast
        self.pca_ = PCA(svd_solver="covariance_eigh").fit(flat)
        ratio = self.pca_.explained_variance_ratio_
        rng = check_random_state(self.random_state)
        best = None
        for _ in range(self.n_draws):
            pools = self._assign(ratio, rng.permutation(len(ratio)))
            comps = [np.sort(np.r_[pools[0], pools[1]]), np.sort(np.r_[pools[0], pools[2]])]
            energy = np.array([ratio[c].sum() for c in comps])
            share = len(pools[0]) / max(np.mean([len(c) for c in comps]), 1)
            cost = (np.abs(energy - self.energy).max(), abs(share - self.share_ratio))
            if best is None or cost < best[0]:
                best = (cost, comps, energy, share)
        _, self.components_, self.energy_, self.share_ratio_ = best
        return self

    def _assign(self, ratio, order):
        """One greedy pass over components in ``order``: (shared, A only, B only)."""
        # shared : A only : B only = r : 1 - r : 1 - r, so that |shared| / |A| = r
        target = np.array([self.share_ratio, 1 - self.share_ratio, 1 - self.share_ratio])
        target = target / target.sum()
        members = [[], [], []]
        energy = np.zeros(2)
        for j in order:
            e = ratio[j]
            # pools in order of how far their count lags behind its target
            counts = np.array([len(m) for m in members], dtype=float)
            lag = target * (counts.sum() + 1) - counts
            for pool in np.argsort(-lag, kind="stable"):
                if target[pool] == 0:
                    continue
                hits = [0, 1] if pool == 0 else [pool - 1]
                if all(energy[m] + e <= self.energy + self.tol for m in hits):
                    members[pool].append(j)
                    energy[hits] += e
                    break
        # Top up a modality left short of its energy with unused components,
        # largest first (this may cost a little share ratio).
        used = set().union(*members)
        for j in sorted(set(order) - used, key=lambda j: -ratio[j]):
            for m in (0, 1):
                if energy[m] < self.energy - self.tol and \
                        energy[m] + ratio[j] <= self.energy + self.tol:
                    members[m + 1].append(j)
                    energy[m] += ratio[j]
                    break
        return [np.array(m, dtype=int) for m in members]

    def transform(self, images):
        """Return ``[modality_a, modality_b]``, each shaped like the images."""
        return [self._project(images, comps) for comps in self.components_]

    def transform_union(self, images):
        """Project onto every component either modality keeps, as one image.

        All that the two modalities know together, in one view: what a
        fusion of the two could at best see. Its energy is
        ``pca_.explained_variance_ratio_[union].sum()``, ``union`` being
        ``np.union1d(*components_)``.
        """
        return self._project(images, np.union1d(*self.components_))

    def _project(self, images, comps):
        images = np.asarray(images, dtype=np.float64)
        if images.shape[1:] != self.image_shape_:
            raise ValueError(
                f"images have per-sample shape {images.shape[1:]} but the split "
                f"was fitted on {self.image_shape_}."
            )
        flat = images.reshape(len(images), -1) - self.pca_.mean_
        basis = self.pca_.components_[comps]
        proj = (flat @ basis.T) @ basis + self.pca_.mean_
        return proj.reshape(images.shape).astype(np.float32)


def make_pca_split(images, energy=0.5, share_ratio=0.5, random_state=None,
                   fit_images=None):
    """Turn images into the paper's two PCA modalities.

    Parameters
    ----------
    images : array-like of shape (n_images, ...)
    energy, share_ratio, random_state
        See :class:`PCASplit`.
    fit_images : array-like, default=None
        Images the PCA is fitted on (the training set, so that test images
        leak nothing); defaults to ``images``.

    Returns
    -------
    modalities : list of two ndarray, each shaped like ``images`` (float32)
    split : PCASplit
        The fitted split, with the energy and share ratio achieved.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcentral.datasets import make_pca_split
    >>> images = load_digits().images
    >>> (a, b), split = make_pca_split(images, energy=0.25, share_ratio=0.0, random_state=0)
    >>> a.shape, len(set(split.components_[0]) & set(split.components_[1]))
    ((1797, 8, 8), 0)
    """
    split = PCASplit(energy, share_ratio, random_state=random_state).fit(
        images if fit_images is None else fit_images)
    return split.transform(images), split
