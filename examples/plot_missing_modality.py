"""
======================================================
Missing and noisy modalities: robustness curves
======================================================

At prediction time a modality may be missing (a sensor fails) or degraded
(noise). Several fusion methods can still predict when a modality is
absent, each with its own rule: CentralNet renormalises its modality weights
over the present modalities, ModDrop zeroes the absent modality's features,
exactly as it drops modalities during training.

A *robustness curve* scores a fitted model as one modality of the test data
gets worse, level by level. Here we compare CentralNet with ModDrop trained
without modality dropout (``p_drop=0``) and with it (``p_drop=0.3``), as
modality B goes missing in a growing fraction of the test samples, and as
noise is added to it.
"""

# %%
# Three models
# ------------
import matplotlib.pyplot as plt
import numpy as np

from skcentral import MLP, CentralNetClassifier, Modalities, ModDropClassifier
from skcentral.datasets import load_multimodal_digits
from skcentral.model_selection import robustness_curve
from skcentral.plotting import plot_robustness

Xs_train, Xs_test, y_train, y_test = load_multimodal_digits(random_state=0, return_X_y=True)
Xs_train = Modalities(Xs_train, names=["A", "B"])
Xs_test = Modalities(Xs_test, names=["A", "B"])

shared = dict(backbones=MLP((128,)), max_epochs=20, random_state=0)
models = {
    "CentralNet": CentralNetClassifier(**shared),
    "ModDrop, p_drop=0": ModDropClassifier(p_drop=0.0, **shared),
    "ModDrop, p_drop=0.3": ModDropClassifier(p_drop=0.3, **shared),
}
for name, model in models.items():
    model.fit(Xs_train, y_train)
    print(f"{name:20s} test accuracy, both modalities: {model.score(Xs_test, y_test):.3f}")

# %%
# Predicting without a modality
# -----------------------------
# A modality given as ``None`` is missing for every sample; a ``missing``
# mask marks it for some samples only.
for name, model in models.items():
    acc_a_only = np.mean(model.predict(Modalities([Xs_test["A"], None])) == y_test)
    print(f"{name:20s} test accuracy from modality A alone: {acc_a_only:.3f}")

missing = np.zeros((len(y_test), 2), dtype=bool)
missing[::2, 1] = True                      # B missing in every other sample
half = Modalities(Xs_test.arrays, names=Xs_test.names, missing=missing)
print("CentralNet, B missing in half the samples:",
      f"{models['CentralNet'].score(half, y_test):.3f}")

# %%
# Robustness curves
# -----------------
# ``kind="drop"``: each test sample loses modality B with probability
# ``level``. ``kind="noise"``: Gaussian noise of ``level`` times B's
# standard deviation is added to it. The corruption is seeded, so every
# model sees the same degraded test set.
drop_levels = [0.0, 0.25, 0.5, 0.75, 1.0]
noise_levels = [0.0, 0.5, 1.0, 1.5, 2.0]
drop_curves = {name: robustness_curve(model, Xs_test, y_test, modality="B", kind="drop",
                                      levels=drop_levels)
               for name, model in models.items()}
noise_curves = {name: robustness_curve(model, Xs_test, y_test, modality="B",
                                       kind="noise", levels=noise_levels)
                for name, model in models.items()}

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
plot_robustness(drop_curves, ax=axes[0], xlabel="probability that B is missing",
                ylabel="test accuracy")
plot_robustness(noise_curves, ax=axes[1], xlabel="noise on B (x its std)",
                ylabel="test accuracy")
axes[0].set_title("missing modality")
axes[1].set_title("noisy modality")
plt.tight_layout()
plt.show()

# %%
# Reading the curves
# ------------------
# At level 0 the curves start from each model's ordinary test accuracy. When
# B goes missing, ModDrop trained with ``p_drop=0`` has never seen a zeroed
# modality, and falls further than the one trained with modality dropout,
# which learnt to predict from A alone: that is what ModDrop-style training
# buys. CentralNet was trained on complete data too, but its renormalised
# weights and its unimodal losses (Eq. 2, which keep each modality's
# network a classifier in its own right) let it degrade gracefully.
#
# Noise is another matter: a noisy modality is present, so nothing is
# renormalised or zeroed, and modality dropout, which teaches the network to
# cope with *absent* inputs, does not protect against corrupted ones.
#
# Curves of one seed and a short training are indicative only; for a
# comparison, repeat them over seeds.
print(f"{'':20s} {'B missing (probability)':^30s}  {'noise on B (x std)':^30s}")
print(f"{'':20s} " + " ".join(f"{v:5.2f}" for v in drop_levels) + "   "
      + " ".join(f"{v:5.2f}" for v in noise_levels))
for name in models:
    print(f"{name:20s} " + " ".join(f"{v:5.3f}" for v in drop_curves[name][1]) + "   "
          + " ".join(f"{v:5.3f}" for v in noise_curves[name][1]))
