"""The paper's experiment protocols."""

import numpy as np
import pytest

from skcentral.experiments import EXPERIMENTS


def test_protocols_follow_the_paper():
    runs = {r.config: r for r in EXPERIMENTS["mm-mnist-short"].runs(depths="0,2")}
    assert len(runs) == 6 + 6 * 2
    assert runs["moddrop"].params == {"lr": 0.05, "batch_size": 128, "p_drop": 0.2}
    assert runs["centralnet"].params == {"lr": 0.01, "batch_size": 128}
    opts = dict(epochs=3, device="cpu", precision="bf16")
    gmu = EXPERIMENTS["mm-mnist-short"].build_estimator(runs["gmu"], opts, ["a", "b"])
    assert gmu.backbones.dropout == 0.25 and gmu.lr == 0.01 and gmu.max_epochs == 3
    assert gmu.channels_last and gmu.precision == "bf16" and not gmu.callbacks
    fe = EXPERIMENTS["mm-mnist"].build_estimator(
        {r.config: r for r in EXPERIMENTS["mm-mnist"].runs()}["fusion_ensemble_sum@2"], opts,
        ["a", "b"])
    assert fe.fusion_layer == 2 and fe.ensemble and fe.op == "sum" and fe.fused_shapes == "pad"

    # the converged protocol: every Table 2 row plus weighted mean and Concat, all
    # 55,000 training images, schedule and early stopping on validation errors
    mm = EXPERIMENTS["mm-mnist"]
    assert {"weighted_mean", "concat"} < set(mm.methods) and mm.defaults["train_size"] == 55000
    cn = mm.build_estimator(mm.runs(["centralnet"])[0], dict(opts, epochs=15), ["a", "b"])
    assert cn.lr == 0.001 and cn.max_epochs == 15
    # one rate chosen on the validation split: Concat + Multi-Task's
    rates = {r.config: r.params["lr"] for r in mm.runs()}
    assert rates.pop("concat_mt") == 0.003 and set(rates.values()) == {0.001}
    cmt = mm.build_estimator(mm.runs(["concat_mt"])[0], dict(opts, epochs=15), ["a", "b"])
    assert cmt.lr == 0.003
    sched, stop = cn.callbacks
    assert sched.policy.__name__ == "ReduceLROnPlateau" and sched.monitor == "valid_acc"
    assert sched.kwargs == {"mode": "max", "factor": 0.2, "patience": 1}
    assert stop.monitor == "valid_acc" and not stop.lower_is_better and stop.load_best

    # avMNIST: the same converged protocol and the same rates
    avx = EXPERIMENTS["avmnist"]
    assert avx.defaults == dict(epochs=15, seeds=3, train_size=11000, test_size=10000,
                                depths="0")
    av = {r.config: r for r in avx.runs()}
    md = avx.build_estimator(av["moddrop"], dict(opts, epochs=15), ["image", "audio"])
    assert md.lr == 0.001 and md.p_drop == 0.32 and md.max_epochs == 15
    sched, stop = md.callbacks
    assert sched.policy.__name__ == "ReduceLROnPlateau" and sched.monitor == "valid_acc"
    assert sched.kwargs == {"mode": "max", "factor": 0.2, "patience": 1}
    assert stop.monitor == "valid_acc" and stop.patience == 3 and stop.load_best
    rates = {r.config: r.params["lr"] for r in av.values()}
    assert rates.pop("concat_mt") == 0.003 and set(rates.values()) == {0.001}
    audio = EXPERIMENTS["avmnist"].build_estimator(av["unimodal:audio"], opts, ["image", "audio"])
    assert audio.modality == 1
    assert [type(b).__name__ for b in audio.backbones] == ["LeNet5", "AudioCNN"]
    assert audio.backbones[0].n_stem == 1
    g = EXPERIMENTS["avmnist"].build_estimator(av["gmu"], opts, ["image", "audio"])
    assert g.backbones[0].dropout == 0.35

    mo = {r.config: r for r in EXPERIMENTS["montalbano-synthetic"].runs()}
    est = EXPERIMENTS["montalbano-synthetic"].build_estimator(mo["centralnet"], opts,
                             ["audio", "mocap", "left_hand", "right_hand"])
    assert est.lr == 0.05 and est.batch_size == 42 and not est.channels_last
    assert est.backbones.hidden_layer_sizes == (128, 42)
    assert est.fused_shapes == "pad"  # the paper zero-pads 350 features to 400
    (sched,) = est.callbacks
    assert sched.kwargs["gamma"] == 0.96
    assert mo["moddrop"].params["p_drop"] == 0.5

    mi = {r.config: r for r in EXPERIMENTS["mmimdb-synthetic"].runs()}
    est = EXPERIMENTS["mmimdb-synthetic"].build_estimator(mi["moddrop"], opts, ["text", "visual"])
    assert est.backbones.hidden_layer_sizes == (2048, 512) and est.p_drop == 0.25
    assert est.pos_weight == 2.0 and type(est.callbacks[0]).__name__ == "EarlyStopping"

    fig4 = EXPERIMENTS["fig4"].runs(methods=["centralnet"])
    assert len(fig4) == 6
    assert {(r.variant["energy"], r.variant["share_ratio"]) for r in fig4} == {
        (0.1, 0.5), (0.25, 0.5), (0.5, 0.5), (0.5, 0.0), (0.5, 0.1), (0.5, 0.9)}
    with pytest.raises(ValueError, match="Unknown method"):
        EXPERIMENTS["mm-mnist"].runs(methods=["nope"])


def test_a_row_at_its_own_depth():
    """``fusion_sum@0`` runs that depth alone, beside rows at ``depths``."""
    exp = EXPERIMENTS["mm-mnist-paper"]
    runs = exp.runs(["fusion_sum@0", "fusion_product@2", "fusion_subtract", "centralnet"],
                    depths="1,3")
    assert [r.config for r in runs] == ["fusion_sum@0", "fusion_product@2", "fusion_subtract@1",
                                        "fusion_subtract@3", "centralnet"]
    assert runs[0].key == "fusion_sum" and runs[0].depth == 0
    # the same run, so the same results-file key, as when asked with depths="0"
    assert runs[0] == exp.runs(["fusion_sum"], depths="0")[0]
    with pytest.raises(ValueError, match="'centralnet@1': centralnet has no fusion depth"):
        exp.runs(["centralnet@1"])
    with pytest.raises(ValueError, match="'fusion_sum@x'.*whole number"):
        exp.runs(["fusion_sum@x"])
    with pytest.raises(ValueError, match="Unknown method 'nope@0'"):
        exp.runs(["nope@0"])


def test_mmimdb_synthetic_data_and_scores():
    data = EXPERIMENTS["mmimdb-synthetic"].load(dict(train_size=60, test_size=30,
                                                 visual_features=64))
    assert [x.shape for x in data.Xs_train] == [(60, 300), (60, 300)]  # padded to the widest
    assert np.all(data.Xs_train[1][:, 64:] == 0)
    assert len(data.valid[1]) == 10 and data.y_test.shape == (30, 23)

    class Fixed:
        def predict(self, Xs):
            return data.y_test

    scores = EXPERIMENTS["mmimdb-synthetic"].score(Fixed(), data.Xs_test, data.y_test)
    # perfect predictions: F1 is 1 for every genre present, 0 for a genre no film has
    present = data.y_test.any(axis=0)
    assert scores == {"f1_micro": 1.0, "f1_macro": pytest.approx(present.mean()),
                      "f1_weighted": 1.0, "f1_samples": 1.0}


def test_montalbano_synthetic_data_and_macro_accuracy():
    data = EXPERIMENTS["montalbano-synthetic"].load(dict(train_size=80, test_size=40))
    assert [x.shape for x in data.Xs_train] == [(80, 400)] * 4 and len(data.y_test) == 40

    class Fixed:
        def predict(self, Xs):
            return np.zeros(len(Xs[0]), int)

    s = EXPERIMENTS["montalbano-synthetic"].score(Fixed(), data.Xs_test, data.y_test)
    from sklearn.metrics import balanced_accuracy_score
    expected = 100 * balanced_accuracy_score(data.y_test, np.zeros(40, int))
    assert s["macro_accuracy"] == pytest.approx(expected)
    assert s["errors_per_10000"] == pytest.approx(s["errors"] * 10000 / 40)


def test_original_images_rows_train_on_the_full_images(shared_data, tmp_path):
    import io
    import json

    from skcentral.datasets.mm_mnist import mnist_splits
    from skcentral.experiments import reproduce, summarize
    exp = EXPERIMENTS["mnist-original"]
    data = exp.load(dict(train_size=600, data_home=shared_data))
    splits = mnist_splits(shared_data)
    assert data.modality_names == ["original"] and exp.paper == {"unimodal": 66, "ensemble": 60}
    assert data.Xs_train[0].dtype == np.float32 and data.Xs_train[0].shape == (600, 28, 28)
    np.testing.assert_allclose(data.valid[0][0], splits["valid"][0], atol=1e-6)
    np.testing.assert_allclose(data.Xs_test[0], splits["test"][0], atol=1e-6)

    path, out = tmp_path / "r.jsonl", io.StringIO()
    reproduce("mnist-original", epochs=3, seeds=1, train_size=2000, test_size=500,
              methods=["unimodal"], data_home=shared_data, results=path, precision="fp32",
              out=out)
    (rec,) = map(json.loads, path.read_text().splitlines())
    # three epochs on 2,000 full images: far better than chance, validated on 5,000
    assert rec["config"] == "unimodal" and rec["n_valid"] == 5000 and rec["score"] < 2000
    table = io.StringIO()
    rows = summarize("mnist-original", path, epochs=3, train_size=2000, test_size=500,
                     precision="fp32", out=table)
    assert [(r["row"], r["mean"]) for r in rows] == [("unimodal", rec["score"])]
    assert "66" in table.getvalue().split("unimodal")[1].splitlines()[0]  # the paper's
    ens = exp.build_estimator(exp.runs(["ensemble"])[0], dict(epochs=1, device="cpu",
                                                              precision="fp32"),
                              data.modality_names)
    assert ens.n_estimators == 3  # the paper's "Ensemble 3 classifiers"


def test_the_papers_own_protocol_for_a_gpu():
    exp = EXPERIMENTS["mm-mnist-paper"]
    assert exp.defaults == dict(epochs=100, seeds=3, train_size=55000, test_size=10000,
                                depths="0,1,2,3,4")
    runs = {r.config: r for r in exp.runs()}
    assert len(runs) == 8 + 6 * 5  # every Table 2 row plus weighted mean and concat
    assert runs["moddrop"].params == {"lr": 0.05, "batch_size": 128, "p_drop": 0.2}
    cn = exp.build_estimator(runs["centralnet"], dict(epochs=100, device="cuda",
                                                      precision="bf16"), ["a", "b"])
    assert cn.lr == 0.01 and cn.max_epochs == 100 and not cn.callbacks
    assert cn.device == "cuda" and exp.hyper == {"lr": 0.01, "batch_size": 128}


def test_union_row_sees_both_modalities_in_one_image(shared_data):
    from skcentral.datasets.mm_mnist import mnist_splits
    exp = EXPERIMENTS["mm-mnist-union"]
    data = exp.load(dict(train_size=500, data_home=shared_data))
    assert data.modality_names == ["union"] and data.valid[0][0].shape == (5000, 28, 28)
    kept = float(data.description.rsplit("energy ", 1)[1].rstrip(")"))
    assert 0.5 < kept < 1  # more than one modality's 0.5, less than the image
    original = mnist_splits(shared_data)["test"][0]
    lost = ((data.Xs_test[0] - original) ** 2).sum() / ((original - original.mean(0)) ** 2).sum()
    np.testing.assert_allclose(lost, 1 - kept, atol=0.02)  # the energy left out
    assert exp.paper == {"unimodal": None} and exp.methods == ("unimodal",)


@pytest.mark.parametrize("params, monitor, lower", [
    ({}, "valid_loss", True), ({"early_stopping_monitor": "valid_acc"}, "valid_acc", False)])
def test_schedule_and_stopping_share_the_monitors_direction(params, monitor, lower):
    # the summary reads a run's kept epoch with the same rule the callbacks stopped by
    from skcentral.experiments._protocol import _callbacks, early_stopping_monitor
    assert early_stopping_monitor(params) == (monitor, lower)
    sched, stop = _callbacks(dict(params, lr_plateau_factor=0.5, early_stopping_patience=2))
    assert (stop.monitor, stop.lower_is_better) == (monitor, lower)
    assert (sched.monitor, sched.kwargs["mode"]) == (monitor, "min" if lower else "max")


def test_avmnist_on_fsdds_own_split_changes_only_the_split():
    import dataclasses
    a, b = EXPERIMENTS["avmnist"], EXPERIMENTS["avmnist-recordings"]
    differ = [f.name for f in dataclasses.fields(a) if getattr(a, f.name) != getattr(b, f.name)]
    assert differ == ["name", "title", "load"]
    assert b.load.keywords == {"split_by": "recording"} and b.load.func is a.load


def test_choosing_data_settings_of_a_sweep():
    fig4 = EXPERIMENTS["fig4"]
    assert fig4.select_variants(None) == fig4.variants
    assert fig4.select_variants(["energy=0.1"]) == [{"energy": 0.1, "share_ratio": 0.5}]
    # several, in the experiment's order; numbers compared as numbers
    assert fig4.select_variants(["share_ratio=0.90", {"energy": 0.25}]) == [
        {"energy": 0.25, "share_ratio": 0.5}, {"energy": 0.5, "share_ratio": 0.9}]
    assert len(fig4.select_variants(["energy=0.5"])) == 4
    assert fig4.select_variants(["energy=0.5,share_ratio=0"]) == [
        {"energy": 0.5, "share_ratio": 0.0}]
    with pytest.raises(ValueError, match=r"have no \['noise'\]; their parameters are "
                                         r"\['energy', 'share_ratio'\]"):
        fig4.select_variants(["noise=0.1"])
    with pytest.raises(ValueError, match="No data setting of fig4 matches"):
        fig4.select_variants(["energy=0.3"])
    with pytest.raises(ValueError, match="written key=value"):
        fig4.select_variants(["energy"])
    with pytest.raises(ValueError, match="mm-mnist has no data settings"):
        EXPERIMENTS["mm-mnist"].select_variants(["energy=0.5"])
