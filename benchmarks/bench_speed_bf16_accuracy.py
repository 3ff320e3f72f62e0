"""Test accuracy of the bf16 + channels-last fast path against fp32 (issue 5, item 3: accuracy).

A LeNet5 CentralNet is trained under several seeds in fp32 and in bf16 +
channels-last, on a small subset of real MNIST split into the paper's two PCA
modalities (energy 0.5, share ratio 0.5; the split is fitted on the training
subset), and scored on held-out MNIST test images. Without the MNIST files it
falls back to scikit-learn's bundled 8x8 digits (``load_multimodal_digits``).
MNIST is read with ``skcentral.datasets.fetch_mnist`` (no download) when the
package has it, else straight from the IDX ``.gz`` files.

Target: the bf16 mean accuracy differs from the fp32 mean by no more than the
seed-to-seed standard deviation (the larger of the two precisions'). The fit
times also give the end-to-end bf16 speed-up on real data.

Usage::

    python benchmarks/bench_speed_bf16_accuracy.py --data-home ../shared/data  # ~3.5 minutes
    python benchmarks/bench_speed_bf16_accuracy.py --quick
"""

import gzip
import os
from pathlib import Path

import numpy as np

from _common import estimator, CONFIGS, parser, setup, table, verdict
from skcentral.datasets import PCASplit, load_multimodal_digits
from skcentral.model_selection import evaluate_seeds

DEFAULT_HOME = Path(__file__).resolve().parents[2] / "shared" / "data"


def read_idx(path):
    """An IDX file (gzipped): big-endian header of dimensions, then uint8 data."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist(data_home):
    """``(X_train, y_train, X_test, y_test)`` uint8, or None when the files are missing."""
    try:
        from skcentral.datasets import fetch_mnist
    except ImportError:
        fetch_mnist = None
    if fetch_mnist is not None:
        try:
            return fetch_mnist(data_home, download=False, return_X_y=True)
        except (FileNotFoundError, OSError):
            return None
    folder = Path(data_home) / "mnist"
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    if not all((folder / f"{n}.gz").exists() for n in names):
        return None
    return tuple(read_idx(folder / f"{n}.gz") for n in names)


def mnist_pca_subset(data_home, n_train, n_test, seed=0):
    """Two PCA modalities of an MNIST subset, or None without the files."""
    data = load_mnist(data_home)
    if data is None:
        return None
    X_train, y_train, X_test, y_test = data
    rng = np.random.default_rng(seed)
    tr = rng.choice(len(y_train), n_train, replace=False)
    te = rng.choice(len(y_test), n_test, replace=False)
    im_train, im_test = X_train[tr] / 255.0, X_test[te] / 255.0
    split = PCASplit(0.5, 0.5, random_state=seed).fit(im_train)
    return (split.transform(im_train), split.transform(im_test),
            y_train[tr].astype(np.int64), y_test[te].astype(np.int64),
            f"MNIST PCA split, {n_train} train / {n_test} test images")


def main():
    p = parser(__doc__)
    p.add_argument("--data-home", default=os.environ.get("SKCENTRAL_DATA", DEFAULT_HOME),
                   help="folder holding mnist/ (default: $SKCENTRAL_DATA or ../shared/data)")
    p.add_argument("--train", type=int, default=4000, help="MNIST training images")
    p.add_argument("--test", type=int, default=2000, help="MNIST test images")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args()
    setup(args, "bf16 + channels-last: test accuracy against fp32 (LeNet5 CentralNet)")
    n_train, n_test = (300, 200) if args.quick else (args.train, args.test)
    seeds = 2 if args.quick else args.seeds
    epochs = 1 if args.quick else args.epochs

    data = mnist_pca_subset(args.data_home, n_train, n_test)
    if data is None:
        data = (*load_multimodal_digits(random_state=0, return_X_y=True),
                "scikit-learn digits PCA split (MNIST files not found)")
    Xs_train, Xs_test, y_train, y_test, what = data
    print(f"data: {what}; {epochs} epochs, batch 128, seeds 0..{seeds - 1}")

    config = CONFIGS["lenet5"]
    results = {}
    for name, params in {"fp32": {}, "bf16 + channels-last": {
            "precision": "bf16", "channels_last": True}}.items():
        clf = estimator(config, max_epochs=epochs, **params)
        results[name] = evaluate_seeds(clf, Xs_train, y_train, Xs_test, y_test,
                                       seeds=seeds, n_jobs=1, torch_threads=None)
    rows = [[name, " ".join(f"{s:.4f}" for s in r.scores), f"{r.scores.mean():.4f}",
             f"{r.scores.std(ddof=1):.4f}", f"{np.median(r.fit_times):.1f}"]
            for name, r in results.items()]
    table(["precision", "test accuracy per seed", "mean", "std", "fit s (median)"], rows)
    fp32, bf16 = results["fp32"], results["bf16 + channels-last"]
    diff = bf16.scores.mean() - fp32.scores.mean()
    sd = max(fp32.scores.std(ddof=1), bf16.scores.std(ddof=1))
    speed = np.median(fp32.fit_times) / np.median(bf16.fit_times)
    print(f"bf16 - fp32 mean accuracy = {diff:+.4f}; seed-to-seed std = {sd:.4f} "
          f"(target |difference| <= std: {verdict(abs(diff) <= sd)})")
    print(f"end-to-end fit speed-up of bf16 + channels-last: {speed:.2f}x "
          "(median fit times; runs not interleaved)")


if __name__ == "__main__":
    main()
