"""Repeated runs over seeds, in parallel, with Student-t confidence intervals."""

import numbers
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from joblib import Parallel, delayed
from scipy import stats
from sklearn.base import clone
from sklearn.metrics import check_scoring

__all__ = ["SeedScores", "evaluate_seeds", "evaluate_many", "error_count", "robustness_curve",
           "student_ci"]


def error_count(estimator, X, y):
    """The paper's metric on MNIST: the number of misclassified test samples.

    A scorer (``scorer(estimator, X, y)``); lower is better.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from skcentral.model_selection import error_count
    >>> clf = DummyClassifier(strategy="constant", constant=1).fit([[0]] * 4, [0, 1, 1, 1])
    >>> error_count(clf, [[0]] * 4, np.array([0, 1, 1, 0]))
    2
    """
    return int(np.sum(estimator.predict(X) != np.asarray(y)))


def student_ci(scores, confidence=0.99):
    """Mean and Student-t confidence interval half-width of ``scores``.

    ``t_{(1 + confidence) / 2, n - 1} * s / sqrt(n)`` with ``s`` the sample
    standard deviation, as the paper computes its 99% intervals. The
    half-width is NaN for a single score.

    Examples
    --------
    >>> from skcentral.model_selection import student_ci
    >>> mean, half = student_ci([50, 52, 54, 56], confidence=0.99)
    >>> mean, round(half, 2)
    (53.0, 7.54)
    """
    scores = np.asarray(scores, dtype=float)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1); got {confidence!r}.")
    n = len(scores)
    if n == 0:
        raise ValueError("student_ci needs at least one score.")
    if n == 1:
        return float(scores[0]), float("nan")
    t = stats.t.ppf((1 + confidence) / 2, df=n - 1)
    return float(scores.mean()), float(t * scores.std(ddof=1) / np.sqrt(n))


@dataclass
class SeedScores:
    """Scores of one estimator fitted under several seeds.

    Attributes
    ----------
    seeds : list of int
    scores : ndarray of shape (n_seeds,)
    mean : float
    half_width : float
        Half-width of the Student-t confidence interval (NaN for one seed).
    confidence : float
    scoring : str
    fit_times : ndarray of shape (n_seeds,)
        Seconds each fit took.
    estimators : list
        The fitted estimators (only with ``return_estimators=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral.model_selection import SeedScores
    >>> s = SeedScores(seeds=[0, 1, 2], scores=np.array([50., 52., 54.]), mean=52.0,
    ...                half_width=11.4, confidence=0.99, scoring="errors",
    ...                fit_times=np.zeros(3))
    >>> s.ci
    (40.6, 63.4)
    """

    seeds: list
    scores: np.ndarray
    mean: float
    half_width: float
    confidence: float
    scoring: str
    fit_times: np.ndarray
    estimators: list = field(default=None, repr=False)

    @property
    def ci(self):
        """The confidence interval ``(low, high)``."""
        return (self.mean - self.half_width, self.mean + self.half_width)

    def __str__(self):
        return (f"{self.mean:.4g} +- {self.half_width:.2g} ({100 * self.confidence:g}% CI, "
                f"{len(self.seeds)} seeds, {self.scoring})")

    def to_dict(self):
        return {"seeds": list(map(int, self.seeds)), "scores": self.scores.tolist(),
                "mean": self.mean, "half_width": self.half_width,
                "confidence": self.confidence, "scoring": self.scoring,
                "fit_times": self.fit_times.tolist()}


def _fit_and_score(estimator, seed, X_train, y_train, X_test, y_test, scorer,
                   torch_threads, keep, tag=None):
    previous = torch.get_num_threads()
    if torch_threads:
        torch.set_num_threads(torch_threads)
    try:
        est = clone(estimator).set_params(random_state=seed)
        t0 = time.perf_counter()
        est.fit(X_train, y_train)
        elapsed = time.perf_counter() - t0
        score = scorer(est, X_test, y_test)
    finally:
        torch.set_num_threads(previous)
    return float(score), elapsed, (est if keep else None), tag


def evaluate_seeds(estimator, X_train, y_train, X_test, y_test, *, seeds=8,
                   scoring=None, confidence=0.99, n_jobs=None, torch_threads=1,
                   return_estimators=False, verbose=0):
    """Fit clones of ``estimator`` under several seeds and score them on a test set.

    Runs are independent, so they go in parallel with joblib; under
    ``joblib.parallel_backend("dask")`` they run on a dask cluster
    unchanged.

    Parameters
    ----------
    estimator : estimator with a ``random_state`` parameter
    X_train, y_train, X_test, y_test
        Training and test data, in any form the estimator takes.
    seeds : int or list of int, default=8
        The seeds, or how many (``0 .. seeds - 1``).
    scoring : str, callable or None, default=None
        A scikit-learn scorer name or callable ``scorer(estimator, X, y)``,
        ``"errors"`` for the paper's count of misclassified samples, or
        ``None`` for ``estimator.score``.
    confidence : float, default=0.99
        Level of the Student-t confidence interval (the paper's 99%).
    n_jobs : int, default=None
        Parallel runs (joblib semantics: ``-1`` all cores).
    torch_threads : int or None, default=1
        Torch threads of each run, whatever ``n_jobs`` is, so that a seed
        gives the same score run alone or in parallel and ``n_jobs`` runs
        do not oversubscribe the cores. ``None`` leaves torch's setting.
    return_estimators : bool, default=False
        Keep the fitted estimators in the result.
    verbose : int, default=0
        joblib's progress messages.

    Returns
    -------
    SeedScores

    Examples
    --------
    >>> from skcentral import CentralNetClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> from skcentral.model_selection import evaluate_seeds
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> res = evaluate_seeds(CentralNetClassifier(backbones=MLP((32,)), max_epochs=3),
    ...                      Xs, y, Xt, yt, seeds=3, scoring="errors")
    >>> res.scores.shape, res.ci[0] <= res.mean <= res.ci[1]
    ((3,), True)
    """
    return evaluate_many({"estimator": estimator}, X_train, y_train, X_test, y_test,
                         seeds=seeds, scoring=scoring, confidence=confidence, n_jobs=n_jobs,
                         torch_threads=torch_threads, return_estimators=return_estimators,
                         verbose=verbose)["estimator"]


def evaluate_many(estimators, X_train, y_train, X_test, y_test, *, seeds=8, scoring=None,
                  confidence=0.99, n_jobs=None, torch_threads=1, return_estimators=False,
                  verbose=0, on_result=None):
    """:func:`evaluate_seeds` for several estimators, all runs in one parallel pool.

    One pool over every (estimator, seed) pair keeps all workers busy until
    the end, where a pool per estimator would wait for its slowest seed.

    Parameters
    ----------
    estimators : dict of str to estimator
    X_train, y_train, X_test, y_test, seeds, scoring, confidence, n_jobs, torch_threads, return_estimators, verbose
        As for :func:`evaluate_seeds`.
    on_result : callable, default=None
        Called as ``on_result(name, seed, score, fit_time)`` as each run
        finishes (in completion order), e.g. to append it to a results file.

    Returns
    -------
    dict of str to SeedScores

    Examples
    --------
    >>> from skcentral import CentralNetClassifier, WeightedMeanClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> from skcentral.model_selection import evaluate_many
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> res = evaluate_many({"centralnet": CentralNetClassifier(backbones=MLP((32,)), max_epochs=2),
    ...                      "mean": WeightedMeanClassifier(backbones=MLP((32,)), max_epochs=2)},
    ...                     Xs, y, Xt, yt, seeds=2, scoring="accuracy")
    >>> sorted(res), res["mean"].scores.shape
    (['centralnet', 'mean'], (2,))
    """
    if isinstance(seeds, numbers.Integral):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive int or a list of ints; got {seeds}.")
        seeds = list(range(int(seeds)))
    seeds = [int(s) for s in seeds]
    if scoring == "errors":
        scorer, name = error_count, "errors"
    else:
        scorer = check_scoring(next(iter(estimators.values())), scoring=scoring)
        name = scoring if isinstance(scoring, str) else \
            getattr(scoring, "__name__", "score") if scoring is not None else "score"
    jobs = [(key, seed) for key in estimators for seed in seeds]
    results = {}
    outputs = Parallel(n_jobs=n_jobs, verbose=verbose, return_as="generator_unordered")(
        delayed(_fit_and_score)(estimators[key], seed, X_train, y_train, X_test, y_test,
                                scorer, torch_threads, return_estimators, (key, seed))
        for key, seed in jobs)
    for score, elapsed, est, (key, seed) in outputs:
        results[key, seed] = (score, elapsed, est)
        if on_result is not None:
            on_result(key, seed, score, elapsed)
    summary = {}
    for key in estimators:
        out = [results[key, seed] for seed in seeds]
        scores = np.array([o[0] for o in out])
        mean, half = student_ci(scores, confidence)
        summary[key] = SeedScores(
            seeds=seeds, scores=scores, mean=mean, half_width=half, confidence=confidence,
            scoring=name, fit_times=np.array([o[1] for o in out]),
            estimators=[o[2] for o in out] if return_estimators else None)
    return summary


def robustness_curve(estimator, X, y, *, modality, levels=(0.0, 0.25, 0.5, 0.75, 1.0),
                     kind="noise", scoring=None, random_state=0):
    """Score of a fitted estimator as one modality is degraded.

    The curve MultiBench reports: for each level, ``modality`` of the test
    data is corrupted and the estimator scored.

    Parameters
    ----------
    estimator : fitted fusion estimator
    X, y : test data
    modality : int or str
        The modality degraded.
    levels : sequence of float, default=(0, 0.25, 0.5, 0.75, 1)
        ``kind="noise"``: standard deviation of added Gaussian noise, in
        units of the modality's standard deviation. ``kind="drop"``:
        probability that a sample's modality is missing (needs an
        estimator that predicts with missing modalities).
    kind : {"noise", "drop"}, default="noise"
    scoring : str, callable or None, default=None
        As in :func:`evaluate_seeds` (``"errors"`` included).
    random_state : int, default=0
        Seeds the corruption.

    Returns
    -------
    levels : ndarray
    scores : ndarray

    Examples
    --------
    >>> from skcentral import ModDropClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> from skcentral.model_selection import robustness_curve
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = ModDropClassifier(backbones=MLP((32,)), max_epochs=5, random_state=0).fit(Xs, y)
    >>> levels, scores = robustness_curve(clf, Xt, yt, modality=1, kind="drop",
    ...                                   levels=[0.0, 1.0])
    >>> scores.shape
    (2,)
    """
    from ._modalities import Modalities, check_modalities
    if kind not in ("noise", "drop"):
        raise ValueError(f"kind must be 'noise' or 'drop'; got {kind!r}.")
    Xs = check_modalities(X)
    k = Xs.names.index(modality) if isinstance(modality, str) else int(modality)
    if not 0 <= k < Xs.n_modalities:
        raise ValueError(f"modality {modality!r} is not one of {Xs.names}.")
    scorer = error_count if scoring == "errors" else check_scoring(estimator, scoring=scoring)
    rng = np.random.default_rng(random_state)
    scores = []
    for level in levels:
        arrays = list(Xs.arrays)
        if kind == "noise":
            a = arrays[k]
            arrays[k] = (a + level * a.std() * rng.standard_normal(a.shape)).astype(a.dtype)
            Xc = Modalities(arrays, names=Xs.names)
        else:
            missing = np.zeros(Xs.shape, bool)
            missing[:, k] = rng.random(len(Xs)) < level
            Xc = Modalities(arrays, names=Xs.names, missing=missing)
        scores.append(float(scorer(estimator, Xc, y)))
    return np.asarray(levels, dtype=float), np.array(scores)
