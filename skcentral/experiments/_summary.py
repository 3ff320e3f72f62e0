"""Summaries of results: tables with intervals, the best depth, ordering against the paper."""

import json
import sys
from pathlib import Path

import numpy as np

from ..model_selection import student_ci
from ._protocol import early_stopping_monitor
from ._store import (default_results, protocol_of, protocol_options, reached_epoch_cap,
                     read_results)

__all__ = ["per_run_rows", "rank_agreement", "summarize", "summary_rows",
           "with_current_settings"]


def _experiment(experiment):
    from ._paper import EXPERIMENTS
    if isinstance(experiment, str):
        if experiment not in EXPERIMENTS:
            raise ValueError(f"Unknown experiment {experiment!r}; choose from "
                             f"{sorted(EXPERIMENTS)}.")
        return EXPERIMENTS[experiment]
    return experiment


def _fmt(mean, half, digits):
    if half != half:  # NaN: one seed
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} +- {half:.{digits}f}"


def summary_rows(records, experiment, metric=None, confidence=0.99):
    """Per table row (and data variant): mean, CI, seeds, best depth.

    Parameters
    ----------
    records : list of dict
        Results records (``row``, ``variant``, ``depth``, ``seed``, ``scores``).
    experiment : str or Experiment
    metric : str, default=None
        The metric summarised (default: the experiment's).
    confidence : float, default=0.99
        Level of the Student-t intervals.

    Returns
    -------
    list of dict
        With ``row``, ``variant``, ``depth`` (the best, for layer fusion),
        ``depth_chosen_on`` (``"validation"`` or ``"test"``), ``mean``,
        ``half_width``, ``n``, ``scores`` (per seed, in seed order),
        ``depths`` (mean test score per depth), ``metrics`` (mean and
        half-width of every metric at the best depth) and ``fit_time``.

    Notes
    -----
    The best depth of a layer fusion is the one whose kept epochs (those
    early stopping restored) have the best mean value of the monitored
    validation figure (``valid_acc`` or ``valid_loss``, as the runs'
    ``early_stopping_monitor``) when every run of the row has a
    validation learning curve, so that nothing is chosen on the test set;
    otherwise (protocols without a validation split, as the paper's) the one
    with the best mean test score, as the paper reports its rows. On the
    validation split, depths are compared over the seeds they all have,
    when they share any: a depth run on one seed so far meets the other
    depths on that seed, not on their mean over seeds it has not run.
    """
    exp = _experiment(experiment)
    metric = metric or exp.metric
    groups = {}
    for r in records:
        vkey = _variant_key(r)
        groups.setdefault((r["row"], vkey), {}).setdefault(r.get("depth"), {})[r["seed"]] = r
    rows = []
    for (row, vkey), by_depth in groups.items():
        means = {d: float(np.mean([x["scores"][metric] for x in by_depth[d].values()]))
                 for d in sorted(by_depth, key=lambda d: (d is None, d))}
        valid = _validation_means(by_depth)
        if valid is not None:
            valid, lower_is_better = valid
            pick = min if lower_is_better else max
            best, chosen_on = pick(means, key=lambda d: valid[d]), "validation"
        else:
            pick = max if exp.higher_is_better else min
            best, chosen_on = pick(means, key=lambda d: means[d]), "test"
        recs = [by_depth[best][s] for s in sorted(by_depth[best])]
        scores = [x["scores"][metric] for x in recs]
        mean, half = student_ci(scores, confidence)
        metrics = {m: student_ci([x["scores"][m] for x in recs], confidence)
                   for m in recs[0]["scores"]}
        rows.append({"row": row, "variant": json.loads(vkey), "depth": best,
                     "depth_chosen_on": chosen_on, "mean": mean,
                     "half_width": half, "n": len(recs), "scores": scores,
                     "depths": means,
                     "metrics": metrics, "fit_time": float(np.mean([x["fit_time"]
                                                                    for x in recs]))})
    return rows


def per_run_rows(records, experiment, confidence=0.99):
    """Per table row and depth: each seed's score and how its training ended.

    Parameters
    ----------
    records : list of dict
        Results records (``row``, ``method``, ``depth``, ``seed``, ``score``,
        ``curve``, ``params``, ``protocol``, ``fit_time``).
    experiment : str or Experiment
    confidence : float, default=0.99
        Level of the Student-t interval over the seeds.

    Returns
    -------
    list of dict
        In the experiment's row order, one per row, depth and data variant:
        ``label`` (the paper's row label), ``row``, ``depth``, ``variant``,
        ``paper``, ``comparable`` (False where the experiment notes the
        paper's figure as measured on something else), ``mean``,
        ``half_width``, and per seed (in seed order)
        ``seeds``, ``scores``, ``epochs_run``, ``capped`` (the epoch cap
        reached), ``kept_epoch`` (the one early stopping restored: the best
        monitored validation value, see ``early_stopping_monitor``; None
        without a learning curve), ``valid_acc`` (at the kept epoch) and
        the mean ``fit_hours``.
    """
    from ._registry import METHODS
    exp = _experiment(experiment)
    rank = _row_rank(exp)
    groups = {}
    for r in sorted(records, key=lambda r: (*rank(r["row"]), r.get("depth") or 0, r["seed"])):
        vkey = _variant_key(r)
        groups.setdefault((r["row"], r.get("depth"), vkey), []).append(r)
    rows = []
    for (row, depth, vkey), runs in groups.items():
        method = METHODS.get(runs[0].get("method"))
        label = exp.labels.get(row) or (method.label if method else row)
        if ":" in row:
            label += f" ({row.split(':', 1)[1]})"
        if depth is not None:
            label += f" (depth {depth})"
        if vkey != "{}":
            label += " " + ", ".join(f"{k}={v}" for k, v in json.loads(vkey).items())
        scores = [r["score"] for r in runs]
        mean, half = student_ci(scores, confidence)
        kept = [_kept_epoch(r) for r in runs]
        acc = [None if k is None else r["curve"][k[0]].get("valid_acc")
               for r, k in zip(runs, kept)]
        kept = [None if k is None else k[0] + 1 for k in kept]
        rows.append({
            "label": label, "row": row, "depth": depth, "variant": json.loads(vkey),
            "paper": exp.paper.get(row) if vkey == "{}" else None,
            "comparable": row not in exp.not_comparable,
            "mean": mean, "half_width": half, "seeds": [r["seed"] for r in runs],
            "scores": scores, "epochs_run": [r.get("epochs_run") for r in runs],
            "capped": [reached_epoch_cap(r) for r in runs],
            "kept_epoch": kept, "valid_acc": acc,
            "fit_hours": float(np.mean([r.get("fit_time", 0) for r in runs])) / 3600})
    return rows


def _print_per_run(rows, exp, out):
    """:func:`per_run_rows` as a reStructuredText table (plain text that also renders)."""
    digits = 2 if exp.higher_is_better else 0
    in_percent = exp.higher_is_better

    def valid(a):
        if a is None:
            return "-"
        return f"{a * 100:.2f}" if in_percent else f"{(1 - a) * 10000:.0f}"

    def join(xs):
        return ", ".join(xs)

    table = [("Method", "Paper", "Ours (test)", "per seed", "seeds", "epochs run",
              "kept epoch", "valid acc %" if in_percent else "valid errors",
              "fit (hours)")]

    def figure(r):
        paper = r["paper"]
        if paper is None or isinstance(paper, (list, tuple)):
            return "-"
        text = f"{paper:.1f}" if in_percent else f"{paper:g}"
        return text if r["comparable"] else f"({text})"

    for r in rows:
        table.append((
            r["label"], figure(r),
            _fmt(r["mean"], r["half_width"], digits).replace("+-", "±"),
            join(f"{x:.{digits}f}" for x in r["scores"]), join(str(x) for x in r["seeds"]),
            join(f"{n}{'*' if c else ''}" for n, c in zip(r["epochs_run"], r["capped"])),
            join("-" if k is None else str(k) for k in r["kept_epoch"]),
            join(valid(a) for a in r["valid_acc"]), f"{r['fit_hours']:.2f}"))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    rule = "  ".join("=" * w for w in widths)
    lines = [rule, "  ".join(c.ljust(w) for c, w in zip(table[0], widths)).rstrip(), rule]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table[1:]]
    print("\nPer run (epochs run: * = the cap reached; kept epoch: the one early stopping "
          "restored, with its validation figure" + ("" if in_percent else " out of 10,000")
          + ("" if all(r["comparable"] for r in rows)
             else "; a paper figure in brackets is not comparable, see the note above")
          + "):\n", file=out)
    print("\n".join(lines + [rule]), file=out)


def with_current_settings(records, experiment):
    """The records made with the hyper-parameters the experiment has now.

    Results of earlier settings (a learning rate since chosen anew, say)
    stay in the file but are not mixed into the summary.

    Parameters
    ----------
    records : list of dict
    experiment : str or Experiment

    Returns
    -------
    list of dict
    """
    exp = _experiment(experiment)
    current = {}

    def settings(r):
        key = (r["row"], r.get("depth"), _variant_key(r))
        if key not in current:
            try:
                runs = exp.runs([r["row"]], [] if r.get("depth") is None else [r["depth"]])
            except ValueError:  # a row this experiment no longer has
                runs = []
            current[key] = [run.params for run in runs
                            if run.variant == (r.get("variant") or {})]
        return current[key]

    return [r for r in records if r.get("params") in settings(r)]


def _row_rank(exp):
    """Sort key of a table row's name: the experiment's order, unknown rows last."""
    order = list(exp.methods)
    return lambda row: (order.index(row) if row in order else len(order), row)


def _order(rows, exp):
    rank = _row_rank(exp)
    return sorted(rows, key=lambda r: rank(r["row"]))


def _variant_key(record):
    """A record's data variant as a hashable, order-free key."""
    return json.dumps(record.get("variant") or {}, sort_keys=True)


def rank_agreement(ours, paper, higher_is_better):
    """Spearman correlation of two ``{row: figure}`` dicts and the pairs whose order inverts.

    Examples
    --------
    >>> from skcentral.experiments import rank_agreement
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
              device="cpu", precision="auto", channels_last=True, all_protocols=False,
              curves=None, per_run=False, settings_plot=None, out=None):
    """Print the summary table of ``experiment`` from its results file.

    Only records made with the given options are used (the same that
    :func:`reproduce` takes; ``None`` = the reduced protocol), unless
    ``all_protocols``; ``precision="auto"`` takes the records' precision
    where the file holds these options at one precision only (a GPU's bf16
    runs summarised on a machine whose ``auto`` is float32). With
    ``curves`` (an image file name), the learning curves of those records
    are drawn there
    (:func:`~skcentral.plotting.plot_learning_curves`, needs matplotlib).
    With ``settings_plot`` (an image file name; experiments over data
    settings, as ``fig4``), the scores per setting are drawn there as the
    paper's Figure 4 (:func:`~skcentral.plotting.plot_settings`).
    With ``per_run``, a table of every run follows (each seed's score, the
    epochs run, the kept epoch and its validation figure; see
    :func:`per_run_rows`), in reStructuredText.
    Returns the rows (see :func:`summary_rows`).
    """
    out = sys.stdout if out is None else out
    exp = _experiment(experiment)
    if settings_plot:
        check_settings_plot(exp)
    opts = protocol_options(exp, epochs, train_size, test_size, device, precision,
                            channels_last)
    path = Path(results or default_results(exp.name))
    records = [r for r in read_results(path) if r.get("experiment") == exp.name]
    protocol = protocol_of(exp.name, opts)
    if precision == "auto":
        protocol = _recorded_precision(records, protocol)
    if not all_protocols:
        others = {json.dumps(r.get("protocol"), sort_keys=True) for r in records
                  if r.get("protocol") != protocol}
        records = [r for r in records if r.get("protocol") == protocol]
        if others and not records:
            print(f"No results in {path} with options {protocol}; the file holds "
                  f"results for: " + "; ".join(sorted(others)), file=out)
        current = with_current_settings(records, exp)
        if len(current) < len(records):
            print(f"({_count(len(records) - len(current), 'run')} of {path} made with earlier "
                  "hyper-parameters left out)", file=out)
        records = current
    if not records:
        print(f"No results for {exp.name} in {path}.", file=out)
        return []
    rows = _order(summary_rows(records, exp), exp)
    seeds = sorted({r["seed"] for r in records})
    hours = sum(r.get("fit_time", 0) + r.get("score_time", 0) for r in records) / 3600
    each = ", one torch thread each" if protocol["device"] == "cpu" else ""
    print(f"\n{exp.title}\nfrom {path}: {_count(len(records), 'run')} ({hours:.1f} hours of "
          f"fitting and scoring{each}); options {protocol}; "
          f"seeds {seeds}; mean +- 99% Student-t CI over seeds\n", file=out)
    if len(exp.variants) > 1:
        _print_variants(rows, exp, out)
    elif exp.extra_metrics:
        _print_metrics(rows, exp, out)
    else:
        _print_rows(rows, exp, out)
    _print_depth_choice(rows, out)
    if per_run:
        _print_per_run(per_run_rows(records, exp), exp, out)
    if curves:
        _write_curves(records, exp, curves)
        print(f"\nlearning curves written to {curves}", file=out)
    if settings_plot:
        _write_settings(rows, exp, settings_plot)
        print(f"scores per data setting drawn in {settings_plot}", file=out)
    return rows


def _recorded_precision(records, protocol):
    """``protocol`` with the precision its records were made at, where that is one.

    ``precision="auto"`` resolves to the fastest precision of the machine
    that summarises, which need not be that of the machine that ran (bf16
    records of a GPU summarised on a CPU without bfloat16): when the file
    holds this protocol at one precision only, and not at the resolved one,
    that precision is the one meant.
    """
    def rest(p):
        return {k: v for k, v in (p or {}).items() if k != "precision"}
    made = {r["protocol"].get("precision") for r in records
            if rest(r.get("protocol")) == rest(protocol)}
    if len(made) == 1 and protocol["precision"] not in made:
        return {**protocol, "precision": made.pop()}
    return protocol


def check_settings_plot(experiment):
    """Raise unless ``experiment`` is repeated over data settings (a settings plot)."""
    from ._paper import EXPERIMENTS
    exp = _experiment(experiment)
    if len(exp.variants) < 2:
        swept = [e.name for e in EXPERIMENTS.values() if len(e.variants) > 1]
        raise ValueError(f"A settings plot draws an experiment over data settings "
                         f"({', '.join(swept)}); {exp.name} has one setting.")


_DEPTH_CHOICE = {
    "validation": "the depth whose kept epochs scored best on the validation split (mean "
                  "over the seeds every depth has run); 'all depths' gives each depth's "
                  "mean test score",
    "test": "the depth with the best mean test score, as the paper reports its rows "
            "(no validation split in this protocol)",
}


def _print_depth_choice(rows, out):
    """Say how the depth of the layer-fusion rows was chosen."""
    for on in sorted({r["depth_chosen_on"] for r in rows
                      if r["depth"] is not None and len(r["depths"]) > 1}):
        print(f"\nLayer fusion depth: {_DEPTH_CHOICE[on]}.", file=out)


def _validation_means(by_depth):
    """Per depth, the mean over seeds of the monitored validation value of the kept epochs.

    The mean runs over the seeds every depth has, when they share any
    (a paired comparison), else over each depth's own seeds.
    Returns ``(means, lower_is_better)``, or None unless every run has a
    learning curve holding the value its early stopping monitored
    (``params["early_stopping_monitor"]``, see
    :func:`~skcentral.experiments._protocol.early_stopping_monitor`) and all
    runs monitored the same value. A run's kept epoch is the one its
    early stopping restored: the best monitored value.
    """
    monitors = {early_stopping_monitor(r.get("params") or {})
                for runs in by_depth.values() for r in runs.values()}
    if len(monitors) != 1:
        return None
    ((_, lower_is_better),) = monitors
    kept = {d: {s: _kept_epoch(r) for s, r in runs.items()} for d, runs in by_depth.items()}
    if any(k is None for runs in kept.values() for k in runs.values()):
        return None
    shared = set.intersection(*(set(runs) for runs in kept.values()))
    return {d: float(np.mean([k[1] for s, k in runs.items() if s in shared or not shared]))
            for d, runs in kept.items()}, lower_is_better


def _kept_epoch(record):
    """``(index, value)`` of the epoch a run's early stopping restored.

    The best value of the monitored validation figure in the run's learning
    curve (the first of equals, as early stopping keeps it); None when the
    curve is missing or lacks that figure.
    """
    monitor, lower_is_better = early_stopping_monitor(record.get("params") or {})
    values = [e.get(monitor) for e in record.get("curve") or []]
    if not values or None in values:
        return None
    k = int(np.argmin(values) if lower_is_better else np.argmax(values))
    return k, values[k]


def _count(n, noun):
    """``n`` and ``noun``, in the plural unless ``n`` is 1: "1 run", "3 runs"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _write_curves(records, exp, path):
    """The records' learning curves, to an image file."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import plot_learning_curves
    ax = plot_learning_curves(records)
    ax.set_title(f"{exp.title}: validation errors per epoch", fontsize=9)
    ax.figure.savefig(path, bbox_inches="tight", dpi=120)
    plt.close(ax.figure)


def _write_settings(rows, exp, path):
    """The scores per data setting, to an image file."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import plot_settings
    axes = plot_settings(rows, ylabel=f"test {exp.metric_label}",
                         yscale="linear" if exp.higher_is_better else "log")
    fig = axes[0].figure
    n = sorted({r["n"] for r in rows})
    seeds = _count(n[0], "seed") if len(n) == 1 else f"{n[0]} to {n[-1]} seeds"
    fig.suptitle(f"{exp.title}\nmean over {seeds} per point; bars: 99% Student-t "
                 "intervals", fontsize=9, y=1.06)
    fig.savefig(path, bbox_inches="tight", dpi=120)
    plt.close(fig)


def _print_metrics(rows, exp, out):
    names, paper = exp.extra_metrics, exp.paper
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
        _print_agreement(ours, ref, exp.higher_is_better, out, label=m)


def _print_rows(rows, exp, out):
    head = (f"{'Method':26s} {'Paper':>7s} {'Ours (' + exp.metric_label + ')':>22s} "
            f"{'n':>3s} {'Depth':>5s}  all depths")
    print(head + "\n" + "-" * (len(head) + 10), file=out)
    for r in rows:
        p = exp.paper.get(r["row"])
        note = "*" if r["row"] in exp.not_comparable else ""
        ref = "-" if p is None else f"{p:g}{note}"
        depth = "-" if r["depth"] is None else str(r["depth"])
        alld = ", ".join(f"{k}: {v:.1f}" for k, v in r["depths"].items()) \
            if r["depth"] is not None else ""
        print(f"{r['row']:26s} {ref:>7s} {_fmt(r['mean'], r['half_width'], 2):>22s} "
              f"{r['n']:3d} {depth:>5s}  {alld}", file=out)
    for k, why in exp.not_comparable.items():
        print(f"* {k}: {why}; left out of the rank comparison", file=out)
    ours = {r["row"]: r["mean"] for r in rows}
    ref = {k: v for k, v in exp.paper.items()
           if v is not None and k not in exp.not_comparable}
    _print_agreement(ours, ref, exp.higher_is_better, out, label=exp.metric_label)


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


def _print_variants(rows, exp, out):
    cols = [json.dumps(v, sort_keys=True) for v in exp.variants]
    labels = [",".join(f"{k[0]}={x}" for k, x in v.items()) for v in exp.variants]
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
            best[lab] = (max if exp.higher_is_better else min)(cand, key=cand.get)
    print("\nBest method per setting (of those run there): "
          + "; ".join(f"{k}: {v}" for k, v in best.items()), file=out)


