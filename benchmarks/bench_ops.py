"""Tensor operations per training step: the estimator against the hand-written loop.

On a GPU a small network's step costs about the same per operation launched,
whatever the operation (the arithmetic is tiny, the Python and launch
overhead is not), so the number of operations a step issues is what the
estimator can add to a step's time there. This script counts them, with a
``TorchDispatchMode`` that sees every ATen operation (forward, backward and
the optimizer update), for one training step of the estimator and of the
hand loop over the same module, with the same precision and fused Adam; the
counts are the difference between epochs of 2k and k batches, so that what
runs once per fit or per epoch drops out. Counting is exact: unlike a
timing, it does not depend on what else the machine is doing.

Usage::

    python benchmarks/bench_ops.py
    python benchmarks/bench_ops.py --configs lenet5 --precisions bf16
"""

import collections

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from _common import CONFIGS, HandLoop, estimator, parser, setup, synthetic, table, tensors

BATCHES = 2  # k: epochs of k and 2k batches of 128


class OpCounter(TorchDispatchMode):
    """Counts every ATen operation dispatched while it is active, by name."""

    def __init__(self):
        super().__init__()
        self.counts = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[str(func.overloadpacket)] += 1
        return func(*args, **(kwargs or {}))


def per_step(epoch, config):
    """Operations of one step: ``epoch(Xs, y)`` on 2k batches minus on k batches."""
    counts = []
    for n_batches in (BATCHES, 2 * BATCHES):
        Xs, y = synthetic(config, 128 * n_batches, seed=n_batches)
        with OpCounter() as counter:
            epoch(Xs, y)
        counts.append(counter.counts)
    return {op: (counts[1][op] - counts[0][op]) / BATCHES for op in counts[1]}


def main():
    p = parser(__doc__)
    p.add_argument("--configs", nargs="+", default=["lenet5", "mlp-small"],
                   choices=list(CONFIGS))
    p.add_argument("--precisions", nargs="+", default=["fp32", "bf16"],
                   choices=["fp32", "bf16"])
    args = p.parse_args()
    setup(args, "tensor operations per training step: skcentral vs the hand loop")
    rows, extra = [], {}
    for name in args.configs:
        config = CONFIGS[name]
        for precision in args.precisions:
            Xs, y = synthetic(config, 256)
            clf = estimator(config, precision=precision, verbose=0).fit(Xs, y)
            loop = HandLoop(clf.module_, precision=precision, channels_last=True, fused=True)
            ours = per_step(clf.partial_fit, config)
            hand = per_step(lambda Xs, y: loop.epoch(*tensors(Xs, y)), config)
            n_ours, n_hand = sum(ours.values()), sum(hand.values())
            rows.append([name, precision, f"{n_ours:.0f}", f"{n_hand:.0f}",
                         f"{n_ours - n_hand:+.0f}", f"{n_ours / n_hand:.3f}"])
            diff = {op: ours.get(op, 0) - hand.get(op, 0) for op in set(ours) | set(hand)}
            extra[(name, precision)] = ", ".join(
                f"{op} {d:+.0f}" for op, d in sorted(diff.items(), key=lambda kv: -kv[1]) if d)
    table(["config", "precision", "skcentral ops/step", "hand loop ops/step", "difference",
           "ratio"], rows)
    print("operations the estimator's step issues more (+) or fewer (-) than the hand loop's:")
    for (name, precision), text in extra.items():
        print(f"  {name}, {precision}: {text or 'none'}")


if __name__ == "__main__":
    main()
