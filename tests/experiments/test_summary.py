"""Summaries: tables, best depth, ordering against the paper."""

import io
import json

import numpy as np
import pytest

from skcentral import experiments as rp
from skcentral.experiments._store import protocol_of

def test_summary_table(tmp_path, run_digits):
    path = tmp_path / "r.jsonl"
    run_digits(path, methods=["unimodal", "fusion_sum"], depths="0,1", seeds=2)
    out = io.StringIO()
    rows = rp.summarize("digits", path, epochs=1, train_size=120, test_size=60,
                        precision="fp32", out=out)
    text = out.getvalue()
    assert "Paper" in text and "unimodal" in text and "fusion_sum" in text
    assert "6 runs (0.0 hours of fitting and scoring" in text
    assert {r["row"] for r in rows} == {"unimodal", "fusion_sum"}
    fs = next(r for r in rows if r["row"] == "fusion_sum")
    assert fs["depth"] in (0, 1) and set(fs["depths"]) == {0, 1} and fs["n"] == 2
    assert fs["depth_chosen_on"] == "test"  # digits: no validation split
    assert fs["mean"] == min(fs["depths"].values())  # errors: the best depth is the lowest
    assert "Layer fusion depth: the depth with the best mean test score" in text
    one = tmp_path / "one.jsonl"
    one.write_text(path.read_text().splitlines()[0] + "\n")
    out = io.StringIO()
    rp.summarize("digits", one, epochs=1, train_size=120, test_size=60, precision="fp32",
                 out=out)
    assert "1 run (0.0 hours" in out.getvalue()  # not "1 runs"
    # other options: nothing to show, and the file's option sets are named
    out = io.StringIO()
    assert rp.summarize("digits", path, epochs=7, out=out) == []
    assert "No results" in out.getvalue() and '"epochs": 1' in out.getvalue()
    # a missing file
    out = io.StringIO()
    assert rp.summarize("digits", tmp_path / "none.jsonl", out=out) == []


def test_summary_compares_the_ordering_with_the_paper(tmp_path):
    path = tmp_path / "mm.jsonl"
    proto = protocol_of("mm-mnist-short", dict(epochs=5, train_size=5000, test_size=10000,
                                                device="cpu", precision="bf16"))
    exp = rp.EXPERIMENTS["mm-mnist-short"]
    ours = {"unimodal": 300, "centralnet": 80, "gmu": 70, "moddrop": 90}
    with open(path, "w") as f:
        for row, v in ours.items():
            for seed, d in enumerate((-1, 0, 1)):
                f.write(json.dumps({"experiment": "mm-mnist-short", "config": row, "row": row,
                                    "params": exp.runs([row])[0].params,
                                    "method": row, "depth": None, "variant": {},
                                    "seed": seed, "score": v + d, "fit_time": 1.0,
                                    "scores": {"errors_per_10000": v + d},
                                    "protocol": proto}) + "\n")
    out = io.StringIO()
    rp.summarize("mm-mnist-short", path, precision="bf16", out=out)
    text = out.getvalue()
    assert "Spearman rho = 0.40 over 4 methods; 2 of 6 pairs inverted" in text
    assert "paper: centralnet better than gmu; ours: the reverse" in text
    assert "ensemble" not in text.split("Ordering")[0] or "*" in text


def test_auto_precision_summarises_the_precision_the_runs_were_made_at(tmp_path):
    # GPU runs (bf16) summarised on a machine whose "auto" is another
    # precision: with --precision auto the table shows them, not "no results"
    exp = rp.EXPERIMENTS["mm-mnist-short"]
    opts = dict(epochs=5, train_size=5000, test_size=10000, device="cuda")

    def write(path, precisions):
        with open(path, "w") as f:
            for seed, precision in enumerate(precisions):
                f.write(json.dumps({
                    "experiment": "mm-mnist-short", "config": "unimodal", "row": "unimodal",
                    "params": exp.runs(["unimodal"])[0].params, "method": "unimodal",
                    "depth": None, "variant": {}, "seed": seed, "score": 250 + seed,
                    "fit_time": 1.0, "scores": {"errors_per_10000": 250 + seed},
                    "protocol": protocol_of("mm-mnist-short",
                                            {**opts, "precision": precision})}) + "\n")

    one = tmp_path / "one.jsonl"
    write(one, ["fp16", "fp16"])  # never what "auto" resolves to
    out = io.StringIO()
    (row,) = rp.summarize("mm-mnist-short", one, precision="auto", out=out, **opts)
    assert row["n"] == 2 and "'precision': 'fp16'" in out.getvalue()
    # an explicit precision is taken as asked
    out = io.StringIO()
    assert rp.summarize("mm-mnist-short", one, precision="fp32", out=out, **opts) == []
    assert "No results" in out.getvalue()
    # two precisions in the file: "auto" cannot tell which is meant, and says what is there
    two = tmp_path / "two.jsonl"
    write(two, ["fp16", "fp8"])
    out = io.StringIO()
    assert rp.summarize("mm-mnist-short", two, precision="auto", out=out, **opts) == []
    assert '"precision": "fp16"' in out.getvalue() and '"precision": "fp8"' in out.getvalue()


def _fusion_records(curves):
    """Fusion Sum at depths 0 and 2, two seeds: depth 2 is better on the test set."""
    exp = rp.EXPERIMENTS["mm-mnist"]
    out = []
    for depth, test, valid in ((0, 110, 0.990), (2, 100, 0.980)):
        for seed in (0, 1):
            out.append({"row": "fusion_sum", "method": "fusion_sum", "depth": depth,
                        "variant": {}, "seed": seed, "fit_time": 1.0,
                        "params": exp.runs(["fusion_sum"], [depth])[0].params,
                        "scores": {"errors_per_10000": test + seed},
                        "curve": [{"epoch": 1, "valid_acc": valid - 0.01},
                                  {"epoch": 2, "valid_acc": valid}] if curves else None})
    return out


def test_best_depth_is_chosen_on_validation_not_on_the_test_set():
    # with validation curves, the depth whose kept epochs validated best wins, although
    # the other depth has fewer test errors: nothing is chosen on the test set
    (row,) = rp.summary_rows(_fusion_records(curves=True), "mm-mnist")
    assert (row["depth"], row["depth_chosen_on"], row["scores"]) == (0, "validation",
                                                                      [110, 111])
    assert row["depths"] == {0: 110.5, 2: 100.5}  # each depth's test mean, still shown
    # a protocol without validation: the best test score, as the paper reports its rows
    (row,) = rp.summary_rows(_fusion_records(curves=False), "mm-mnist")
    assert (row["depth"], row["depth_chosen_on"], row["mean"]) == (2, "test", 100.5)


def test_best_depth_compares_depths_on_the_seeds_they_share():
    # depth 0 has run seed 0 alone; depth 2 has seeds 0 to 2, its seeds 1 and 2 harder.
    # Against depth 2's mean over three seeds (0.98), depth 0's one seed (0.985) would
    # win; on the seed both have, depth 2 validates better (0.990) and keeps the row
    records = [r for r in _fusion_records(curves=True) if r["depth"] == 2 or r["seed"] == 0]
    valid = {(0, 0): 0.985, (2, 0): 0.990, (2, 1): 0.975, (2, 2): 0.975}
    records.append({**records[-1], "seed": 2, "scores": {"errors_per_10000": 103}})
    for r in records:
        v = valid[r["depth"], r["seed"]]
        r["curve"] = [{"epoch": 1, "valid_acc": v - 0.01}, {"epoch": 2, "valid_acc": v}]
    (row,) = rp.summary_rows(records, "mm-mnist")
    assert (row["depth"], row["depth_chosen_on"], row["n"]) == (2, "validation", 3)
    # depths with no seed in common: each depth's mean over its own seeds
    (row,) = rp.summary_rows([r for r in records if r["depth"] == 0 or r["seed"] > 0],
                             "mm-mnist")
    assert (row["depth"], row["n"]) == (0, 1)


def test_best_depth_follows_the_runs_early_stopping_monitor():
    # runs that stopped on valid_loss kept their lowest-loss epoch: depths are compared
    # on that loss, not on the best accuracy of any epoch (which would pick depth 2 here)
    records = _fusion_records(curves=True)
    for r in records:
        r["params"] = {**r["params"], "early_stopping_monitor": "valid_loss"}
        loss = 0.05 if r["depth"] == 2 else 0.03
        r["curve"] = [{"epoch": 1, "valid_acc": 0.97, "valid_loss": loss},
                      {"epoch": 2, "valid_acc": 0.999 if r["depth"] == 2 else 0.98,
                       "valid_loss": loss + 0.02}]
    (row,) = rp.summary_rows(records, "mm-mnist")
    assert (row["depth"], row["depth_chosen_on"]) == (0, "validation")
    # a curve without the monitored value: no validation comparison, the test set decides
    for r in records:
        r["params"] = {**r["params"], "early_stopping_monitor": "valid_f1"}
    (row,) = rp.summary_rows(records, "mm-mnist")
    assert (row["depth"], row["depth_chosen_on"]) == (2, "test")


def test_per_run_table_shows_each_seed_and_the_kept_epoch(tmp_path):
    records = _fusion_records(curves=True)
    for r in records:
        r.update(experiment="mm-mnist", score=r["scores"]["errors_per_10000"], epochs_run=2,
                 protocol={"epochs": 2 if r["seed"] == 0 else 15})
    records[0]["curve"] = [{"epoch": 1, "valid_acc": 0.995}, {"epoch": 2, "valid_acc": 0.99}]
    records[1]["curve"] = None  # a run without a learning curve
    rows = rp.per_run_rows(records, "mm-mnist")
    assert [r["label"] for r in rows] == ["Fusion Sum (depth 0)", "Fusion Sum (depth 2)"]
    d0 = rows[0]
    assert (d0["seeds"], d0["scores"], d0["paper"]) == ([0, 1], [110, 111], 68)
    assert d0["capped"] == [True, False]
    # the kept epoch is the best monitored one (valid_acc here), not the last
    assert d0["kept_epoch"] == [1, None] and d0["valid_acc"] == [0.995, None]
    out = io.StringIO()
    path = tmp_path / "mm.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    rp.summarize("mm-mnist", path, per_run=True, all_protocols=True, out=out)
    table = out.getvalue().split("Per run")[1]
    assert "Fusion Sum (depth 0)  68     110 ± 32     110, 111  0, 1   2*, 2" in table
    assert "1, -        50, -" in table  # kept epoch and its validation errors /10,000
    assert "in brackets" not in table


def test_per_run_table_brackets_a_paper_figure_that_is_not_comparable(tmp_path):
    # the ensemble's paper figure is for networks on other images (not_comparable)
    (run,) = rp.EXPERIMENTS["mm-mnist"].runs(["ensemble"], [])
    records = [dict(r, experiment="mm-mnist", row="ensemble", method="ensemble", depth=None,
                    params=run.params, score=r["scores"]["errors_per_10000"])
               for r in _fusion_records(curves=True)[:1]]
    rows = rp.per_run_rows(records, "mm-mnist")
    assert (rows[0]["paper"], rows[0]["comparable"]) == (64, False)
    path = tmp_path / "mm.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = io.StringIO()
    rp.summarize("mm-mnist", path, per_run=True, all_protocols=True, out=out)
    table = out.getvalue().split("Per run")[1]
    assert "Ensemble 2 classifiers  (64)" in table
    assert "a paper figure in brackets is not comparable" in table

    # the same method on the original images: three networks, and the experiment says so
    records = [dict(r, experiment="mnist-original") for r in records]
    (row,) = rp.per_run_rows(records, "mnist-original")
    assert (row["label"], row["paper"], row["comparable"]) == ("Ensemble 3 classifiers", 60,
                                                                True)


def _settings_records(settings, seeds=(0, 1)):
    """fig4 records: unimodal and CentralNet per data setting, errors falling with energy."""
    exp = rp.EXPERIMENTS["fig4"]
    proto = protocol_of("fig4", dict(epochs=15, train_size=11000, test_size=10000,
                                     device="cpu", precision="fp32"))
    return [{"experiment": "fig4", "config": row, "row": row, "method": row, "depth": None,
             "params": exp.runs([row])[0].params, "variant": v, "seed": seed,
             "score": score, "scores": {"errors_per_10000": score}, "fit_time": 1.0,
             "protocol": proto}
            for v in settings for row in ("unimodal", "centralnet") for seed in seeds
            for score in [400 * (1 - v["energy"]) + seed - (100 if row == "centralnet" else 0)]]


def test_settings_plot_draws_each_data_setting_as_figure_4(tmp_path):
    exp = rp.EXPERIMENTS["fig4"]
    path = tmp_path / "fig4.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _settings_records(exp.variants)))
    png, out = tmp_path / "fig4.png", io.StringIO()
    rows = rp.summarize("fig4", path, precision="fp32", settings_plot=png, out=out)
    assert png.read_bytes()[:4] == b"\x89PNG" and f"drawn in {png}" in out.getvalue()
    assert len(rows) == 2 * len(exp.variants)
    best = out.getvalue().split("Best method per setting (of those run there): ")[1]
    assert best.count("centralnet") == len(exp.variants)
    # an experiment of one setting has nothing to sweep: refused before anything is read
    with pytest.raises(ValueError, match=r"data settings \(fig4\); mm-mnist has one"):
        rp.summarize("mm-mnist", tmp_path / "none.jsonl", settings_plot=png)


def test_rank_agreement():
    rho, inv = rp.rank_agreement({"a": 90, "b": 95}, {"a": 80, "b": 85}, True)
    assert rho == pytest.approx(1.0) and inv == []
    rho, inv = rp.rank_agreement({"a": 95, "b": 90}, {"a": 80, "b": 85}, True)
    assert rho == pytest.approx(-1.0) and inv == [("b", "a")]
    rho, inv = rp.rank_agreement({"a": 1}, {"a": 2}, True)
    assert np.isnan(rho) and inv == []
