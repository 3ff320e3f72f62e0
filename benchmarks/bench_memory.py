"""Peak memory of a full fit on multimodal-MNIST-sized data (issue 5, item 5: memory).

Each contender runs in a fresh Python process, so that its peak resident set
size (``ru_maxrss``) is its own:

* ``skcentral``: ``CentralNetClassifier(backbones=[LeNet5(), LeNet5()],
  max_epochs=1).fit(Xs, y)`` from scratch on numpy float32 arrays;
* ``hand loop``: the hand-written PyTorch loop training the same module on
  zero-copy torch views of the same arrays.

The data are two float32 modalities of shape ``(n, 28, 28)`` (n = 55,000 by
default, the paper's training set: 2 x 172 MB). Each process prints its RSS
after imports, after making the data, and at its peak; "training overhead"
is the peak minus the RSS with the data in memory.

Usage::

    python benchmarks/bench_memory.py                  # the first 100 batches, ~2 minutes
    python benchmarks/bench_memory.py --max-batches 0  # one full epoch each, ~6 minutes
    python benchmarks/bench_memory.py --quick

Memory peaks in the first batches (data, parameters, Adam's state, one
batch's activations), so 100 batches give the full epoch's peak; the
``--max-batches 0`` run checks it.
"""

import argparse
import json
import subprocess
import sys
import time

import torch
from skorch.callbacks import Callback

from _common import (CONFIGS, HandLoop, estimator, fitted, parser, peak_rss_mb, rss_mb,
                     setup, synthetic, table, tensors)


class StopAfter(Callback):
    """End training after ``n`` batches (skorch's fit stops on KeyboardInterrupt)."""

    def __init__(self, n):
        self.n = n

    def on_train_begin(self, net, **kwargs):
        self.seen = 0

    def on_batch_end(self, net, training, **kwargs):
        self.seen += training
        if self.seen >= self.n:
            raise KeyboardInterrupt


def child(mode, config_name, n, max_batches):
    config = CONFIGS[config_name]
    rss_import = rss_mb()
    Xs, y = synthetic(config, n)
    rss_data = rss_mb()
    t0 = time.perf_counter()
    if mode == "skcentral":
        callbacks = [StopAfter(max_batches)] if max_batches else None
        estimator(config, callbacks=callbacks).fit(Xs, y)
    else:
        loop = HandLoop(fitted(config).module_)
        loop.epoch(*tensors(Xs, y), max_batches=max_batches)
    print(json.dumps({"rss_import": rss_import, "rss_data": rss_data,
                      "data_mb": sum(x.nbytes for x in Xs) / 2 ** 20 + y.nbytes / 2 ** 20,
                      "peak": peak_rss_mb(), "seconds": time.perf_counter() - t0}))


def main():
    p = parser(__doc__)
    p.add_argument("--samples", type=int, default=55_000)
    p.add_argument("--max-batches", type=int, default=100,
                   help="stop each fit after this many batches; 0 for a full epoch")
    p.add_argument("--config", choices=sorted(CONFIGS), default="lenet5")
    p.add_argument("--child", choices=["skcentral", "hand loop"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        if args.threads:
            torch.set_num_threads(args.threads)
        return child(args.child, args.config, args.samples, args.max_batches)
    setup(args, "peak memory of a fit (fresh process per contender)")
    n = 2048 if args.quick else args.samples
    max_batches = 2 if args.quick else args.max_batches
    extra = ["--max-batches", str(max_batches)]
    if args.threads:
        extra += ["--threads", str(args.threads)]
    res = {}
    for mode in ("skcentral", "hand loop"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--config", args.config,
             "--samples", str(n), *extra], check=True, capture_output=True, text=True)
        res[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    r = res["skcentral"]
    print(f"{CONFIGS[args.config].label}: {n} samples, data {r['data_mb']:.0f} MiB, "
          + (f"first {max_batches} batches" if max_batches else "one full epoch"))
    table(["contender", "RSS after imports", "with data", "peak", "training overhead",
           "fit s"],
          [[mode, f"{v['rss_import']:.0f}", f"{v['rss_data']:.0f}", f"{v['peak']:.0f}",
            f"{v['peak'] - v['rss_data']:.0f}", f"{v['seconds']:.0f}"]
           for mode, v in res.items()])
    print("(MiB)")
    h = res["hand loop"]
    extra_mb = (r["peak"] - r["rss_data"]) - (h["peak"] - h["rss_data"])
    print(f"peak RSS skcentral / hand loop = {r['peak'] / h['peak']:.2f}; training overhead "
          f"skcentral - hand loop = {extra_mb:+.0f} MiB")


if __name__ == "__main__":
    main()
