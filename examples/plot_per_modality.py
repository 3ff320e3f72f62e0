"""
=====================================================
A scaler and a PCA per modality, tuned in one search
=====================================================

Each modality usually wants its own preprocessing: its own scaling
statistics, its own number of principal components.
:class:`~skcentral.preprocessing.PerModality` fits a scikit-learn
transformer on each modality, inside a ``Pipeline`` before a fusion
estimator, so that cross-validation refits it on every fold and
``GridSearchCV`` tunes it per modality, by name.
"""

# %%
# The data: named modalities, ready for scikit-learn
# --------------------------------------------------
# The loaders return :class:`~skcentral.Modalities`, named after the data
# set's modalities; splitters and searches take them as they are.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcentral import MLP, CentralNetClassifier
from skcentral.datasets import load_multimodal_digits
from skcentral.preprocessing import PerModality

data = load_multimodal_digits(energy=0.5, share_ratio=0.5, random_state=0)
Xs_train, y_train = data.Xs_train[:400], data.y_train[:400]
print(Xs_train)

# %%
# One transformer for every modality keeps the sample shapes
# ----------------------------------------------------------
# A scaler sees each modality flattened to ``(n_samples, 64)``, with its
# own statistics, and gives 8x8 images back, so a convolutional backbone
# still gets images.
scaled = PerModality(StandardScaler()).fit_transform(Xs_train)
print(scaled)

# %%
# A scaler and a PCA per modality before CentralNet
# -------------------------------------------------
# A dict gives each modality a transformer of its own; a PCA turns the
# modality into ``(n_samples, n_components)`` vectors. Each modality's number
# of components is a parameter of the pipeline, reached by the modality's
# name: ``permodality__a__pca__n_components``.
pipe = make_pipeline(
    PerModality({"a": make_pipeline(StandardScaler(), PCA()),
                 "b": make_pipeline(StandardScaler(), PCA())}),
    CentralNetClassifier(backbones=MLP((32,)), lr=0.01, max_epochs=6, batch_size=64,
                         random_state=0),
)
grid = {"permodality__a__pca__n_components": [4, 16],
        "permodality__b__pca__n_components": [4, 16]}
search = GridSearchCV(pipe, grid, cv=2).fit(Xs_train, y_train)
print("best:", search.best_params_)
print(f"test accuracy: {search.score(data.Xs_test, data.y_test):.3f}")

# %%
# The cross-validated accuracy of each pair of sizes:
ka, kb = grid["permodality__a__pca__n_components"], grid["permodality__b__pca__n_components"]
scores = search.cv_results_["mean_test_score"].reshape(len(ka), len(kb))
fig, ax = plt.subplots(figsize=(4.5, 3.5))
im = ax.imshow(scores, cmap="viridis")
ax.set_xticks(range(len(kb)), kb)
ax.set_yticks(range(len(ka)), ka)
ax.set_xlabel("components of modality b")
ax.set_ylabel("components of modality a")
for i in range(len(ka)):
    for j in range(len(kb)):
        ax.text(j, i, f"{scores[i, j]:.3f}", ha="center", va="center", color="w")
fig.colorbar(im, label="mean CV accuracy")
fig.tight_layout()

# %%
# What the fitted preprocessing produces
# --------------------------------------
# ``get_feature_names_out`` names each output feature after its modality.
best = search.best_estimator_
print(best["permodality"].sample_shapes_out_)
print(np.asarray(best["permodality"].get_feature_names_out())[[0, -1]])
