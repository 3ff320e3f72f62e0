"""Training throughput of CentralNetClassifier against two references (issue 5, items 1-2).

For each configuration the same torch module (the one the estimator builds,
copied with its weights) is trained for one epoch of the same synthetic data
by three contenders, interleaved, ``--repeats`` times:

* ``skcentral``: ``CentralNetClassifier.partial_fit`` (one epoch per call, so
  every call also pays input validation; the module is built beforehand);
* ``hand loop``: a plain PyTorch loop (shuffled ``index_select`` batches from
  in-memory tensors, Adam, ``zero_grad(set_to_none=True)``, the multi-task loss);
* ``plain skorch``: skorch's ``NeuralNetClassifier`` with its default
  ``DataLoader`` (per-sample ``__getitem__`` and collate) over a dict of the
  modalities, a wrapper module returning the CentralNet outputs, and a
  criterion computing the same multi-task loss (fused cross-entropy plus
  beta=1 times each modality's).

All use Adam (lr 1e-3, torch's default for-each-parameter implementation on
CPU) and batches of 128. Targets: skcentral >= 0.95 of the hand loop on both
configurations; skcentral >= 2x plain skorch on the MLP one.

A fourth row, ``skcentral, fused Adam`` (``optimizer__fused=True``, torch's
single-kernel Adam), is not part of the comparison: it shows what the
optimizer implementation alone is worth.

The time spent producing batches alone (iterating over the training
batches without training) is printed for ``ModalityBatchIterator`` and
skorch's ``DataLoader``, beside the time of a whole training step.

Usage::

    python benchmarks/bench_speed.py            # default, about 3 minutes
    python benchmarks/bench_speed.py --quick    # smoke run
    python benchmarks/bench_speed.py --configs mlp --samples 8192 --repeats 7
    python benchmarks/bench_speed.py --configs mlp-small   # where batch loading matters
"""

import copy
import statistics

import numpy as np
import torch
from skorch import NeuralNetClassifier
from torch import nn

from skcentral import ModalityDataset

from _common import (BATCH_SIZE, CONFIGS, LR, HandLoop, fitted, interleaved,
                     median_ratio, multitask_ce, parser, setup, spread, synthetic,
                     table, tensors, timed, verdict)

DEFAULT_SAMPLES = {"lenet5": 1024, "mlp": 2048, "mlp-small": 8192}


class DictInput(nn.Module):
    """Plain-skorch wrapper: modalities as keyword arguments, CentralNet outputs back."""

    def __init__(self, net, names):
        super().__init__()
        self.net = net
        self.names = names

    def forward(self, **X):
        return self.net([X[name] for name in self.names])


class MultiTaskCE(nn.Module):
    """The multi-task loss as a skorch criterion (beta=1 for every modality)."""

    def forward(self, outputs, y):
        return multitask_ce(outputs, y)


def plain_skorch(module, Xs):
    """A NeuralNetClassifier training ``module`` with skorch's default DataLoader."""
    names = [f"m{k}" for k in range(len(Xs))]
    net = NeuralNetClassifier(
        DictInput(copy.deepcopy(module), names), criterion=MultiTaskCE,
        optimizer=torch.optim.Adam, lr=LR, batch_size=BATCH_SIZE, max_epochs=1,
        train_split=None, iterator_train__shuffle=True, verbose=0)
    X = dict(zip(names, Xs))
    return net, X


def loading_times(clf, net, Xs, X_dict, y, repeats):
    """Seconds per batch of iterating over the training batches alone (no training)."""
    iterators = {
        "ModalityBatchIterator": clf.get_iterator(ModalityDataset(Xs, y), training=True),
        "skorch DataLoader": net.get_iterator(net.get_dataset(X_dict, y), training=True),
    }
    return {name: statistics.median(timed(list, it) for _ in range(repeats)) / len(it)
            for name, it in iterators.items()}


def run_config(config, n, repeats, control=False):
    Xs, y = synthetic(config, n)
    clf = fitted(config)
    hand = HandLoop(clf.module_)
    net, X_dict = plain_skorch(clf.module_, Xs)
    Xt, yt = tensors(Xs, y)
    fused = fitted(config, optimizer__fused=True)
    contenders = {
        "skcentral": lambda: clf.partial_fit(Xs, y),
        "hand loop": lambda: hand.epoch(Xt, yt),
        "plain skorch": lambda: net.partial_fit(X_dict, y),
        "skcentral, fused Adam": lambda: fused.partial_fit(Xs, y),
    }
    if control:
        twin = fitted(config)
        contenders["skcentral, 2nd instance"] = lambda: twin.partial_fit(Xs, y)
    interleaved(contenders, 1)  # warm-up: optimizer state, oneDNN primitives
    times = interleaved(contenders, repeats)
    rows = []
    for name, ts in times.items():
        rates = [n / t for t in ts]
        rows.append([name, f"{np.median(rates):.0f}", spread(rates),
                     f"{median_ratio(times['hand loop'], ts):.3f}",
                     f"{median_ratio(times['plain skorch'], ts):.3f}"])
    print(f"-- {config.label}: {n} samples/epoch, batch {BATCH_SIZE}, "
          f"{repeats} interleaved repeats")
    table(["contender", "samples/s", "range", "speed vs hand", "speed vs skorch"], rows)
    loading = loading_times(clf, net, Xs, X_dict, y, repeats)
    step = np.median(times["hand loop"]) / -(-n // BATCH_SIZE)
    print("batches alone (iterating, no training): "
          + ", ".join(f"{name} {1e3 * t:.2f} ms" for name, t in loading.items())
          + f" per batch; a whole training step of the hand loop: {1e3 * step:.1f} ms")
    return (median_ratio(times["hand loop"], times["skcentral"]),
            median_ratio(times["plain skorch"], times["skcentral"]))


def main():
    p = parser(__doc__, control=True)
    p.add_argument("--configs", nargs="+", choices=sorted(CONFIGS),
                   default=["lenet5", "mlp"])
    p.add_argument("--samples", type=int, default=None,
                   help="samples per epoch (default: 1024 lenet5, 2048 mlp, 8192 mlp-small)")
    args = p.parse_args()
    setup(args, "fit throughput: skcentral vs hand-written PyTorch loop vs plain skorch")
    repeats = args.repeats or (1 if args.quick else 5)
    results = {}
    for name in args.configs:
        n = args.samples or (256 if args.quick else DEFAULT_SAMPLES[name])
        results[name] = run_config(CONFIGS[name], n, repeats, args.control)
        print()
    print("'speed vs X' = time of X / time of the row, the median over repeats of "
          "per-repeat ratios.")
    for name, (vs_hand, vs_skorch) in results.items():
        line = f"{name}: skcentral / hand loop = {vs_hand:.3f} (target >= 0.95: " \
               f"{verdict(vs_hand >= 0.95)})"
        if name.startswith("mlp"):
            line += f"; skcentral / plain skorch = {vs_skorch:.2f}x (target >= 2: " \
                    f"{verdict(vs_skorch >= 2)})"
        else:
            line += f"; skcentral / plain skorch = {vs_skorch:.2f}x"
        print(line)


if __name__ == "__main__":
    main()
