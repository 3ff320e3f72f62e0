"""The shared estimator base, exercised through CentralNetClassifier."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import ClassifierMixin, clone
from skorch.dataset import ValidSplit
from torch.utils.data import DataLoader

from skcentral import (CentralNetClassifier, FusionClassifierMixin, FusionNet, LeNet5, MLP,
                       Modalities)
from skcentral.experiments import make_method
from skcentral.utils import all_estimators


def small(**kw):
    params = dict(backbones=MLP((32,)), max_epochs=3, random_state=0, lr=0.01)
    params.update(kw)
    return CentralNetClassifier(**params)


def test_clone_and_nested_backbone_params():
    clf = CentralNetClassifier(backbones=[LeNet5(), MLP((8,))], beta=0.5, lr=0.02,
                               optimizer__weight_decay=1e-4)
    params = clf.get_params()
    assert params["backbones__0__dropout"] == 0.5 and params["backbones__1__hidden_layer_sizes"] == (8,)
    assert params["optimizer__weight_decay"] == 1e-4
    clf.set_params(backbones__0__dropout=0.25, backbones__1__hidden_layer_sizes=(4,), beta=2.0)
    assert clf.backbones[0].dropout == 0.25 and clf.backbones[1].hidden_layer_sizes == (4,)
    c = clone(clf)
    assert c.backbones[0] is not clf.backbones[0]
    assert c.get_params(deep=False).keys() == clf.get_params(deep=False).keys()
    assert c.backbones[0].dropout == 0.25 and c.beta == 2.0 and c.lr == 0.02
    single = CentralNetClassifier(backbones=MLP((8,)))
    single.set_params(backbones__dropout=0.1)
    assert single.backbones.dropout == 0.1
    with pytest.raises(ValueError, match="backbones__<index>__<param>"):
        clf.set_params(backbones__dropout=0.1)


def test_same_random_state_gives_identical_predictions_and_keeps_global_rng(small_digits):
    Xs, Xt, y, _ = small_digits
    state = torch.get_rng_state()
    p1 = small().fit(Xs, y).predict_proba(Xt)
    assert torch.equal(state, torch.get_rng_state())
    p2 = small().fit(Xs, y).predict_proba(Xt)
    p3 = small(random_state=1).fit(Xs, y).predict_proba(Xt)
    np.testing.assert_array_equal(p1, p2)
    assert not np.allclose(p1, p3)


def test_string_labels_and_named_modalities(small_digits):
    Xs, Xt, y, yt = small_digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    clf = small(max_epochs=5).fit({"left": Xs[0], "right": Xs[1]}, names[y])
    assert list(clf.classes_) == sorted(names)
    pred = clf.predict({"left": Xt[0], "right": Xt[1]})
    assert pred.dtype.kind == "U" and np.mean(pred == names[yt]) > 0.5
    assert clf.modality_names_ == ["left", "right"]
    assert clf.alphas_.columns == ["central", "left", "right"]


def test_single_2d_array_with_a_column_spec(small_digits):
    Xs, Xt, y, yt = small_digits
    X2d = np.hstack([x.reshape(len(x), -1) for x in Xs])
    spec = [{"columns": 64, "shape": (8, 8)}, {"columns": 64, "shape": (8, 8)}]
    clf = small(modalities=spec).fit(X2d, y)
    assert clf.n_features_in_ == 128 and clf.modality_shapes_ == [(8, 8), (8, 8)]
    Xt2d = np.hstack([x.reshape(len(x), -1) for x in Xt])
    np.testing.assert_array_equal(clf.predict(Xt2d), small().fit(Xs, y).predict(Xt))


def test_bad_input_errors_and_fitted_state_survives(small_digits):
    Xs, Xt, y, _ = small_digits
    clf = small().fit(Xs, y)
    before = clf.predict_proba(Xt)
    with pytest.raises(ValueError, match=r"same number of rows.*\(400, 8, 8\).*\(399, 8, 8\)"):
        clf.fit([Xs[0], Xs[1][:-1]], y)
    with pytest.raises(ValueError, match=r"X has 3 modalities.*fitted on 2"):
        clf.predict(list(Xt) + [Xt[0]])
    with pytest.raises(ValueError, match=r"'modality_1' has per-sample shape \(64,\).*\(8, 8\)"):
        clf.predict([Xt[0], Xt[1].reshape(len(Xt[1]), -1)])
    bad = Xs[0].copy()
    bad[3, 2, 2] = np.nan
    with pytest.raises(ValueError, match=r"'modality_0' \(shape \(400, 8, 8\)\) contains 1 NaN"):
        clf.fit([bad, Xs[1]], y)
    with pytest.raises(ValueError, match="backbones has 3 specs but X has 2 modalities"):
        clf.set_params(backbones=[MLP()] * 3).fit(Xs, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(Xs, np.zeros(len(y)))
    with pytest.raises(ValueError, match=r"beta has 3 values but there are 2 modalities"):
        small(beta=[1, 1, 1]).fit(Xs, y)
    with pytest.raises(ValueError, match=r"y has 399 labels but X has 400"):
        small().fit(Xs, y[:-1])
    np.testing.assert_array_equal(before, clf.predict_proba(Xt))
    assert clf.modality_shapes_ == [(8, 8), (8, 8)]


def test_warm_start_and_partial_fit_continue_training(small_digits):
    Xs, _, y, _ = small_digits
    clf = small(max_epochs=2).fit(Xs, y)
    w = clf.module_.alpha_central.detach().clone()
    clf.partial_fit(Xs, y)
    assert len(clf.history) == 4 and not torch.equal(w, clf.module_.alpha_central)
    clf.set_params(warm_start=True).fit(Xs, y)
    assert len(clf.history) == 6
    clf.set_params(warm_start=False).fit(Xs, y)
    assert len(clf.history) == 2


def test_validation_split_records_accuracy(small_digits):
    Xs, _, y, _ = small_digits
    clf = small(train_split=ValidSplit(5, stratified=True), max_epochs=2).fit(Xs, y)
    acc = clf.history[-1, "valid_acc"]
    assert 0.0 <= acc <= 1.0 and clf.history[-1, "valid_loss"] > 0


def test_skorch_dataloader_still_works(small_digits):
    Xs, Xt, y, _ = small_digits
    clf = small(iterator_train=DataLoader, iterator_train__shuffle=True,
                iterator_valid=DataLoader).fit(Xs, y)
    assert clf.predict_proba(Xt).shape == (200, 10)
    assert isinstance(Modalities(Xt)[:5], Modalities)


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_and_channels_last_train_and_predict_float32(small_digits, precision):
    Xs, Xt, y, yt = small_digits
    clf = CentralNetClassifier(backbones=LeNet5(dense=64), precision=precision,
                               channels_last=True, batch_size=32, max_epochs=3,
                               random_state=0).fit(Xs, y)
    conv = clf.module_.backbones[0].blocks[0][0].weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    proba = clf.predict_proba(Xt)
    assert proba.dtype == np.float32 and clf.score(Xt, yt) > 0.5
    assert (clf.grad_scaler_ is not None) == (precision == "fp16")
    with pytest.raises(ValueError, match="The .precision. parameter of CentralNetClassifier"):
        small(precision="fp8").fit(Xs, y)


def test_fastest_precision_is_bf16_only_where_the_hardware_has_it():
    from skcentral._precision import fastest_precision
    caps = torch.cpu.get_capabilities()
    native = bool(caps.get("avx512_bf16") or caps.get("amx_bf16"))
    assert fastest_precision("cpu") == ("bf16" if native else "fp32")
    assert fastest_precision("meta") == "fp32"
    if not torch.cuda.is_available():
        assert fastest_precision("cuda") == "fp32"


def multilabel_data(rng, n=300):
    a, b = rng.normal(size=(n, 6)), rng.normal(size=(n, 4))
    y = np.stack([a[:, 0] > 0, b[:, 0] > 0, (a[:, 1] + b[:, 1]) > 0.5], axis=1).astype(int)
    return [a, b], y


def test_multilabel_indicator_y_sigmoid_outputs_and_eq4_loss(rng):
    from sklearn.metrics import f1_score
    Xs, y = multilabel_data(rng)
    clf = CentralNetClassifier(backbones=MLP((16,), dropout=0), lr=0.01, max_epochs=30,
                               batch_size=32, random_state=0).fit(Xs, y)
    assert clf.task_ == "multilabel" and list(clf.classes_) == [0, 1, 2]
    crit = clf.criterion_
    assert isinstance(crit, torch.nn.BCEWithLogitsLoss) and crit.pos_weight.tolist() == [2.0] * 3
    proba = clf.predict_proba(Xs)
    assert proba.shape == (300, 3) and not np.allclose(proba.sum(1), 1)
    pred = clf.predict(Xs)
    assert set(np.unique(pred)) <= {0, 1} and f1_score(y, pred, average="macro") > 0.8
    assert np.array_equal(clf.set_params(threshold=0.9).predict(Xs), (proba >= 0.9).astype(int))
    with pytest.raises(ValueError, match=r"y has shape \(300, 2\).*fitted on 3 labels"):
        clf.partial_fit(Xs, y[:, :2])


def test_multilabel_grid_search_with_f1_and_early_stopping(rng):
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GridSearchCV, KFold
    from skorch.callbacks import EarlyStopping
    Xs, y = multilabel_data(rng)
    clf = CentralNetClassifier(backbones=MLP((16,), dropout=0), lr=0.01, max_epochs=4,
                               batch_size=32, random_state=0)
    search = GridSearchCV(clf, {"pos_weight": [1.0, 2.0]}, scoring="f1_macro", cv=2)
    search.fit(Modalities(Xs), y)
    assert search.best_score_ > 0.5
    # each F1 average scores the folds' predictions as f1_score does on them
    folds = [(train, test) for train, test in KFold(2).split(y)]
    preds = [clone(clf).fit([x[train] for x in Xs], y[train]).predict([x[test] for x in Xs])
             for train, test in folds]
    for avg in ["micro", "weighted", "samples"]:
        cv = GridSearchCV(clf, {"beta": [1.0]}, scoring=f"f1_{avg}", cv=KFold(2))
        cv.fit(Modalities(Xs), y)
        expected = np.mean([f1_score(y[test], p, average=avg) for (_, test), p in zip(folds, preds)])
        assert cv.best_score_ == pytest.approx(expected)
    stop = CentralNetClassifier(backbones=MLP((16,), dropout=0), lr=0.05, max_epochs=200,
                                batch_size=32, random_state=0,
                                callbacks=[EarlyStopping(patience=3)])
    stop.fit([x[:200] for x in Xs], y[:200], validation_data=([x[200:] for x in Xs], y[200:]))
    assert len(stop.history) < 200 and "valid_acc" in stop.history[-1]


def test_regression_single_and_multi_output(rng):
    from skcentral import CentralNetRegressor, GMURegressor, LayerFusionRegressor
    a, b = rng.normal(size=(300, 5)), rng.normal(size=(300, 3))
    y = a[:, 0] + 2 * b[:, 1]
    for cls, extra in [(CentralNetRegressor, {}), (GMURegressor, {}),
                       (LayerFusionRegressor, {"fusion_layer": 1})]:
        reg = cls(backbones=MLP((32,), dropout=0), lr=0.01, batch_size=32, max_epochs=30,
                  random_state=0, **extra).fit([a, b], y)
        assert reg.predict([a, b]).shape == (300,) and reg.score([a, b], y) > 0.8, cls
        assert isinstance(reg.criterion_, torch.nn.MSELoss)
    Y = np.stack([y, a[:, 1]], axis=1)
    reg = CentralNetRegressor(backbones=MLP((32,), dropout=0), lr=0.01, batch_size=32,
                              max_epochs=30, random_state=0).fit([a, b], Y)
    assert reg.predict([a, b]).shape == (300, 2) and reg.score([a, b], Y) > 0.8


def test_freeze_backbones_trains_only_the_fusion(small_digits):
    from skcentral import ModuleBackbone, UnimodalClassifier
    Xs, Xt, y, yt = small_digits
    uni = [UnimodalClassifier(modality=k, backbones=MLP((32,)), lr=0.01, batch_size=32,
                              max_epochs=5, random_state=0).fit(Xs, y) for k in (0, 1)]
    pretrained = [ModuleBackbone.from_estimator(u) for u in uni]
    clf = CentralNetClassifier(backbones=pretrained, freeze_backbones=True, lr=0.01,
                               batch_size=32, max_epochs=3, random_state=0).fit(Xs, y)
    for k in (0, 1):
        before = uni[k].module_.backbone.state_dict()
        after = clf.module_.backbones[k].state_dict()
        assert all(torch.equal(before[n], after[n]) for n in before)  # weights and BN stats
    assert not any(p.requires_grad for p in clf.module_.backbones.parameters())
    names = {n for group in clf.optimizer_.param_groups for n in map(id, group["params"])}
    assert id(clf.module_.alpha_central) in names
    assert clf.score(Xt, yt) > 0.6
    with pytest.raises(ValueError, match="nothing to train"):
        UnimodalClassifier(freeze_backbones=True, backbones=MLP((8,))).fit(Xs, y)


def test_a_model_fitted_on_cuda_loads_on_a_cpu_only_machine(small_digits, monkeypatch):
    Xs, Xt, y, _ = small_digits
    clf = small().fit(Xs, y)
    expected = clf.predict_proba(Xt)
    clf.device = "cuda"  # as saved by a GPU machine; the tensors map to the CPU on load
    blob = pickle.dumps(clf)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="no CUDA devices are available"):
        loaded = pickle.loads(blob)
    assert str(loaded.device) == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(Xt), expected)


def test_keyboard_interrupt_from_a_callback_leaves_a_usable_model(small_digits):
    from skorch.callbacks import Callback

    class StopAfterTwo(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 2:
                raise KeyboardInterrupt

    Xs, Xt, y, yt = small_digits
    clf = small(max_epochs=10, callbacks=[StopAfterTwo()]).fit(Xs, y)
    assert len(clf.history) == 2 and clf.history[-1, "train_loss"] > 0
    assert clf.predict(Xt).shape == (200,)
    clf.set_params(callbacks=[]).partial_fit(Xs, y)  # and training can go on
    assert len(clf.history) == 2 + 10


def test_torch_threads_makes_grid_search_identical_across_n_jobs(small_digits):
    from sklearn.model_selection import GridSearchCV
    Xs, _, y, _ = small_digits
    clf = small(max_epochs=2, torch_threads=1)
    scores = [GridSearchCV(clf, {"beta": [0.5, 1.0]}, cv=2, n_jobs=n).fit(Modalities(Xs), y)
              .cv_results_["mean_test_score"] for n in (1, 2)]
    np.testing.assert_array_equal(*scores)


def test_torch_threads_is_restored_after_fit_and_predict(small_digits):
    Xs, Xt, y, _ = small_digits
    before = torch.get_num_threads()
    other = 1 if before != 1 else 2
    clf = small(max_epochs=1, torch_threads=other).fit(Xs, y)
    assert torch.get_num_threads() == before
    clf.predict(Xt)
    assert torch.get_num_threads() == before


def test_one_sample_and_unseen_labels_are_clear_errors(small_digits):
    Xs, Xt, y, _ = small_digits
    with pytest.raises(ValueError, match="at least 2 samples.*got 1 sample"):
        small().fit([x[:1] for x in Xs], y[:1])
    clf = small(max_epochs=1).fit(Xs, y)
    with pytest.raises(ValueError, match=r"labels not seen at fit: \[42\]"):
        clf.partial_fit(Xs, np.where(y == 3, 42, y))


# ---------------------------------------------------------------- fast defaults
def test_adam_runs_fused_by_default_and_a_chosen_implementation_is_kept(small_digits):
    Xs, _, y, _ = small_digits
    assert small(max_epochs=1).fit(Xs, y).optimizer_.defaults["fused"] is True
    foreach = small(max_epochs=1, optimizer__foreach=True).fit(Xs, y).optimizer_
    assert foreach.defaults["foreach"] is True and not foreach.defaults["fused"]
    plain = small(max_epochs=1, optimizer__fused=False).fit(Xs, y).optimizer_
    assert not plain.defaults["fused"]
    sgd = small(max_epochs=1, optimizer=torch.optim.SGD).fit(Xs, y).optimizer_
    assert not sgd.defaults.get("fused")


class _AdamWithoutFusedKernel(torch.optim.Adam):
    """An Adam whose fused kernel is refused, as on a device torch has none for."""

    def __init__(self, params, fused=None, **kwargs):
        if fused:
            raise RuntimeError("`fused=True` requires all the params to be floating point "
                               "Tensors of supported devices")
        super().__init__(params, **kwargs)


def test_adam_falls_back_to_torchs_default_where_the_fused_kernel_is_refused(small_digits):
    Xs, Xt, y, _ = small_digits
    clf = small(optimizer=_AdamWithoutFusedKernel, optimizer__weight_decay=1e-4).fit(Xs, y)
    assert all(not g.get("fused") and g["weight_decay"] == 1e-4
               for g in clf.optimizer_.param_groups)
    assert clf.predict(Xt).shape == (200,)


TINY_LENET = LeNet5(channels=(4, 8), kernel_size=3, dense=32)


def test_channels_last_auto_follows_the_backbone(small_digits):
    Xs, _, y, _ = small_digits  # 8x8 images
    conv = small(backbones=TINY_LENET, max_epochs=1).fit(Xs, y)
    weight = next(m.weight for m in conv.module_.modules() if isinstance(m, torch.nn.Conv2d))
    assert conv.channels_last_ and weight.is_contiguous(memory_format=torch.channels_last)
    assert not small(max_epochs=1).fit(Xs, y).channels_last_
    assert not small(backbones=TINY_LENET, max_epochs=1,
                     channels_last=False).fit(Xs, y).channels_last_


def test_fast_defaults_compute_the_same_steps_as_torchs_defaults(digits):
    Xs, Xt, y, _ = digits
    steps = dict(backbones=TINY_LENET, batch_size=-1, max_epochs=3)  # 3 full-batch steps
    fast = small(**steps).fit(Xs, y)
    plain = small(**steps, optimizer__fused=False, channels_last=False).fit(Xs, y)
    assert fast.optimizer_.defaults["fused"] and fast.channels_last_
    # the same updates up to float rounding (channels-last convolutions sum in
    # another order; Adam turns that into sign flips of near-zero gradients):
    # far within what another seed changes
    other_seed = small(**steps, optimizer__fused=False, channels_last=False,
                       random_state=1).fit(Xs, y)
    rounding = np.abs(fast.predict_proba(Xt) - plain.predict_proba(Xt)).max()
    seeds = np.abs(other_seed.predict_proba(Xt) - plain.predict_proba(Xt)).max()
    assert rounding < 0.25 * seeds, (rounding, seeds)


# ---------------------------------------------------------------- GPU
requires_cuda = pytest.mark.skipif(not torch.cuda.is_available(),
                                   reason="needs a CUDA GPU; torch sees none on this machine")


@pytest.mark.cuda
@requires_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16", "fp16"])
def test_fit_and_predict_on_cuda(small_digits, precision):
    Xs, Xt, y, yt = small_digits
    clf = small(backbones=TINY_LENET, device="cuda", precision=precision,
                max_epochs=5).fit(Xs, y)
    assert next(clf.module_.parameters()).device.type == "cuda"
    assert clf.optimizer_.defaults["fused"] is True
    assert (clf.grad_scaler_ is not None) == (precision == "fp16")
    losses = clf.history[:, "train_loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    assert clf.predict_proba(Xt).dtype == np.float32 and clf.score(Xt, yt) > 0.5


@pytest.mark.cuda
@requires_cuda
def test_modalities_on_disk_train_on_cuda(small_digits, tmp_path):
    """On-disk modalities stay on the CPU while the labels move to the GPU.

    joblib hands large arrays to its workers as memory maps, so every
    parallel run on a GPU (``evaluate_many(..., n_jobs=k)``) takes this path:
    each shuffled batch indexes the labels on the GPU and the modalities on
    the CPU.
    """
    Xs, Xt, y, yt = small_digits
    maps = []
    for k, x in enumerate(Xs):
        mm = np.memmap(tmp_path / f"x{k}.f32", np.float32, "w+", shape=x.shape)
        mm[:] = x
        maps.append(mm)
    in_memory = small(backbones=TINY_LENET, device="cuda").fit(Xs, y).predict(Xt)
    for train in (maps, [maps[0], Xs[1]]):  # all on disk; one on disk, one in memory
        clf = small(backbones=TINY_LENET, device="cuda").fit(train, y)
        losses = clf.history[:, "train_loss"]
        assert np.isfinite(losses).all() and losses[-1] < losses[0]
        # the same batches in the same order: the same model, up to the GPU's
        # non-deterministic sums
        assert np.mean(clf.predict(Xt) == in_memory) > 0.9


@pytest.mark.cuda
@requires_cuda
def test_a_model_saved_on_cuda_loads_into_a_cpu_estimator(small_digits, tmp_path):
    Xs, Xt, y, _ = small_digits
    gpu = small(backbones=TINY_LENET, device="cuda").fit(Xs, y)
    gpu.save_params(f_params=tmp_path / "params.pt")
    cpu = small(backbones=TINY_LENET, max_epochs=0).fit(Xs, y)  # built, untrained
    cpu.load_params(f_params=tmp_path / "params.pt")
    assert next(cpu.module_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(cpu.predict_proba(Xt), gpu.predict_proba(Xt), atol=1e-5)


@pytest.mark.parametrize("name, cls", all_estimators())
def test_every_estimator_validates_its_parameters_before_building_anything(name, cls,
                                                                          small_digits):
    Xs, _, y, _ = small_digits
    y = y if issubclass(cls, ClassifierMixin) else y.astype(float)
    for bad in [{"precision": "fp64"}, {"lr": -1.0}, {"beta": -1}]:
        est = cls(**bad)
        (param,) = bad
        with pytest.raises(ValueError, match=f"The '{param}' parameter of {name} must be"):
            est.fit(Xs, y)
        assert not hasattr(est, "module_") and not hasattr(est, "n_modalities_")


def test_a_module_that_declares_no_roles_trains_on_eq2_and_refuses_missing(small_digits):
    Xs, Xt, y, _ = small_digits

    class Sum(torch.nn.Module):
        def __init__(self, backbones):
            super().__init__()
            self.backbones = torch.nn.ModuleList(backbones)

        def forward(self, xs):
            preds = [b(x) for b, x in zip(self.backbones, xs)]
            return (sum(preds), *preds)

    class SumClassifier(FusionClassifierMixin, FusionNet):
        def build_module(self, backbones, input_shapes, n_outputs):
            return Sum(backbones)

    clf = SumClassifier(backbones=MLP((8,)), beta=0.5, max_epochs=1).fit(Xs, y)
    assert clf.loss_weights() == [1.0, 0.5, 0.5]
    missing = np.zeros((len(Xt[0]), 2), bool)
    missing[0, 1] = True
    with pytest.raises(ValueError, match="SumClassifier cannot predict with missing modalities"):
        clf.predict(Modalities(Xt, missing=missing))


# ---------------------------------------------------------------- the loss on real outputs

def cross_entropy(logits, y):
    return -torch.log_softmax(logits, 1)[torch.arange(len(y)), y].mean()


def test_get_loss_is_eq2_on_the_modules_outputs(small_digits):
    Xs, _, y, _ = small_digits
    clf = small(beta=[0.5, 2.0]).fit(Xs, y, epochs=0)
    xs = [torch.as_tensor(x[:50]) for x in Xs]
    yt = torch.as_tensor(y[:50])
    with torch.no_grad():
        out = clf.module_.eval()(xs)
        expected = cross_entropy(out[0], yt) + 0.5 * cross_entropy(out[1], yt) + \
            2.0 * cross_entropy(out[2], yt)
        torch.testing.assert_close(clf.get_loss(out, yt), expected)


def test_get_loss_trains_the_ensemble_members_not_their_average(small_digits):
    # the average of the members is the prediction; each member has its own loss
    from skcentral import EnsembleClassifier, LayerFusionClassifier
    Xs, _, y, _ = small_digits
    xs = [torch.as_tensor(x[:50]) for x in Xs]
    yt = torch.as_tensor(y[:50])
    fe = LayerFusionClassifier(backbones=MLP((32,)), fusion_layer=1, ensemble=True, beta=0.5,
                               random_state=0).fit(Xs, y, epochs=0)
    ens = EnsembleClassifier(backbones=MLP((32,)), random_state=0).fit(Xs, y, epochs=0)
    with torch.no_grad():
        out = fe.module_.eval()(xs)  # average, fused, modality 0, modality 1
        torch.testing.assert_close(fe.get_loss(out, yt), cross_entropy(out[1], yt) + 0.5 * (
            cross_entropy(out[2], yt) + cross_entropy(out[3], yt)))
        out = ens.module_.eval()(xs)  # average, one member per modality
        torch.testing.assert_close(ens.get_loss(out, yt),
                                   cross_entropy(out[1], yt) + cross_entropy(out[2], yt))


def test_get_loss_is_eq4_with_pos_weight_for_multilabel(rng):
    Xs, Y = multilabel_data(rng, n=60)
    clf = CentralNetClassifier(backbones=MLP((8,)), beta=[0.25, 0.0], pos_weight=3.0,
                               random_state=0).fit(Xs, Y, epochs=0)
    xs = [torch.as_tensor(x, dtype=torch.float32) for x in Xs]
    yt = torch.as_tensor(Y, dtype=torch.float32)

    def eq4(logits, w):  # -w y log s - (1 - y) log(1 - s), s the sigmoid, averaged
        s = torch.sigmoid(logits)
        return -(w * yt * torch.log(s) + (1 - yt) * torch.log(1 - s)).mean()

    with torch.no_grad():
        out = clf.module_.eval()(xs)
        torch.testing.assert_close(clf.get_loss(out, yt), eq4(out[0], 3.0) + 0.25 * eq4(out[1], 3.0))


def _grads(loss, params):
    return [g if g is not None else torch.zeros_like(p) for g, p in
            zip(torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True), params)]


@pytest.mark.parametrize("method, heads_trained", [
    ("concat", True), ("concat_mt", True), ("moddrop", False), ("gmu", False)])
def test_each_baseline_trains_what_its_definition_trains(small_digits, method, heads_trained):
    # Concat (+ Multi-Task): the perceptron reads the heads' scores, nothing detached, and
    # Eq. 2 adds each head's own loss; ModDrop and the GMU fuse the hidden layers on the
    # fused loss alone (Neverova et al., Arevalo et al.): the heads are not trained.
    Xs, _, y, _ = small_digits
    clf = make_method(method, MLP((8,), dropout=0), random_state=0).fit(Xs, y, epochs=0)
    m = clf.module_.eval()
    xs, yt = [torch.as_tensor(x[:64]) for x in Xs], torch.as_tensor(y[:64])
    out = m(xs)
    heads = [p for b in m.backbones for p in b.head.parameters()]
    blocks = [p for b in m.backbones for p in b.blocks.parameters()]
    loss_heads = _grads(clf.get_loss(out, yt), heads)
    fused_heads = _grads(cross_entropy(out[0], yt), heads)
    assert all(g.abs().sum() > 0 for g in _grads(clf.get_loss(out, yt), blocks))
    assert all((g.abs().sum() > 0) == heads_trained for g in loss_heads)
    if method == "concat_mt":  # Eq. 2 with beta_k = 1: the fused loss and each head's own
        own = _grads(cross_entropy(out[1], yt) + cross_entropy(out[2], yt), heads)
        for g, f, o in zip(loss_heads, fused_heads, own):
            assert f.abs().sum() > 0 and o.abs().sum() > 0
            torch.testing.assert_close(g, f + o)
    else:
        for g, f in zip(loss_heads, fused_heads):
            torch.testing.assert_close(g, f)
