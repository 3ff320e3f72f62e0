"""The ``skcentral`` command."""

import argparse
import sys
import time


__all__ = ["main"]


def _experiment(args, methods=None):
    """The experiment on the embedded data that ``run`` and ``compare`` use."""
    from .backbones import LeNet5, MLP
    from .experiments import METHODS, digits_experiment
    spec = LeNet5() if args.backbone == "lenet5" else MLP((128,))
    # a few epochs leave the batch-norm moving averages behind the final
    # weights (ModDrop and the GMU most): recompute them after training
    return digits_experiment(energy=args.energy, share_ratio=args.share_ratio,
                             data_seed=args.data_seed, backbone=spec, lr=args.lr,
                             batch_size=args.batch_size, methods=tuple(methods or METHODS),
                             hyper={"recompute_batch_norm": True})


def _add_common(p):
    p.add_argument("--dataset", default="digits", choices=["digits"],
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
    from .experiments import Run, classification_scores
    exp = _experiment(args, [args.method])
    data = exp.load({})
    Xs_train, Xs_test, y_train, y_test = data.Xs_train, data.Xs_test, data.y_train, data.y_test
    print(f"dataset: {args.dataset} (energy {args.energy}, share ratio "
          f"{args.share_ratio}); {len(y_train)} train / {len(y_test)} test samples, "
          f"{len(Xs_train)} modalities of shape {Xs_train[0].shape[1:]}")
    run = Run(args.method, args.method, params=exp.params(args.method))
    clf = exp.build_estimator(run, {"epochs": args.epochs, "device": args.device,
                                    "precision": "fp32"}, data.modality_names)
    clf.set_params(beta=args.beta, random_state=args.seed, verbose=0 if args.quiet else 1)
    t0 = time.perf_counter()
    clf.fit(Xs_train, y_train)
    elapsed = time.perf_counter() - t0
    scores = classification_scores(clf, Xs_test, y_test)
    print(f"\nmethod: {args.method}, seed {args.seed}, {args.epochs} epochs in {elapsed:.1f} s")
    print(f"test accuracy: {scores['accuracy'] / 100:.4f} ({scores['errors']} errors / "
          f"{len(y_test)})")
    print("\nalphas (effective weight, share of 100% per fusion point):")
    print(clf.alphas_)
    return 0


def _compare(args):
    from .experiments import METHODS, compare
    methods = args.methods.split(",") if args.methods else list(METHODS)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        print(f"unknown methods {unknown}; choose from {sorted(METHODS)}", file=sys.stderr)
        return 2
    exp = _experiment(args, methods)
    data = exp.load({})
    n_configs = len(exp.runs(methods, args.depths))
    print(f"dataset: {args.dataset} (energy {args.energy}, share ratio {args.share_ratio}); "
          f"{len(data.y_train)} train / {len(data.y_test)} test; backbone {args.backbone}, "
          f"{args.epochs} epochs, lr {args.lr}, batch {args.batch_size}; "
          f"{n_configs} configurations x {args.seeds} seeds on {args.n_jobs} jobs")
    done, total = [0], n_configs * args.seeds

    def progress(name, seed, scores, elapsed):
        done[0] += 1
        print(f"  [{done[0]:3d}/{total}] {name:28s} seed {seed}: {scores['errors']:5.0f} "
              f"errors ({elapsed:.1f} s)", flush=True)

    res = compare(exp, methods, epochs=args.epochs, seeds=args.seeds, depths=args.depths,
                  confidence=args.confidence, n_jobs=args.n_jobs, device=args.device,
                  on_result=progress,
                  settings={k: v for k, v in vars(args).items() if k != "func"})
    conf = f"{100 * args.confidence:g}%"
    print(f"\nTest errors out of {res.n_test}, mean +- {conf} CI over {len(res.seeds)} seeds "
          f"({res.elapsed / 60:.1f} min):\n")
    print(f"{'Method':28s} {'Errors':>16s} {'Accuracy':>9s} {'Fusion Layer':>13s}")
    print("-" * 69)
    for row in res.rows:
        depth = "-" if row["fusion_layer"] is None else str(row["fusion_layer"])
        err = f"{row['errors_mean']:.1f} +- {row['errors_ci']:.1f}"
        print(f"{row['label']:28s} {err:>16s} {100 * row['accuracy_mean']:8.2f}% {depth:>13s}")
    for label, alphas in res.alphas.items():
        print(f"\n{label} alphas, mean over {len(res.seeds)} seeds "
              "(effective weight, share of 100% per fusion point):")
        print(alphas)
    if args.output:
        res.write(args.output)
        print(f"\nresults written to {args.output}")
    return 0


def _cache(args):
    """The loaders' ``cache``: the folder given, else their default."""
    return args.cache if args.cache is not None else True


def _reproduce(args):
    from .experiments import default_results, reproduce, summarize
    if args.settings_plot:
        from .experiments._summary import check_settings_plot
        check_settings_plot(args.experiment)  # before hours of training, not after
    kw = dict(epochs=args.epochs, train_size=args.train_size, test_size=args.test_size,
              device=args.device, precision=args.precision,
              channels_last=not args.no_channels_last)
    results = args.results or default_results(args.experiment)
    if not args.summary_only:
        methods = args.methods.split(",") if args.methods else None
        reproduce(args.experiment, seeds=args.seeds, methods=methods, depths=args.depths,
                  variants=args.setting, n_jobs=args.n_jobs, data_home=args.data_home,
                  cache=_cache(args), results=results, fresh=args.fresh,
                  verbose=int(args.verbose), dry_run=args.dry_run,
                  checkpoints=not args.no_checkpoints, **kw)
        if args.dry_run:
            return 0
    summarize(args.experiment, results, all_protocols=args.all_protocols,
              curves=args.curves, per_run=args.per_run,
              settings_plot=args.settings_plot, **kw)
    return 0


def _add_experiment_options(p, *, seeds_help, seeds_default, epochs_help):
    """The options ``reproduce`` and ``tune`` share."""
    from .experiments import EXPERIMENTS
    p.add_argument("experiment", choices=list(EXPERIMENTS))
    p.add_argument("--epochs", type=int, default=None, help=epochs_help)
    p.add_argument("--seeds", type=int, default=seeds_default, help=seeds_help)
    p.add_argument("--train-size", type=int, default=None,
                   help="training samples (a fixed random subset)")
    p.add_argument("--methods", default=None,
                   help="comma-separated table rows (default: the paper's table); "
                        "fusion_sum@0 runs a layer-fusion row at that depth alone")
    p.add_argument("--depths", default=None,
                   help="fusion depths of the layer-fusion methods, e.g. 0,2")
    p.add_argument("--n-jobs", type=int, default=2, help="parallel runs (default: 2)")
    p.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"],
                   help="autocast precision (default: auto, bf16 where the device computes "
                        "in bfloat16 natively, else fp32)")
    p.add_argument("--data-home", default=None, help="data folder of the loaders")
    p.add_argument("--cache", default=None,
                   help="writable folder for the built data sets (default: $SKCENTRAL_CACHE, "
                        "else <data-home>/cache)")
    p.add_argument("--verbose", action="store_true",
                   help="print each run's table of epochs as it trains")


def _add_reproduce(subparsers):
    from .experiments import EXPERIMENTS
    lines = [f"  {k}: {v.title}; reduced protocol {v.defaults}"
             for k, v in EXPERIMENTS.items()]
    p = subparsers.add_parser(
        "reproduce", help="run the paper's experiments (reduced protocols), resumable",
        description="Run one of the paper's experiments, appending every finished run to "
                    "a JSON-lines results file, then print the summary table beside the "
                    "paper's figures. Options left out take the experiment's reduced "
                    "protocol:\n" + "\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_experiment_options(p, seeds_help="seeds per configuration", seeds_default=None,
                            epochs_help="training epochs per run")
    p.add_argument("--test-size", type=int, default=None,
                   help="test samples (a fixed random subset; mm-mnist errors are scaled "
                        "to /10000)")
    p.add_argument("--no-channels-last", action="store_true",
                   help="do not use the channels-last memory format")
    p.add_argument("--results", default=None,
                   help="JSON-lines results file (default: docs/results/<experiment>.jsonl)")
    p.add_argument("--fresh", action="store_true", help="empty the results file first")
    p.add_argument("--dry-run", action="store_true",
                   help="list the runs still to do (not in the results file) and run nothing")
    p.add_argument("--no-checkpoints", action="store_true",
                   help="do not write each run's training state after every epoch (by "
                        "default a stopped run goes on from its last epoch)")
    p.add_argument("--summary-only", action="store_true",
                   help="print the summary table from the results file; run nothing")
    p.add_argument("--all-protocols", action="store_true",
                   help="summarise every record in the file, whatever its options")
    p.add_argument("--curves", default=None,
                   help="write the runs' validation learning curves to this image file "
                        "(needs matplotlib)")
    p.add_argument("--settings-plot", default=None,
                   help="for an experiment over data settings (fig4): draw its scores per "
                        "setting in this image file, as the paper's Figure 4 (needs "
                        "matplotlib)")
    p.add_argument("--setting", action="append", default=None, metavar="KEY=VALUE[,...]",
                   help="for an experiment over data settings (fig4): run only those "
                        "matching, e.g. --setting energy=0.1 --setting share_ratio=0.9 "
                        "(the summary shows every setting in the file)")
    p.add_argument("--per-run", action="store_true",
                   help="also print every run: its score, epochs run, kept epoch and "
                        "validation figure (a reStructuredText table)")
    p.set_defaults(func=_reproduce)
    return p


def _tune(args):
    from .experiments import tune_lr
    tune_lr(args.experiment, [float(x) for x in args.lrs.split(",")],
            methods=args.methods.split(",") if args.methods else None, depths=args.depths,
            epochs=args.epochs, train_size=args.train_size, seeds=args.seeds,
            n_jobs=args.n_jobs, device=args.device, precision=args.precision,
            data_home=args.data_home, cache=_cache(args), results=args.results,
            summary_only=args.summary_only, verbose=int(args.verbose))
    return 0


def _add_tune(subparsers):
    from .experiments import EXPERIMENTS
    p = subparsers.add_parser(
        "tune", help="choose each method's learning rate on the validation split",
        description="Fit each method at each learning rate on (a subset of) the training "
                    "split and score it on the validation split, never on the test set; "
                    "resumable. Experiments with a validation split: "
                    + ", ".join(k for k, e in EXPERIMENTS.items()
                                if "early_stopping_patience" in e.hyper) + ".")
    p.add_argument("--lrs", default="0.0003,0.001,0.003",
                   help="comma-separated learning rates (default: 0.0003,0.001,0.003)")
    _add_experiment_options(p, seeds_help="seeds per rate (default: 1)", seeds_default=1,
                            epochs_help="at most this many epochs")
    p.add_argument("--results", default=None,
                   help="JSON-lines file (default: docs/results/tuning/<experiment>.jsonl)")
    p.add_argument("--summary-only", action="store_true",
                   help="print the table of the runs already in the results file; train "
                        "nothing")
    p.set_defaults(func=_tune)
    return p


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
    cmp_.add_argument("--seeds", type=int, default=5, help="seeds per method (default: 5)")
    cmp_.add_argument("--depths", default="2",
                      help="comma-separated fusion depths tried by the layer-fusion methods, "
                           "0 (inputs) to 4 (predictions) for LeNet5, each reported at its "
                           "best (default: 2, where the paper's Table 2 has its Fusion methods best)")
    cmp_.add_argument("--confidence", type=float, default=0.95,
                      help="level of the Student-t intervals (default: 0.95)")
    cmp_.add_argument("--n-jobs", type=int, default=2, help="parallel runs (default: 2)")
    cmp_.add_argument("--output", default=None, help="write the table to .csv or .json")
    cmp_.set_defaults(func=_compare)

    _add_reproduce(sub)
    _add_tune(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
