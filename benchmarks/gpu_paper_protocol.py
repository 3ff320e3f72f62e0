"""The paper's own Table 2 protocol on one GPU, several runs at once, in a time budget.

``skcentral reproduce mm-mnist-paper --device cuda --n-jobs K`` runs the
paper's protocol for multimodal MNIST (all 55,000 training images, 100
epochs at lr 0.01, batch 128, no validation split), ``K`` runs at once on
the one GPU, each in its own process. This script wraps it for a GPU lent
for a fixed time:

1. calibration: each configuration trains 2 epochs alone, one after another,
   on the same data; its second epoch's duration is its cost per epoch
   (``--reuse-calibration``: the costs already in the calibration file);
2. a plan: the longest prefix of the configurations, in the order of
   ``--methods`` (by default CentralNet first, then the rows the paper ranks
   nearest to it), whose runs fit in the time left, counted as the sum of
   their costs divided by ``--overlap`` (what running them at once gains;
   by default 1, as if the GPU ran them one after another: an over-estimate);
3. those runs, all at once, one process each, each appended to the results
   file as it finishes: a rerun skips what is there, so a second lease goes
   on where the first stopped. A run in progress writes its training state
   after every epoch to the folder beside the results file
   (``<results name>.partial/``): a lease that ends mid-run leaves it there,
   and a rerun with that folder (and the same ``--epochs``) takes each
   stopped run up from its last epoch;
4. the summary table, and how much running at once gained: the wall time of
   step 3 against the sum of the calibrated costs.

Usage::

    python benchmarks/gpu_paper_protocol.py --data-home DATA --budget 3600
    python benchmarks/gpu_paper_protocol.py --data-home DATA --budget 0   # no limit
    # a check of the script on the CPU, in a minute:
    python benchmarks/gpu_paper_protocol.py --data-home DATA --device cpu \\
        --train-size 512 --test-size 256 --epochs 2 --results /tmp/r.jsonl

The results go to ``docs/results/mm-mnist-paper.jsonl`` (``--results``),
the calibration runs to a file of their own beside it; ``skcentral
reproduce mm-mnist-paper --summary-only --device cuda`` prints the table
again later.
"""

import argparse
import io
import math
import os
import platform
import sys
import time
from pathlib import Path

import torch

from skcentral.experiments import EXPERIMENTS, reproduce, summarize
from skcentral.experiments._runner import _versions
from skcentral.experiments._store import read_results

EXPERIMENT = "mm-mnist-paper"
# CentralNet, then Table 2's rows from the paper's best to its worst, each
# layer fusion at the depth where our converged runs had it best, then the
# two rows the paper does not have.
PRIORITY = ("centralnet", "unimodal", "fusion_ensemble_sum@0", "moddrop", "concat_mt",
            "ensemble", "gmu", "fusion_sum@0", "fusion_ensemble_subtract@1",
            "fusion_ensemble_product@2", "fusion_subtract@2", "fusion_product@2",
            "weighted_mean", "concat")
CALIBRATION_EPOCHS = 2
SAFETY = 1.15      # predicted wall time x SAFETY must fit in the time left
START_COST = 30.0  # seconds for the worker processes to start and load the data


def _parser():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-home", default=None, help="MNIST folder of the loaders")
    p.add_argument("--cache", default=None, help="writable folder for the built data set")
    p.add_argument("--results", default=None,
                   help=f"results file (default: docs/results/{EXPERIMENT}.jsonl)")
    p.add_argument("--calibration", default=None,
                   help="calibration results file (default: beside --results, "
                        "ending -calibration.jsonl)")
    p.add_argument("--budget", type=float, default=0,
                   help="seconds this script may take in all, calibration included "
                        "(0: no limit, every configuration)")
    p.add_argument("--methods", default=",".join(PRIORITY),
                   help="comma-separated configurations in order of priority")
    p.add_argument("--seeds", type=int, default=1, help="seeds per configuration")
    p.add_argument("--epochs", type=int, default=None, help="default: the paper's 100")
    p.add_argument("--train-size", type=int, default=None)
    p.add_argument("--test-size", type=int, default=None)
    p.add_argument("--device", default="cuda")
    p.add_argument("--max-jobs", type=int, default=max(1, (os.cpu_count() or 2) - 1),
                   help="runs at once at most (default: the CPUs but one)")
    p.add_argument("--reuse-calibration", action="store_true",
                   help="take the costs per epoch from the calibration file when it "
                        "holds every configuration, timed on a GPU of the same name")
    p.add_argument("--overlap", type=float, default=1.0,
                   help="how much running the planned runs at once gains over one "
                        "after another, for the plan (default 1: nothing; 3.9 was "
                        "measured for 14 runs at once on an H200, 1.6 for 2)")
    p.add_argument("--verbose", action="store_true",
                   help="print each run's table of epochs as it trains")
    return p


def environment(device):
    """One line on the machine: GPU, torch, CUDA, CPUs."""
    return (f"{_versions(device).get('gpu', 'no GPU')}; torch {torch.__version__} (CUDA "
            f"{torch.version.cuda}); Python {platform.python_version()}; {os.cpu_count()} CPUs")


def calibrate(configs, common, path, reuse=False):
    """Seconds per epoch of each configuration, trained alone (its last epoch).

    With ``reuse``, the costs in ``path`` measured on a GPU of this name, when
    they cover every configuration.
    """
    gpu = _versions(common["device"]).get("gpu")  # the name the records carry

    def costs():
        return {r["config"]: r["curve"][-1]["dur"] for r in read_results(path)
                if r["protocol"]["epochs"] == CALIBRATION_EPOCHS and r["n_jobs"] == 1
                and r.get("gpu") == gpu}

    known = costs() if reuse else {}
    if set(configs) <= set(known):
        return known
    reproduce(EXPERIMENT, methods=configs, seeds=[0], epochs=CALIBRATION_EPOCHS, n_jobs=1,
              results=path, fresh=True, out=io.StringIO(), **common)
    return costs()


def plan(configs, cost, epochs, n_seeds, seconds_left, overlap=1.0):
    """The longest prefix of ``configs`` whose runs fit in ``seconds_left``.

    The runs of a plan go all at once; their wall time is taken as the sum of
    their costs divided by ``overlap`` (how much running them at once gains;
    1: none), and never less than the slowest run alone. Returns ``(chosen,
    epochs, predicted_seconds)``; when not even the first configuration fits
    at ``epochs``, it alone, at the epochs that fit.
    """
    def wall(chosen, epochs):
        alone = [cost[c] * epochs for c in chosen]
        return max(max(alone), sum(alone) * n_seeds / overlap)

    chosen = []
    for c in configs:
        if seconds_left and wall(chosen + [c], epochs) * SAFETY + START_COST > seconds_left:
            break
        chosen.append(c)
    if not chosen:
        chosen = configs[:1]
        epochs = max(1, math.floor((seconds_left - START_COST) / SAFETY
                                   / wall(chosen, 1)))
    return chosen, epochs, wall(chosen, epochs)


def main(argv=None):
    args = _parser().parse_args(argv)
    t_start = time.monotonic()
    exp = EXPERIMENTS[EXPERIMENT]
    results = Path(args.results or f"docs/results/{EXPERIMENT}.jsonl")
    calibration = Path(args.calibration or
                       results.with_name(results.stem + "-calibration.jsonl"))
    configs = [c.strip() for c in args.methods.split(",") if c.strip()]
    epochs = exp.defaults["epochs"] if args.epochs is None else args.epochs
    common = dict(device=args.device, data_home=args.data_home,
                  cache=args.cache or True, train_size=args.train_size,
                  test_size=args.test_size)
    print(environment(args.device), flush=True)

    cost = calibrate(configs, common, calibration, args.reuse_calibration)
    left = args.budget - (time.monotonic() - t_start) if args.budget else 0
    chosen, epochs, predicted = plan(configs, cost, epochs, args.seeds, left, args.overlap)
    print(f"\ncalibration ({time.monotonic() - t_start:.0f} s): seconds per epoch, alone",
          flush=True)
    for c in configs:
        mark = "run" if c in chosen else "left out"
        print(f"  {c:30s} {cost[c]:7.2f}  {mark}", flush=True)
    n_runs = len(chosen) * args.seeds
    print(f"plan: {n_runs} run(s) of {epochs} epochs at once; {predicted / 60:.1f} min "
          f"predicted (overlap {args.overlap:g})"
          + (f"; {left / 60:.1f} min left" if args.budget else ""), flush=True)

    t0 = time.monotonic()
    written = reproduce(EXPERIMENT, methods=chosen, seeds=args.seeds, epochs=epochs,
                        n_jobs=min(n_runs, args.max_jobs), results=results,
                        verbose=int(args.verbose), **common)
    wall = time.monotonic() - t0
    if written:  # runs already in the file are skipped
        alone = sum(cost[r["config"]] * epochs for r in written)
        print(f"\n{len(written)} run(s) in {wall / 60:.1f} min; one after another they "
              f"would take {alone / 60:.1f} min: running them at once gained "
              f"{alone / wall:.1f}x", flush=True)
    summarize(EXPERIMENT, results, epochs=epochs, train_size=args.train_size,
              test_size=args.test_size, device=args.device, per_run=True)
    print(f"\ntotal {(time.monotonic() - t_start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    sys.exit(main())
