"""
==============================================
Per-modality preprocessing in a Pipeline
==============================================

Modalities usually need their own preprocessing: a spectrogram and an image
are not scaled alike. A fusion estimator is the last step of a scikit-learn
``Pipeline`` like any other, and the steps before it can work on each
modality separately. Three ways, from the simplest:

1. a ``FunctionTransformer`` for a *stateless* per-sample operation (here:
   each image scaled to zero mean and unit variance), applied to every
   modality of a :class:`~skcentral.Modalities`;
2. a small transformer, written below, that fits one scikit-learn
   transformer *per modality* (here a ``StandardScaler`` per modality, its
   statistics learnt on the training folds only);
3. the data as one 2-D array: a ``ColumnTransformer`` scales each modality's
   columns, and the estimator's ``modalities=`` column spec cuts the result
   back into modalities.

Each pipeline is cross-validated on the training digits, the whole pipeline
refitted on every fold, so that no statistic leaks from the held-out fold.
"""

# %%
# The data, with one modality on another scale
# --------------------------------------------
# To make the point, modality B is multiplied by 40 and shifted, as a sensor
# with other units would be.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skcentral import MLP, CentralNetClassifier, Modalities
from skcentral.datasets import load_multimodal_digits

Xs_train, Xs_test, y_train, y_test = load_multimodal_digits(random_state=0)
Xs_train[1] = 40 * Xs_train[1] + 100
Xs_test[1] = 40 * Xs_test[1] + 100
Xs_train = Modalities(Xs_train, names=["A", "B"])
Xs_test = Modalities(Xs_test, names=["A", "B"])
for name in Xs_train.names:
    print(f"modality {name}: mean {Xs_train[name].mean():7.2f}, std {Xs_train[name].std():6.2f}")


def make_clf(**kwargs):
    return CentralNetClassifier(backbones=MLP((128,)), lr=0.003, max_epochs=10,
                                batch_size=64, random_state=0, **kwargs)


scores = {"no preprocessing": cross_val_score(make_clf(), Xs_train, y_train, cv=3)}

# %%
# 1. A stateless function on every modality
# -----------------------------------------
# ``FunctionTransformer`` passes the :class:`~skcentral.Modalities` to the
# function untouched; the function returns a new one, with the same names.


def standardise_each_image(Xs):
    Xs = Modalities(Xs)
    out = []
    for x in Xs:
        flat = x.reshape(len(x), -1)
        flat = (flat - flat.mean(axis=1, keepdims=True)) / (flat.std(axis=1, keepdims=True) + 1e-6)
        out.append(flat.reshape(x.shape))
    return Modalities(out, names=Xs.names)


per_image = make_pipeline(FunctionTransformer(standardise_each_image), make_clf())
scores["per-image standardisation"] = cross_val_score(per_image, Xs_train, y_train, cv=3)

# %%
# 2. One fitted transformer per modality
# --------------------------------------
# A few lines give a transformer that clones ``transformer`` for each
# modality, fits it on that modality's rows flattened to 2-D, and gives the
# arrays back in their shapes. ``transformers`` may also map modality names to
# transformers of their own.


class PerModality(TransformerMixin, BaseEstimator):
    """Apply a clone of ``transformer`` to each modality (rows flattened to 2-D).

    Parameters
    ----------
    transformer : transformer or dict of str to transformer
        One transformer for every modality, or one per modality name
        ("passthrough" leaves a modality as it is).
    """

    def __init__(self, transformer):
        self.transformer = transformer

    def _for(self, name):
        t = self.transformer
        return t.get(name, "passthrough") if isinstance(t, dict) else t

    def fit(self, Xs, y=None):
        Xs = Modalities(Xs)
        self.transformers_ = {}
        for name, x in zip(Xs.names, Xs):
            t = self._for(name)
            if t != "passthrough":
                self.transformers_[name] = clone(t).fit(x.reshape(len(x), -1), y)
        return self

    def transform(self, Xs):
        Xs = Modalities(Xs)
        out = []
        for name, x in zip(Xs.names, Xs):
            t = self.transformers_.get(name)
            out.append(x if t is None else
                       t.transform(x.reshape(len(x), -1)).reshape(x.shape).astype(np.float32))
        return Modalities(out, names=Xs.names)


per_modality = make_pipeline(PerModality(StandardScaler()), make_clf())
scores["StandardScaler per modality"] = cross_val_score(per_modality, Xs_train, y_train, cv=3)

# %%
# 3. One 2-D array, a ColumnTransformer and a column spec
# -------------------------------------------------------
# Flattened side by side, the modalities are columns 0-63 (A) and 64-127
# (B). A ``ColumnTransformer`` scales each block; its output keeps that
# order, which the estimator's ``modalities=`` spec cuts back into two 8x8
# modalities. With a column spec the estimator is an ordinary 2-D one, so
# any scikit-learn transformer can precede it.
X_train = np.hstack([x.reshape(len(x), -1) for x in Xs_train])
X_test = np.hstack([x.reshape(len(x), -1) for x in Xs_test])
spec = {"A": {"columns": 64, "shape": (8, 8)}, "B": {"columns": 64, "shape": (8, 8)}}
columns = make_pipeline(
    ColumnTransformer([("A", StandardScaler(), slice(0, 64)),
                       ("B", StandardScaler(), slice(64, 128))]),
    make_clf(modalities=spec))
scores["ColumnTransformer + modalities="] = cross_val_score(columns, X_train, y_train, cv=3)

# %%
# The cross-validated accuracies
# ------------------------------
for name, s in scores.items():
    print(f"{name:32s} {s.mean():.3f} +- {s.std():.3f}")

fig, ax = plt.subplots(figsize=(7, 3))
names = list(scores)
ax.barh(names, [scores[n].mean() for n in names], xerr=[scores[n].std() for n in names],
        color=[f"C{i}" for i in range(len(names))])
ax.invert_yaxis()
ax.set_xlabel("3-fold CV accuracy")
ax.set_xlim(0, 1)
plt.tight_layout()
plt.show()

# %%
# The fitted pipeline predicts from raw data
# ------------------------------------------
# Once fitted, a pipeline applies the training statistics to new data.
per_modality.fit(Xs_train, y_train)
print(f"StandardScaler per modality, test accuracy: {per_modality.score(Xs_test, y_test):.3f}")
