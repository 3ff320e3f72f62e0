"""Parallel seeds: ``evaluate_seeds`` with n_jobs=2 against n_jobs=1 (issue 5, item 4).

The same seeds of the same estimator are evaluated three ways, interleaved,
``--repeats`` times:

* ``n_jobs=1, torch_threads=1``: the serial reference;
* ``n_jobs=2, torch_threads=1``: one seed per core (the target: >= 1.7x on 2 cores);
* ``n_jobs=1, torch_threads=2``: one seed at a time on both cores, for reference.

Untimed first calls on one batch of data start joblib's loky workers (and
import torch in them) and read the torch threads each fit runs with. Oversubscription shows in
the per-fit times ``SeedScores.fit_times``: with one torch thread per worker a
fit takes as long in parallel as alone; two threads per worker on two cores
would slow each fit down. The average number of busy cores (CPU time of this
process and its workers over wall time, from psutil) is printed too.

Usage::

    python benchmarks/bench_seeds.py          # default, about 3 minutes
    python benchmarks/bench_seeds.py --quick
    python benchmarks/bench_seeds.py --config mlp --samples 2048 --seeds 6
"""

import time

import numpy as np
import torch

from _common import (CONFIGS, estimator, interleaved, median_ratio, parser, setup,
                     synthetic, table, verdict)
from skcentral.model_selection import evaluate_seeds

VARIANTS = {  # name: (n_jobs, torch_threads)
    "n_jobs=1, torch_threads=1": (1, 1),
    "n_jobs=2, torch_threads=1": (2, 1),
    "n_jobs=1, torch_threads=2": (1, 2),
}


def cpu_seconds():
    """CPU time of this process and all its children still alive (loky workers)."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:
            pass
    return total


def torch_threads_seen(estimator, X, y):
    """A scorer that reports the torch threads the fit ran with."""
    return torch.get_num_threads()


def split(Xs, y, n_train, n):
    """``(Xs_train, y_train, Xs_test, y_test)``: the first ``n_train`` rows, the next."""
    return ([x[:n_train] for x in Xs], y[:n_train],
            [x[n_train:n] for x in Xs], y[n_train:n])


def main():
    p = parser(__doc__)
    p.add_argument("--config", choices=sorted(CONFIGS), default="lenet5")
    p.add_argument("--samples", type=int, default=768, help="training samples per seed")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--seeds", type=int, default=4)
    args = p.parse_args()
    setup(args, "evaluate_seeds: n_jobs=2 vs n_jobs=1")
    config = CONFIGS[args.config]
    n = 128 if args.quick else args.samples
    repeats = args.repeats or (1 if args.quick else 3)
    seeds = list(range(2 if args.quick else args.seeds))
    Xs, y = synthetic(config, n + 256)
    data = split(Xs, y, n, n + 256)
    clf = estimator(config, max_epochs=args.epochs)

    def run(n_jobs, threads, scoring=None, data=data):
        return evaluate_seeds(clf, *data, seeds=seeds, n_jobs=n_jobs, torch_threads=threads,
                              scoring=scoring)

    # Untimed: start the loky workers and read the torch threads of each fit,
    # on a cut of the data (one batch).
    t0 = time.perf_counter()
    cut = split(Xs, y, 128, 256)
    threads_seen = {name: run(*v, scoring=torch_threads_seen, data=cut).scores.astype(int)
                    for name, v in VARIANTS.items()}
    cold = time.perf_counter() - t0
    print(f"{config.label}: {n} training samples, {args.epochs} epoch(s), "
          f"seeds {seeds}, {repeats} interleaved repeats")
    print(f"untimed first calls (starting the loky workers, reading the threads): {cold:.1f} s")

    busy = {name: [] for name in VARIANTS}
    fit_times = {name: [] for name in VARIANTS}

    def measured(name):
        def call():
            c0, t0 = cpu_seconds(), time.perf_counter()
            res = run(*VARIANTS[name])
            busy[name].append((cpu_seconds() - c0) / (time.perf_counter() - t0))
            fit_times[name].extend(res.fit_times)
        return call

    wall = interleaved({name: measured(name) for name in VARIANTS}, repeats)

    ref = "n_jobs=1, torch_threads=1"
    ref_fit = np.median(fit_times[ref])
    rows = []
    for name in VARIANTS:
        rows.append([name, f"{np.median(wall[name]):.1f}",
                     f"{median_ratio(wall[ref], wall[name]):.2f}",
                     f"{np.median(fit_times[name]):.2f}",
                     f"{np.median(fit_times[name]) / ref_fit:.2f}",
                     f"{np.median(busy[name]):.2f}",
                     " ".join(map(str, threads_seen[name].tolist()))])
    table(["variant", "wall s", "speed-up", "fit s", "fit time vs serial", "cores busy",
           "torch threads per fit"], rows)
    speedup = median_ratio(wall[ref], wall["n_jobs=2, torch_threads=1"])
    print(f"n_jobs=2 / n_jobs=1 (torch_threads=1) = {speedup:.2f}x "
          f"(target >= 1.7: {verdict(speedup >= 1.7)})")


if __name__ == "__main__":
    main()
