"""A readable view of fusion weights (CentralNet's alphas, the GMU's gates)."""

import numpy as np

__all__ = ["FusionWeights"]


class FusionWeights:
    """Fusion weights per fusion point, raw and as shares of 100%.

    Parameters
    ----------
    weights : ndarray of shape (n_points, n_columns)
        Effective weight of each source at each fusion point; NaN where a
        source takes no part (the central network at point 0).
    columns : list of str
        Source names, e.g. ``["central", "image", "audio"]``.
    points : list of str
        Fusion point labels.

    Attributes
    ----------
    weights : ndarray
    shares : ndarray
        ``100 * |w| / sum |w|`` per fusion point, as in the paper's Fig. 3.
    columns, points : list of str

    Examples
    --------
    >>> import numpy as np
    >>> w = FusionWeights(np.array([[np.nan, .5, .5], [.2, .3, .1]]),
    ...                   ["central", "a", "b"], ["0", "1"])
    >>> w.shares.round(1).tolist()
    [[nan, 50.0, 50.0], [33.3, 50.0, 16.7]]
    >>> w["a"].tolist()
    [0.5, 0.3]
    """

    def __init__(self, weights, columns, points):
        self.weights = np.asarray(weights, dtype=float)
        self.columns = list(columns)
        self.points = list(points)

    @property
    def shares(self):
        a = np.abs(self.weights)
        return 100.0 * a / np.nansum(a, axis=1, keepdims=True)

    def __getitem__(self, column):
        return self.weights[:, self.columns.index(column)]

    def to_dict(self):
        """``{column: {"weight": [...], "share": [...]}}``, JSON-friendly."""
        def clean(v):
            return [None if np.isnan(x) else float(x) for x in v]
        return {c: {"weight": clean(self.weights[:, j]), "share": clean(self.shares[:, j])}
                for j, c in enumerate(self.columns)}

    def to_frame(self):
        """The weights and shares as a pandas DataFrame (needs pandas)."""
        import pandas as pd
        cols = pd.MultiIndex.from_product([["weight", "share %"], self.columns])
        return pd.DataFrame(np.hstack([self.weights, self.shares]),
                            index=pd.Index(self.points, name="fusion point"),
                            columns=cols)

    def __repr__(self):
        width = max(16, *(len(c) + 2 for c in self.columns))
        pw = max(len("fusion point"), *(len(p) for p in self.points))
        head = "fusion point".ljust(pw) + "".join(c.rjust(width) for c in self.columns)
        lines = [head, "-" * len(head)]
        for p, w, s in zip(self.points, self.weights, self.shares):
            cells = ("-" if np.isnan(a) else f"{a:+.3f} ({b:4.1f}%)" for a, b in zip(w, s))
            lines.append(p.ljust(pw) + "".join(c.rjust(width) for c in cells))
        return "\n".join(lines)
