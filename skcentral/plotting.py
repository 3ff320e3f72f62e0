"""Plots of fusion weights and robustness (matplotlib, an optional extra)."""

import numpy as np

from ._alphas import FusionWeights

__all__ = ["plot_alphas", "plot_learning_curves", "plot_robustness", "plot_settings"]


def _weights_of(obj):
    if isinstance(obj, FusionWeights):
        return obj
    for name in ("alphas_", "gates_", "weights_"):
        if hasattr(type(obj), name) or hasattr(obj, name):
            try:
                return getattr(obj, name)
            except AttributeError:
                continue
    raise TypeError(
        "plot_alphas needs FusionWeights or a fitted estimator with alphas_ "
        f"(CentralNet), gates_ (GMU) or weights_ (weighted mean); got {type(obj).__name__}."
    )


def plot_alphas(weights, ax=None, title=None):
    """Fusion weights per fusion point as shares of 100%, as in the paper's Fig. 3.

    Parameters
    ----------
    weights : FusionWeights or fitted estimator
        ``clf.alphas_`` (CentralNet), ``clf.gates_`` (GMU),
        ``clf.weights_`` (weighted mean), or the estimator itself.
    ax : matplotlib Axes, default=None
    title : str, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skcentral import FusionWeights
    >>> from skcentral.plotting import plot_alphas
    >>> w = FusionWeights(np.array([[np.nan, .5, .5], [.2, .3, .1]]), ["central", "a", "b"],
    ...                   ["0", "1"])
    >>> len(plot_alphas(w).patches)
    6
    """
    import matplotlib.pyplot as plt
    w = _weights_of(weights)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 0.9 * len(w.points), 3.2))
    shares = np.nan_to_num(w.shares)
    x = np.arange(len(w.points))
    bottom = np.zeros(len(w.points))
    colors = plt.get_cmap("tab10")
    for j, column in enumerate(w.columns):
        ax.bar(x, shares[:, j], bottom=bottom, label=column, color=colors(j % 10),
               edgecolor="white")
        for xi, (b, h) in enumerate(zip(bottom, shares[:, j])):
            if h >= 8:
                ax.text(xi, b + h / 2, f"{h:.0f}%", ha="center", va="center", fontsize=8,
                        color="white")
        bottom += shares[:, j]
    ax.set_xticks(x, w.points, rotation=0)
    ax.set_xlabel("fusion point")
    ax.set_ylabel("share of the weights (%)")
    ax.set_ylim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    if title:
        ax.set_title(title)
    return ax


def plot_robustness(curves, ax=None, xlabel="noise level", ylabel="score"):
    """Score against corruption level, one line per model.

    Parameters
    ----------
    curves : dict of str to (levels, scores)
        E.g. ``{"CentralNet": robustness_curve(...), ...}``.
    ax : matplotlib Axes, default=None
    xlabel, ylabel : str

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcentral.plotting import plot_robustness
    >>> ax = plot_robustness({"a": ([0, 1], [0.9, 0.5]), "b": ([0, 1], [0.9, 0.8])})
    >>> len(ax.lines)
    2
    """
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    for name, (levels, scores) in curves.items():
        ax.plot(levels, scores, marker="o", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return ax


def plot_learning_curves(records, ax=None, per=10000):
    """Validation errors per epoch of finished runs, one line per run.

    Parameters
    ----------
    records : list of dict
        Results records of :func:`skcentral.experiments.reproduce` (each
        with its ``curve``); runs without validation scores are skipped.
    ax : matplotlib Axes, default=None
    per : int, default=10000
        Errors are counted out of this many samples.

    Returns
    -------
    ax : matplotlib Axes
        One line per run (a colour per table row, seeds alike; past ten
        rows the colours come round again, dashed, then dotted), a dot on
        the epoch whose parameters were kept (the best, with early
        stopping), and a cross on each first epoch trained at a lowered
        learning rate.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcentral.plotting import plot_learning_curves
    >>> curve = [{"epoch": 1, "valid_acc": 0.97, "event_lr": 1e-3},
    ...          {"epoch": 2, "valid_acc": 0.98, "event_lr": 1e-3},
    ...          {"epoch": 3, "valid_acc": 0.975, "event_lr": 2e-4}]
    >>> ax = plot_learning_curves([{"config": "centralnet", "seed": 0, "curve": curve}])
    >>> len(ax.lines), ax.get_legend_handles_labels()[1]
    (3, ['centralnet'])
    """
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    colors, styles, seen = plt.get_cmap("tab10"), ("-", "--", ":"), {}
    for rec in records:
        curve = [c for c in rec.get("curve") or [] if "valid_acc" in c]
        if not curve:
            continue
        name = rec.get("config", rec.get("row", "run"))
        n = len(seen)
        color, style = seen.get(name, (colors(n % 10), styles[n // 10 % len(styles)]))
        epochs = np.array([c["epoch"] for c in curve])
        errors = per * (1 - np.array([c["valid_acc"] for c in curve]))
        ax.plot(epochs, errors, color=color, ls=style, lw=1.2, alpha=0.8,
                label=None if name in seen else name)
        seen[name] = color, style
        best = int(np.argmax([c["valid_acc"] for c in curve]))
        ax.plot(epochs[best], errors[best], "o", color=color, ms=5)
        lrs = [c.get("event_lr") for c in curve]
        drops = [i + 1 for i in range(len(lrs) - 1)
                 if lrs[i] is not None and lrs[i + 1] is not None and lrs[i + 1] < lrs[i]]
        if drops:
            ax.plot(epochs[drops], errors[drops], "x", color=color, ms=6)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"validation errors /{per}")
    if seen:
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:  # e.g. a protocol without a validation split
        ax.text(0.5, 0.5, "no run has a validation learning curve", ha="center",
                transform=ax.transAxes)
    return ax


def _sweeps(variants):
    """Per data parameter, the settings that vary it alone.

    The other parameters are held at their most frequent value (the point
    the sweeps share: energy 0.5 and share ratio 0.5 in Figure 4).
    """
    names = sorted({k for v in variants for k in v})
    centre = {}
    for k in names:
        values = [v[k] for v in variants if k in v]
        centre[k] = max(dict.fromkeys(values), key=values.count)
    sweeps = {}
    for k in names:
        points = [v for v in variants
                  if all(v.get(o) == centre[o] for o in names if o != k) and k in v]
        if len(points) > 1:
            sweeps[k] = sorted(points, key=lambda v: v[k])
    return sweeps


def plot_settings(rows, axes=None, ylabel="test errors /10000", yscale="linear"):
    """Scores against each data parameter, one line per method, as the paper's Fig. 4.

    Parameters
    ----------
    rows : list of dict
        Summary rows of an experiment repeated over data settings
        (:func:`skcentral.experiments.summary_rows` of ``fig4``): each with
        ``row``, ``variant`` (e.g. ``{"energy": 0.25, "share_ratio": 0.5}``),
        ``mean`` and ``half_width``.
    axes : sequence of matplotlib Axes, default=None
        One per parameter swept; new ones side by side if None.
    ylabel : str
    yscale : {"linear", "log"}, default="linear"
        ``"log"`` where the scores span orders of magnitude (errors at a
        low energy and at a high one).

    Returns
    -------
    axes : list of matplotlib Axes
        One panel per data parameter (in name order), drawn over the settings
        that vary it while the others keep their most frequent value, one
        line per method with its confidence interval as error bars (none
        from a single seed).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcentral.plotting import plot_settings
    >>> rows = [{"row": m, "variant": {"energy": e, "share_ratio": s},
    ...          "mean": 100 * (1 - e) + (m == "unimodal") * 50, "half_width": 5.0}
    ...         for m in ("unimodal", "centralnet")
    ...         for e, s in ((0.1, 0.5), (0.5, 0.5), (0.5, 0.0))]
    >>> axes = plot_settings(rows)
    >>> [ax.get_xlabel() for ax in axes], len(axes[0].get_lines()) > 0
    (['energy', 'share ratio'], True)
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter
    variants = list({_setting_key(r["variant"]): r["variant"] for r in rows}.values())
    sweeps = _sweeps(variants)
    if not sweeps:
        raise ValueError("plot_settings needs rows over at least two settings of one data "
                         f"parameter; got the settings {variants}.")
    if axes is None:
        _, axes = plt.subplots(1, len(sweeps), figsize=(4.2 * len(sweeps), 3.4),
                               sharey=True, squeeze=False)
        axes = list(axes[0])
    if len(axes) != len(sweeps):
        raise ValueError(f"plot_settings draws {len(sweeps)} panels ({', '.join(sweeps)}); "
                         f"got {len(axes)} axes.")
    by_method = {}  # method -> setting key -> row, in the rows' order
    for r in rows:
        by_method.setdefault(r["row"], {})[_setting_key(r["variant"])] = r
    colors = plt.get_cmap("tab10")
    for ax, (name, points) in zip(axes, sweeps.items()):
        for i, (method, by_v) in enumerate(by_method.items()):
            found = [(v[name], by_v[_setting_key(v)]) for v in points
                     if _setting_key(v) in by_v]
            if not found:
                continue
            x = [f[0] for f in found]
            y = [f[1]["mean"] for f in found]
            err = np.nan_to_num([f[1]["half_width"] for f in found], nan=0.0)
            ax.errorbar(x, y, yerr=err if err.any() else None, marker="o", capsize=3,
                        color=colors(i % 10), label=method)
        fixed = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in points[0].items()
                          if k != name)
        ax.set_title(f"at {fixed}" if fixed else "", fontsize=9)
        ax.set_xlabel(name.replace("_", " "))
        ax.set_yscale(yscale)
        if yscale == "log":  # 200, 300, 500, not 2 x 10^2 ... 9 x 10^2
            for axis in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):
                axis(FuncFormatter(_plain_log_label))
    axes[0].set_ylabel(ylabel)
    axes[0].legend(frameon=False, fontsize=8)
    return axes


def _plain_log_label(value, _):
    """A log axis tick as a plain number, labelled at 1, 2, 3 and 5 per decade only."""
    if value <= 0:
        return ""
    lead = round(value / 10 ** np.floor(np.log10(value)))
    return f"{value:g}" if lead in (1, 2, 3, 5) else ""


def _setting_key(variant):
    """A hashable key of a data setting."""
    return tuple(sorted(variant.items()))
