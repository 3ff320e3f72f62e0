"""The ``skcentral`` command."""

import argparse
import sys
import time

import numpy as np

__all__ = ["main"]


def _digits(args):
    from .datasets import load_multimodal_digits
    return load_multimodal_digits(energy=args.energy, share_ratio=args.share_ratio,
                                  random_state=args.data_seed)


DATASETS = {"digits": _digits}


def _backbone(name):
    from .backbones import LeNet5, MLP
    return {"lenet5": LeNet5(), "mlp": MLP((128,))}[name]


def _add_common(p):
    p.add_argument("--dataset", default="digits", choices=sorted(DATASETS),
                   help="data set (default: digits, bundled with scikit-learn)")
    p.add_argument("--energy", type=float, default=0.5,
                   help="PCA energy kept per modality (default: 0.5)")
    p.add_argument("--share-ratio", type=float, default=0.5,
                   help="fraction of PCA components shared by the modalities (default: 0.5)")
    p.add_argument("--data-seed", type=int, default=0,
                   help="seed of the train/test and PCA splits (default: 0)")
    p.add_argument("--backbone", default="lenet5", choices=["lenet5", "mlp"])
    p.add_argument("--epochs", type=int, default=20, help="training epochs (default: 20)")
    p.add_argument("--lr", type=float, default=0.001, help="Adam learning rate (default: 0.001)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--device", default="cpu", help="torch device (default: cpu)")


def _run(args):
    from .centralnet import CentralNetClassifier
    Xs_train, Xs_test, y_train, y_test = DATASETS[args.dataset](args)
    n_mod = len(Xs_train)
    print(f"dataset: {args.dataset} (energy {args.energy}, share ratio "
          f"{args.share_ratio}); {len(y_train)} train / {len(y_test)} test samples, "
          f"{n_mod} modalities of shape {Xs_train[0].shape[1:]}")
    clf = CentralNetClassifier(
        backbones=_backbone(args.backbone), beta=args.beta, max_epochs=args.epochs,
        lr=args.lr, batch_size=args.batch_size, device=args.device,
        random_state=args.seed, verbose=0 if args.quiet else 1)
    t0 = time.perf_counter()
    clf.fit(Xs_train, y_train)
    elapsed = time.perf_counter() - t0
    acc = clf.score(Xs_test, y_test)
    errors = int(np.sum(clf.predict(Xs_test) != y_test))
    print(f"\nmethod: {args.method}, seed {args.seed}, {args.epochs} epochs in {elapsed:.1f} s")
    print(f"test accuracy: {acc:.4f} ({errors} errors / {len(y_test)})")
    print("\nalphas (effective weight, share of 100% per fusion point):")
    print(clf.alphas_)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skcentral", description="Deep multimodal fusion with CentralNet.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="train one method and print its test score")
    _add_common(run)
    run.add_argument("--method", default="centralnet", choices=["centralnet"])
    run.add_argument("--beta", type=float, default=1.0,
                     help="weight of each modality's loss (default: 1.0)")
    run.add_argument("--seed", type=int, default=0, help="training seed (default: 0)")
    run.add_argument("--quiet", action="store_true", help="no per-epoch table")
    run.set_defaults(func=_run)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
