"""Synthetic stand-ins shaped like Montalbano and MM-IMDb (clearly not the real data).

The paper's Montalbano features (Neverova et al.'s ModDrop features) and
MM-IMDb features (Arevalo et al.'s word2vec and VGG16 vectors) are not
available offline. These generators produce data with the same *shapes*,
the same kind of target (20 balanced classes; 23 imbalanced genres,
multilabel) and modalities whose *relative* informativeness follows the
paper's unimodal results, so that the reproduction protocols run end to
end and fusion methods can be ranked. Scores on them are **synthetic**
results: they say nothing about the real data sets.
"""

import numpy as np
from sklearn.utils import check_random_state

from ._bunch import multimodal_bunch

__all__ = ["MONTALBANO_LIKE_SEPARATION", "make_montalbano_like", "make_mmimdb_like"]

#: Class separation of each synthetic Montalbano modality (see
#: :func:`make_montalbano_like`), ordered like the paper's unimodal
#: accuracies: mocap 88.0% > right hand 79.0% > audio 59.3% > left hand 46.0%.
MONTALBANO_LIKE_SEPARATION = {"audio": 0.7, "mocap": 1.0, "left_hand": 0.5,
                              "right_hand": 0.85}
_MONTALBANO_WIDTHS = {"audio": 350, "mocap": 350, "left_hand": 400, "right_hand": 400}


def _embed(latent, width, rng):
    """Random linear map of ``latent`` (n, k) to ``width`` features, unit variance."""
    k = latent.shape[1]
    W = rng.standard_normal((k, width)) / np.sqrt(k)
    return latent @ W


def make_montalbano_like(n_samples=2000, random_state=None, *, n_classes=20,
                         separation=None, n_informative=16, pad_to=400,
                         return_X_y=False):
    """Synthetic data shaped like the paper's Montalbano gesture features.

    **Synthetic**: four modalities with the widths of Neverova et al.'s
    features, audio 350, mocap 350, left hand 400 and right hand 400,
    zero-padded on the right to ``pad_to`` as the paper does, and
    ``n_classes`` (20) balanced gesture classes.

    For each modality ``m`` and class ``c`` a prototype ``mu[m, c]`` is
    drawn from a standard normal in ``n_informative`` latent dimensions
    and scaled by the modality's separation ``s[m]``. A sample of class
    ``c`` has latent code ``s[m] * mu[m, c] + e`` with ``e`` standard
    normal noise, drawn independently per modality (the modalities are
    conditionally independent given the class, so fusing them helps),
    mapped to the modality's width by a fixed random linear map, then
    passed through ``tanh`` and added to small unstructured noise
    (standard deviation 0.5 per feature).

    The separations (:data:`MONTALBANO_LIKE_SEPARATION`) were chosen so
    that unimodal accuracies are spread like the paper's Table 5, mocap
    best and left hand worst: with 2,000 training samples, an MLP on each
    modality alone scores roughly mocap 85-90%, right hand 70-80%, audio
    50-60%, left hand 40-50% (paper: 88.0, 79.0, 59.3, 46.0).

    Parameters
    ----------
    n_samples : int, default=2000
        Number of samples; classes are balanced (up to rounding) and
        shuffled.
    random_state : int, RandomState instance or None, default=None
        Seeds everything (the prototypes and maps too): the same seed gives
        the same data set.
    n_classes : int, default=20
    separation : dict of str to float, default=None
        Per-modality separation; defaults to
        :data:`MONTALBANO_LIKE_SEPARATION`.
    n_informative : int, default=16
        Latent dimensions carrying the class.
    pad_to : int or None, default=400
        Zero-pad every modality to this width (None: keep 350/350/400/400).
    return_X_y : bool, default=False
        Return ``(Xs, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``Xs``: :class:`~skcentral.Modalities` of four float32 modalities
        ``audio``, ``mocap``, ``left_hand``, ``right_hand``, each of shape
        (n_samples, pad_to); ``y``: int64 labels; ``modality_names``;
        ``splits`` (empty); ``n_features`` (the unpadded widths);
        ``separation``; ``DESCR``.
    (Xs, y) : tuple
        With ``return_X_y=True``.

    Examples
    --------
    >>> from skcentral.datasets import make_montalbano_like
    >>> data = make_montalbano_like(200, random_state=0)
    >>> data.modality_names
    ['audio', 'mocap', 'left_hand', 'right_hand']
    >>> [x.shape for x in data.Xs]
    [(200, 400), (200, 400), (200, 400), (200, 400)]
    >>> int(data.y.max()) + 1, float(abs(data.Xs[0][:, 350:]).max())
    (20, 0.0)
    """
    rng = check_random_state(random_state)
    sep = dict(MONTALBANO_LIKE_SEPARATION if separation is None else separation)
    if set(sep) != set(_MONTALBANO_WIDTHS):
        raise ValueError(f"separation must have the keys {sorted(_MONTALBANO_WIDTHS)}; "
                         f"got {sorted(sep)}.")
    n_samples, n_classes = int(n_samples), int(n_classes)
    if n_samples < 1 or n_classes < 2:
        raise ValueError("n_samples must be >= 1 and n_classes >= 2.")
    width = max(_MONTALBANO_WIDTHS.values()) if pad_to is None else int(pad_to)
    if pad_to is not None and width < max(_MONTALBANO_WIDTHS.values()):
        raise ValueError(f"pad_to must be at least 400; got {pad_to}.")
    y = rng.permutation(np.arange(n_samples) % n_classes).astype(np.int64)
    Xs = []
    for name, w in _MONTALBANO_WIDTHS.items():
        protos = rng.standard_normal((n_classes, n_informative)) * sep[name]
        latent = protos[y] + rng.standard_normal((n_samples, n_informative))
        x = np.tanh(_embed(latent, w, rng)) + 0.5 * rng.standard_normal((n_samples, w))
        if pad_to is not None:
            x = np.pad(x, ((0, 0), (0, width - w)))
        Xs.append(x.astype(np.float32))
    names = list(_MONTALBANO_WIDTHS)
    return multimodal_bunch(
        {None: (Xs, y)}, names, return_X_y=return_X_y, n_features=dict(_MONTALBANO_WIDTHS),
        separation=sep,
        DESCR=("SYNTHETIC data shaped like the Montalbano ModDrop features "
               f"(skcentral.datasets.make_montalbano_like): {n_samples} samples, "
               f"{n_classes} balanced classes, modalities {names} of widths "
               f"{list(_MONTALBANO_WIDTHS.values())} zero-padded to {pad_to}; "
               f"class separations {sep}. Not the real data set."))


#: Genre frequencies of the synthetic MM-IMDb (sorted, most frequent first),
#: shaped like MM-IMDb's: Drama about half the movies, a long tail of rare
#: genres; they sum to 2.5, the mean number of genres per movie.
def _genre_frequencies(n_labels, density):
    p = 1.0 / np.arange(1, n_labels + 1) ** 0.9
    for _ in range(50):  # scale to the density with frequencies capped at 0.55
        p = np.minimum(p * density / p.sum(), 0.55)
    return p


def make_mmimdb_like(n_samples=2000, random_state=None, *, n_labels=23, label_density=2.5,
                     text_features=300, visual_features=4096, text_noise=6.0,
                     visual_noise=22.0, return_X_y=False):
    """Synthetic data shaped like the MM-IMDb features (text 300, visual 4096).

    **Synthetic**: a 300-d "text" modality (word2vec-sized) and a 4096-d
    "visual" modality (VGG16 fc7-sized), and a multilabel target of
    ``n_labels`` (23) genres with about ``label_density`` (2.5) genres per
    movie, as in MM-IMDb, with imbalanced genre frequencies (the most
    frequent in about half the movies, the rarest in about 2%).

    Genres are drawn from a latent "taste" code: ``z`` (8-d standard
    normal) gives each genre ``j`` the logit ``a_j . z + b_j``, with
    ``b_j`` set so that genre ``j`` has its target frequency; a genre is
    on when its logit plus logistic noise is positive, and a movie with no
    genre gets its most likely one. Each modality is a fixed random linear
    map of the indicator vector (centred) to its width, plus Gaussian noise
    of standard deviation ``text_noise`` (6.0) or ``visual_noise`` (22.0)
    relative to the signal's (per feature): text is more informative than
    visual, as in the paper's Table 7 (text alone F1-micro 0.60, image
    0.48); with 2,000 training movies a one-vs-rest logistic regression
    scores F1-micro of roughly 0.6 on text and 0.45 on visual.

    Parameters
    ----------
    n_samples : int, default=2000
    random_state : int, RandomState instance or None, default=None
        Seeds everything: the same seed gives the same data set.
    n_labels : int, default=23
    label_density : float, default=2.5
        Target mean number of genres per movie.
    text_features, visual_features : int, default=300, 4096
    text_noise, visual_noise : float, default=6.0, 22.0
        Noise-to-signal ratio of each modality.
    return_X_y : bool, default=False
        Return ``(Xs, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``Xs``: :class:`~skcentral.Modalities` ``text`` (n, 300) and
        ``visual`` (n, 4096), float32; ``y``: (n, 23) int64 indicator
        matrix; ``modality_names`` (``["text", "visual"]``); ``splits``
        (empty); ``target_names``; ``DESCR``.
    (Xs, y) : tuple
        With ``return_X_y=True``.

    Examples
    --------
    >>> from skcentral.datasets import make_mmimdb_like
    >>> data = make_mmimdb_like(500, random_state=0, visual_features=64)
    >>> [x.shape for x in data.Xs], data.y.shape
    ([(500, 300), (500, 64)], (500, 23))
    >>> bool(2.0 < data.y.sum(axis=1).mean() < 3.0)
    True
    """
    rng = check_random_state(random_state)
    n_samples, n_labels = int(n_samples), int(n_labels)
    if n_samples < 1 or n_labels < 2:
        raise ValueError("n_samples must be >= 1 and n_labels >= 2.")
    if not 0 < label_density < n_labels:
        raise ValueError(f"label_density must be in (0, n_labels); got {label_density}.")
    freq = _genre_frequencies(n_labels, label_density)
    A = rng.standard_normal((n_labels, 8)) * 0.8
    z = rng.standard_normal((n_samples, 8))
    # logistic noise: P(on) = sigmoid(a.z + b); b from the frequency
    # (ignoring the latent spread, then corrected on a large sample).
    big = rng.standard_normal((20000, 8)) @ A.T
    b = np.empty(n_labels)
    for j in range(n_labels):
        lo, hi = -20.0, 20.0
        for _ in range(50):
            mid = (lo + hi) / 2
            if np.mean(1 / (1 + np.exp(-(big[:, j] + mid)))) < freq[j]:
                lo = mid
            else:
                hi = mid
        b[j] = (lo + hi) / 2
    logits = z @ A.T + b
    Y = (logits + rng.logistic(size=logits.shape) > 0).astype(np.int64)
    empty = Y.sum(axis=1) == 0
    Y[empty, np.argmax(logits[empty], axis=1)] = 1
    centred = Y - freq
    Xs = []
    for width, noise in ((text_features, text_noise), (visual_features, visual_noise)):
        W = rng.standard_normal((n_labels, int(width)))
        signal = centred @ W
        scale = signal.std() if signal.std() > 0 else 1.0
        x = signal / scale + noise * rng.standard_normal((n_samples, int(width)))
        Xs.append(x.astype(np.float32))
    names = [f"genre_{j:02d}" for j in range(n_labels)]
    return multimodal_bunch(
        {None: (Xs, Y)}, ["text", "visual"], return_X_y=return_X_y, target_names=names,
        DESCR=("SYNTHETIC data shaped like the MM-IMDb features "
               f"(skcentral.datasets.make_mmimdb_like): {n_samples} movies, text "
               f"{text_features}-d, visual {visual_features}-d, {n_labels} genres "
               f"({Y.sum(axis=1).mean():.2f} per movie); noise-to-signal text "
               f"{text_noise}, visual {visual_noise}. Not the real data set."))
