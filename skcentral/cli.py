"""The ``skcentral`` command."""

import argparse
import sys
import time

import numpy as np

__all__ = ["main"]


def _digits(args):
    from .datasets import load_multimodal_digits
    return load_multimodal_digits(energy=args.energy, share_ratio=args.share_ratio,
                                  random_state=args.data_seed, return_X_y=True)


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
    p.add_argument("--epochs", type=int, default=20, help="training epochs")
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


def _compare(args):
    import json

    from .experiments import METHODS, method_configs
    from .model_selection import evaluate_many
    methods = args.methods.split(",") if args.methods else list(METHODS)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        print(f"unknown methods {unknown}; choose from {sorted(METHODS)}", file=sys.stderr)
        return 2
    Xs_train, Xs_test, y_train, y_test = DATASETS[args.dataset](args)
    backbone = _backbone(args.backbone)
    depths = [int(d) for d in args.depths.split(",")]
    configs = method_configs(methods, backbone, depths, max_epochs=args.epochs, lr=args.lr,
                             batch_size=args.batch_size, device=args.device)
    seeds = list(range(args.seeds))
    print(f"dataset: {args.dataset} (energy {args.energy}, share ratio {args.share_ratio}); "
          f"{len(y_train)} train / {len(y_test)} test; backbone {args.backbone}, "
          f"{args.epochs} epochs, lr {args.lr}, batch {args.batch_size}; "
          f"{len(configs)} configurations x {len(seeds)} seeds on {args.n_jobs} jobs")
    done = [0]
    total = len(configs) * len(seeds)

    def progress(name, seed, score, elapsed):
        done[0] += 1
        print(f"  [{done[0]:3d}/{total}] {name:28s} seed {seed}: {score:5.0f} errors "
              f"({elapsed:.1f} s)", flush=True)

    t0 = time.perf_counter()
    results = evaluate_many(configs, Xs_train, y_train, Xs_test, y_test, seeds=seeds,
                            scoring="errors", confidence=args.confidence, n_jobs=args.n_jobs,
                            return_estimators=True, on_result=progress)
    elapsed = time.perf_counter() - t0
    rows = []
    for name in methods:
        label, _, _, at_depth = METHODS[name]
        keys = [f"{name}@{d}" for d in depths] if at_depth else [name]
        best = min(keys, key=lambda k: results[k].mean)
        r = results[best]
        rows.append({"method": name, "label": label,
                     "fusion_layer": int(best.split("@")[1]) if at_depth else None,
                     "errors_mean": r.mean, "errors_ci": r.half_width,
                     "accuracy_mean": 1 - r.mean / len(y_test), "scores": r.scores.tolist(),
                     "all_depths": {k.split("@")[1]: results[k].mean for k in keys}
                     if at_depth else None})
    conf = f"{100 * args.confidence:g}%"
    print(f"\nTest errors out of {len(y_test)}, mean +- {conf} CI over {len(seeds)} seeds "
          f"({elapsed / 60:.1f} min):\n")
    print(f"{'Method':28s} {'Errors':>16s} {'Accuracy':>9s} {'Fusion Layer':>13s}")
    print("-" * 69)
    for row in rows:
        depth = "-" if row["fusion_layer"] is None else str(row["fusion_layer"])
        err = f"{row['errors_mean']:.1f} +- {row['errors_ci']:.1f}"
        print(f"{row['label']:28s} {err:>16s} {100 * row['accuracy_mean']:8.2f}% {depth:>13s}")
    if "centralnet" in results:
        import numpy as np
        from ._alphas import FusionWeights
        alphas = [e.alphas_ for e in results["centralnet"].estimators]
        mean = FusionWeights(np.mean([a.weights for a in alphas], axis=0),
                             alphas[0].columns, alphas[0].points)
        print(f"\nCentralNet alphas, mean over {len(alphas)} seeds "
              "(effective weight, share of 100% per fusion point):")
        print(mean)
    if args.output:
        meta = {k: v for k, v in vars(args).items() if k != "func"}
        if args.output.endswith(".json"):
            with open(args.output, "w") as f:
                json.dump({"settings": meta, "results": rows}, f, indent=2)
        else:
            import csv
            with open(args.output, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["method", "label", "fusion_layer", "errors_mean", "errors_ci",
                            "accuracy_mean", "n_seeds", "epochs", "dataset"])
                for row in rows:
                    w.writerow([row["method"], row["label"], row["fusion_layer"],
                                f"{row['errors_mean']:.3f}", f"{row['errors_ci']:.3f}",
                                f"{row['accuracy_mean']:.5f}", len(seeds), args.epochs,
                                args.dataset])
        print(f"\nresults written to {args.output}")
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

    cmp_ = sub.add_parser(
        "compare", help="run every method over several seeds; print the paper's Table 2")
    _add_common(cmp_)
    cmp_.set_defaults(epochs=10)
    cmp_.add_argument("--methods", default=None,
                      help="comma-separated method names (default: all)")
    cmp_.add_argument("--seeds", type=int, default=3, help="seeds per method (default: 3)")
    cmp_.add_argument("--depths", default="0,2,4",
                      help="fusion depths tried by the layer-fusion methods, 0 (inputs) "
                           "to 4 (predictions) for LeNet5 (default: 0,2,4)")
    cmp_.add_argument("--confidence", type=float, default=0.99)
    cmp_.add_argument("--n-jobs", type=int, default=2, help="parallel runs (default: 2)")
    cmp_.add_argument("--output", default=None, help="write the table to .csv or .json")
    cmp_.set_defaults(func=_compare)

    from .reproduce import add_parser
    add_parser(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
