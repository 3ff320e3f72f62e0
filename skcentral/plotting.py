"""Plots of fusion weights and robustness (matplotlib, an optional extra)."""

import numpy as np

from ._alphas import FusionWeights

__all__ = ["plot_alphas", "plot_robustness"]


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
