import json
import subprocess
import sys

import pytest

from skcentral.cli import build_parser, main


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_run_prints_accuracy_and_the_alphas_table(capsys):
    assert main(["run", "--backbone", "mlp", "--epochs", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "test accuracy: 0." in out and "errors / 450" in out
    assert "fusion point" in out and "4 (prediction)" not in out and "2 (prediction)" in out


def test_console_script_entry_point_and_progress_display():
    res = subprocess.run([sys.executable, "-m", "skcentral.cli", "run", "--backbone", "mlp",
                          "--epochs", "1"], capture_output=True, text=True, check=True)
    assert "train_loss" in res.stdout  # per-epoch table
    assert "test accuracy" in res.stdout


def test_command_line(tmp_path, capsys):
    parser = build_parser()
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
    png = tmp_path / "curves.png"
    args = parser.parse_args(argv + ["--summary-only", "--curves", str(png)])
    assert args.func(args) == 0 and png.stat().st_size > 0
    capsys.readouterr()
    # a settings plot of an experiment of one setting: refused before any training
    with pytest.raises(ValueError, match="digits has one setting"):
        main(argv + ["--seeds", "2", "--settings-plot", str(tmp_path / "s.png")])
    assert len(_lines(path)) == 1
    # data settings of an experiment that has none: refused before any training
    with pytest.raises(ValueError, match="digits has no data settings"):
        main(argv + ["--seeds", "2", "--setting", "energy=0.5"])
    assert len(_lines(path)) == 1
    # a dry run lists what a run would do, and does nothing
    before = path.read_text()
    assert main(argv + ["--seeds", "2", "--methods", "unimodal,centralnet", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 already in" in out and "3 to run" in out
    assert "to run: unimodal" in out and "seeds [1]" in out and "seeds [0, 1]" in out
    assert "Method" not in out and path.read_text() == before
    args = parser.parse_args(argv + ["--summary-only", "--per-run"])
    assert args.func(args) == 0
    per_run = capsys.readouterr().out.split("Per run")[1]
    assert "Baseline on one modality" in per_run and "1*" in per_run  # 1 epoch: the cap
    args = parser.parse_args(argv + ["--fresh"])
    assert args.func(args) == 0 and len(_lines(path)) == 1
    for exp in ["mm-mnist", "avmnist", "fig4", "montalbano-synthetic", "mmimdb-synthetic"]:
        assert parser.parse_args(["reproduce", exp]).experiment == exp
    with pytest.raises(SystemExit):
        parser.parse_args(["reproduce", "imagenet"])


def test_tune_chooses_learning_rates_on_the_validation_split(tmp_path, capsys):
    path = tmp_path / "tuning.jsonl"
    argv = ["tune", "mmimdb-synthetic", "--lrs", "0.001,0.01", "--epochs", "1",
            "--train-size", "60", "--methods", "unimodal:text", "--n-jobs", "1",
            "--precision", "fp32", "--results", str(path)]
    args = build_parser().parse_args(argv)
    assert args.func(args) == 0
    recs = _lines(path)
    assert sorted(r["params"]["lr"] for r in recs) == [0.001, 0.01]
    assert {r["n_test"] for r in recs} == {10}  # scored on the 10 validation samples
    out = capsys.readouterr().out
    assert "on the validation split" in out and "best 0.0" in out
    assert args.func(args) == 0 and len(_lines(path)) == 2  # resumed: nothing new
    args = build_parser().parse_args(argv + ["--lrs", "0.003", "--summary-only"])
    assert args.func(args) == 0 and len(_lines(path)) == 2  # a rate not run: not trained


def test_tune_builds_its_data_in_the_cache_given(shared_data, tmp_path, monkeypatch):
    # a read-only data folder: the built data set goes to --cache, as for reproduce
    monkeypatch.delenv("SKCENTRAL_CACHE", raising=False)
    cache, path = tmp_path / "built", tmp_path / "tuning.jsonl"
    argv = ["tune", "mm-mnist", "--lrs", "0.001", "--epochs", "1", "--train-size", "100",
            "--methods", "unimodal", "--n-jobs", "1", "--precision", "fp32",
            "--data-home", str(shared_data), "--cache", str(cache), "--results", str(path)]
    args = build_parser().parse_args(argv)
    assert args.func(args) == 0
    assert any(cache.iterdir()) and len(_lines(path)) == 1


def test_tune_needs_a_validation_split(tmp_path):
    from skcentral.experiments import digits_experiment, tune_lr
    with pytest.raises(ValueError, match="no validation split"):
        tune_lr(digits_experiment(), [0.01], epochs=1, train_size=50, precision="fp32",
                results=tmp_path / "t.jsonl")
