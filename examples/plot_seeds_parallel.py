"""
==========================================================
Many seeds in parallel, with 99% confidence intervals
==========================================================

One training run of a neural network says little: another seed gives
another score. The paper averages 64 runs per method and reports 99%
confidence intervals from Student's law. :func:`~skcentral.model_selection.evaluate_seeds`
and :func:`~skcentral.model_selection.evaluate_many` do the same: they fit
clones of an estimator under several seeds, in parallel with joblib, and
summarise the scores.

Here: four methods, five seeds each, two runs at a time on two cores.
"""

# %%
# One estimator, several seeds
# ----------------------------
import time

import matplotlib.pyplot as plt

from skcentral import (MLP, CentralNetClassifier, EnsembleClassifier, ModDropClassifier,
                       UnimodalClassifier)
from skcentral.datasets import load_multimodal_digits
from skcentral.model_selection import evaluate_many, evaluate_seeds

Xs_train, Xs_test, y_train, y_test = load_multimodal_digits(
    energy=0.25, share_ratio=0.5, random_state=0, return_X_y=True)
shared = dict(backbones=MLP((128,)), lr=0.003, max_epochs=10, batch_size=64)

res = evaluate_seeds(CentralNetClassifier(**shared), Xs_train, y_train, Xs_test, y_test,
                     seeds=5, scoring="errors", n_jobs=2)
print(res)
print("errors per seed:", res.scores, " fit seconds:", res.fit_times.round(1))

# %%
# ``n_jobs=2`` runs two seeds at a time in separate processes, each with
# one torch thread (``torch_threads=1``, the default), so that two runs do
# not fight over the two cores and a seed gives the same score whether it
# runs alone or in parallel. The interval is
# ``mean +- t(0.995, n - 1) * std / sqrt(n)``
# (:func:`~skcentral.model_selection.student_ci`).
print(f"mean {res.mean:.1f} errors, 99% CI {res.ci[0]:.1f} to {res.ci[1]:.1f}")

# %%
# Several methods in one pool
# ---------------------------
# :func:`~skcentral.model_selection.evaluate_many` puts every (method,
# seed) run in one pool, which keeps both workers busy to the end;
# ``on_result`` reports each run as it finishes. CentralNet's seeds are
# already done, so its result joins the others'.
methods = {
    "modality A only": UnimodalClassifier(modality=0, **shared),
    "Ensemble": EnsembleClassifier(**shared),
    "ModDrop": ModDropClassifier(p_drop=0.2, **shared),
}


def report(name, seed, score, fit_time):
    print(f"  {name:16s} seed {seed}: {score:3.0f} errors ({fit_time:.1f} s)")


start = time.perf_counter()
results = evaluate_many(methods, Xs_train, y_train, Xs_test, y_test, seeds=5,
                        scoring="errors", n_jobs=2, on_result=report)
print(f"{len(methods) * 5} runs in {time.perf_counter() - start:.1f} s")
results["CentralNet"] = res
for name, r in results.items():
    print(f"{name:16s} {r}")

# %%
# The intervals as error bars
# ---------------------------
# Test errors out of 450, mean and 99% Student-t interval over the five
# seeds, as in the paper's tables. Overlapping intervals mean the seeds do
# not separate the methods at that confidence.
fig, ax = plt.subplots(figsize=(7, 3.2))
names = list(results)
ax.errorbar([results[n].mean for n in names], names,
            xerr=[results[n].half_width for n in names], fmt="o", capsize=4)
for i, n in enumerate(names):
    ax.scatter(results[n].scores, [i] * len(results[n].scores), color="gray", s=10,
               alpha=0.5, zorder=0)
ax.invert_yaxis()
ax.set_xlabel("test errors (of 450), mean and 99% CI over 5 seeds")
plt.tight_layout()
plt.show()

# %%
# On a cluster
# ------------
# The same calls run on a dask cluster under joblib's dask backend, with
# ``n_jobs=-1`` to use every worker (see :doc:`/user_guide/parallel`)::
#
#     from dask.distributed import Client
#     from joblib import parallel_backend
#
#     client = Client("tcp://scheduler:8786")
#     with parallel_backend("dask"):
#         results = evaluate_many(methods, Xs_train, y_train, Xs_test, y_test,
#                                 seeds=64, scoring="errors", n_jobs=-1)
