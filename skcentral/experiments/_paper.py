"""The paper's experiments (reduced protocols, see ``docs/reproduction.rst``).

``mm-mnist``
    Table 2: multimodal MNIST (energy 0.5, share ratio 0.5), LeNet5 x3,
    batch 128, all 55,000 training images; Adam at lr 0.001, divided by 5
    when the validation errors have not improved for two epochs, stopped after
    3 epochs without improvement (at most 15) and the best epoch restored,
    on the 5,000 validation images; ModDrop p_drop 0.2; GMU dropout 0.25.
    Test errors counted out of 10,000 (scaled when a test subset is used).
``mm-mnist-paper``
    Table 2 with the paper's own protocol: all 55,000 training images, 100
    epochs at lr 0.01 (ModDrop 0.05), batch 128, no validation split,
    fusion depths 0 to 4; 3 seeds. Made for a GPU, several runs at once:
    ``skcentral reproduce mm-mnist-paper --device cuda --n-jobs 8``.
``mnist-original``
    Table 2's reference rows on the original MNIST images, with the protocol
    of ``mm-mnist``: a LeNet5 (``unimodal``, the paper's "Baseline", 66
    errors) and an ensemble of three LeNet5s (``ensemble``, the paper's
    "Ensemble 3 classifiers", 60 errors), all on the one original image.
    They tell how well the training protocol does on the full images.
``mm-mnist-union``
    One LeNet5 on the projection onto every principal component either
    ``mm-mnist`` modality keeps: all the two modalities know together, in
    one image. What a fusion of the two could at best see; not in the paper.
``mm-mnist-short``
    The same on 5,000 training images for 5 epochs at lr 0.01 (ModDrop lr
    0.05), no validation: the short protocol of earlier versions.
``fig4``
    Figure 4: the same for energy in {0.1, 0.25, 0.5} at share ratio 0.5
    and share ratio in {0, 0.1, 0.5, 0.9} at energy 0.5, for a few methods,
    on a fixed 11,000 of the training images (the same validation split,
    schedule and early stopping).
``avmnist``
    Table 4: audiovisual MNIST, image ``LeNet5(n_stem=1)`` and audio
    ``AudioCNN``, batch 128, a fixed 11,000 of the training pairs; the
    converged protocol of ``mm-mnist`` (Adam at lr 0.001 for every method,
    schedule and early stopping on the 5,000 validation pairs, at most 15
    epochs); ModDrop p_drop 0.32; GMU dropout 0.35.
``avmnist-recordings``
    The same with FSDD's own train/test split of the recordings
    (``load_avmnist(split_by="recording")``): recordings 0-4 of every
    speaker and digit for the test pairs, so that every voice is in both
    splits, where ``avmnist`` holds one speaker out of training.
``montalbano-synthetic``
    Table 5's protocol on :func:`~skcentral.datasets.make_montalbano_like`
    (synthetic): MLP 400x128, 128x42, 42x(classes), lr 0.05 decayed x0.96
    per epoch, batch 42, ModDrop p_drop 0.5; macro accuracy.
``mmimdb-synthetic``
    Table 7's protocol on :func:`~skcentral.datasets.make_mmimdb_like`
    (synthetic): MLP (Dense 2048, Dense 512, Table 6) on 4096-d inputs
    (text zero-padded), lr 0.01, batch 128, early stopping on the
    validation split, weighted loss (pos_weight 2), ModDrop p_drop 0.25;
    F1 micro / macro / weighted / samples.
``digits``
    A small offline check of the runner on scikit-learn's 8x8 digits.
"""

from functools import partial

import numpy as np

from ._protocol import Data, Experiment, classification_scores, f1_scores

__all__ = ["EXPERIMENTS", "digits_experiment"]


def _subset(n, size, seed=0):
    """Indices of a fixed random subset of ``size`` out of ``n`` (all if None)."""
    if size is None or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).permutation(n)[:int(size)])


def _take(Xs_train, y_train, Xs_test, y_test, opts):
    i, j = _subset(len(y_train), opts.get("train_size")), _subset(len(y_test),
                                                                  opts.get("test_size"))
    return [x[i] for x in Xs_train], y_train[i], [x[j] for x in Xs_test], y_test[j]


def _load_mm_mnist(opts, energy=0.5, share_ratio=0.5, valid=False):
    from ..datasets import load_multimodal_mnist
    d = load_multimodal_mnist(energy=energy, share_ratio=share_ratio, random_state=0,
                              data_home=opts.get("data_home"), cache=opts.get("cache", True))
    return Data(*_take(d.Xs_train, d.y_train, d.Xs_test, d.y_test, opts),
                list(d.modality_names), description=d.DESCR,
                valid=(list(d.Xs_valid), d.y_valid) if valid else None)


def _one_view(opts, splits, view, name, description):
    """One modality: MNIST's train, validation and test splits mapped through ``view``."""
    (Xtr, ytr), (Xva, yva), (Xte, yte) = [(view(x), y) for x, y in
                                          (splits["train"], splits["valid"], splits["test"])]
    return Data(*_take([Xtr], ytr, [Xte], yte, opts), [name], valid=([Xva], yva),
                description=description)


def _load_mnist_original(opts):
    """The original MNIST images as one modality (Table 2's reference rows)."""
    from ..datasets.mm_mnist import mnist_splits
    return _one_view(opts, mnist_splits(opts.get("data_home")),
                     lambda x: x.astype(np.float32), "original",
                     "MNIST, original images (55,000 training, 5,000 validation = "
                     "MNIST training images 0-4999, 10,000 test)")


def _load_mm_mnist_union(opts, energy=0.5, share_ratio=0.5):
    """Both multimodal-MNIST modalities' components in one image (one modality)."""
    from ..datasets.mm_mnist import fit_split, mnist_splits
    s = mnist_splits(opts.get("data_home"))
    split = fit_split(s["train"][0], energy, share_ratio, 0)  # load_multimodal_mnist's
    kept = split.pca_.explained_variance_ratio_[np.union1d(*split.components_)].sum()
    return _one_view(opts, s, split.transform_union, "union",
                     f"Multimodal MNIST (energy {energy}, share ratio {share_ratio}), "
                     f"both modalities' components in one image (energy {kept:.3f})")


def _load_avmnist(opts, split_by="speaker"):
    from ..datasets import load_avmnist
    d = load_avmnist(data_home=opts.get("data_home"), cache=opts.get("cache", True),
                     n_train=opts.get("train_size") or 55000, n_valid=5000,
                     n_test=opts.get("test_size") or 10000, split_by=split_by,
                     random_state=0)
    return Data(d.Xs_train, d.y_train, d.Xs_test, d.y_test, list(d.modality_names),
                valid=(list(d.Xs_valid), d.y_valid), description=d.DESCR)


def _load_montalbano(opts):
    from ..datasets import make_montalbano_like
    n_tr, n_te = opts.get("train_size") or 3000, opts.get("test_size") or 2000
    d = make_montalbano_like(n_tr + n_te, random_state=0)
    return Data([x[:n_tr] for x in d.Xs], d.y[:n_tr], [x[n_tr:] for x in d.Xs], d.y[n_tr:],
                list(d.modality_names), description=d.DESCR)


def _load_mmimdb(opts):
    from ..datasets import make_mmimdb_like
    n_tr, n_te = opts.get("train_size") or 2000, opts.get("test_size") or 1000
    n_va = max(n_tr // 6, 10)  # the paper's validation is 1/6 of its training set
    d = make_mmimdb_like(n_tr + n_va + n_te, random_state=0,
                         visual_features=opts.get("visual_features", 4096))
    width = max(x.shape[1] for x in d.Xs)
    Xs = [np.pad(x, ((0, 0), (0, width - x.shape[1]))) for x in d.Xs]  # zero-pad text
    a, b = n_tr, n_tr + n_va
    return Data([x[:a] for x in Xs], d.y[:a], [x[b:] for x in Xs], d.y[b:],
                list(d.modality_names), valid=([x[a:b] for x in Xs], d.y[a:b]),
                description=d.DESCR)


def _load_digits(opts, energy=0.5, share_ratio=0.5, random_state=0, valid_size=None):
    from ..datasets import load_multimodal_digits
    Xs, Xt, y, yt = load_multimodal_digits(energy=energy, share_ratio=share_ratio,
                                           random_state=random_state, return_X_y=True)
    valid = None
    if valid_size:  # held out from the end of the training split
        valid = ([x[-valid_size:] for x in Xs], y[-valid_size:])
        Xs, y = [x[:-valid_size] for x in Xs], y[:-valid_size]
    return Data(*_take(Xs, y, Xt, yt, opts), ["a", "b"], valid=valid,
                description=f"scikit-learn digits, PCA split (energy {energy}, share "
                            f"{share_ratio})")


def _lenet5(dropout, **params):
    from ..backbones import LeNet5
    return LeNet5(dropout=dropout, **params)


def _avmnist_nets(dropout):
    from ..backbones import AudioCNN, LeNet5
    return [LeNet5(n_stem=1, dropout=dropout), AudioCNN(dropout=dropout)]


def _mlp(dropout, sizes):
    from ..backbones import MLP
    return MLP(sizes, dropout=dropout)


def digits_experiment(*, energy=0.5, share_ratio=0.5, data_seed=0, backbone=None,
                      lr=0.01, batch_size=64, methods=("unimodal", "fusion_sum", "centralnet"),
                      valid_size=None, hyper=None):
    """The experiment on scikit-learn's digits, split into two PCA modalities.

    Parameters
    ----------
    energy, share_ratio, data_seed
        Passed to :func:`~skcentral.datasets.load_multimodal_digits`.
    backbone : BackboneSpec, default=None
        ``None``: a small LeNet5 (8 and 16 channels, dense 32).
    lr, batch_size
        Every method's.
    methods : tuple of str
        Default table rows.
    valid_size : int, default=None
        Training samples held out for validation (early stopping, the
        learning-rate schedule and the learning curves).
    hyper : dict, default=None
        More protocol settings of every method, e.g.
        ``{"early_stopping_patience": 3, "early_stopping_monitor": "valid_acc",
        "lr_plateau_factor": 0.2}`` (see :class:`Experiment`).

    Returns
    -------
    Experiment
    """
    net = partial(_lenet5, channels=(8, 16), dense=32) if backbone is None else \
        (lambda dropout: backbone)
    return Experiment(
        "digits", "scikit-learn digits, offline check of the runner (errors)",
        "errors", "errors", False,
        dict(epochs=2, seeds=2, train_size=400, test_size=200, depths="0"),
        dict(epochs=None, seeds=None, train_size=None, test_size=None, depths=None),
        tuple(methods),
        load=partial(_load_digits, energy=energy, share_ratio=share_ratio,
                     random_state=data_seed, valid_size=valid_size),
        backbone=net, hyper={"lr": lr, "batch_size": batch_size, **(hyper or {})},
        score=classification_scores, conv=backbone is None)


_MM_METHODS = ("unimodal", "ensemble", "fusion_subtract", "fusion_sum", "fusion_product",
               "fusion_ensemble_subtract", "fusion_ensemble_sum", "fusion_ensemble_product",
               "concat_mt", "moddrop", "gmu", "centralnet")
_SCORE_FUSION = ("weighted_mean", "concat", "concat_mt", "moddrop", "gmu", "centralnet")
_MNIST = dict(hyper={"lr": 0.01, "batch_size": 128}, backbone=_lenet5, conv=True,
              method_hyper={"moddrop": {"lr": 0.05, "p_drop": 0.2},
                            "gmu": {"backbone_dropout": 0.25}},
              score=partial(classification_scores, primary="errors_per_10000"))
# The converged protocol: the 5,000 validation images (or pairs) for early
# stopping and the learning-rate schedule, the test set for the reported
# figure only; every method at the same lr unless an experiment's validation
# split chose another.
_CONVERGED = {"lr": 0.001, "batch_size": 128, "early_stopping_patience": 3,
              "early_stopping_monitor": "valid_acc", "lr_plateau_factor": 0.2,
              "lr_plateau_patience": 1}
#: Concat + Multi-Task's rate, chosen on multimodal MNIST's validation errors
#: from 0.0003, 0.001 and 0.003 (two seeds on 11,000 images) and confirmed on
#: avMNIST's validation pairs (see the reproduction page); every other method
#: runs at its protocol's 0.001
_CONCAT_MT_RATE = {"concat_mt": {"lr": 0.003}}
_MNIST_CONVERGED = dict(
    _MNIST, hyper=_CONVERGED,
    method_hyper={"moddrop": {"p_drop": 0.2}, "gmu": {"backbone_dropout": 0.25}})
_MNIST_PAPER_FIGURES = {
    "unimodal": 230, "ensemble": 64, "fusion_subtract": 64, "fusion_sum": 68,
    "fusion_product": 71, "fusion_ensemble_subtract": 63, "fusion_ensemble_sum": 56,
    "fusion_ensemble_product": 63, "concat_mt": 62, "moddrop": 60, "gmu": 68,
    "centralnet": 53, "weighted_mean": None, "concat": None}
_ENSEMBLE_NOTE = {"ensemble": "paper: 2 LeNet5 on the original images, ours: one per "
                              "modality (the original-image rows: mnist-original)"}
_PAPER_MNIST = dict(epochs=100, seeds=64, train_size=55000, test_size=10000,
                    depths="0,1,2,3,4")
_NOT_GIVEN = dict(epochs=None, seeds=None, train_size=None, test_size=None, depths=None)
_AVMNIST = dict(
    metric="accuracy", metric_label="accuracy %", higher_is_better=True,
    defaults=dict(epochs=15, seeds=3, train_size=11000, test_size=10000, depths="0"),
    paper_protocol=dict(_NOT_GIVEN, epochs=100, train_size=55000, test_size=10000),
    methods=("unimodal:image", "unimodal:audio") + _SCORE_FUSION,
    load=_load_avmnist, backbone=_avmnist_nets, conv=True, hyper=_CONVERGED,
    method_hyper={"moddrop": {"p_drop": 0.32}, "gmu": {"backbone_dropout": 0.35},
                  **_CONCAT_MT_RATE},
    score=partial(classification_scores, primary="accuracy"),
    paper={"unimodal:image": 72.8, "unimodal:audio": 86.1, "weighted_mean": 94.7,
           "concat": 93.7, "concat_mt": 94.8, "moddrop": 94.8, "gmu": 94.1,
           "centralnet": 95.0})

EXPERIMENTS = {e.name: e for e in [
    Experiment(
        "mm-mnist", "Multimodal MNIST, Table 2 (errors out of 10,000)",
        "errors_per_10000", "errors /10000", False,
        dict(epochs=15, seeds=3, train_size=55000, test_size=10000, depths="0,2"),
        _PAPER_MNIST, _MM_METHODS + ("weighted_mean", "concat"),
        load=partial(_load_mm_mnist, valid=True),
        **dict(_MNIST_CONVERGED, method_hyper={**_MNIST_CONVERGED["method_hyper"],
                                               **_CONCAT_MT_RATE}),
        paper=_MNIST_PAPER_FIGURES, not_comparable=_ENSEMBLE_NOTE),
    Experiment(
        "mm-mnist-paper", "Multimodal MNIST, Table 2, the paper's own protocol (errors out "
        "of 10,000)", "errors_per_10000", "errors /10000", False,
        dict(_PAPER_MNIST, seeds=3), _PAPER_MNIST, _MM_METHODS + ("weighted_mean", "concat"),
        load=_load_mm_mnist, **_MNIST, paper=_MNIST_PAPER_FIGURES,
        not_comparable=_ENSEMBLE_NOTE),
    Experiment(
        "mnist-original", "MNIST original images, Table 2's reference rows (errors out of "
        "10,000)", "errors_per_10000", "errors /10000", False,
        dict(epochs=15, seeds=3, train_size=55000, test_size=10000, depths="0"),
        _PAPER_MNIST, ("unimodal", "ensemble"), load=_load_mnist_original,
        **dict(_MNIST_CONVERGED, method_hyper={"ensemble": {"n_estimators": 3}}),
        paper={"unimodal": 66, "ensemble": 60},
        labels={"unimodal": "Baseline (original images)",
                "ensemble": "Ensemble 3 classifiers"}),
    Experiment(
        "mm-mnist-union", "Multimodal MNIST, both modalities in one image (errors out of "
        "10,000)", "errors_per_10000", "errors /10000", False,
        dict(epochs=15, seeds=3, train_size=55000, test_size=10000, depths="0"),
        _PAPER_MNIST, ("unimodal",), load=_load_mm_mnist_union, **_MNIST_CONVERGED,
        paper={"unimodal": None}),
    Experiment(
        "mm-mnist-short", "Multimodal MNIST, Table 2, short protocol (errors out of "
        "10,000)", "errors_per_10000", "errors /10000", False,
        dict(epochs=5, seeds=3, train_size=5000, test_size=10000, depths="0,2"),
        _PAPER_MNIST, _MM_METHODS, load=_load_mm_mnist, **_MNIST,
        paper=_MNIST_PAPER_FIGURES, not_comparable=_ENSEMBLE_NOTE),
    Experiment(
        "fig4", "Multimodal MNIST, Figure 4 (errors out of 10,000 per energy / share ratio)",
        "errors_per_10000", "errors /10000", False,
        dict(epochs=15, seeds=2, train_size=11000, test_size=10000, depths="0"),
        _PAPER_MNIST, ("unimodal", "ensemble", "fusion_ensemble_sum", "centralnet"),
        load=partial(_load_mm_mnist, valid=True), **_MNIST_CONVERGED,
        variants=[{"energy": e, "share_ratio": 0.5} for e in (0.1, 0.25, 0.5)]
        + [{"energy": 0.5, "share_ratio": s} for s in (0.0, 0.1, 0.9)]),
    Experiment(
        "avmnist", "Audiovisual MNIST, Table 4 (accuracy %)", **_AVMNIST),
    Experiment(
        "avmnist-recordings", "Audiovisual MNIST, Table 4, FSDD's own split: every speaker "
        "in training and test (accuracy %)",
        **dict(_AVMNIST, load=partial(_load_avmnist, split_by="recording"))),
    Experiment(
        "montalbano-synthetic", "SYNTHETIC Montalbano-shaped data, Table 5 protocol "
        "(macro accuracy %)", "macro_accuracy", "macro accuracy %", True,
        dict(epochs=20, seeds=3, train_size=3000, test_size=2000, depths="0"),
        dict(_NOT_GIVEN, epochs=100),
        ("unimodal:left_hand", "unimodal:audio", "unimodal:right_hand", "unimodal:mocap")
        + _SCORE_FUSION,
        load=_load_montalbano, backbone=partial(_mlp, sizes=(128, 42)),
        hyper={"lr": 0.05, "batch_size": 42, "lr_decay": 0.96},
        method_hyper={"moddrop": {"p_drop": 0.5}},
        score=partial(classification_scores, macro=True, primary="macro_accuracy"),
        paper={"unimodal:left_hand": 46.0, "unimodal:audio": 59.3,
               "unimodal:right_hand": 79.0, "unimodal:mocap": 88.0, "weighted_mean": 97.54,
               "concat": 97.76, "concat_mt": 98.02, "moddrop": 98.19, "gmu": 97.98,
               "centralnet": 98.27}),
    Experiment(
        "mmimdb-synthetic", "SYNTHETIC MM-IMDb-shaped data, Table 7 protocol (F1)",
        "f1_micro", "F1 micro", True,
        dict(epochs=15, seeds=3, train_size=2000, test_size=1000, depths="0"),
        dict(_NOT_GIVEN, train_size=15552, test_size=7799),
        ("unimodal:text", "unimodal:visual") + _SCORE_FUSION,
        load=_load_mmimdb, backbone=partial(_mlp, sizes=(2048, 512)),
        hyper={"lr": 0.01, "batch_size": 128, "early_stopping_patience": 5,
               "pos_weight": 2.0},
        method_hyper={"moddrop": {"p_drop": 0.25}}, score=f1_scores,
        extra_metrics=("f1_micro", "f1_macro", "f1_weighted", "f1_samples"),
        paper={"unimodal:text": (0.602, 0.489, 0.585, 0.606),
               "unimodal:visual": (0.478, 0.256, 0.421, 0.484),
               "weighted_mean": (0.635, 0.550, 0.626, 0.634),
               "concat": (0.611, 0.506, 0.599, 0.614),
               "concat_mt": (0.623, 0.528, 0.613, 0.622),
               "moddrop": (0.624, 0.526, 0.614, 0.625),
               "gmu": (0.630, 0.541, 0.617, 0.630),
               "centralnet": (0.639, 0.561, 0.631, 0.639)}),
    digits_experiment(),
]}
