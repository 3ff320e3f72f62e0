"""Throughput of one full multimodal-MNIST-sized epoch, on the CPU or a GPU.

``CentralNetClassifier`` with two LeNet5 backbones on synthetic 28x28 pairs
(55,000 training samples, the size of MNIST's training split, batch 128), one
epoch per precision after a warm-up epoch on a tenth of the data. A GPU run
needs ``--device cuda``; the CUDA tests of the suite run with
``python -m pytest -m cuda -rs``.

Usage::

    python benchmarks/bench_epoch.py --device cuda          # the GPU figures
    python benchmarks/bench_epoch.py --samples 2048 --quick  # smoke run on the CPU
"""

import torch

from _common import CONFIGS, estimator, parser, setup, synthetic, table, timed


def main():
    p = parser(__doc__)
    p.add_argument("--device", default="cpu")
    p.add_argument("--samples", type=int, default=55_000)
    p.add_argument("--precisions", nargs="+", default=["fp32", "bf16"],
                   choices=["fp32", "bf16", "fp16"])
    args = p.parse_args()
    setup(args, f"one epoch of {args.samples} multimodal-MNIST-sized pairs on {args.device}")
    if args.device.startswith("cuda"):
        print(f"GPU: {torch.cuda.get_device_name(args.device)}\n")
    config = CONFIGS["lenet5"]
    Xs, y = synthetic(config, args.samples)
    n_warm = max(256, args.samples // 10)
    warm_Xs, warm_y = [x[:n_warm] for x in Xs], y[:n_warm]
    rows = []
    for precision in args.precisions:
        clf = estimator(config, device=args.device, precision=precision).fit(warm_Xs, warm_y)
        seconds = timed(clf.partial_fit, Xs, y)
        rows.append([precision, f"{seconds:.1f}", f"{args.samples / seconds:.0f}"])
    table(["precision", "seconds/epoch", "samples/s"], rows)


if __name__ == "__main__":
    main()
