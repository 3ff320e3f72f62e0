"""Training throughput of CentralNetClassifier against two references.

For each configuration the same torch module (the one the estimator builds,
copied with its weights) is trained for one epoch of the same synthetic data
by each contender, interleaved, ``--repeats`` times:

* ``skcentral``: ``CentralNetClassifier.partial_fit`` with its defaults
  (fused Adam, channels-last for convolutional backbones; one epoch per call,
  so every call also pays input validation; the module is built beforehand);
* ``skcentral, bf16``: the same with ``precision="bf16"``;
* ``skcentral, torch's defaults``: ``optimizer__fused=False,
  channels_last=False``, i.e. the for-each Adam and NCHW tensors of the hand
  loop: what the estimator itself costs over a hand-written loop;
* ``hand loop``: a plain PyTorch loop (shuffled ``index_select`` batches from
  in-memory tensors, torch's default Adam, fp32, NCHW,
  ``zero_grad(set_to_none=True)``, the multi-task loss): the reference;
* ``plain skorch``: skorch's ``NeuralNetClassifier`` with its default
  ``DataLoader`` (per-sample ``__getitem__`` and collate) over a dict of the
  modalities, a wrapper module returning the CentralNet outputs, and a
  criterion computing the same multi-task loss.

All use Adam (lr 1e-3) and batches of 128. Targets: default ``fit`` >= 1.25x
the hand loop on LeNet5 and >= 1.35x on the MLP; ``precision="bf16"`` >= 2.2x
the hand loop on LeNet5; skcentral with torch's defaults >= 0.95x the hand
loop; skcentral >= 2x plain skorch on the MLP.

The time spent producing batches alone (iterating over the training
batches without training) is printed for ``ModalityBatchIterator`` and
skorch's ``DataLoader``, beside the time of a whole training step.

Usage::

    python benchmarks/bench_speed.py            # default, about 4 minutes
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


TARGETS = {  # contender: {configuration: least speed vs the hand loop}
    "skcentral": {"lenet5": 1.25, "mlp": 1.35},
    "skcentral, bf16": {"lenet5": 2.2},
    "skcentral, torch's defaults": {"lenet5": 0.95, "mlp": 0.95},
}


def run_config(name, n, repeats, control=False):
    config = CONFIGS[name]
    Xs, y = synthetic(config, n)
    clf = fitted(config)
    hand = HandLoop(clf.module_)
    net, X_dict = plain_skorch(clf.module_, Xs)
    Xt, yt = tensors(Xs, y)
    variants = {"skcentral, bf16": fitted(config, precision="bf16"),
                "skcentral, torch's defaults": fitted(config, optimizer__fused=False,
                                                      channels_last=False)}
    contenders = {
        "skcentral": lambda: clf.partial_fit(Xs, y),
        **{label: (lambda est=est: est.partial_fit(Xs, y)) for label, est in variants.items()},
        "hand loop": lambda: hand.epoch(Xt, yt),
        "plain skorch": lambda: net.partial_fit(X_dict, y),
    }
    if control:
        twin = fitted(config)
        contenders["skcentral, 2nd instance"] = lambda: twin.partial_fit(Xs, y)
    interleaved(contenders, 1)  # warm-up: optimizer state, oneDNN primitives
    times = interleaved(contenders, repeats)
    rows = []
    for label, ts in times.items():
        rates = [n / t for t in ts]
        rows.append([label, f"{np.median(rates):.0f}", spread(rates),
                     f"{median_ratio(times['hand loop'], ts):.3f}",
                     f"{median_ratio(times['plain skorch'], ts):.3f}"])
    print(f"-- {config.label}: {n} samples/epoch, batch {BATCH_SIZE}, "
          f"{repeats} interleaved repeats")
    table(["contender", "samples/s", "range", "speed vs hand", "speed vs skorch"], rows)
    loading = loading_times(clf, net, Xs, X_dict, y, repeats)
    step = np.median(times["hand loop"]) / -(-n // BATCH_SIZE)
    print("batches alone (iterating, no training): "
          + ", ".join(f"{label} {1e3 * t:.2f} ms" for label, t in loading.items())
          + f" per batch; a whole training step of the hand loop: {1e3 * step:.1f} ms")
    return {label: median_ratio(times["hand loop"], times[label]) for label in TARGETS} | {
        "vs skorch": median_ratio(times["plain skorch"], times["skcentral"])}


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
        results[name] = run_config(name, n, repeats, args.control)
        print()
    print("'speed vs X' = time of X / time of the row, the median over repeats of "
          "per-repeat ratios.")
    for name, ratios in results.items():
        for label, targets in TARGETS.items():
            if name in targets:
                print(f"{name}: {label} / hand loop = {ratios[label]:.3f} "
                      f"(target >= {targets[name]}: {verdict(ratios[label] >= targets[name])})")
        line = f"{name}: skcentral / plain skorch = {ratios['vs skorch']:.2f}x"
        if name.startswith("mlp"):
            line += f" (target >= 2: {verdict(ratios['vs skorch'] >= 2)})"
        print(line)


if __name__ == "__main__":
    main()
