"""Repeated runs over seeds, in parallel, with Student-t confidence intervals."""

import numbers
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from joblib import Parallel, delayed
from scipy import stats
from sklearn.base import clone
from sklearn.metrics import check_scoring

from ._threads import torch_threads as _torch_threads

__all__ = ["RunResult", "SeedScores", "evaluate_seeds", "evaluate_many", "error_count", "robustness_curve",
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
    metrics : dict of str to ndarray
        Every metric per seed, when several were scored (else ``None``).

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
    metrics: dict = field(default=None, repr=False)

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


@dataclass
class RunResult:
    """One finished run of :func:`evaluate_many`.

    Attributes
    ----------
    name : str
        The estimator's key.
    seed : int
    score : float or dict
        The score, or every metric (a dict) with several scorers.
    fit_time, score_time : float
        Seconds to fit and to score.
    n_epochs : int or None
        Epochs trained (``len(history)`` of a skorch estimator).
    curve : list of dict or None
        The learning curve of a skorch estimator: per epoch, the entries of
        its history among ``epoch``, ``train_loss``, ``valid_loss``,
        ``valid_acc``, ``event_lr`` (the learning rate, where a scheduler
        records it) and ``dur``.
    estimator : estimator or None
        The fitted estimator, with ``return_estimators=True``.
    resumed_from_epoch : int or None
        The epochs a :class:`~skcentral.TrainingCheckpoint` restored, when
        the fit went on from an interrupted one (``fit_time`` then counts
        the interrupted part too).
    """

    name: str
    seed: int
    score: object
    fit_time: float
    score_time: float
    n_epochs: object = None
    estimator: object = field(default=None, repr=False)
    curve: list = field(default=None, repr=False)
    resumed_from_epoch: int = None


_CURVE_KEYS = ("epoch", "train_loss", "valid_loss", "valid_acc", "event_lr", "dur")


def _history_curve(history):
    """Per epoch, the JSON-able learning-curve entries of a skorch history.

    Parameters
    ----------
    history : skorch.History

    Returns
    -------
    list of dict
        Keys among ``epoch``, ``train_loss``, ``valid_loss``, ``valid_acc``,
        ``event_lr`` and ``dur``, with those of the history that hold a
        number.
    """
    curve = []
    for row in history:
        entry = {}
        for key in _CURVE_KEYS:
            value = row.get(key)
            if isinstance(value, (list, tuple)):  # event_lr: one value per group
                value = value[0] if value else None
            if isinstance(value, numbers.Number) or hasattr(value, "item"):
                entry[key] = value.item() if hasattr(value, "item") else value
        curve.append(entry)
    return curve


def _fit_and_score(name, estimator, seed, train, test, validation_data, scorer,
                   torch_threads, keep):
    # joblib hands large arrays to workers as read-only memory maps
    warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
    with _torch_threads(torch_threads or None):
        est = clone(estimator).set_params(random_state=seed)
        fit_params = {} if validation_data is None else {"validation_data": validation_data}
        t0 = time.perf_counter()
        est.fit(*train, **fit_params)
        fit_time = time.perf_counter() - t0
        if getattr(est, "_interrupted", False):
            # skorch ends a fit quietly on Ctrl-C: its half-trained estimator
            # is no result (a TrainingCheckpoint keeps its state to go on from)
            raise KeyboardInterrupt(f"{name} seed {seed}: fit interrupted after "
                                    f"{len(est.history)} epochs; not scored")
        t0 = time.perf_counter()
        score = scorer(est, *test)
        score_time = time.perf_counter() - t0
    # plain Python numbers (JSON-able), ints kept as ints
    score = {k: v.item() if hasattr(v, "item") else v for k, v in score.items()} \
        if isinstance(score, dict) else float(score)
    history = getattr(est, "history", None)
    resumed = next((cb.resumed_from_ for _, cb in getattr(est, "callbacks_", None) or []
                    if getattr(cb, "resumed_from_", None) is not None), None)
    if resumed is not None:
        fit_time += resumed["fit_seconds"]
    return RunResult(name, seed, score, fit_time, score_time,
                     None if history is None else len(history), est if keep else None,
                     None if history is None else _history_curve(history),
                     None if resumed is None else resumed["epoch"])


def _run_pool(tasks, scorer, *, n_jobs, torch_threads, keep=False, verbose=0):
    """Fit and score every task in one joblib pool; the :class:`RunResult` as each ends.

    A task is ``(name, estimator, seed, (X_train, y_train), (X_test, y_test),
    validation_data)``: each may have data of its own (the data settings of
    a sweep), so that one pool keeps every worker busy across all of them.
    """
    return Parallel(n_jobs=n_jobs, verbose=verbose, return_as="generator_unordered")(
        delayed(_fit_and_score)(name, estimator, seed, train, test, valid, scorer,
                                torch_threads, keep)
        for name, estimator, seed, train, test, valid in tasks)


def _scorer(scoring, estimator):
    """A callable scorer and its name, from ``scoring`` (a dict of scorers included)."""
    if isinstance(scoring, dict):
        scorers = {k: _scorer(v, estimator)[0] for k, v in scoring.items()}
        return (lambda est, X, y: {k: f(est, X, y) for k, f in scorers.items()}), \
            next(iter(scoring))
    if scoring == "errors":
        return error_count, "errors"
    name = scoring if isinstance(scoring, str) else \
        getattr(scoring, "__name__", "score") if scoring is not None else "score"
    return check_scoring(estimator, scoring=scoring), name


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
                  verbose=0, validation_data=None, on_result=None, on_run=None):
    """:func:`evaluate_seeds` for several estimators, all runs in one parallel pool.

    One pool over every (estimator, seed) pair keeps all workers busy until
    the end, where a pool per estimator would wait for its slowest seed.

    Parameters
    ----------
    estimators : dict of str to estimator
    X_train, y_train, X_test, y_test, seeds, confidence, n_jobs, torch_threads, return_estimators, verbose
        As for :func:`evaluate_seeds`.
    scoring : str, callable, dict or None, default=None
        As for :func:`evaluate_seeds`; also a dict ``{name: scorer}``, or a
        callable that returns a dict of metrics. The first metric is the one
        summarised in ``scores``; all are kept in ``metrics``.
    validation_data : tuple (X_valid, y_valid), default=None
        Passed to every ``fit`` (e.g. for early stopping).
    on_result : callable, default=None
        Called as ``on_result(name, seed, score, fit_time)`` as each run
        finishes (in completion order), e.g. to print progress.
    on_run : callable, default=None
        Called as ``on_run(run)`` with the :class:`RunResult` of each run as
        it finishes, e.g. to append it to a results file.

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
    ...                     Xs, y, Xt, yt, seeds=2, scoring={"errors": "errors", "acc": "accuracy"})
    >>> sorted(res), res["mean"].scores.shape, sorted(res["mean"].metrics)
    (['centralnet', 'mean'], (2,), ['acc', 'errors'])
    """
    if isinstance(seeds, numbers.Integral):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive int or a list of ints; got {seeds}.")
        seeds = list(range(int(seeds)))
    seeds = [int(s) for s in seeds]
    scorer, name = _scorer(scoring, next(iter(estimators.values())))
    results = {}
    outputs = _run_pool(
        ((key, estimators[key], seed, (X_train, y_train), (X_test, y_test), validation_data)
         for key in estimators for seed in seeds),
        scorer, n_jobs=n_jobs, torch_threads=torch_threads, keep=return_estimators,
        verbose=verbose)
    for run in outputs:
        results[run.name, run.seed] = run
        if on_result is not None:
            on_result(run.name, run.seed, run.score, run.fit_time)
        if on_run is not None:
            on_run(run)
    summary = {}
    for key in estimators:
        runs = [results[key, seed] for seed in seeds]
        metrics = {m: np.array([r.score[m] for r in runs]) for m in runs[0].score} \
            if isinstance(runs[0].score, dict) else None
        if metrics is not None:
            name = next(iter(metrics))
        scores = metrics[name] if metrics is not None else np.array([r.score for r in runs])
        mean, half = student_ci(scores, confidence)
        summary[key] = SeedScores(
            seeds=seeds, scores=scores, mean=mean, half_width=half, confidence=confidence,
            scoring=name, fit_times=np.array([r.fit_time for r in runs]),
            estimators=[r.estimator for r in runs] if return_estimators else None,
            metrics=metrics)
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
    from ._input import modality_index
    from ._modalities import Modalities, check_modalities
    if kind not in ("noise", "drop"):
        raise ValueError(f"kind must be 'noise' or 'drop'; got {kind!r}.")
    Xs = check_modalities(X)
    k = modality_index(modality, Xs.names)
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
