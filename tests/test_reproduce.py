"""The reproduction runner: JSON lines per run, resume, --fresh, summary, interrupted files."""

import argparse
import io
import json

import numpy as np
import pytest

from skcentral import reproduce as rp

TINY = dict(epochs=1, train_size=120, test_size=60, precision="fp32", n_jobs=1)


def _run(path, **kw):
    out = io.StringIO()
    args = dict(TINY, methods=["unimodal"], seeds=2, results=path, out=out)
    args.update(kw)
    return rp.reproduce("digits", **args), out.getvalue()


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_each_run_is_one_json_line_with_its_options(tmp_path):
    path = tmp_path / "r.jsonl"
    new, out = _run(path, methods=["unimodal", "fusion_sum"], depths="0,1")
    recs = _lines(path)
    assert len(new) == len(recs) == 3 * 2  # unimodal + fusion_sum at 2 depths, 2 seeds
    assert {r["config"] for r in recs} == {"unimodal", "fusion_sum@0", "fusion_sum@1"}
    for r in recs:
        assert r["protocol"] == {"experiment": "digits", "epochs": 1, "train_size": 120,
                                 "test_size": 60, "device": "cpu", "precision": "fp32",
                                 "channels_last": True}
        assert r["seeds"] == [0, 1] and r["params"]["lr"] == 0.01
        assert r["fit_time"] > 0 and r["date"] and r["package_version"]
        assert r["n_train"] == 120 and r["n_test"] == 60
        assert r["score"] == r["scores"]["errors"]
        assert 0 <= r["scores"]["errors"] <= 60
    assert "[  6/6]" in out


def test_resume_skips_finished_runs(tmp_path):
    path = tmp_path / "r.jsonl"
    _run(path)
    before = path.read_text()
    new, out = _run(path)
    assert new == [] and path.read_text() == before
    assert "2 already in" in out
    # one more seed: only that one runs
    new, _ = _run(path, seeds=3)
    assert [(r["config"], r["seed"]) for r in new] == [("unimodal", 2)]
    assert len(_lines(path)) == 3
    # other options are other runs
    new, _ = _run(path, epochs=2, seeds=1)
    assert len(new) == 1 and len(_lines(path)) == 4


def test_fresh_starts_over(tmp_path):
    path = tmp_path / "r.jsonl"
    _run(path)
    new, _ = _run(path, fresh=True)
    assert len(new) == 2 and len(_lines(path)) == 2


def test_interrupted_file_with_a_cut_last_line(tmp_path):
    path = tmp_path / "r.jsonl"
    _run(path, seeds=1)
    good = path.read_text()
    path.write_text(good + good.splitlines()[0][:40])  # a write cut short
    with pytest.warns(UserWarning, match="unreadable"):
        assert len(rp.read_results(path)) == 1
    with pytest.warns(UserWarning, match="unreadable"):
        new, _ = _run(path, seeds=2)  # seed 0 done, seed 1 to run
    assert [r["seed"] for r in new] == [1]
    lines = path.read_text().splitlines()
    assert json.loads(lines[-1])["seed"] == 1  # appended on a line of its own
    with pytest.warns(UserWarning):
        assert sorted(r["seed"] for r in rp.read_results(path)) == [0, 1]


def test_summary_table(tmp_path):
    path = tmp_path / "r.jsonl"
    _run(path, methods=["unimodal", "fusion_sum"], depths="0,1", seeds=2)
    out = io.StringIO()
    rows = rp.summarize("digits", path, epochs=1, train_size=120, test_size=60,
                        precision="fp32", out=out)
    text = out.getvalue()
    assert "Paper" in text and "unimodal" in text and "fusion_sum" in text
    assert {r["row"] for r in rows} == {"unimodal", "fusion_sum"}
    fs = next(r for r in rows if r["row"] == "fusion_sum")
    assert fs["depth"] in (0, 1) and set(fs["depths"]) == {0, 1} and fs["n"] == 2
    assert fs["mean"] == min(fs["depths"].values())  # errors: the best depth is the lowest
    # other options: nothing to show, and the file's option sets are named
    out = io.StringIO()
    assert rp.summarize("digits", path, epochs=7, out=out) == []
    assert "No results" in out.getvalue() and '"epochs": 1' in out.getvalue()
    # a missing file
    out = io.StringIO()
    assert rp.summarize("digits", tmp_path / "none.jsonl", out=out) == []


def test_summary_compares_the_ordering_with_the_paper(tmp_path):
    path = tmp_path / "mm.jsonl"
    proto = rp._protocol("mm-mnist", dict(epochs=5, train_size=5000, test_size=10000,
                                          device="cpu", precision="bf16"))
    ours = {"unimodal": 300, "centralnet": 80, "gmu": 70, "moddrop": 90}
    with open(path, "w") as f:
        for row, v in ours.items():
            for seed, d in enumerate((-1, 0, 1)):
                f.write(json.dumps({"experiment": "mm-mnist", "config": row, "row": row,
                                    "method": row, "depth": None, "variant": {},
                                    "seed": seed, "score": v + d, "fit_time": 1.0,
                                    "scores": {"errors_per_10000": v + d},
                                    "protocol": proto}) + "\n")
    out = io.StringIO()
    rp.summarize("mm-mnist", path, out=out)
    text = out.getvalue()
    assert "Spearman rho = 0.40 over 4 methods; 2 of 6 pairs inverted" in text
    assert "paper: centralnet better than gmu; ours: the reverse" in text
    assert "ensemble" not in text.split("Ordering")[0] or "*" in text


def test_rank_agreement():
    rho, inv = rp.rank_agreement({"a": 90, "b": 95}, {"a": 80, "b": 85}, True)
    assert rho == pytest.approx(1.0) and inv == []
    rho, inv = rp.rank_agreement({"a": 95, "b": 90}, {"a": 80, "b": 85}, True)
    assert rho == pytest.approx(-1.0) and inv == [("b", "a")]
    rho, inv = rp.rank_agreement({"a": 1}, {"a": 2}, True)
    assert np.isnan(rho) and inv == []


def test_protocols_follow_the_paper():
    runs = {r.config: r for r in rp.experiment_runs("mm-mnist", depths="0,2")}
    assert len(runs) == 6 + 6 * 2
    assert runs["moddrop"].params == {"lr": 0.05, "batch_size": 128, "p_drop": 0.2}
    assert runs["centralnet"].params == {"lr": 0.01, "batch_size": 128}
    opts = dict(epochs=3, device="cpu", precision="bf16")
    gmu = rp.build_estimator("mm-mnist", runs["gmu"], opts, ["a", "b"])
    assert gmu.backbones.dropout == 0.25 and gmu.lr == 0.01 and gmu.max_epochs == 3
    assert gmu.channels_last and gmu.precision == "bf16"
    fe = rp.build_estimator("mm-mnist", runs["fusion_ensemble_sum@2"], opts, ["a", "b"])
    assert fe.fusion_layer == 2 and fe.ensemble and fe.op == "sum" and fe.fused_shapes == "pad"

    av = {r.config: r for r in rp.experiment_runs("avmnist")}
    md = rp.build_estimator("avmnist", av["moddrop"], opts, ["image", "audio"])
    assert md.lr == 0.005 and md.p_drop == 0.32
    audio = rp.build_estimator("avmnist", av["unimodal:audio"], opts, ["image", "audio"])
    assert audio.modality == 1
    assert [type(b).__name__ for b in audio.backbones] == ["LeNet5", "AudioCNN"]
    assert audio.backbones[0].n_stem == 1
    g = rp.build_estimator("avmnist", av["gmu"], opts, ["image", "audio"])
    assert g.backbones[0].dropout == 0.35

    mo = {r.config: r for r in rp.experiment_runs("montalbano-synthetic")}
    est = rp.build_estimator("montalbano-synthetic", mo["centralnet"], opts,
                             ["audio", "mocap", "left_hand", "right_hand"])
    assert est.lr == 0.05 and est.batch_size == 42 and not est.channels_last
    assert est.backbones.hidden_layer_sizes == (128, 42)
    assert est.fused_shapes == "pad"  # the paper zero-pads 350 features to 400
    (sched,) = est.callbacks
    assert sched.kwargs["gamma"] == 0.96
    assert mo["moddrop"].params["p_drop"] == 0.5

    mi = {r.config: r for r in rp.experiment_runs("mmimdb-synthetic")}
    est = rp.build_estimator("mmimdb-synthetic", mi["moddrop"], opts, ["text", "visual"])
    assert est.backbones.hidden_layer_sizes == (2048, 512) and est.p_drop == 0.25
    assert est.pos_weight == 2.0 and type(est.callbacks[0]).__name__ == "EarlyStopping"

    fig4 = rp.experiment_runs("fig4", methods=["centralnet"])
    assert len(fig4) == 6
    assert {(r.variant["energy"], r.variant["share_ratio"]) for r in fig4} == {
        (0.1, 0.5), (0.25, 0.5), (0.5, 0.5), (0.5, 0.0), (0.5, 0.1), (0.5, 0.9)}
    with pytest.raises(ValueError, match="Unknown method"):
        rp.experiment_runs("mm-mnist", methods=["nope"])


def test_mmimdb_synthetic_data_and_scores():
    data = rp.load_data("mmimdb-synthetic", dict(train_size=60, test_size=30,
                                                 visual_features=64))
    assert [x.shape for x in data.Xs_train] == [(60, 300), (60, 300)]  # padded to the widest
    assert np.all(data.Xs_train[1][:, 64:] == 0)
    assert len(data.valid[1]) == 10 and data.y_test.shape == (30, 23)

    class Fixed:
        def predict(self, Xs):
            return data.y_test

    scores = rp.score_all("mmimdb-synthetic", Fixed(), data.Xs_test, data.y_test)
    # perfect predictions: F1 is 1 for every genre present, 0 for a genre no film has
    present = data.y_test.any(axis=0)
    assert scores == {"f1_micro": 1.0, "f1_macro": pytest.approx(present.mean()),
                      "f1_weighted": 1.0, "f1_samples": 1.0}


def test_montalbano_synthetic_data_and_macro_accuracy():
    data = rp.load_data("montalbano-synthetic", dict(train_size=80, test_size=40))
    assert [x.shape for x in data.Xs_train] == [(80, 400)] * 4 and len(data.y_test) == 40

    class Fixed:
        def predict(self, Xs):
            return np.zeros(len(Xs[0]), int)

    s = rp.score_all("montalbano-synthetic", Fixed(), data.Xs_test, data.y_test)
    from sklearn.metrics import balanced_accuracy_score
    expected = 100 * balanced_accuracy_score(data.y_test, np.zeros(40, int))
    assert s["macro_accuracy"] == pytest.approx(expected)
    assert s["errors_per_10000"] == pytest.approx(s["errors"] * 10000 / 40)


def test_command_line(tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="skcentral")
    rp.add_parser(parser.add_subparsers(dest="command", required=True))
    path = tmp_path / "r.jsonl"
    argv = ["reproduce", "digits", "--epochs", "1", "--seeds", "1", "--train-size", "100",
            "--test-size", "50", "--methods", "unimodal", "--n-jobs", "1",
            "--precision", "fp32", "--results", str(path)]
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    assert len(_lines(path)) == 1
    out = capsys.readouterr().out
    assert "[  1/1] unimodal" in out and "Method" in out
    args = parser.parse_args(argv + ["--summary-only"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "to run" not in out and "unimodal" in out
    args = parser.parse_args(argv + ["--fresh"])
    assert args.func(args) == 0 and len(_lines(path)) == 1
    for exp in ["mm-mnist", "avmnist", "fig4", "montalbano-synthetic", "mmimdb-synthetic"]:
        assert parser.parse_args(["reproduce", exp]).experiment == exp
    with pytest.raises(SystemExit):
        parser.parse_args(["reproduce", "imagenet"])
