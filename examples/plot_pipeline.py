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
2. :class:`~skcentral.preprocessing.PerModality`, which fits one
   scikit-learn transformer *per modality* (here a ``StandardScaler`` per
   modality, its statistics learnt on the training folds only);
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
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skcentral import MLP, CentralNetClassifier, Modalities
from skcentral.datasets import load_multimodal_digits
from skcentral.preprocessing import PerModality

data = load_multimodal_digits(random_state=0)
Xs_train = Modalities([data.Xs_train["a"], 40 * data.Xs_train["b"] + 100], names=["A", "B"])
Xs_test = Modalities([data.Xs_test["a"], 40 * data.Xs_test["b"] + 100], names=["A", "B"])
y_train, y_test = data.y_train, data.y_test
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
# :class:`~skcentral.preprocessing.PerModality` fits a clone of
# ``StandardScaler`` on each modality's rows flattened to 2-D, and gives the
# images back in their 8x8 shape. A dict would give each modality a
# transformer of its own (see
# :ref:`sphx_glr_auto_examples_plot_per_modality.py`).

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
