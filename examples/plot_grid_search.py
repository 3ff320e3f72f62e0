"""
=====================================================
Tuning beta and p_drop with GridSearchCV
=====================================================

Every hyper-parameter of a skcentral estimator is an ``__init__`` keyword, so
scikit-learn's model selection tunes it like any other. Here we tune

* ``beta``, the weight of each modality's own loss in CentralNet's
  multi-task loss (the paper's Eq. 2, ``beta = 1`` in all its experiments),
  and
* ``p_drop``, the probability of dropping a modality in ModDrop (0.2 to 0.32
  in the paper, found by a random search),

with 3-fold cross-validation on the training digits. The loaders return
:class:`~skcentral.Modalities`, the container scikit-learn's splitters cut by
rows, so the data go through ``GridSearchCV`` as they are.
"""

# %%
# The data
# --------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV

from skcentral import MLP, CentralNetClassifier, ModDropClassifier
from skcentral.datasets import load_multimodal_digits

Xs_train, Xs_test, y_train, y_test = load_multimodal_digits(
    energy=0.25, share_ratio=0.5, random_state=0, return_X_y=True)
print(Xs_train)

# %%
# CentralNet: beta
# ----------------
# ``beta=0`` trains on the central prediction only; larger values weigh the
# unimodal predictions more. ``n_jobs=2`` runs two fits at a time.
shared = dict(backbones=MLP((128,)), lr=0.003, max_epochs=10, batch_size=64,
              random_state=0)
search_beta = GridSearchCV(CentralNetClassifier(**shared),
                           {"beta": [0.0, 0.25, 1.0, 4.0]}, cv=3, n_jobs=2)
search_beta.fit(Xs_train, y_train)
print("best:", search_beta.best_params_,
      f"cross-validated accuracy {search_beta.best_score_:.3f}")

# %%
# ModDrop: p_drop, with the backbones' dropout
# --------------------------------------------
# Parameters of the backbone specs are nested estimator parameters:
# ``backbones__dropout`` sets the dropout of the (shared) MLP spec, so a
# grid can tune the network and the fusion together.
search_drop = GridSearchCV(
    ModDropClassifier(**shared),
    {"p_drop": [0.0, 0.2, 0.4], "backbones__dropout": [0.2, 0.5]},
    cv=3, n_jobs=2)
search_drop.fit(Xs_train, y_train)
print("best:", search_drop.best_params_,
      f"cross-validated accuracy {search_drop.best_score_:.3f}")

# %%
# The cross-validated scores
# --------------------------
# Mean accuracy over the folds, with its standard deviation.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
res = search_beta.cv_results_
axes[0].errorbar([str(b) for b in res["param_beta"]], res["mean_test_score"],
                 yerr=res["std_test_score"], marker="o", capsize=3)
axes[0].set_xlabel("beta (CentralNet)")
axes[0].set_ylabel("3-fold CV accuracy")
res = search_drop.cv_results_
for dropout in [0.2, 0.5]:
    mask = np.asarray(res["param_backbones__dropout"]) == dropout
    axes[1].errorbar(np.asarray(res["param_p_drop"])[mask].astype(float),
                     res["mean_test_score"][mask], yerr=res["std_test_score"][mask],
                     marker="o", capsize=3, label=f"backbone dropout {dropout}")
axes[1].set_xlabel("p_drop (ModDrop)")
axes[1].legend(frameon=False)
plt.tight_layout()
plt.show()

# %%
# The refitted best models on the held-out test digits
# ----------------------------------------------------
# ``GridSearchCV`` refits the best configuration on all the training data.
for name, search in [("CentralNet", search_beta), ("ModDrop", search_drop)]:
    print(f"{name:10s} {search.best_params_}: test accuracy "
          f"{search.score(Xs_test, y_test):.3f}")

# %%
# A few folds of a short training are noisy: differences within a standard
# deviation are not worth much. With more budget, tune on more epochs, or
# score each configuration over several seeds with
# :func:`~skcentral.model_selection.evaluate_seeds`.
