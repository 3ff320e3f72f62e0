"""Where CentralNet's errors come from, on multimodal MNIST: each head apart.

CentralNet's prediction is the last fusion point, a learned weighted sum of
the central network's prediction and of each modality network's own
prediction (the paper's Fig. 1). This script trains one CentralNet with the
converged protocol of ``skcentral reproduce mm-mnist`` (validation split for
early stopping and the schedule) and counts the test errors of:

* the CentralNet prediction (what ``predict`` returns),
* the central network's own prediction, before the last fusion point,
* each modality network's prediction,

with the weights of the last fusion point; and, for reference, one LeNet5 on
the union of the two modalities (``mm-mnist-union``), trained the same way on
the same images. Nothing is chosen on the test set: it is only counted.

    python benchmarks/centralnet_heads.py --data-home DATA --train-size 11000 --epochs 15

``--beta 0`` trains CentralNet without the modalities' own losses (Eq. 2
with ``beta_k = 0``): the modality heads are then untrained by their own
loss, and the comparison tells how much of the central network's figure the
multi-task loss accounts for.

Run it alone: it is a training run (minutes on one core at 11,000 images).
"""

import argparse
import time

import numpy as np
import torch


def _errors(logits, y):
    """Test errors out of 10,000."""
    pred = np.asarray(logits).argmax(1)
    return 10000 * float(np.mean(pred != y))


def _fit(exp, method, data, args, **params):
    run = exp.runs([method])[0]
    opts = {"epochs": args.epochs, "device": "cpu", "precision": "fp32",
            "channels_last": True}
    est = exp.build_estimator(run, opts, data.modality_names)
    est.set_params(random_state=args.seed, torch_threads=1, **params)
    start = time.perf_counter()
    est.fit(data.Xs_train, data.y_train, validation_data=data.valid)
    return est, time.perf_counter() - start


def centralnet_heads(est, Xs, y):
    """Test errors of every head of a fitted CentralNet, and the last point's weights."""
    module = est.module_
    central = []
    hook = module.central.layers[-1].register_forward_hook(
        lambda mod, inp, out: central.append(out.detach().float().cpu()))
    try:
        outputs = est.forward(Xs)  # (CentralNet, modality 0, modality 1, ...)
    finally:
        hook.remove()
    heads = {"CentralNet (predict)": outputs[0],
             "central network, before the last point": torch.cat(central)}
    for name, out in zip(est.modality_names_, outputs[1:]):
        heads[f"modality {name}"] = out
    errors = {k: _errors(v.float().numpy(), y) for k, v in heads.items()}
    return errors, module.effective_alphas()  # per point: central, then each modality


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--train-size", type=int, default=11000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--beta", type=float, default=1.0,
                        help="weight of each modality's own loss (Eq. 2); the paper's is 1")
    parser.add_argument("--no-reference", action="store_true",
                        help="leave out the LeNet5 on the union")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    from skcentral.experiments import EXPERIMENTS
    opts = {"train_size": args.train_size, "data_home": args.data_home}
    mm, union = EXPERIMENTS["mm-mnist"], EXPERIMENTS["mm-mnist-union"]
    data = mm.load(opts)
    est, fit = _fit(mm, "centralnet", data, args, beta=args.beta)
    errors, alphas = centralnet_heads(est, data.Xs_test, data.y_test)
    epochs = {"CentralNet": (len(est.history), fit)}
    if not args.no_reference:
        udata = union.load(opts)
        uest, ufit = _fit(union, "unimodal", udata, args)
        errors["one LeNet5 on the union (reference)"] = _errors(
            uest.predict_proba(udata.Xs_test), udata.y_test)
        epochs["union"] = (len(uest.history), ufit)
    print(f"multimodal MNIST, {len(data.y_train)} training images, at most {args.epochs} "
          f"epochs, seed {args.seed}, CentralNet beta {args.beta:g}; test errors out of "
          f"10,000 "
          f"({len(data.y_test)} test images)")
    for name, (n, t) in epochs.items():
        print(f"  {name}: {n} epochs, {t / 60:.1f} min")
    width = max(map(len, errors))
    for name, e in errors.items():
        print(f"  {name.ljust(width)}  {e:7.1f}")
    names = ["central"] + [str(n) for n in est.modality_names_]
    print("  CentralNet's weights per fusion point (0: the inputs' stems, last: the "
          "predictions):")
    for i, row in enumerate(alphas):
        print(f"    point {i}: " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(names, row)
                                          if np.isfinite(w)))
    return errors


if __name__ == "__main__":
    main()
