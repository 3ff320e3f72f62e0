"""
===============================================
Multilabel classification and regression
===============================================

Every fusion method handles more than one class per sample and continuous
targets. We derive both from the digits:

* **multilabel**: three yes/no labels per digit, "even", "greater than 4"
  and "one of 0, 6, 8, 9", as a 2-D 0/1 indicator ``y``; the
  classifier switches to one sigmoid per label and the weighted binary
  cross-entropy of the paper's Eq. 4 (MM-IMDb's genres are multilabel);
* **regression**: the digit's value, 0 to 9, as a number, with the
  ``XRegressor`` of a method (mean squared error in the multi-task loss,
  :math:`R^2` as the score).
"""

# %%
# Multilabel targets
# ------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.preprocessing import StandardScaler

from skcentral import (MLP, CentralNetClassifier, CentralNetRegressor, GMUClassifier,
                       UnimodalRegressor)
from skcentral.datasets import load_multimodal_digits

Xs_train, Xs_test, y_train, y_test = load_multimodal_digits(random_state=0, return_X_y=True)
label_names = ["even", "> 4", "in {0, 6, 8, 9}"]


def labels(digits):
    return np.column_stack([digits % 2 == 0, digits > 4,
                            np.isin(digits, [0, 6, 8, 9])]).astype(int)


Y_train, Y_test = labels(y_train), labels(y_test)
print("Y_train:", Y_train.shape, "label frequencies:", Y_train.mean(axis=0).round(2))

# %%
# Two fusion classifiers on three labels
# --------------------------------------
# Nothing changes but ``y``: ``clf.task_`` becomes ``"multilabel"``,
# ``predict_proba`` gives one probability per label and ``predict`` the 0/1
# matrix (a label is set where its probability reaches ``threshold``, 0.5).
# ``pos_weight=2`` (the default) is the paper's weight of 2.0 on the positive
# terms of the loss, which trades precision for recall.
shared = dict(backbones=MLP((128,)), lr=0.003, max_epochs=15, batch_size=64,
              random_state=0)
classifiers = {
    "CentralNet": CentralNetClassifier(**shared),
    "CentralNet, pos_weight=1": CentralNetClassifier(pos_weight=1.0, **shared),
    "GMU": GMUClassifier(**shared),
}
for name, clf in classifiers.items():
    clf.fit(Xs_train, Y_train)
    pred = clf.predict(Xs_test)
    print(f"{name:25s} task={clf.task_}  F1 micro {f1_score(Y_test, pred, average='micro'):.3f}"
          f"  macro {f1_score(Y_test, pred, average='macro'):.3f}"
          f"  samples {f1_score(Y_test, pred, average='samples', zero_division=1.0):.3f}"
          f"  precision {precision_score(Y_test, pred, average='micro'):.3f}"
          f"  recall {recall_score(Y_test, pred, average='micro'):.3f}")

# %%
# Digits 1 and 3 have none of the three labels. For such a sample, predicting
# no label is right, so the per-sample F1 above (``average="samples"``)
# counts it as 1 with ``zero_division=1.0`` (scikit-learn's default, 0, would count a
# correct empty prediction as a miss, and warn).
#
# F1 per label: scikit-learn's ``"f1_micro"``, ``"f1_macro"``,
# ``"f1_weighted"`` and ``"f1_samples"`` scorers work in ``GridSearchCV``
# and :func:`~skcentral.model_selection.evaluate_seeds` as well.
clf = classifiers["CentralNet"]
per_label = f1_score(Y_test, clf.predict(Xs_test), average=None)
fig, ax = plt.subplots(figsize=(6, 2.8))
ax.barh(label_names, per_label, color="C0")
ax.set_xlim(0, 1)
ax.set_xlabel("test F1 (CentralNet)")
plt.tight_layout()
plt.show()

# %%
# The threshold acts at prediction only, so it can be moved after fitting,
# trading precision against recall without retraining:
for threshold in [0.3, 0.5, 0.7]:
    pred = clf.set_params(threshold=threshold).predict(Xs_test)
    print(f"threshold {threshold}: precision {precision_score(Y_test, pred, average='micro'):.3f},"
          f" recall {recall_score(Y_test, pred, average='micro'):.3f},"
          f" F1 {f1_score(Y_test, pred, average='micro'):.3f}")
clf.set_params(threshold=0.5)

# %%
# Regression: the digit's value
# -----------------------------
# A regressor takes the same data and a 1-D (or 2-D, multi-output) ``y``.
# The loss is a mean squared error, so targets are best near unit scale:
# scikit-learn's ``TransformedTargetRegressor`` standardises them for
# training and maps the predictions back.


def make_regressor(estimator):
    return TransformedTargetRegressor(regressor=estimator, transformer=StandardScaler())


regressors = {
    "CentralNet": make_regressor(CentralNetRegressor(**shared)),
    "modality A only": make_regressor(UnimodalRegressor(modality=0, **shared)),
    "modality B only": make_regressor(UnimodalRegressor(modality=1, **shared)),
}
v_train, v_test = y_train.astype(float), y_test.astype(float)
for name, reg in regressors.items():
    reg.fit(Xs_train, v_train)
    print(f"{name:16s} test R^2 {reg.score(Xs_test, v_test):.3f}")

# %%
# Predicted against true values (jittered horizontally for visibility).
pred = regressors["CentralNet"].predict(Xs_test)
rng = np.random.default_rng(0)
fig, ax = plt.subplots(figsize=(5, 4))
ax.scatter(v_test + rng.uniform(-0.2, 0.2, len(v_test)), pred, s=8, alpha=0.5)
ax.plot([0, 9], [0, 9], color="gray", lw=1)
ax.set_xlabel("true digit")
ax.set_ylabel("predicted value (CentralNet)")
ax.set_xticks(range(10))
plt.tight_layout()
plt.show()

# %%
# Regressing the digit's value is an odd task (a 1 and a 7 are close in
# shape but far apart as numbers), which shows in the spread: the point is
# that the same fusion estimators, alphas included
# (``regressors["CentralNet"].regressor_.alphas_``), serve any target.
print(regressors["CentralNet"].regressor_.alphas_)
