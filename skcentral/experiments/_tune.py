"""Choosing each method's learning rate on an experiment's validation split."""

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from ._protocol import Data
from ._store import protocol_of, protocol_options, reached_epoch_cap, read_results
from ._summary import _experiment

__all__ = ["tune_lr"]


def _validation_as_test(load, name):
    """``load`` with the validation split in the place of the test split."""
    def load_valid(opts, **variant):
        data = load(opts, **variant)
        if data.valid is None:
            raise ValueError(f"Experiment {name!r} has no validation split to tune on; "
                             "its learning rates cannot be chosen without the test set.")
        X_valid, y_valid = data.valid
        return Data(data.Xs_train, data.y_train, list(X_valid), np.asarray(y_valid),
                    data.modality_names, valid=data.valid,
                    description=data.description + " (scored on the validation split)")
    return load_valid


def tune_lr(experiment, lrs, *, methods=None, depths=None, epochs=None, train_size=None,
            seeds=1, results=None, summary_only=False, out=None, **options):
    """Fit each method at each learning rate and score it on the validation split.

    The validation split (which the protocol's early stopping and schedule
    also watch) takes the place of the test split: the test set plays no
    part in the choice. Every run goes to a resumable results file, as with
    :func:`reproduce`.

    Parameters
    ----------
    experiment : str or Experiment
        An experiment whose data has a validation split.
    lrs : list of float
        The learning rates tried (each method's own rate is replaced).
    methods, depths, epochs, train_size, seeds
        As for :func:`reproduce`; a training subset and few epochs keep
        the search cheap.
    results : str or path-like, default=None
        Default ``docs/results/tuning/<experiment>.jsonl``.
    summary_only : bool, default=False
        Train nothing: the table of the runs already in ``results``.
    out : file, default=sys.stdout
    **options
        Passed to :func:`reproduce` (``n_jobs``, ``device``, ``precision``,
        ``data_home``, ...).

    Returns
    -------
    dict of str to dict
        Per configuration: ``{"best_lr": ..., "by_lr": {lr: mean},
        "n_seeds": {lr: int}, "capped": {lr: bool}}``, where the mean is of
        the experiment's metric on the validation split over the seeds in
        the file (the table gives their number where it is more than one),
        and ``capped`` says whether a run at that rate was stopped by the
        epoch cap rather than by early stopping (it may still have been
        improving; the table marks it ``*``).

    Examples
    --------
    >>> import tempfile, os, io
    >>> from skcentral.experiments import digits_experiment, tune_lr
    >>> exp = digits_experiment(valid_size=100, methods=("unimodal",))
    >>> path = os.path.join(tempfile.mkdtemp(), "tuning.jsonl")
    >>> found = tune_lr(exp, [0.001, 0.01], epochs=2, train_size=300, results=path,
    ...                 precision="fp32", out=io.StringIO())
    >>> sorted(found["unimodal"]["by_lr"]), found["unimodal"]["best_lr"] in (0.001, 0.01)
    ([0.001, 0.01], True)
    """
    from ._runner import reproduce
    out = sys.stdout if out is None else out
    exp = _experiment(experiment)
    path = Path(results or Path("docs") / "results" / "tuning" / f"{exp.name}.jsonl")
    if summary_only and not path.exists():
        raise FileNotFoundError(f"No tuning results to summarise: {path} does not exist "
                                "(run without summary_only first).")
    path.parent.mkdir(parents=True, exist_ok=True)
    base = replace(exp, load=_validation_as_test(exp.load, exp.name))
    configs = {run.config for run in exp.runs(methods, depths)}
    for lr in () if summary_only else lrs:
        trial = replace(base, hyper={**exp.hyper, "lr": float(lr)},
                        method_hyper={m: {k: v for k, v in h.items() if k != "lr"}
                                      for m, h in exp.method_hyper.items()})
        print(f"lr {lr:g}:", file=out, flush=True)
        reproduce(trial, methods=methods, depths=depths, epochs=epochs,
                  train_size=train_size, seeds=seeds, results=path, out=out, **options)
    protocol = protocol_of(exp.name, protocol_options(
        exp, epochs, train_size, None, options.get("device", "cpu"),
        options.get("precision", "auto"), options.get("channels_last", True)))
    found, capped = {}, {}
    for r in read_results(path):
        if r.get("config") in configs and r.get("protocol") == protocol:
            lr = r["params"]["lr"]
            found.setdefault(r["config"], {}).setdefault(lr, []).append(r["scores"][exp.metric])
            if reached_epoch_cap(r):
                capped.setdefault(r["config"], set()).add(lr)
    pick = max if exp.higher_is_better else min
    summary, tried = {}, {float(x) for x in lrs}
    for config, by_lr in found.items():
        means = {lr: float(np.mean(v)) for lr, v in sorted(by_lr.items()) if lr in tried}
        if not means:
            continue
        summary[config] = {"best_lr": pick(means, key=means.get), "by_lr": means,
                           "n_seeds": {lr: len(by_lr[lr]) for lr in means},
                           "capped": {lr: lr in capped.get(config, ()) for lr in means}}
    print(f"\n{exp.metric_label} on the validation split, per learning rate:", file=out)
    for config, s in sorted(summary.items()):
        cells = "  ".join(
            f"{lr:g}: {m:.1f}{'*' if s['capped'][lr] else ''}"
            + (f" ({s['n_seeds'][lr]} seeds)" if s["n_seeds"][lr] > 1 else "")
            for lr, m in s["by_lr"].items())
        print(f"  {config:30s} {cells}   best {s['best_lr']:g}", file=out)
    if any(any(s["capped"].values()) for s in summary.values()):
        print(f"  * the run reached the epoch cap ({protocol['epochs']}) before early stopping "
              "ended it: it may still have been improving, and the comparison then favours "
              "the rates that learn fastest (raise the epochs)", file=out)
    return summary
