"""
=================================================
Where does CentralNet fuse? The alphas per layer
=================================================

CentralNet feeds each layer of its central network a learnt weighted sum of
the modality networks' representations and of its own previous layer (the
paper's Eq. 3). After training, the weights (the *alphas*) say where the
fusion happens: modality weights near zero after the first layer mean early
fusion, a central weight near zero until the last layer means late fusion.
The paper shows them as shares of 100% per layer (its Fig. 3).

Here we train a CentralNet of three small LeNet5 networks on two
multimodal-digits configurations and plot the alphas of each.
"""

# %%
# Two modalities from one image
# -----------------------------
# :func:`~skcentral.datasets.load_multimodal_digits` projects each 8x8 digit
# onto two sets of principal components (the paper's Sec. 3.1): each
# modality keeps a fraction ``energy`` of the variance, and the two sets
# have a fraction ``share_ratio`` of their components in common.
import matplotlib.pyplot as plt

from skcentral import CentralNetClassifier, LeNet5
from skcentral.datasets import load_multimodal_digits
from skcentral.plotting import plot_alphas

Xs_train, Xs_test, y_train, y_test = load_multimodal_digits(
    energy=0.5, share_ratio=0.5, random_state=0, return_X_y=True)
print([x.shape for x in Xs_train], "train,", len(y_test), "test digits")

fig, axes = plt.subplots(2, 6, figsize=(8, 3))
for j in range(6):
    for k in range(2):
        axes[k, j].imshow(Xs_train[k][j], cmap="gray_r")
        axes[k, j].set_axis_off()
    axes[0, j].set_title(str(y_train[j]))
fig.suptitle("modality A (top) and B (bottom): half the energy each, half of it shared")
plt.show()

# %%
# Train a CentralNet
# ------------------
# A LeNet5 per modality, narrowed for the 8x8 digits: two 5x5 convolutions
# (16 and 32 channels instead of the paper's 32 and 64) and a 128-unit dense
# layer, and a central network of the same shape. Fusion points are numbered as in the paper: 0 the input images,
# 1 and 2 the convolutions, 3 the dense layer, 4 the predictions. The paper
# trains for 100 epochs with a learning rate of 0.01; 12 epochs are enough
# for the digits.
backbone = LeNet5(channels=(16, 32), dense=128)
clf = CentralNetClassifier(backbones=backbone, lr=0.01, max_epochs=12, random_state=0)
clf.fit(Xs_train, y_train)
print(f"test accuracy: {clf.score(Xs_test, y_test):.3f}")

# %%
# ``alphas_`` holds the effective weight of each source at each fusion
# point and, in brackets, its share of the row's total (absolute) weight.
# The central network has no weight at point 0: there is no central state
# before the first layer.
print(clf.alphas_)

# %%
# The same shares as stacked bars, as in the paper's Fig. 3. The alphas
# start equal (50/50 at point 0, a third each elsewhere), so what matters is
# how far training moved them.
plot_alphas(clf, title="energy 0.5, share ratio 0.5")
plt.tight_layout()
plt.show()

# %%
# Less information per modality
# -----------------------------
# With 10% of the energy per modality, each view alone is a poor copy of the
# digit. Does the central network lean on itself more, and where?
Xs_train_low, Xs_test_low, y_train_low, y_test_low = load_multimodal_digits(
    energy=0.1, share_ratio=0.5, random_state=0, return_X_y=True)
clf_low = CentralNetClassifier(backbones=backbone, lr=0.01, max_epochs=12, random_state=0)
clf_low.fit(Xs_train_low, y_train_low)
print(f"test accuracy: {clf_low.score(Xs_test_low, y_test_low):.3f}")
print(clf_low.alphas_)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
plot_alphas(clf, ax=axes[0], title="energy 0.5")
plot_alphas(clf_low, ax=axes[1], title="energy 0.1")
axes[0].get_legend().remove()
plt.tight_layout()
plt.show()

# %%
# How to read them
# ----------------
# A share far from where it started is a choice the network made; a share
# that barely moved says little (train longer, or with a larger learning
# rate, before reading it). The weights multiply representations whose scale
# is the network's own, so a share is a weight, not a measured contribution,
# and it varies from seed to seed: average the alphas of several seeds
# (:func:`~skcentral.model_selection.evaluate_seeds` with
# ``return_estimators=True``) before concluding. See :doc:`/user_guide/alphas`.
