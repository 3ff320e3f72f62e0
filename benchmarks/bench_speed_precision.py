"""Achieved training GFLOP/s and the fast paths on LeNet5 (issue 5, item 3: speed).

The machine's matmul speed is measured in the same run: ``torch.matmul`` of
large square matrices (fp32 2048^2, bf16 4096^2) is timed in every repeat,
interleaved with the training runs.
One training step (forward + backward, batch 128) of the LeNet5 multimodal
MNIST CentralNet is counted with ``torch.utils.flop_counter.FlopCounterMode``;
achieved GFLOP/s = FLOPs per step x steps / time. Contenders, interleaved,
each training a copy of the same initial module on the same synthetic data:

* skcentral with ``precision`` in {fp32, bf16} and ``channels_last`` in
  {False, True};
* the hand-written PyTorch loop in fp32 and in bf16 + channels-last (same
  autocast and memory format as the estimator's options).

Targets: skcentral fp32 >= 0.95 of the hand loop; bf16 + channels-last
>= 1.7x skcentral fp32. Test accuracy under bf16 is checked by
``bench_speed_bf16_accuracy.py``.

Usage::

    python benchmarks/bench_speed_precision.py          # default, about 3 minutes
    python benchmarks/bench_speed_precision.py --control  # plus an identical 2nd instance
    python benchmarks/bench_speed_precision.py --quick
"""

import statistics

import numpy as np
import torch

from _common import (BATCH_SIZE, CONFIGS, HandLoop, fitted, interleaved, matmul_job,
                     median_ratio, parser, setup, spread, synthetic, table, tensors,
                     train_step_flops, verdict)

VARIANTS = {  # name: (precision, channels_last)
    "skcentral fp32": ("fp32", False),
    "skcentral fp32 + channels-last": ("fp32", True),
    "skcentral bf16": ("bf16", False),
    "skcentral bf16 + channels-last": ("bf16", True),
}
HAND = {"hand loop fp32": ("fp32", False), "hand loop bf16 + channels-last": ("bf16", True)}


def main():
    p = parser(__doc__, control=True)
    p.add_argument("--samples", type=int, default=1024, help="samples per timed epoch")
    args = p.parse_args()
    setup(args, "training GFLOP/s, fp32 vs bf16 and channels-last (LeNet5 config)")
    config = CONFIGS["lenet5"]
    n = 256 if args.quick else args.samples
    repeats = args.repeats or (1 if args.quick else 8)

    Xs, y = synthetic(config, n)
    Xt, yt = tensors(Xs, y)
    contenders, dtype_of = {}, {}
    for name, (precision, cl) in VARIANTS.items():
        clf = fitted(config, precision=precision, channels_last=cl)
        contenders[name] = lambda clf=clf: clf.partial_fit(Xs, y)
        dtype_of[name] = precision
    if args.control:
        twin = fitted(config)
        contenders["skcentral fp32, 2nd instance"] = lambda: twin.partial_fit(Xs, y)
        dtype_of["skcentral fp32, 2nd instance"] = "fp32"
    module = fitted(config).module_  # fp32, default memory format
    for name, (precision, cl) in HAND.items():
        loop = HandLoop(module, precision=precision, channels_last=cl)
        contenders[name] = lambda loop=loop: loop.epoch(Xt, yt)
        dtype_of[name] = precision
    work = {}  # FLOPs of one call of each contender
    for dtype, label in ((torch.float32, "fp32"), (torch.bfloat16, "bf16")):
        contenders[f"matmul {label}"], work[f"matmul {label}"] = matmul_job(dtype)

    probe = HandLoop(module)
    flops = train_step_flops(probe, [x[:BATCH_SIZE] for x in Xt], yt[:BATCH_SIZE])
    steps = -(-n // BATCH_SIZE)
    for name in dtype_of:
        work[name] = flops * n / BATCH_SIZE  # a short last batch counts less

    interleaved(contenders, 1)  # warm-up
    times = interleaved(contenders, repeats)
    rate = {name: [work[name] / t / 1e9 for t in ts] for name, ts in times.items()}

    for label, size in (("fp32", 2048), ("bf16", 4096)):
        r = rate[f"matmul {label}"]
        print(f"matmul {label}, {size}x{size}: {np.median(r):.0f} GFLOP/s "
              f"(range {spread(r)}, timed in each repeat beside the training runs)")
    print(f"one training step (batch {BATCH_SIZE}, forward + backward): "
          f"{flops / 1e9:.2f} GFLOP (FlopCounterMode)")
    print(f"{n} samples/epoch ({steps} steps), {repeats} interleaved repeats")
    rows = []
    for name, precision in dtype_of.items():
        ts, gflops = times[name], rate[name]
        peak = rate[f"matmul {precision}"]
        rows.append([name, f"{np.median([n / t for t in ts]):.0f}",
                     f"{np.median(gflops):.0f}", spread(gflops),
                     f"{statistics.median(g / m for g, m in zip(gflops, peak)):.3f}",
                     f"{median_ratio(times['skcentral fp32'], ts):.2f}"])
    table(["contender", "samples/s", "GFLOP/s", "range", "of matmul", "speed vs sk fp32"],
          rows)
    print("'of matmul': achieved GFLOP/s over the matmul GFLOP/s of the same precision "
          "in the same repeat (median over repeats).")
    print()
    fp32_vs_hand = median_ratio(times["hand loop fp32"], times["skcentral fp32"])
    fast = median_ratio(times["skcentral fp32"], times["skcentral bf16 + channels-last"])
    fast_vs_hand = median_ratio(times["hand loop bf16 + channels-last"],
                                times["skcentral bf16 + channels-last"])
    print(f"skcentral fp32 / hand loop fp32 = {fp32_vs_hand:.3f} "
          f"(target >= 0.95: {verdict(fp32_vs_hand >= 0.95)})")
    print(f"skcentral bf16 + channels-last / skcentral fp32 = {fast:.2f}x "
          f"(target >= 1.7: {verdict(fast >= 1.7)})")
    print(f"skcentral bf16 + channels-last / hand loop bf16 + channels-last = "
          f"{fast_vs_hand:.3f}")


if __name__ == "__main__":
    main()
