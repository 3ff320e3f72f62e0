"""Is ``compile=True`` (skorch's ``torch.compile`` option) worth it for one epoch?

For each configuration, an eager and a compiled ``CentralNetClassifier`` (the
defaults otherwise) each train a first epoch on ``--samples`` synthetic
samples, which for the compiled one includes compiling, then ``--repeats``
timed epochs, interleaved. From these:

* steady speed-up: eager epoch time / compiled epoch time (medians);
* compile overhead: compiled first epoch - its median epoch;
* amortised speed-up over one 55,000-sample epoch (multimodal MNIST's
  training split): eager time of 55,000 samples / (overhead + compiled time
  of 55,000 samples), per-sample times scaled from the measured epochs.

The option is worth recommending at an amortised speed-up of 1.2 or more.

Usage::

    python benchmarks/bench_compile.py
    python benchmarks/bench_compile.py --quick
"""

import statistics

from _common import CONFIGS, estimator, interleaved, parser, setup, synthetic, table, timed

EPOCH = 55_000


def run_config(name, n, repeats):
    config = CONFIGS[name]
    Xs, y = synthetic(config, n)
    eager, compiled = estimator(config), estimator(config, compile=True)
    first = {"eager": timed(eager.fit, Xs, y), "compiled": timed(compiled.fit, Xs, y)}
    times = interleaved({"eager": lambda: eager.partial_fit(Xs, y),
                         "compiled": lambda: compiled.partial_fit(Xs, y)}, repeats)
    epoch = {k: statistics.median(v) for k, v in times.items()}
    overhead = first["compiled"] - epoch["compiled"]
    per_sample = {k: v / n for k, v in epoch.items()}
    amortised = per_sample["eager"] * EPOCH / (overhead + per_sample["compiled"] * EPOCH)
    return [config.label, f"{first['eager']:.1f}", f"{first['compiled']:.1f}",
            f"{overhead:.1f}", f"{epoch['eager'] / epoch['compiled']:.2f}",
            f"{amortised:.2f}"]


def main():
    p = parser(__doc__)
    p.add_argument("--configs", nargs="+", choices=sorted(CONFIGS), default=["lenet5", "mlp"])
    p.add_argument("--samples", type=int, default=None,
                   help="samples per timed epoch (default 1024; 256 with --quick)")
    args = p.parse_args()
    setup(args, "torch.compile through skorch's compile=True, compile time included")
    n = args.samples or (256 if args.quick else 1024)
    repeats = args.repeats or (1 if args.quick else 3)
    rows = [run_config(name, n, repeats) for name in args.configs]
    table(["configuration", "1st epoch eager s", "1st epoch compiled s", "compile s",
           "steady speed-up", f"amortised over {EPOCH}"], rows)


if __name__ == "__main__":
    main()
