"""Throughput of one full multimodal-MNIST-sized epoch, on the CPU or a GPU.

``CentralNetClassifier`` with two LeNet5 backbones on synthetic 28x28 pairs
(55,000 training samples, the size of MNIST's training split, batch 128), one
epoch per precision after a warm-up epoch on a tenth of the data. A GPU run
needs ``--device cuda``; the CUDA tests of the suite run with
``python -m pytest -m cuda -rs``.

A small network's training step on a GPU is mostly Python and kernel
launches, not arithmetic. Two options measure how much of it is the
estimator's and how much torch can remove:

* ``--hand-loop``: the same module trained by a hand-written loop (the data
  on the device, fused Adam, the same precision and channels-last), the
  reference the estimator's epochs are divided by;
* ``--modes``: ``eager`` (the default), ``compile`` (``compile=True``,
  torch.compile's default mode, fewer and fused kernels) and
  ``reduce-overhead`` (``compile__mode="reduce-overhead"``: CUDA graphs,
  one launch for many kernels); the warm-up column includes compiling.

Usage::

    python benchmarks/bench_epoch.py --device cuda          # the GPU figures
    python benchmarks/bench_epoch.py --device cuda --hand-loop --modes eager compile reduce-overhead
    python benchmarks/bench_epoch.py --samples 2048 --quick  # smoke run on the CPU
"""

import torch

from _common import (CONFIGS, HandLoop, estimator, parser, setup, synthetic, table, tensors,
                     timed)

MODES = {"eager": {}, "compile": {"compile": True},
         "reduce-overhead": {"compile": True, "compile__mode": "reduce-overhead"}}


def main():
    p = parser(__doc__)
    p.add_argument("--device", default="cpu")
    p.add_argument("--samples", type=int, default=55_000)
    p.add_argument("--precisions", nargs="+", default=["fp32", "bf16"],
                   choices=["fp32", "bf16", "fp16"])
    p.add_argument("--modes", nargs="+", default=["eager"], choices=list(MODES))
    p.add_argument("--hand-loop", action="store_true",
                   help="also time a hand-written loop over the same module (the reference)")
    args = p.parse_args()
    setup(args, f"one epoch of {args.samples} multimodal-MNIST-sized pairs on {args.device}")
    if args.device.startswith("cuda"):
        print(f"GPU: {torch.cuda.get_device_name(args.device)}\n")
    config = CONFIGS["lenet5"]
    Xs, y = synthetic(config, args.samples)
    n_warm = max(256, args.samples // 10)
    warm_Xs, warm_y = [x[:n_warm] for x in Xs], y[:n_warm]
    steps = -(-args.samples // 128)
    rows = []

    def row(label, precision, warm, seconds, reference):
        ratio = "" if reference is None else f"{seconds / reference:.2f}"
        rows.append([label, precision, f"{warm:.1f}", f"{seconds:.1f}",
                     f"{args.samples / seconds:.0f}", f"{1000 * seconds / steps:.2f}", ratio])

    for precision in args.precisions:
        reference = None
        if args.hand_loop and precision != "fp16":  # fp16 would need a gradient scaler
            module = estimator(config, device=args.device, precision=precision,
                               max_epochs=0).fit(warm_Xs, warm_y).module_
            loop = HandLoop(module, precision=precision, channels_last=True,
                            fused=args.device != "cpu" or None)
            data, labels = tensors(Xs, y)
            data, labels = [x.to(args.device) for x in data], labels.to(args.device)
            warm = timed(loop.epoch, data, labels, max_batches=n_warm // 128 + 1)
            reference = timed(loop.epoch, data, labels)
            row("hand loop", precision, warm, reference, reference)
        for mode in args.modes:
            clf = estimator(config, device=args.device, precision=precision, **MODES[mode])
            warm = timed(clf.fit, warm_Xs, warm_y)
            row(f"skcentral, {mode}", precision, warm, timed(clf.partial_fit, Xs, y), reference)
    table(["contender", "precision", "warm-up s", "seconds/epoch", "samples/s", "ms/step",
           "vs hand loop"], rows)


if __name__ == "__main__":
    main()
