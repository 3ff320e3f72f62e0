"""Recomputed batch-norm statistics (``recompute_batch_norm=True``)."""

import copy

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from skcentral import (CentralNetClassifier, LeNet5, MLP, ModDropClassifier, ModuleBackbone,
                       UnimodalClassifier)
from skcentral._batchnorm import batch_norm_layers, recompute_batch_norm


def lenet(**kw):
    """Both kinds of batch norm: after the convolutions and after the dense layer."""
    return LeNet5(channels=(4, 8), dense=16, **kw)


def fit(cls=CentralNetClassifier, Xs=None, y=None, **kw):
    params = dict(backbones=lenet(dropout=0.0), max_epochs=2, batch_size=-1, lr=0.01,
                  random_state=0, recompute_batch_norm=True)
    return cls(**{**params, **kw}).fit(Xs, y)


def input_statistics(clf, Xs):
    """Mean and unbiased variance of each batch-norm layer's input over ``Xs``,
    in one batch through a copy of the network in training mode, dropout off."""
    module = copy.deepcopy(clf.module_)
    module.train()
    if clf.freeze_backbones:
        module.backbones.eval()
    for m in module.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    if hasattr(module, "p_drop"):
        module.p_drop = 0.0
    inputs = {}
    hooks = [bn.register_forward_pre_hook(lambda m, args, name=name: inputs.__setitem__(name, args[0]))
             for name, bn in module.named_modules()
             if isinstance(bn, torch.nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        module([torch.as_tensor(x) for x in Xs])
    for h in hooks:
        h.remove()
    stats = {}
    for name, x in inputs.items():
        x = x.double().transpose(0, 1).reshape(x.shape[1], -1)  # channels first
        stats[name] = (x.mean(1), x.var(1))
    return stats


def assert_recomputed(clf, Xs, names=None):
    expected = input_statistics(clf, Xs)
    layers = dict(clf.module_.named_modules())
    names = expected if names is None else names
    assert names
    for name in names:
        mean, var = expected[name]
        torch.testing.assert_close(layers[name].running_mean.double(), mean,
                                   rtol=1e-4, atol=1e-5, msg=name)
        torch.testing.assert_close(layers[name].running_var.double(), var,
                                   rtol=1e-4, atol=1e-5, msg=name)


def test_statistics_are_those_of_each_layer_input_over_the_training_data(small_digits):
    Xs, _, y, _ = small_digits
    clf = fit(Xs=Xs, y=y)
    assert clf.channels_last_
    kinds = {type(bn) for bn in batch_norm_layers(clf.module_)}
    assert kinds == {torch.nn.BatchNorm1d, torch.nn.BatchNorm2d}
    assert_recomputed(clf, Xs)
    # the weights are not retrained: only the statistics differ from a plain fit
    off = fit(Xs=Xs, y=y, recompute_batch_norm=False)
    state, state_off = clf.module_.state_dict(), off.module_.state_dict()
    changed = {k for k in state if not torch.equal(state[k], state_off[k])}
    assert changed and all(k.endswith(("running_mean", "running_var", "num_batches_tracked"))
                           for k in changed)


def test_off_by_default_and_unchanged(small_digits):
    Xs, Xt, y, _ = small_digits
    params = dict(backbones=lenet(), max_epochs=2, batch_size=64, random_state=0)
    assert CentralNetClassifier().recompute_batch_norm is False
    default = CentralNetClassifier(**params).fit(Xs, y)
    off = CentralNetClassifier(recompute_batch_norm=False, **params).fit(Xs, y)
    np.testing.assert_array_equal(default.predict_proba(Xt), off.predict_proba(Xt))
    on = CentralNetClassifier(recompute_batch_norm=True, **params).fit(Xs, y)
    assert not np.array_equal(on.predict_proba(Xt), off.predict_proba(Xt))
    assert "recompute_batch_norm=True" in repr(on)


def test_the_pass_runs_without_dropout_or_modality_dropout(small_digits):
    Xs, Xt, y, _ = small_digits
    # the second layer's batch norm follows the first layer's dropout
    clf = fit(ModDropClassifier, Xs, y, backbones=MLP((16, 16), dropout=0.5), p_drop=0.5)
    assert_recomputed(clf, Xs)  # computed with every dropout off
    stats = [bn.running_var.clone() for bn in batch_norm_layers(clf.module_)]
    proba = clf.predict_proba(Xt)
    torch.manual_seed(123)  # no randomness: the same statistics again
    recompute_batch_norm(clf, clf.get_dataset(Xs, y))
    assert all(torch.equal(a, bn.running_var)
               for a, bn in zip(stats, batch_norm_layers(clf.module_)))
    np.testing.assert_array_equal(clf.predict_proba(Xt), proba)
    assert not clf.module_.training and clf.module_.backbones[0].blocks[1][2].momentum == 0.1


def test_after_every_partial_fit_and_with_or_without_channels_last(small_digits):
    Xs, _, y, _ = small_digits
    clf = CentralNetClassifier(backbones=lenet(dropout=0.0), max_epochs=1, batch_size=-1,
                               lr=0.01, random_state=0, recompute_batch_norm=True,
                               channels_last=False)
    for _ in range(2):
        clf.partial_fit(Xs, y)
        assert_recomputed(clf, Xs)
    assert not clf.channels_last_
    last = fit(Xs=Xs, y=y, max_epochs=1, channels_last=True)
    for a, b in zip(batch_norm_layers(fit(Xs=Xs, y=y, max_epochs=1, channels_last=False)
                                      .module_), batch_norm_layers(last.module_)):
        torch.testing.assert_close(a.running_var, b.running_var, rtol=1e-4, atol=1e-5)


def test_frozen_backbones_keep_their_statistics(small_digits):
    Xs, _, y, _ = small_digits
    uni = [UnimodalClassifier(modality=k, backbones=MLP((16,), dropout=0.0), lr=0.01,
                              batch_size=-1, max_epochs=2, random_state=0).fit(Xs, y)
           for k in (0, 1)]
    clf = fit(Xs=Xs, y=y, backbones=[ModuleBackbone.from_estimator(u) for u in uni],
              freeze_backbones=True)
    for k in (0, 1):
        before = uni[k].module_.backbone.state_dict()
        after = clf.module_.backbones[k].state_dict()
        assert all(torch.equal(before[n], after[n]) for n in before)
    central = [n for n, m in clf.module_.named_modules()
               if isinstance(m, torch.nn.BatchNorm1d) and not n.startswith("backbones")]
    assert_recomputed(clf, Xs, central)


def test_an_interrupted_pass_leaves_the_statistics_as_they_were(small_digits):
    Xs, _, y, _ = small_digits
    clf = fit(Xs=Xs, y=y, max_epochs=1, recompute_batch_norm=False)
    before = copy.deepcopy(clf.module_.state_dict())

    def broken(X, **kwargs):
        raise RuntimeError("out of memory")

    clf.infer = broken
    with pytest.raises(RuntimeError, match="out of memory"):
        recompute_batch_norm(clf, clf.get_dataset(Xs, y))
    after = clf.module_.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert all(bn.momentum == 0.1 for bn in batch_norm_layers(clf.module_))


def test_a_last_batch_of_one_sample_is_left_out(small_digits):
    Xs, _, y, _ = small_digits
    clf = fit(Xs=Xs, y=y, backbones=MLP((16,), dropout=0.0), batch_size=128, max_epochs=1,
              recompute_batch_norm=False)
    lone = clf.get_dataset([x[:257] for x in Xs], y[:257])  # batches of 128, 128 and 1
    recompute_batch_norm(clf, lone)
    assert {int(bn.num_batches_tracked) for bn in batch_norm_layers(clf.module_)} == {2}


def test_a_bad_value_is_refused_before_training(small_digits):
    Xs, _, y, _ = small_digits
    with pytest.raises(InvalidParameterError, match="'recompute_batch_norm' parameter"):
        fit(Xs=Xs, y=y, recompute_batch_norm="yes")
