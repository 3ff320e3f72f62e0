"""Running experiments: ``reproduce`` (resumable, to a results file) and ``compare``.

Both fit their runs in one joblib pool, that of
:func:`skcentral.model_selection.evaluate_many`: ``compare`` through it,
``reproduce`` with each data setting of a sweep in the same pool.
"""

import dataclasses
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.base import clone

from .._resume import TrainingCheckpoint, saved_epochs
from ..model_selection import _run_pool, _scorer, evaluate_many
from ._registry import METHODS
from ._store import ResultsFile, default_results, protocol_of, protocol_options, run_key
from ._summary import _count, _experiment, _order, summary_rows

__all__ = ["Comparison", "compare", "reproduce"]


def _cpu():
    """The CPU's model name and the instruction set torch's kernels use (``"AVX2"``).

    Float32 training agrees to the last bit only on the same kernels, and
    Adam carries a last-bit difference into the scores: two machines give
    other figures for the same seed.
    """
    import torch
    name = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            name = next((line.split(":", 1)[1].strip() for line in f
                         if line.startswith("model name")), None)
    except OSError:
        pass
    name = name or platform.processor() or platform.machine()
    return f"{name} ({torch.backends.cpu.get_cpu_capability()})"


def _versions(device="cpu"):
    """What made a record: package, Python and torch versions, the CPU, and the GPU's name."""
    import torch

    from .. import __version__
    out = {"package_version": __version__, "python": platform.python_version(),
           "torch_version": torch.__version__, "cpu": _cpu()}
    if torch.device(device).type == "cuda" and torch.cuda.is_available():
        out["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return out


def _seeds(seeds):
    out = list(range(int(seeds))) if np.isscalar(seeds) else [int(s) for s in seeds]
    if not out or min(out) < 0:
        raise ValueError(f"seeds must be a positive count or a non-empty list of seeds "
                         f">= 0; got {seeds!r}.")
    return out


def _checkpoint_dir(results):
    """The folder of the training states of the runs in progress for a results file.

    ``results/../<name>.partial/`` for ``results/../<name>.jsonl``.
    """
    path = Path(results)
    return path.with_name(path.stem + ".partial")


def _checkpoint_path(folder, key, config, seed):
    """One run's training-state file: readable, and unique to the run's key."""
    digest = hashlib.sha1(json.dumps(key).encode()).hexdigest()[:12]
    name = re.sub(r"[^\w@.-]", "_", config)
    return folder / f"{name}-seed{seed}-{digest}.pt"


def reproduce(experiment, *, epochs=None, seeds=None, train_size=None, test_size=None,
              methods=None, depths=None, variants=None, n_jobs=1, device="cpu",
              precision="auto", channels_last=True, data_home=None, cache=True,
              results=None, fresh=False, torch_threads=1, verbose=0, dry_run=False,
              checkpoints=True, out=None):
    """Run ``experiment``'s reduced protocol, appending each finished run to ``results``.

    Runs already in the file with the same options are skipped (resume).
    A run stopped mid-training (a killed process, a closed session) goes on
    from its last finished epoch (``checkpoints``).

    Parameters
    ----------
    experiment : str or Experiment
        A key of :data:`EXPERIMENTS`, or an :class:`Experiment`.
    epochs, seeds, train_size, test_size : int, default=None
        ``None`` takes the experiment's reduced protocol (its
        ``defaults``); ``seeds`` is a count (seeds ``0 .. seeds - 1``) or a
        list.
    methods : list of str, default=None
        Table rows (default: the experiment's).
    depths : str or list of int, default=None
        Fusion depths of the layer-fusion methods (``"0,2"``).
    variants : list of dict or str, default=None
        Only the data settings that match one of these (``["energy=0.1",
        {"share_ratio": 0.9}]``; see :meth:`Experiment.select_variants`),
        for an experiment over data settings such as ``fig4``: several
        processes or machines can share a sweep, each with its part.
        ``None``: every setting.
    n_jobs : int, default=1
        Parallel runs (each with ``torch_threads`` torch threads).
    device, precision, channels_last
        Passed to every estimator; ``precision="auto"`` is ``"bf16"`` where
        the device computes in bfloat16 natively, else ``"fp32"``.
    data_home, cache
        Passed to the data loaders.
    results : str or path-like, default=None
        The JSON-lines file (default ``docs/results/<experiment>.jsonl``).
    fresh : bool, default=False
        Empty the file first.
    torch_threads : int, default=1
    verbose : int, default=0
        Passed to every estimator: 1 prints each run's table of epochs
        (losses, validation accuracy, duration) as it trains.
    dry_run : bool, default=False
        List the runs still to do (those not in the file, or all of them
        with ``fresh``) and run nothing: no data loaded, the file left as
        it is.
    checkpoints : bool, default=True
        Each run writes its training state after every epoch
        (:class:`~skcentral.TrainingCheckpoint`) into
        ``<results name>.partial/`` beside the results file, and a run
        found there is resumed from it, to the record an uninterrupted run
        gives (``resumed_from_epoch`` says so; ``fit_time`` counts both
        parts). A run's file is removed when it is recorded; ``fresh``
        removes them all.
    out : file, default=sys.stdout
        Where progress goes.

    Returns
    -------
    list of dict
        The records written by this call.

    Examples
    --------
    >>> import tempfile, os, io
    >>> from skcentral.experiments import reproduce
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
    out = sys.stdout if out is None else out
    exp = _experiment(experiment)
    if variants:
        exp = dataclasses.replace(exp, variants=exp.select_variants(variants))
    d = exp.defaults
    seeds = _seeds(d["seeds"] if seeds is None else seeds)
    opts = {**protocol_options(exp, epochs, train_size, test_size, device, precision,
                               channels_last),
            "data_home": None if data_home is None else str(data_home), "cache": cache,
            "verbose": int(verbose)}
    store = ResultsFile(results or default_results(exp.name), fresh=fresh and not dry_run)
    partial = _checkpoint_dir(store.path)
    if fresh and not dry_run:
        shutil.rmtree(partial, ignore_errors=True)
    protocol = protocol_of(exp.name, opts)
    done = set() if fresh else store.done()
    runs = exp.runs(methods, depths)
    keys = {(run.config, s): run_key({"protocol": protocol, "config": run.config,
                                      "params": run.params, "seed": s})
            for run in runs for s in seeds}
    todo = [(run, s) for run in runs for s in seeds if keys[run.config, s] not in done]
    state_file = {(run.config, s): _checkpoint_path(partial, keys[run.config, s], run.config, s)
                  for run, s in todo} if checkpoints else {}
    print(f"{exp.title}\n  {_count(len(runs), 'configuration')} x "
          f"{_count(len(seeds), 'seed')}; "
          f"{len(runs) * len(seeds) - len(todo)} already in {store.path}, {len(todo)} to run "
          f"on {n_jobs} job(s); options {protocol}", file=out, flush=True)
    if dry_run:
        by_config = {}
        for run, s in todo:
            by_config.setdefault(run.config, []).append(s)
        for config, run_seeds in by_config.items():
            print(f"  to run: {config:40s} seeds {run_seeds}", file=out)
            for s in run_seeds:
                epochs_done = saved_epochs(state_file[config, s]) \
                    if (config, s) in state_file and not fresh else None
                if epochs_done is not None:
                    print(f"    seed {s} goes on after epoch {epochs_done} (training state "
                          f"in {state_file[config, s]})", file=out)
        return []
    if not todo:
        return []
    common = {**_versions(device), "seeds": seeds, "n_jobs": n_jobs,
              "depths": depths if depths is None else str(depths),
              "paper_protocol": exp.paper_protocol}
    # every data setting loaded first (a missing file fails before any
    # training), then one pool over all the runs, across the settings
    runs_by_config, datasets, tasks = {}, {}, []
    for run, s in todo:  # setting by setting, as Experiment.runs lists them
        vkey = json.dumps(run.variant, sort_keys=True)
        if vkey not in datasets:
            t0 = time.perf_counter()
            data = datasets[vkey] = exp.load(opts, **run.variant)
            valid = "" if data.valid is None else f"{len(data.valid[1])} validation / "
            print(f"  data{' ' + vkey if run.variant else ''}: {len(data.y_train)} train / "
                  f"{valid}{len(data.y_test)} test ({time.perf_counter() - t0:.0f} s to "
                  "load)", file=out, flush=True)
        data = datasets[vkey]
        if run.config not in runs_by_config:
            runs_by_config[run.config] = (
                run, exp.build_estimator(run, opts, data.modality_names), data)
        estimator = runs_by_config[run.config][1]
        if checkpoints:
            estimator = clone(estimator).set_params(callbacks=[
                *(estimator.callbacks or []),
                # a state made stale by an update of the package: start afresh
                TrainingCheckpoint(state_file[run.config, s], foreign="replace")])
        tasks.append((run.config, estimator, s, (data.Xs_train, data.y_train),
                      (data.Xs_test, data.y_test), data.valid))
    if checkpoints:
        os.makedirs(partial, exist_ok=True)
    written, t_start = [], time.perf_counter()

    def on_run(res):
        run, _, data = runs_by_config[res.name]
        record = {
            "experiment": exp.name, "config": res.name, "row": run.key,
            "method": run.method, "depth": run.depth, "variant": run.variant,
            "seed": res.seed, "metric": exp.metric, "score": res.score[exp.metric],
            "scores": res.score, "fit_time": round(res.fit_time, 3),
            "score_time": round(res.score_time, 3), "epochs_run": res.n_epochs,
            "params": run.params, "protocol": protocol,
            "n_train": int(len(data.y_train)), "n_test": int(len(data.y_test)),
            "n_valid": None if data.valid is None else int(len(data.valid[1])),
            "curve": res.curve,
            **({} if res.resumed_from_epoch is None
               else {"resumed_from_epoch": res.resumed_from_epoch}),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"),
            **common,
        }
        if not store.append(record):
            print(f"  {res.name} seed {res.seed}: already in {store.path} (another "
                  "process sharing the file finished it first); not written twice",
                  file=out, flush=True)
            return
        written.append(record)
        elapsed = time.perf_counter() - t_start
        eta = elapsed / len(written) * (len(todo) - len(written))
        print(f"  [{len(written):3d}/{len(todo)}] {res.name:34s} seed {res.seed}: "
              f"{exp.metric_label} {res.score[exp.metric]:8.2f}  (fit "
              f"{res.fit_time:6.1f} s; {elapsed / 60:5.1f} min, ~{eta / 60:.0f} min "
              "left)", file=out, flush=True)

    scorer, _ = _scorer(exp.score, tasks[0][1])
    for res in _run_pool(tasks, scorer, n_jobs=n_jobs, torch_threads=torch_threads):
        on_run(res)
    if checkpoints:
        try:
            os.rmdir(partial)  # every run recorded (a run of another process may be there)
        except OSError:
            pass
    return written


@dataclass
class Comparison:
    """What :func:`compare` found.

    Attributes
    ----------
    rows : list of dict
        Per method, at its best depth: ``method``, ``label``,
        ``fusion_layer``, ``errors_mean``, ``errors_ci``, ``accuracy_mean``,
        ``scores`` (per seed) and ``all_depths`` (mean errors per depth).
    n_test : int
    seeds : list of int
    alphas : dict of str to FusionWeights
        Per method label, the alphas (CentralNet's) averaged over seeds.
    elapsed : float
        Seconds the runs took.
    """

    rows: list
    n_test: int
    seeds: list
    alphas: dict = field(default_factory=dict)
    elapsed: float = 0.0
    settings: dict = field(default_factory=dict)

    def write(self, path):
        """Write the rows to ``path``: JSON (with the settings) or CSV."""
        path = str(path)
        if path.endswith(".json"):
            with open(path, "w") as f:
                json.dump({"settings": self.settings, "results": self.rows}, f, indent=2)
            return
        import csv
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["method", "label", "fusion_layer", "errors_mean", "errors_ci",
                        "accuracy_mean", "n_seeds", "epochs", "dataset"])
            for row in self.rows:
                w.writerow([row["method"], row["label"], row["fusion_layer"],
                            f"{row['errors_mean']:.3f}", f"{row['errors_ci']:.3f}",
                            f"{row['accuracy_mean']:.5f}", len(self.seeds),
                            self.settings.get("epochs"), self.settings.get("dataset")])


def compare(experiment, methods, *, epochs, seeds=3, depths=(0, 2, 4), confidence=0.99,
            n_jobs=2, device="cpu", on_result=None, settings=None):
    """Fit every method over several seeds on an experiment's full data; the paper's Table 2.

    Parameters
    ----------
    experiment : Experiment
        E.g. :func:`digits_experiment`; its metric must be ``errors``.
    methods : list of str
        Registered method names.
    epochs, seeds, depths, confidence, n_jobs, device
        The runs' settings (float32, no channels-last, as estimators default).
    on_result : callable, default=None
        ``on_result(config, seed, scores, fit_time)`` as each run finishes.
    settings : dict, default=None
        Recorded with the JSON output.

    Returns
    -------
    Comparison
    """
    for name in methods:
        if name not in METHODS:
            raise ValueError(f"Unknown methods {name!r}; choose from {sorted(METHODS)}.")
    opts = {"epochs": epochs, "device": device, "precision": "fp32", "channels_last": False}
    data = experiment.load({})
    seeds = _seeds(seeds)
    runs = experiment.runs(methods, depths)
    t0 = time.perf_counter()
    estimators = {run.config: experiment.build_estimator(run, opts, data.modality_names)
                  for run in runs}
    results = evaluate_many(estimators, data.Xs_train, data.y_train, data.Xs_test,
                            data.y_test, seeds=seeds, scoring=experiment.score, n_jobs=n_jobs,
                            torch_threads=1, validation_data=data.valid,
                            confidence=confidence, return_estimators=True,
                            on_result=on_result)
    elapsed = time.perf_counter() - t0
    records = [{"row": run.key, "depth": run.depth, "seed": s, "fit_time": t,
                "scores": {m: float(v[i]) for m, v in results[run.config].metrics.items()}}
               for run in runs for i, (s, t) in enumerate(zip(seeds,
                                                              results[run.config].fit_times))]
    n_test = len(data.y_test)
    rows = []
    for r in _order(summary_rows(records, experiment, confidence=confidence), experiment):
        method = METHODS[r["row"]]
        rows.append({"method": r["row"], "label": method.label, "fusion_layer": r["depth"],
                     "errors_mean": r["mean"], "errors_ci": r["half_width"],
                     "accuracy_mean": 1 - r["mean"] / n_test, "scores": r["scores"],
                     "all_depths": {str(k): v for k, v in r["depths"].items()}
                     if method.at_depth else None})
    return Comparison(rows, n_test, seeds, _mean_alphas(runs, results), elapsed,
                      dict(settings or {}))


def _mean_alphas(runs, results):
    """``{method label: FusionWeights}``, the mean over seeds of every method with alphas."""
    from .._alphas import FusionWeights
    alphas = {}
    for run in runs:
        fitted = [getattr(e, "alphas_", None) for e in results[run.config].estimators]
        if fitted[0] is not None:
            alphas[METHODS[run.method].label] = FusionWeights(
                np.mean([a.weights for a in fitted], axis=0), fitted[0].columns,
                fitted[0].points)
    return alphas
