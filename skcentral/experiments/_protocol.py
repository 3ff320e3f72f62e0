"""Experiment protocols: data, backbones, per-method hyper-parameters, scorers.

An :class:`Experiment` holds everything that differs from one experiment
to another, so that the runner and the summary never ask which experiment
they run.
"""

from dataclasses import dataclass, field

import numpy as np

from .._input import modality_index
from ._registry import METHODS, check_method

__all__ = ["Data", "Experiment", "Run", "classification_scores", "f1_scores"]


@dataclass
class Data:
    """Training and test data of an experiment (and its validation split)."""

    Xs_train: list
    y_train: np.ndarray
    Xs_test: list
    y_test: np.ndarray
    modality_names: list
    valid: tuple = None
    description: str = ""


def _parse_setting(setting):
    """``"energy=0.5,share_ratio=0.9"`` (or a dict) as a dict of data parameters."""
    if isinstance(setting, dict):
        return dict(setting)
    out = {}
    for part in str(setting).split(","):
        key, eq, value = part.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise ValueError(f"A data setting is written key=value[,key=value], e.g. "
                             f"energy=0.5,share_ratio=0.9; got {setting!r}.")
        out[key.strip()] = value.strip()
    return out


def _same(value, wanted):
    """Whether a setting's value is the one asked for (numbers compared as numbers)."""
    try:
        return float(value) == float(wanted)
    except (TypeError, ValueError):
        return str(value) == str(wanted)


@dataclass
class Run:
    """One row of an experiment's table at one depth (one configuration)."""

    key: str                 # table row, e.g. "fusion_sum" or "unimodal:audio"
    method: str              # key of METHODS
    depth: object = None     # fusion depth of the layer-fusion methods
    params: dict = field(default_factory=dict)  # estimator parameters (JSON-able)
    variant: dict = field(default_factory=dict)  # data parameters (e.g. energy)

    @property
    def config(self):
        name = self.key if self.depth is None else f"{self.key}@{self.depth}"
        if self.variant:
            name += "|" + ",".join(f"{k}={v}" for k, v in sorted(self.variant.items()))
        return name


def classification_scores(estimator, X, y, *, macro=False, primary="errors"):
    """Errors (raw and per 10,000), accuracy % and, with ``macro``, macro accuracy %.

    ``primary`` comes first in the returned dict (the metric summarised).
    """
    from sklearn.metrics import balanced_accuracy_score
    pred, y = estimator.predict(X), np.asarray(y)
    errors = int(np.sum(pred != y))
    out = {"errors": errors, "n_test": int(len(y)),
           "errors_per_10000": errors * 10000.0 / len(y),
           "accuracy": 100.0 * (1 - errors / len(y))}
    if macro:
        out["macro_accuracy"] = 100.0 * float(balanced_accuracy_score(y, pred))
    return {primary: out.pop(primary), **out}


def f1_scores(estimator, X, y):
    """F1 micro, macro, weighted and samples of a multilabel prediction."""
    from sklearn.metrics import f1_score
    pred = estimator.predict(X)
    return {f"f1_{avg}": float(f1_score(np.asarray(y), pred, average=avg, zero_division=0))
            for avg in ("micro", "macro", "weighted", "samples")}


def early_stopping_monitor(params):
    """The value a run's early stopping monitors, and whether lower is better.

    ``params["early_stopping_monitor"]`` (default ``"valid_loss"``); a name
    ending in ``"_acc"`` is better when higher, any other when lower.
    """
    monitor = params.get("early_stopping_monitor", "valid_loss")
    return monitor, not monitor.endswith("_acc")


def _callbacks(params):
    """skorch callbacks of the protocol's schedule and early stopping.

    Keys (removed from ``params``): ``lr_decay`` (exponential decay per
    epoch); ``early_stopping_patience`` with ``early_stopping_monitor``
    (default ``"valid_loss"``; ``"valid_acc"`` stops on validation
    errors), the best epoch's parameters restored; ``lr_plateau_factor``
    and ``lr_plateau_patience``: the learning rate multiplied by the factor
    when the same monitored value has not improved for that many epochs.
    """
    callbacks = []
    monitor, lower_is_better = early_stopping_monitor(params)
    params.pop("early_stopping_monitor", None)
    if "lr_decay" in params:
        from skorch.callbacks import LRScheduler
        from torch.optim.lr_scheduler import ExponentialLR
        callbacks.append(LRScheduler(policy=ExponentialLR, gamma=params.pop("lr_decay")))
    if "lr_plateau_factor" in params:
        from skorch.callbacks import LRScheduler
        from torch.optim.lr_scheduler import ReduceLROnPlateau
        callbacks.append(LRScheduler(policy=ReduceLROnPlateau, monitor=monitor,
                                     mode="min" if lower_is_better else "max",
                                     factor=params.pop("lr_plateau_factor"),
                                     patience=params.pop("lr_plateau_patience", 1)))
    if "early_stopping_patience" in params:
        from skorch.callbacks import EarlyStopping
        callbacks.append(EarlyStopping(monitor=monitor, lower_is_better=lower_is_better,
                                       patience=params.pop("early_stopping_patience"),
                                       load_best=True))
    return callbacks


@dataclass
class Experiment:
    """An experiment: its data, networks, hyper-parameters, scores and paper figures.

    Parameters
    ----------
    name, title : str
    metric : str
        The metric summarised (a key of the scorer's dict).
    metric_label : str
    higher_is_better : bool
    defaults : dict
        The reduced protocol: ``epochs``, ``seeds``, ``train_size``,
        ``test_size``, ``depths``.
    paper_protocol : dict
        The paper's settings, recorded with every result.
    methods : tuple of str
        Default table rows: method names, or ``method:modality`` rows.
    load : callable
        ``load(opts, **variant)`` returns the :class:`Data`; ``opts`` holds
        ``train_size``, ``test_size``, ``data_home`` and ``cache``.
    backbone : callable
        ``backbone(dropout)`` returns the backbone spec (or one per modality).
    hyper : dict
        Estimator parameters of every method (``lr``, ``batch_size``), and
        the protocol's ``backbone_dropout``, ``lr_decay``,
        ``early_stopping_patience``, ``early_stopping_monitor``,
        ``lr_plateau_factor`` and ``lr_plateau_patience`` (the last four
        need a validation split in the data).
    method_hyper : dict of str to dict
        Per-method changes to ``hyper``.
    score : callable
        ``score(estimator, X, y)`` returns a dict of metrics.
    conv : bool
        Whether the networks are convolutional (channels-last applies).
    variants : list of dict
        Data parameters the whole table is repeated for (Figure 4).
    paper : dict
        The paper's figure per row (``None``: none comparable); a tuple per
        row with ``extra_metrics``.
    not_comparable : dict
        Rows whose paper figure was measured on another input than ours.
    extra_metrics : tuple of str
        Metrics shown side by side in the summary.
    labels : dict of str to str
        Row labels of this experiment where the method's own (its label in
        Table 2) does not fit, e.g. an ensemble of three networks.
    """

    name: str
    title: str
    metric: str
    metric_label: str
    higher_is_better: bool
    defaults: dict
    paper_protocol: dict
    methods: tuple
    load: object
    backbone: object
    hyper: dict
    score: object
    method_hyper: dict = field(default_factory=dict)
    conv: bool = False
    variants: list = field(default_factory=lambda: [{}])
    paper: dict = field(default_factory=dict)
    not_comparable: dict = field(default_factory=dict)
    extra_metrics: tuple = ()
    labels: dict = field(default_factory=dict)

    def params(self, method):
        """The hyper-parameters of ``method`` in this experiment (JSON-able)."""
        return {**self.hyper, **self.method_hyper.get(method, {})}

    def select_variants(self, settings):
        """The data settings among :attr:`variants` that match one of ``settings``.

        Parameters
        ----------
        settings : list of dict or str
            Each a dict of data parameters (``{"energy": 0.5}``) or a string
            ``"energy=0.5,share_ratio=0.9"``; a setting matches when it has
            those values, whatever its other parameters. ``None`` or empty:
            every setting.

        Returns
        -------
        list of dict
            The matching settings, in the experiment's order.
        """
        if not settings:
            return list(self.variants)
        keys = sorted({k for v in self.variants for k in v})
        if not keys:
            raise ValueError(f"{self.name} has no data settings to choose from; "
                             f"settings {list(settings)} given.")
        wanted = [_parse_setting(s) for s in settings]
        for w in wanted:
            unknown = sorted(set(w) - set(keys))
            if unknown:
                raise ValueError(f"{self.name}'s data settings have no {unknown}; their "
                                 f"parameters are {keys}.")
        chosen = [v for v in self.variants
                  if any(all(_same(v.get(k), x) for k, x in w.items()) for w in wanted)]
        if not chosen:
            raise ValueError(f"No data setting of {self.name} matches {list(settings)}; "
                             f"its settings are {self.variants}.")
        return chosen

    def runs(self, methods=None, depths=None):
        """The :class:`Run` list for table rows ``methods`` and fusion ``depths``.

        A row written ``"fusion_sum@0"`` runs a layer-fusion method at that
        depth alone, whatever ``depths`` says: one command can run each
        method at the depth where the paper has it best.
        """
        methods = list(self.methods if methods is None else methods)
        depths = self.defaults["depths"] if depths is None else depths
        if isinstance(depths, str):
            depths = [d for d in depths.split(",") if d.strip() != ""]
        depths = [int(d) for d in depths]
        runs = []
        for variant in self.variants:
            for entry in methods:
                key, at, depth = entry.partition("@")
                method = key.split(":")[0]
                if method not in METHODS:
                    raise ValueError(f"Unknown method {entry!r} for {self.name}; choose from "
                                     f"{list(self.methods)} or {sorted(METHODS)}.")
                if at and not METHODS[method].at_depth:
                    raise ValueError(f"{entry!r}: {method} has no fusion depth; write "
                                     f"{key!r} alone (only the layer-fusion methods take "
                                     "'@depth').")
                if at and not depth.strip().isdigit():
                    raise ValueError(f"{entry!r}: the depth after '@' must be a whole number "
                                     f">= 0, e.g. {key}@0; got {depth!r}.")
                params = self.params(method)
                if ":" in key:
                    params["modality"] = key.split(":", 1)[1]
                row_depths = [int(depth)] if at else depths
                for d in (row_depths if METHODS[method].at_depth else [None]):
                    runs.append(Run(key, method, d, dict(params), dict(variant)))
        return runs

    def build_estimator(self, run, opts, modality_names):
        """The estimator of one run, from the protocol and the options.

        ``opts`` holds ``epochs``, ``device``, ``precision``,
        ``channels_last`` and ``verbose``.
        """
        p = dict(run.params)
        kwargs = {"max_epochs": int(opts["epochs"]), "lr": p.pop("lr"),
                  "verbose": int(opts.get("verbose", 0)),
                  "batch_size": p.pop("batch_size"), "device": opts["device"],
                  "precision": opts["precision"],
                  "channels_last": bool(self.conv and opts.get("channels_last", True))}
        if "modality" in p:
            kwargs["modality"] = modality_index(p.pop("modality"), modality_names)
        callbacks = _callbacks(p)
        if callbacks:
            kwargs["callbacks"] = callbacks
        backbone = self.backbone(p.pop("backbone_dropout", 0.5))
        kwargs.update(p)  # the method's own parameters: p_drop, pos_weight, ...
        return check_method(run.method).make(backbone, run.depth, **kwargs)
