"""Reproduce the paper's experiments: protocols, a resumable runner and a summary.

``skcentral reproduce EXPERIMENT`` fits every (method, configuration,
seed) of an experiment, seeds in parallel, and appends each finished run
at once as one JSON line to a results file, with every option that
produced it. A rerun with the same options skips the runs already in the
file, so an interrupted reproduction resumes where it stopped;
``--fresh`` starts over. The summary table (the paper's figure beside
ours, mean +- 99% Student-t interval) is printed from the file, and with
``--summary-only`` without running anything.

Experiments (see ``docs/reproduction.rst``):

``mm-mnist``
    Table 2: multimodal MNIST (energy 0.5, share ratio 0.5), LeNet5 x3,
    lr 0.01, batch 128; ModDrop lr 0.05, p_drop 0.2; GMU dropout 0.25.
    Test errors counted out of 10,000 (scaled when a test subset is used).
``fig4``
    Figure 4: the same for energy in {0.1, 0.25, 0.5} at share ratio 0.5
    and share ratio in {0, 0.1, 0.5, 0.9} at energy 0.5, for a few methods.
``avmnist``
    Table 4: audiovisual MNIST, image ``LeNet5(n_stem=1)`` and audio
    ``AudioCNN``, lr 0.001; ModDrop lr 0.005, p_drop 0.32; GMU dropout 0.35.
``montalbano-synthetic``
    Table 5's protocol on :func:`~skcentral.datasets.make_montalbano_like`
    (synthetic): MLP 400x128, 128x42, 42x(classes), lr 0.05 decayed x0.96
    per epoch, batch 42, ModDrop p_drop 0.5; macro accuracy.
``mmimdb-synthetic``
    Table 7's protocol on :func:`~skcentral.datasets.make_mmimdb_like`
    (synthetic): MLP (Dense 2048, Dense 512, Table 6) on 4096-d inputs
    (text zero-padded), lr 0.01, batch 128, early stopping on the
    validation split, weighted loss (pos_weight 2), ModDrop p_drop 0.25;
    F1 micro / macro / weighted / samples.
``digits``
    A small offline check of the runner on scikit-learn's 8x8 digits.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["EXPERIMENTS", "PAPER", "add_parser", "read_results", "reproduce",
           "summarize"]

#: The paper's figures, per experiment and table row. ``None`` marks a row
#: without a comparable figure. Values for ``mmimdb-synthetic`` are
#: (micro, macro, weighted, samples) F1.
PAPER = {
    "mm-mnist": {
        "unimodal": 230, "ensemble": 64, "fusion_subtract": 64, "fusion_sum": 68,
        "fusion_product": 71, "fusion_ensemble_subtract": 63, "fusion_ensemble_sum": 56,
        "fusion_ensemble_product": 63, "concat_mt": 62, "moddrop": 60, "gmu": 68,
        "centralnet": 53, "weighted_mean": None, "concat": None,
    },
    "avmnist": {
        "unimodal:image": 72.8, "unimodal:audio": 86.1, "weighted_mean": 94.7,
        "concat": 93.7, "concat_mt": 94.8, "moddrop": 94.8, "gmu": 94.1,
        "centralnet": 95.0,
    },
    "montalbano-synthetic": {
        "unimodal:left_hand": 46.0, "unimodal:audio": 59.3, "unimodal:right_hand": 79.0,
        "unimodal:mocap": 88.0, "weighted_mean": 97.54, "concat": 97.76,
        "concat_mt": 98.02, "moddrop": 98.19, "gmu": 97.98, "centralnet": 98.27,
    },
    "mmimdb-synthetic": {
        "unimodal:text": (0.602, 0.489, 0.585, 0.606),
        "unimodal:visual": (0.478, 0.256, 0.421, 0.484),
        "weighted_mean": (0.635, 0.550, 0.626, 0.634),
        "concat": (0.611, 0.506, 0.599, 0.614),
        "concat_mt": (0.623, 0.528, 0.613, 0.622),
        "moddrop": (0.624, 0.526, 0.614, 0.625),
        "gmu": (0.630, 0.541, 0.617, 0.630),
        "centralnet": (0.639, 0.561, 0.631, 0.639),
    },
    "fig4": {}, "digits": {},
}

#: Rows whose paper figure was measured on another input than ours
#: (shown, but left out of the rank comparison).
NOT_COMPARABLE = {
    "mm-mnist": {"ensemble": "paper: 2 LeNet5 on the original images, ours: one per modality"},
}


# ----------------------------------------------------------------------------
# protocols


@dataclass
class Run:
    """One row of an experiment's table at one depth (one configuration)."""

    key: str                 # table row, e.g. "fusion_sum" or "unimodal:audio"
    method: str              # key of skcentral.experiments.METHODS
    depth: object = None     # fusion depth of the layer-fusion methods
    params: dict = field(default_factory=dict)  # estimator parameters (JSON-able)
    variant: dict = field(default_factory=dict)  # data parameters (fig4)

    @property
    def config(self):
        name = self.key if self.depth is None else f"{self.key}@{self.depth}"
        if self.variant:
            name += "|" + ",".join(f"{k}={v}" for k, v in sorted(self.variant.items()))
        return name


@dataclass
class Experiment:
    name: str
    title: str
    metric: str               # primary metric (a key of the scorer's dict)
    metric_label: str
    higher_is_better: bool
    defaults: dict            # the reduced protocol (see docs/reproduction.rst)
    paper_protocol: dict      # the paper's settings, recorded for reference
    methods: tuple            # default table rows (METHODS keys or unimodal:<m>)
    extra_metrics: tuple = ()


_MM_METHODS = ("unimodal", "ensemble", "fusion_subtract", "fusion_sum", "fusion_product",
               "fusion_ensemble_subtract", "fusion_ensemble_sum", "fusion_ensemble_product",
               "concat_mt", "moddrop", "gmu", "centralnet")
_SCORE_FUSION = ("weighted_mean", "concat", "concat_mt", "moddrop", "gmu", "centralnet")

EXPERIMENTS = {
    "mm-mnist": Experiment(
        "mm-mnist", "Multimodal MNIST, Table 2 (errors out of 10,000)",
        "errors_per_10000", "errors /10000", False,
        dict(epochs=5, seeds=3, train_size=5000, test_size=10000, depths="0,2"),
        dict(epochs=100, seeds=64, train_size=55000, test_size=10000, depths="0,1,2,3,4"),
        _MM_METHODS),
    "fig4": Experiment(
        "fig4", "Multimodal MNIST, Figure 4 (errors out of 10,000 per energy / share ratio)",
        "errors_per_10000", "errors /10000", False,
        dict(epochs=3, seeds=2, train_size=3000, test_size=5000, depths="0"),
        dict(epochs=100, seeds=64, train_size=55000, test_size=10000, depths="0,1,2,3,4"),
        ("unimodal", "ensemble", "fusion_ensemble_sum", "centralnet")),
    "avmnist": Experiment(
        "avmnist", "Audiovisual MNIST, Table 4 (accuracy %)",
        "accuracy", "accuracy %", True,
        dict(epochs=3, seeds=2, train_size=3000, test_size=2000, depths="0"),
        dict(epochs=100, seeds=None, train_size=55000, test_size=10000, depths=None),
        ("unimodal:image", "unimodal:audio") + _SCORE_FUSION),
    "montalbano-synthetic": Experiment(
        "montalbano-synthetic", "SYNTHETIC Montalbano-shaped data, Table 5 protocol "
        "(macro accuracy %)", "macro_accuracy", "macro accuracy %", True,
        dict(epochs=20, seeds=3, train_size=3000, test_size=2000, depths="0"),
        dict(epochs=100, seeds=None, train_size=None, test_size=None, depths=None),
        ("unimodal:left_hand", "unimodal:audio", "unimodal:right_hand", "unimodal:mocap")
        + _SCORE_FUSION),
    "mmimdb-synthetic": Experiment(
        "mmimdb-synthetic", "SYNTHETIC MM-IMDb-shaped data, Table 7 protocol (F1)",
        "f1_micro", "F1 micro", True,
        dict(epochs=15, seeds=3, train_size=2000, test_size=1000, depths="0"),
        dict(epochs=None, seeds=None, train_size=15552, test_size=7799, depths=None),
        ("unimodal:text", "unimodal:visual") + _SCORE_FUSION,
        extra_metrics=("f1_micro", "f1_macro", "f1_weighted", "f1_samples")),
    "digits": Experiment(
        "digits", "scikit-learn digits, offline check of the runner (errors)",
        "errors", "errors", False,
        dict(epochs=2, seeds=2, train_size=400, test_size=200, depths="0"),
        dict(epochs=None, seeds=None, train_size=None, test_size=None, depths=None),
        ("unimodal", "fusion_sum", "centralnet")),
}

FIG4_VARIANTS = ([{"energy": e, "share_ratio": 0.5} for e in (0.1, 0.25, 0.5)]
                 + [{"energy": 0.5, "share_ratio": s} for s in (0.0, 0.1, 0.9)])


def _hyper(experiment, method):
    """The paper's hyper-parameters of ``method`` in ``experiment`` (JSON-able)."""
    if experiment in ("mm-mnist", "fig4"):
        p = {"lr": 0.01, "batch_size": 128}
        if method == "moddrop":
            p.update(lr=0.05, p_drop=0.2)
        if method == "gmu":
            p["backbone_dropout"] = 0.25
    elif experiment == "avmnist":
        p = {"lr": 0.001, "batch_size": 128}
        if method == "moddrop":
            p.update(lr=0.005, p_drop=0.32)
        if method == "gmu":
            p["backbone_dropout"] = 0.35
    elif experiment == "montalbano-synthetic":
        p = {"lr": 0.05, "batch_size": 42, "lr_decay": 0.96}
        if method == "moddrop":
            p["p_drop"] = 0.5
    elif experiment == "mmimdb-synthetic":
        p = {"lr": 0.01, "batch_size": 128, "early_stopping_patience": 5, "pos_weight": 2.0}
        if method == "moddrop":
            p["p_drop"] = 0.25
    else:  # digits
        p = {"lr": 0.01, "batch_size": 64}
    return p


def experiment_runs(experiment, methods=None, depths=None):
    """The :class:`Run` list of ``experiment`` for table rows ``methods``."""
    from .experiments import METHODS
    exp = EXPERIMENTS[experiment]
    methods = list(exp.methods if methods is None else methods)
    depths = [int(d) for d in str(exp.defaults["depths"] if depths is None else depths)
              .split(",") if str(d).strip() != ""]
    variants = FIG4_VARIANTS if experiment == "fig4" else [{}]
    runs = []
    for variant in variants:
        for key in methods:
            method = key.split(":")[0]
            if method not in METHODS:
                raise ValueError(f"Unknown method {key!r} for {experiment}; choose from "
                                 f"{list(exp.methods)} or {sorted(METHODS)}.")
            params = _hyper(experiment, method)
            if ":" in key:
                params["modality"] = key.split(":", 1)[1]
            for d in (depths if METHODS[method][3] else [None]):
                runs.append(Run(key, method, d, dict(params), dict(variant)))
    return runs


def _backbone(experiment, params):
    from .backbones import AudioCNN, LeNet5, MLP
    drop = params.get("backbone_dropout", 0.5)
    if experiment in ("mm-mnist", "fig4", "digits"):
        return LeNet5(dropout=drop) if experiment != "digits" else \
            LeNet5(channels=(8, 16), dense=32, dropout=drop)
    if experiment == "avmnist":
        return [LeNet5(n_stem=1, dropout=drop), AudioCNN(dropout=drop)]
    if experiment == "montalbano-synthetic":
        return MLP((128, 42), dropout=drop)
    return MLP((2048, 512), dropout=drop)  # mmimdb-synthetic (Table 6)


def build_estimator(experiment, run, opts, modality_names):
    """The estimator of one run, from the protocol and the command's options."""
    from .experiments import make_method
    p = dict(run.params)
    kwargs = {"max_epochs": int(opts["epochs"]), "lr": p.pop("lr"),
              "batch_size": p.pop("batch_size"), "device": opts["device"],
              "precision": opts["precision"]}
    conv = experiment in ("mm-mnist", "fig4", "avmnist", "digits")
    kwargs["channels_last"] = bool(conv and opts.get("channels_last", True))
    if "p_drop" in p:
        kwargs["p_drop"] = p.pop("p_drop")
    if "modality" in p:
        kwargs["modality"] = modality_names.index(p.pop("modality"))
    elif run.method == "unimodal":
        kwargs["modality"] = 0
    callbacks = []
    if "lr_decay" in p:
        from skorch.callbacks import LRScheduler
        from torch.optim.lr_scheduler import ExponentialLR
        callbacks.append(LRScheduler(policy=ExponentialLR, gamma=p.pop("lr_decay")))
    if "early_stopping_patience" in p:
        from skorch.callbacks import EarlyStopping
        callbacks.append(EarlyStopping(patience=p.pop("early_stopping_patience"),
                                       load_best=True))
    if "pos_weight" in p:
        kwargs["pos_weight"] = p.pop("pos_weight")
    if callbacks:
        kwargs["callbacks"] = callbacks
    return make_method(run.method, _backbone(experiment, p), run.depth, **kwargs)


# ----------------------------------------------------------------------------
# data


@dataclass
class Data:
    Xs_train: list
    y_train: np.ndarray
    Xs_test: list
    y_test: np.ndarray
    modality_names: list
    valid: tuple = None
    description: str = ""


def _subset(n, size, seed=0):
    """Indices of a fixed random subset of ``size`` out of ``n`` (all if None)."""
    if size is None or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).permutation(n)[:int(size)])


def load_data(experiment, opts, variant=None):
    """Training and test data of ``experiment`` under the command's options."""
    variant = variant or {}
    n_tr, n_te = opts.get("train_size"), opts.get("test_size")
    home, cache = opts.get("data_home"), opts.get("cache", True)
    if experiment in ("mm-mnist", "fig4"):
        from .datasets import load_multimodal_mnist
        d = load_multimodal_mnist(energy=variant.get("energy", 0.5),
                                  share_ratio=variant.get("share_ratio", 0.5),
                                  random_state=0, data_home=home, cache=cache)
        i, j = _subset(len(d.y_train), n_tr), _subset(len(d.y_test), n_te)
        return Data([x[i] for x in d.Xs_train], d.y_train[i], [x[j] for x in d.Xs_test],
                    d.y_test[j], list(d.modality_names), description=d.DESCR)
    if experiment == "avmnist":
        from .datasets import load_avmnist
        d = load_avmnist(data_home=home, cache=cache, n_train=n_tr or 55000,
                         n_test=n_te or 10000, random_state=0)
        return Data(d.Xs_train, d.y_train, d.Xs_test, d.y_test, list(d.modality_names),
                    description=d.DESCR)
    if experiment == "montalbano-synthetic":
        from .datasets import make_montalbano_like
        n_tr, n_te = n_tr or 3000, n_te or 2000
        d = make_montalbano_like(n_tr + n_te, random_state=0)
        return Data([x[:n_tr] for x in d.Xs], d.y[:n_tr], [x[n_tr:] for x in d.Xs],
                    d.y[n_tr:], list(d.modality_names), description=d.DESCR)
    if experiment == "mmimdb-synthetic":
        from .datasets import make_mmimdb_like
        n_tr, n_te = n_tr or 2000, n_te or 1000
        n_va = max(n_tr // 6, 10)  # the paper's validation is 1/6 of its training set
        d = make_mmimdb_like(n_tr + n_va + n_te, random_state=0,
                             visual_features=opts.get("visual_features", 4096))
        width = max(x.shape[1] for x in d.Xs)
        Xs = [np.pad(x, ((0, 0), (0, width - x.shape[1]))) for x in d.Xs]  # zero-pad text
        a, b = n_tr, n_tr + n_va
        return Data([x[:a] for x in Xs], d.y[:a], [x[b:] for x in Xs], d.y[b:],
                    list(d.modality_names), valid=([x[a:b] for x in Xs], d.y[a:b]),
                    description=d.DESCR)
    if experiment == "digits":
        from .datasets import load_multimodal_digits
        Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
        i, j = _subset(len(y), n_tr), _subset(len(yt), n_te)
        return Data([x[i] for x in Xs], y[i], [x[j] for x in Xt], yt[j], ["a", "b"],
                    description="scikit-learn digits, PCA split (energy 0.5, share 0.5)")
    raise ValueError(f"Unknown experiment {experiment!r}; choose from {sorted(EXPERIMENTS)}.")


def score_all(experiment, estimator, Xs, y):
    """Every metric of ``experiment`` for a fitted estimator (JSON-able dict)."""
    from sklearn.metrics import balanced_accuracy_score, f1_score
    pred = estimator.predict(Xs)
    y = np.asarray(y)
    if experiment == "mmimdb-synthetic":
        return {f"f1_{avg}": float(f1_score(y, pred, average=avg, zero_division=0))
                for avg in ("micro", "macro", "weighted", "samples")}
    errors = int(np.sum(pred != y))
    out = {"errors": errors, "n_test": int(len(y)),
           "errors_per_10000": errors * 10000.0 / len(y),
           "accuracy": 100.0 * (1 - errors / len(y))}
    if experiment == "montalbano-synthetic":
        out["macro_accuracy"] = 100.0 * float(balanced_accuracy_score(y, pred))
    return out


def _fit_one(experiment, estimator, seed, data, torch_threads, tag):
    import torch
    from sklearn.base import clone
    previous = torch.get_num_threads()
    if torch_threads:
        torch.set_num_threads(torch_threads)
    try:
        # joblib hands large arrays to workers as read-only memory maps
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        est = clone(estimator).set_params(random_state=seed)
        t0 = time.perf_counter()
        if data.valid is not None:
            est.fit(data.Xs_train, data.y_train, validation_data=data.valid)
        else:
            est.fit(data.Xs_train, data.y_train)
        fit_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        scores = score_all(experiment, est, data.Xs_test, data.y_test)
        score_time = time.perf_counter() - t0
        epochs = len(est.history) if getattr(est, "history", None) is not None else None
    finally:
        torch.set_num_threads(previous)
    return scores, fit_time, score_time, epochs, tag


# ----------------------------------------------------------------------------
# results file


def _protocol(experiment, opts):
    """The options that define a result (a rerun with the same ones resumes)."""
    return {"experiment": experiment, "epochs": int(opts["epochs"]),
            "train_size": opts.get("train_size"), "test_size": opts.get("test_size"),
            "device": str(opts.get("device", "cpu")), "precision": opts.get("precision"),
            "channels_last": bool(opts.get("channels_last", True))}


def _run_key(record):
    proto = record.get("protocol", {})
    return (json.dumps(proto, sort_keys=True), record.get("config"), int(record.get("seed")))


def read_results(path):
    """Records of a results file; unreadable lines (an interrupted write) are skipped.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    list of dict

    Examples
    --------
    >>> import tempfile, os, warnings
    >>> from skcentral.reproduce import read_results
    >>> path = os.path.join(tempfile.mkdtemp(), "r.jsonl")
    >>> with open(path, "w") as f:
    ...     _ = f.write('{"config": "a", "seed": 0}\\n{"config": "b", "se')
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     records = read_results(path)
    >>> [r["config"] for r in records], "unreadable" in str(caught[0].message)
    (['a'], True)
    """
    path = Path(path)
    if not path.exists():
        return []
    records, bad = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            if isinstance(rec, dict):
                records.append(rec)
            else:
                bad += 1
    if bad:
        warnings.warn(f"{path}: skipped {bad} unreadable line(s) (an interrupted run?).",
                      stacklevel=2)
    return records


class _Appender:
    """Append one JSON line per record, flushed at once; repairs a cut last line."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and self.path.stat().st_size:
            with open(self.path, "rb") as f:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    with open(self.path, "a", encoding="utf-8") as g:
                        g.write("\n")  # the cut line stays unreadable, the next ones parse

    def __call__(self, record):
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())


# ----------------------------------------------------------------------------
# runner


def _version():
    from . import __version__
    return __version__


def reproduce(experiment, *, epochs=None, seeds=None, train_size=None, test_size=None,
              methods=None, depths=None, n_jobs=1, device="cpu", precision="bf16",
              channels_last=True, data_home=None, cache=True, results=None, fresh=False,
              torch_threads=1, out=None):
    """Run ``experiment``'s reduced protocol, appending each finished run to ``results``.

    Runs already in the file with the same options are skipped (resume).

    Parameters
    ----------
    experiment : str
        A key of :data:`EXPERIMENTS`.
    epochs, seeds, train_size, test_size : int, default=None
        ``None`` takes the experiment's reduced protocol (its
        ``defaults``); ``seeds`` is a count (seeds ``0 .. seeds - 1``) or a
        list.
    methods : list of str, default=None
        Table rows (default: the experiment's).
    depths : str or list of int, default=None
        Fusion depths of the layer-fusion methods (``"0,2"``).
    n_jobs : int, default=1
        Parallel runs (each with ``torch_threads`` torch threads).
    device, precision, channels_last
        Passed to every estimator.
    data_home, cache
        Passed to the data loaders.
    results : str or path-like, default=None
        The JSON-lines file (default ``docs/results/<experiment>.jsonl``).
    fresh : bool, default=False
        Empty the file first.
    torch_threads : int, default=1
    out : file, default=sys.stdout
        Where progress goes.

    Returns
    -------
    list of dict
        The records written by this call.

    Examples
    --------
    >>> import tempfile, os, io
    >>> from skcentral.reproduce import reproduce, summarize
    >>> path = os.path.join(tempfile.mkdtemp(), "digits.jsonl")
    >>> new = reproduce("digits", epochs=1, seeds=1, train_size=200, test_size=100,
    ...                 methods=["unimodal"], results=path, precision="fp32",
    ...                 out=io.StringIO())
    >>> len(new), sorted(new[0]["scores"])
    (1, ['accuracy', 'errors', 'errors_per_10000', 'n_test'])
    >>> reproduce("digits", epochs=1, seeds=1, train_size=200, test_size=100,
    ...           methods=["unimodal"], results=path, precision="fp32", out=io.StringIO())
    []
    """
    from joblib import Parallel, delayed
    out = sys.stdout if out is None else out
    exp = EXPERIMENTS[experiment]
    d = exp.defaults
    seeds = d["seeds"] if seeds is None else seeds
    seeds = list(range(int(seeds))) if np.isscalar(seeds) else [int(s) for s in seeds]
    opts = {"epochs": d["epochs"] if epochs is None else int(epochs),
            "train_size": d["train_size"] if train_size is None else int(train_size),
            "test_size": d["test_size"] if test_size is None else int(test_size),
            "device": device, "precision": precision, "channels_last": bool(channels_last),
            "data_home": None if data_home is None else str(data_home), "cache": cache}
    path = Path(results or default_results(experiment))
    if fresh and path.exists():
        path.unlink()
    append = _Appender(path)
    protocol = _protocol(experiment, opts)
    done = {_run_key(r) for r in read_results(path)}
    runs = experiment_runs(experiment, methods, depths)
    todo = [(run, s) for run in runs for s in seeds
            if _run_key({"protocol": protocol, "config": run.config, "seed": s}) not in done]
    n_skip = len(runs) * len(seeds) - len(todo)
    print(f"{exp.title}\n  {len(runs)} configurations x {len(seeds)} seeds; "
          f"{n_skip} already in {path}, {len(todo)} to run on {n_jobs} job(s); "
          f"options {protocol}", file=out, flush=True)
    if not todo:
        return []
    common = {
        "package_version": _version(), "python": platform.python_version(),
        "seeds": seeds, "n_jobs": n_jobs, "depths": depths if depths is None else str(depths),
        "paper_protocol": exp.paper_protocol,
    }
    try:
        import torch
        common["torch_version"] = torch.__version__
    except ImportError:  # pragma: no cover
        pass
    written, t_start, n_done = [], time.perf_counter(), 0
    by_variant = {}
    for run, s in todo:
        by_variant.setdefault(json.dumps(run.variant, sort_keys=True), []).append((run, s))
    for vkey, jobs in by_variant.items():
        variant = json.loads(vkey)
        t0 = time.perf_counter()
        data = load_data(experiment, opts, variant)
        print(f"  data{' ' + vkey if variant else ''}: {len(data.y_train)} train / "
              f"{len(data.y_test)} test ({time.perf_counter() - t0:.0f} s to load)",
              file=out, flush=True)
        estimators = {run.config: build_estimator(experiment, run, opts, data.modality_names)
                      for run, _ in jobs}
        runs_by_config = {run.config: run for run, _ in jobs}
        outputs = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(_fit_one)(experiment, estimators[run.config], s, data, torch_threads,
                              (run.config, s))
            for run, s in jobs)
        for scores, fit_time, score_time, n_epochs, (config, s) in outputs:
            run = runs_by_config[config]
            record = {
                "experiment": experiment, "config": config, "row": run.key,
                "method": run.method, "depth": run.depth, "variant": run.variant,
                "seed": s, "metric": exp.metric, "score": scores[exp.metric],
                "scores": scores, "fit_time": round(fit_time, 3),
                "score_time": round(score_time, 3), "epochs_run": n_epochs,
                "params": run.params, "protocol": protocol,
                "n_train": int(len(data.y_train)), "n_test": int(len(data.y_test)),
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
                    timespec="seconds"),
                **common,
            }
            append(record)
            written.append(record)
            n_done += 1
            elapsed = time.perf_counter() - t_start
            eta = elapsed / n_done * (len(todo) - n_done)
            print(f"  [{n_done:3d}/{len(todo)}] {config:34s} seed {s}: "
                  f"{exp.metric_label} {scores[exp.metric]:8.2f}  (fit {fit_time:6.1f} s; "
                  f"{elapsed / 60:5.1f} min, ~{eta / 60:.0f} min left)", file=out, flush=True)
    return written


def default_results(experiment):
    """``docs/results/<experiment>.jsonl``."""
    return Path("docs") / "results" / f"{experiment}.jsonl"


# ----------------------------------------------------------------------------
# summary


def _ci(values):
    from .model_selection import student_ci
    return student_ci(values, confidence=0.99)


def _fmt(mean, half, digits):
    if half != half:  # NaN: one seed
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} +- {half:.{digits}f}"


def summary_rows(records, experiment, metric=None):
    """Per table row (and fig4 variant): mean, CI, seeds, best depth.

    Returns a list of dicts with ``row``, ``variant``, ``depth`` (the best,
    for layer fusion), ``mean``, ``half_width``, ``n``, ``depths`` (mean per
    depth), ``metrics`` (mean of every metric at the best depth).
    """
    exp = EXPERIMENTS[experiment]
    metric = metric or exp.metric
    groups = {}
    for r in records:
        vkey = json.dumps(r.get("variant") or {}, sort_keys=True)
        groups.setdefault((r["row"], vkey), {}).setdefault(r.get("depth"), {})[r["seed"]] = r
    rows = []
    for (row, vkey), by_depth in groups.items():
        means = {d: float(np.mean([x["scores"][metric] for x in recs.values()]))
                 for d, recs in by_depth.items()}
        pick = max if exp.higher_is_better else min
        best = pick(means, key=lambda d: means[d])
        recs = list(by_depth[best].values())
        mean, half = _ci([x["scores"][metric] for x in recs])
        metrics = {m: _ci([x["scores"][m] for x in recs]) for m in recs[0]["scores"]}
        rows.append({"row": row, "variant": json.loads(vkey), "depth": best, "mean": mean,
                     "half_width": half, "n": len(recs),
                     "depths": {d: means[d] for d in sorted(means, key=lambda d: (d is None, d))},
                     "metrics": metrics, "fit_time": float(np.mean([x["fit_time"]
                                                                    for x in recs]))})
    return rows


def _order(rows, experiment):
    order = list(EXPERIMENTS[experiment].methods)
    return sorted(rows, key=lambda r: (order.index(r["row"]) if r["row"] in order
                                       else len(order), r["row"]))


def rank_agreement(ours, paper, higher_is_better):
    """Spearman correlation of two ``{row: figure}`` dicts and the pairs whose order inverts.

    Examples
    --------
    >>> from skcentral.reproduce import rank_agreement
    >>> rho, inverted = rank_agreement({"a": 1, "b": 2, "c": 4}, {"a": 1, "b": 3, "c": 2},
    ...                                higher_is_better=False)
    >>> round(rho, 2), inverted
    (0.5, [('c', 'b')])
    """
    from scipy.stats import spearmanr
    keys = [k for k in ours if paper.get(k) is not None]
    if len(keys) < 2:
        return float("nan"), []
    rho = spearmanr([ours[k] for k in keys], [paper[k] for k in keys]).statistic
    sign = 1 if higher_is_better else -1
    inverted = []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            p, o = sign * (paper[a] - paper[b]), sign * (ours[a] - ours[b])
            if p * o < 0:  # paper says one is better, ours the other
                inverted.append((a, b) if p > 0 else (b, a))  # (paper's better, ours' better)
    return float(rho), inverted


def summarize(experiment, results=None, *, epochs=None, train_size=None, test_size=None,
              device="cpu", precision="bf16", channels_last=True, all_protocols=False,
              out=None):
    """Print the summary table of ``experiment`` from its results file.

    Only records made with the given options are used (the same that
    :func:`reproduce` takes; ``None`` = the reduced protocol), unless
    ``all_protocols``. Returns the rows (see :func:`summary_rows`).
    """
    out = sys.stdout if out is None else out
    exp = EXPERIMENTS[experiment]
    d = exp.defaults
    opts = {"epochs": d["epochs"] if epochs is None else int(epochs),
            "train_size": d["train_size"] if train_size is None else int(train_size),
            "test_size": d["test_size"] if test_size is None else int(test_size),
            "device": device, "precision": precision, "channels_last": channels_last}
    path = Path(results or default_results(experiment))
    records = [r for r in read_results(path) if r.get("experiment") == experiment]
    protocol = _protocol(experiment, opts)
    if not all_protocols:
        others = {json.dumps(r.get("protocol"), sort_keys=True) for r in records
                  if r.get("protocol") != protocol}
        records = [r for r in records if r.get("protocol") == protocol]
        if others and not records:
            print(f"No results in {path} with options {protocol}; the file holds "
                  f"results for: " + "; ".join(sorted(others)), file=out)
    if not records:
        print(f"No results for {experiment} in {path}.", file=out)
        return []
    rows = _order(summary_rows(records, experiment), experiment)
    paper = PAPER.get(experiment, {})
    seeds = sorted({r["seed"] for r in records})
    print(f"\n{exp.title}\nfrom {path}: {len(records)} runs; options {protocol}; "
          f"seeds {seeds}; mean +- 99% Student-t CI over seeds\n", file=out)
    if experiment == "fig4":
        _print_fig4(rows, out)
        return rows
    if experiment == "mmimdb-synthetic":
        names = exp.extra_metrics
        head = f"{'Method':26s} " + " ".join(f"{m[3:]:>20s}" for m in names) + "   n"
        print(head + "\n" + "-" * len(head), file=out)
        for r in rows:
            p = paper.get(r["row"])
            cells = []
            for i, m in enumerate(names):
                mean, half = r["metrics"][m]
                ref = f"{p[i]:.3f}" if p else "-"
                cells.append(f"{ref} | {_fmt(mean, half, 3):>13s}")
            print(f"{r['row']:26s} " + " ".join(f"{c:>20s}" for c in cells)
                  + f" {r['n']:3d}", file=out)
        print("(each cell: paper | ours)", file=out)
        for i, m in enumerate(names):
            ours = {r["row"]: r["metrics"][m][0] for r in rows}
            ref = {k: v[i] for k, v in paper.items() if v is not None}
            _print_agreement(ours, ref, True, out, label=m)
        return rows
    head = (f"{'Method':26s} {'Paper':>7s} {'Ours (' + exp.metric_label + ')':>22s} "
            f"{'n':>3s} {'Depth':>5s}  all depths")
    print(head + "\n" + "-" * (len(head) + 10), file=out)
    for r in rows:
        p = paper.get(r["row"])
        note = "*" if r["row"] in NOT_COMPARABLE.get(experiment, {}) else ""
        ref = "-" if p is None else f"{p:g}{note}"
        depth = "-" if r["depth"] is None else str(r["depth"])
        alld = ", ".join(f"{k}: {v:.1f}" for k, v in r["depths"].items()) \
            if r["depth"] is not None else ""
        print(f"{r['row']:26s} {ref:>7s} {_fmt(r['mean'], r['half_width'], 2):>22s} "
              f"{r['n']:3d} {depth:>5s}  {alld}", file=out)
    for k, why in NOT_COMPARABLE.get(experiment, {}).items():
        print(f"* {k}: {why}; left out of the rank comparison", file=out)
    ours = {r["row"]: r["mean"] for r in rows}
    ref = {k: v for k, v in paper.items()
           if v is not None and k not in NOT_COMPARABLE.get(experiment, {})}
    _print_agreement(ours, ref, exp.higher_is_better, out, label=exp.metric_label)
    return rows


def _print_agreement(ours, paper, higher, out, label):
    rho, inverted = rank_agreement(ours, paper, higher)
    n = len([k for k in ours if paper.get(k) is not None])
    if n < 2:
        return
    pairs = n * (n - 1) // 2
    print(f"\nOrdering vs the paper ({label}): Spearman rho = {rho:.2f} over {n} methods; "
          f"{len(inverted)} of {pairs} pairs inverted", file=out)
    for a, b in inverted:
        print(f"  paper: {a} better than {b}; ours: the reverse", file=out)
    fusion = {k: v for k, v in ours.items() if not k.startswith("unimodal")}
    nf = len([k for k in fusion if paper.get(k) is not None])
    if 2 < nf < n:
        rho_f, inv_f = rank_agreement(fusion, paper, higher)
        print(f"  fusion methods only (no unimodal rows): Spearman rho = {rho_f:.2f} over "
              f"{nf} methods; {len(inv_f)} of {nf * (nf - 1) // 2} pairs inverted", file=out)


def _print_fig4(rows, out):
    cols = [json.dumps(v, sort_keys=True) for v in FIG4_VARIANTS]
    labels = [f"e={v['energy']},s={v['share_ratio']}" for v in FIG4_VARIANTS]
    table = {}
    for r in rows:
        table.setdefault(r["row"], {})[json.dumps(r["variant"], sort_keys=True)] = r
    print(f"{'Method':22s} " + " ".join(f"{lab:>15s}" for lab in labels), file=out)
    print("-" * (23 + 16 * len(labels)), file=out)
    for row, by_v in table.items():
        cells = []
        for c in cols:
            r = by_v.get(c)
            cells.append("-" if r is None else _fmt(r["mean"], r["half_width"], 0)
                         + ("" if r["depth"] is None else f"@{r['depth']}"))
        print(f"{row:22s} " + " ".join(f"{c:>15s}" for c in cells), file=out)
    best = {}
    for c, lab in zip(cols, labels):
        cand = {row: by_v[c]["mean"] for row, by_v in table.items() if c in by_v}
        if cand:
            best[lab] = min(cand, key=cand.get)
    print("\nBest method per setting: " + "; ".join(f"{k}: {v}" for k, v in best.items()),
          file=out)


# ----------------------------------------------------------------------------
# command line


def _main(args):
    kw = dict(epochs=args.epochs, train_size=args.train_size, test_size=args.test_size,
              device=args.device, precision=args.precision,
              channels_last=not args.no_channels_last)
    results = args.results or default_results(args.experiment)
    if not args.summary_only:
        methods = args.methods.split(",") if args.methods else None
        cache = args.cache if args.cache is not None else True
        reproduce(args.experiment, seeds=args.seeds, methods=methods, depths=args.depths,
                  n_jobs=args.n_jobs, data_home=args.data_home, cache=cache,
                  results=results, fresh=args.fresh, **kw)
    summarize(args.experiment, results, all_protocols=args.all_protocols, **kw)
    return 0


def add_parser(subparsers):
    """Register the ``reproduce`` subcommand on an argparse ``subparsers`` object.

    Examples
    --------
    >>> import argparse
    >>> from skcentral.reproduce import add_parser
    >>> parser = argparse.ArgumentParser(prog="skcentral")
    >>> p = add_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["reproduce", "mm-mnist", "--epochs", "2"])
    >>> args.experiment, args.epochs, args.seeds
    ('mm-mnist', 2, None)
    """
    lines = [f"  {k}: {v.title}; reduced protocol {v.defaults}"
             for k, v in EXPERIMENTS.items()]
    p = subparsers.add_parser(
        "reproduce", help="run the paper's experiments (reduced protocols), resumable",
        description="Run one of the paper's experiments, appending every finished run to "
                    "a JSON-lines results file, then print the summary table beside the "
                    "paper's figures. Options left out take the experiment's reduced "
                    "protocol:\n" + "\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("experiment", choices=list(EXPERIMENTS))
    p.add_argument("--epochs", type=int, default=None, help="training epochs per run")
    p.add_argument("--seeds", type=int, default=None, help="seeds per configuration")
    p.add_argument("--train-size", type=int, default=None,
                   help="training samples (a fixed random subset)")
    p.add_argument("--test-size", type=int, default=None,
                   help="test samples (a fixed random subset; mm-mnist errors are scaled "
                        "to /10000)")
    p.add_argument("--methods", default=None,
                   help="comma-separated table rows (default: the paper's table)")
    p.add_argument("--depths", default=None,
                   help="fusion depths of the layer-fusion methods, e.g. 0,2")
    p.add_argument("--n-jobs", type=int, default=2, help="parallel runs (default: 2)")
    p.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    p.add_argument("--precision", default="bf16", choices=["fp32", "bf16", "fp16"],
                   help="autocast precision (default: bf16)")
    p.add_argument("--no-channels-last", action="store_true",
                   help="do not use the channels-last memory format")
    p.add_argument("--data-home", default=None, help="data folder of the loaders")
    p.add_argument("--cache", default=None,
                   help="writable folder for the built data sets (default: <data-home>/cache)")
    p.add_argument("--results", default=None,
                   help="JSON-lines results file (default: docs/results/<experiment>.jsonl)")
    p.add_argument("--fresh", action="store_true", help="empty the results file first")
    p.add_argument("--summary-only", action="store_true",
                   help="print the summary table from the results file; run nothing")
    p.add_argument("--all-protocols", action="store_true",
                   help="summarise every record in the file, whatever its options")
    p.set_defaults(func=_main)
    return p
