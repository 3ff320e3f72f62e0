"""Prediction throughput on 10,000 samples (issue 5, item 5: predict).

``CentralNetClassifier.predict`` (numpy in, labels out, default batch of 128)
against the hand-written inference loop on the same module (eval mode,
``torch.inference_mode``, contiguous slices of in-memory tensors, argmax of
the fused output), at the same batch size and at 1,024 for context;
interleaved, ``--repeats`` times, for the LeNet5 and the MLP configurations.
For the LeNet5 one, ``channels_last=True`` is timed too.

Usage::

    python benchmarks/bench_predict.py          # default, about 3 minutes
    python benchmarks/bench_predict.py --quick
"""

import numpy as np

from _common import (BATCH_SIZE, CONFIGS, HandLoop, fitted, interleaved, median_ratio,
                     parser, setup, spread, synthetic, table, tensors)


def run_config(config, n, repeats, control=False):
    clf = fitted(config)
    hand = HandLoop(clf.module_)
    Xs, _ = synthetic(config, n, seed=2)
    Xt = tensors(Xs)
    contenders = {
        "skcentral predict": lambda: clf.predict(Xs),
        f"hand loop, batch {BATCH_SIZE}": lambda: hand.predict(Xt).numpy(),
        "hand loop, batch 1024": lambda: hand.predict(Xt, batch_size=1024).numpy(),
    }
    if control:
        twin = fitted(config)
        contenders["skcentral predict, 2nd instance"] = lambda: twin.predict(Xs)
    if any(len(shape) > 1 for shape in config.shapes):  # images: try channels-last
        clf_cl = fitted(config, channels_last=True)
        contenders["skcentral predict, channels-last"] = lambda: clf_cl.predict(Xs)
    same = (clf.predict(Xs) == clf.classes_[hand.predict(Xt).numpy()]).mean()
    interleaved(contenders, 1)  # warm-up
    times = interleaved(contenders, repeats)
    ref = times[f"hand loop, batch {BATCH_SIZE}"]
    rows = []
    for name, ts in times.items():
        rates = [n / t for t in ts]
        rows.append([name, f"{np.median(rates):.0f}", spread(rates),
                     f"{median_ratio(ref, ts):.3f}"])
    print(f"-- {config.label}: {n} samples, {repeats} interleaved repeats "
          f"(predictions identical to the hand loop's: {same:.1%})")
    table(["contender", "samples/s", "range", f"speed vs hand {BATCH_SIZE}"], rows)
    return median_ratio(ref, times["skcentral predict"])


def main():
    p = parser(__doc__, control=True)
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--configs", nargs="+", choices=sorted(CONFIGS),
                   default=["lenet5", "mlp"])
    args = p.parse_args()
    setup(args, "predict throughput: skcentral vs a hand-written inference loop")
    n = 512 if args.quick else args.samples
    repeats = args.repeats or (1 if args.quick else 3)
    ratios = {name: run_config(CONFIGS[name], n, repeats, args.control)
              for name in args.configs}
    print()
    for name, r in ratios.items():
        print(f"{name}: skcentral predict / hand loop (batch {BATCH_SIZE}) = {r:.3f}")


if __name__ == "__main__":
    main()
