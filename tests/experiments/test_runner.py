"""reproduce: one JSON line per run, resume, --fresh, interrupted files."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from skcentral import experiments as rp
from skcentral.experiments import EXPERIMENTS
from skcentral.experiments._store import protocol_of, run_key

def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_each_run_is_one_json_line_with_its_options(tmp_path, run_digits):
    path = tmp_path / "r.jsonl"
    new, out = run_digits(path, methods=["unimodal", "fusion_sum"], depths="0,1")
    recs = _lines(path)
    assert len(new) == len(recs) == 3 * 2  # unimodal + fusion_sum at 2 depths, 2 seeds
    assert {r["config"] for r in recs} == {"unimodal", "fusion_sum@0", "fusion_sum@1"}
    for r in recs:
        assert r["protocol"] == {"experiment": "digits", "epochs": 1, "train_size": 120,
                                 "test_size": 60, "device": "cpu", "precision": "fp32",
                                 "channels_last": True}
        assert r["seeds"] == [0, 1] and r["params"]["lr"] == 0.01
        assert r["fit_time"] > 0 and r["date"] and r["package_version"] and "gpu" not in r
        # the CPU, whose kernels decide the last bits of a float32 fit
        assert r["cpu"].endswith(f"({torch.backends.cpu.get_cpu_capability()})")
        assert r["n_train"] == 120 and r["n_test"] == 60
        assert r["score"] == r["scores"]["errors"]
        assert 0 <= r["scores"]["errors"] <= 60
    assert "[  6/6]" in out


def test_resume_skips_finished_runs(tmp_path, run_digits):
    path = tmp_path / "r.jsonl"
    run_digits(path)
    before = path.read_text()
    new, out = run_digits(path)
    assert new == [] and path.read_text() == before
    assert "2 already in" in out
    # one more seed: only that one runs
    new, _ = run_digits(path, seeds=3)
    assert [(r["config"], r["seed"]) for r in new] == [("unimodal", 2)]
    assert len(_lines(path)) == 3
    # other options are other runs
    new, _ = run_digits(path, epochs=2, seeds=1)
    assert len(new) == 1 and len(_lines(path)) == 4


def test_fresh_starts_over(tmp_path, run_digits):
    path = tmp_path / "r.jsonl"
    run_digits(path)
    new, _ = run_digits(path, fresh=True)
    assert len(new) == 2 and len(_lines(path)) == 2


def test_dry_run_lists_the_runs_to_do_and_touches_nothing(tmp_path, run_digits):
    path = tmp_path / "r.jsonl"
    run_digits(path, seeds=1)
    before = path.read_text()
    new, out = run_digits(path, seeds=3, dry_run=True)
    assert new == [] and path.read_text() == before
    assert "1 already in" in out and "to run: unimodal" in out and "seeds [1, 2]" in out
    # with fresh: every run is listed, and the file is not emptied
    new, out = run_digits(path, seeds=3, dry_run=True, fresh=True)
    assert "seeds [0, 1, 2]" in out and path.read_text() == before


def test_interrupted_file_with_a_cut_last_line(tmp_path, run_digits):
    path = tmp_path / "r.jsonl"
    run_digits(path, seeds=1)
    good = path.read_text()
    path.write_text(good + good.splitlines()[0][:40])  # a write cut short
    with pytest.warns(UserWarning, match="unreadable"):
        assert len(rp.read_results(path)) == 1
    with pytest.warns(UserWarning, match="unreadable"):
        new, _ = run_digits(path, seeds=2)  # seed 0 done, seed 1 to run
    assert [r["seed"] for r in new] == [1]
    lines = path.read_text().splitlines()
    assert json.loads(lines[-1])["seed"] == 1  # appended on a line of its own
    with pytest.warns(UserWarning):
        assert sorted(r["seed"] for r in rp.read_results(path)) == [0, 1]


def test_a_run_another_process_wrote_first_is_not_written_twice(tmp_path, run_digits,
                                                                monkeypatch):
    # two processes sharing one results file both list a run as to do; the
    # one that finishes second finds it written and does not append it again
    first = tmp_path / "first.jsonl"
    (other,), _ = run_digits(first, seeds=1)
    shared = tmp_path / "shared.jsonl"
    from skcentral.experiments import _runner
    run_pool = _runner._run_pool

    def finished_elsewhere_meanwhile(*args, **kwargs):
        rp.ResultsFile(shared).append(other)
        return run_pool(*args, **kwargs)

    monkeypatch.setattr(_runner, "_run_pool", finished_elsewhere_meanwhile)
    new, out = run_digits(shared, seeds=1)
    assert new == [] and "not written twice" in out
    assert len(_lines(shared)) == 1
    # the store itself: the same run again is refused, another seed is written
    store = rp.ResultsFile(shared)
    assert not store.append(other) and len(_lines(shared)) == 1
    assert store.append({**other, "seed": 1}) and len(_lines(shared)) == 2


RESULTS = sorted((Path(__file__).parents[2] / "docs" / "results").glob("*.jsonl"))


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.name)
def test_results_files_written_before_still_resume(path):
    records = rp.read_results(path)
    assert records
    done = rp.ResultsFile(path).done()
    # runs of earlier hyper-parameters stay in the file, but only those of
    # the current settings count as done
    current = rp.with_current_settings(records, records[0]["experiment"])
    assert current
    for r in current:
        exp = EXPERIMENTS[r["experiment"]]
        protocol = protocol_of(exp.name, dict(r["protocol"]))
        assert protocol == r["protocol"]
        assert run_key({"protocol": protocol, "config": r["config"], "params": r["params"],
                        "seed": r["seed"]}) in done


def test_new_hyper_parameters_are_new_runs(tmp_path, run_digits):
    path = tmp_path / "r.jsonl"
    run_digits(path, seeds=1)
    exp = rp.digits_experiment(lr=0.003)  # a learning rate chosen anew
    new = rp.reproduce(exp, epochs=1, train_size=120, test_size=60, precision="fp32",
                       methods=["unimodal"], seeds=1, results=path, out=io.StringIO())
    assert len(new) == 1 and new[0]["params"]["lr"] == 0.003
    records = rp.read_results(path)
    assert [r["params"]["lr"] for r in rp.with_current_settings(records, exp)] == [0.003]
    out = io.StringIO()
    rows = rp.summarize(exp, path, epochs=1, train_size=120, test_size=60,
                        precision="fp32", out=out)
    assert [r["n"] for r in rows] == [1]
    assert "1 run of" in out.getvalue() and "earlier hyper-parameters" in out.getvalue()


def test_learning_curves_early_stopping_and_schedule_on_validation(tmp_path):
    exp = rp.digits_experiment(
        valid_size=150, lr=0.05, methods=("unimodal",),
        hyper={"early_stopping_patience": 2, "early_stopping_monitor": "valid_acc",
               "lr_plateau_factor": 0.1, "lr_plateau_patience": 0})
    out = io.StringIO()
    (rec,) = rp.reproduce(exp, epochs=25, train_size=300, test_size=200, precision="fp32",
                          seeds=1, results=tmp_path / "r.jsonl", out=out)
    assert "data: 300 train / 150 validation / 200 test" in out.getvalue()
    curve = rec["curve"]
    assert rec["n_valid"] == 150 and len(curve) == rec["epochs_run"] <= 25
    assert [c["epoch"] for c in curve] == list(range(1, len(curve) + 1))
    assert all({"train_loss", "valid_loss", "valid_acc", "event_lr", "dur"} <= set(c)
               for c in curve)
    acc = [c["valid_acc"] for c in curve]
    lrs = [c["event_lr"] for c in curve]
    assert lrs[0] == 0.05 and all(b <= a for a, b in zip(lrs, lrs[1:]))
    # the rate is divided by 10 once the validation accuracy stops improving
    stalled = [i for i in range(1, len(acc) - 1) if acc[i] <= max(acc[:i])]
    assert stalled and min(lrs) < 0.05
    # stopped 2 epochs after the best one (or at the cap), the best restored
    best = int(np.argmax(acc))
    assert len(curve) == 25 or len(curve) == best + 1 + 2


@pytest.mark.parametrize("seeds", [0, -1, []])
def test_no_seed_to_run_is_an_error_not_an_empty_table(tmp_path, seeds):
    path = tmp_path / "r.jsonl"
    with pytest.raises(ValueError, match="seeds must be a positive count"):
        rp.reproduce("digits", seeds=seeds, epochs=1, train_size=60, test_size=30,
                     results=path, out=io.StringIO())
    assert not path.exists()


@pytest.mark.cuda
def test_several_runs_at_once_on_one_gpu(tmp_path, run_digits):
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU (torch sees none)")
    path = tmp_path / "r.jsonl"
    new, _ = run_digits(path, methods=["unimodal", "centralnet"], device="cuda", n_jobs=2,
                        precision="auto")
    recs = _lines(path)
    assert len(recs) == 4 and {r["protocol"]["device"] for r in recs} == {"cuda"}
    assert all(0 <= r["scores"]["errors"] <= 60 for r in recs)
    assert {r["gpu"] for r in recs} == {torch.cuda.get_device_name()}  # which GPU made them


def test_verbose_prints_each_runs_epochs_and_does_not_change_the_result(tmp_path, run_digits,
                                                                        capsys):
    path = tmp_path / "r.jsonl"
    run_digits(path, seeds=1)
    assert "train_loss" not in capsys.readouterr().out
    run_digits(tmp_path / "v.jsonl", seeds=1, verbose=1)
    table = capsys.readouterr().out
    assert "epoch" in table and "train_loss" in table  # skorch's table, one line an epoch
    assert _lines(path)[0]["score"] == _lines(tmp_path / "v.jsonl")[0]["score"]
    new, out = run_digits(path, seeds=1, verbose=1)  # the same run: already in the file
    assert new == [] and "0 to run" in out


def test_a_sweep_runs_in_parts_by_data_setting(tmp_path):
    """``variants=`` runs some data settings; a later call runs the rest."""
    import dataclasses
    exp = dataclasses.replace(rp.digits_experiment(), name="digits",
                              variants=[{"energy": 0.3}, {"energy": 0.6}])
    path = tmp_path / "r.jsonl"
    kw = dict(epochs=1, train_size=120, test_size=60, precision="fp32", n_jobs=1,
              methods=["unimodal"], seeds=1, results=path, out=io.StringIO())
    first = rp.reproduce(exp, variants=["energy=0.6"], **kw)
    assert [r["variant"] for r in first] == [{"energy": 0.6}]
    rest = rp.reproduce(exp, **kw)  # the same file: only the missing setting runs
    assert [r["variant"] for r in rest] == [{"energy": 0.3}]
    with pytest.raises(ValueError, match=r"No data setting of digits matches \['energy=0.9'\]"):
        rp.reproduce(exp, variants=["energy=0.9"], **kw)
    assert len(_lines(path)) == 2


def test_a_sweep_keeps_every_job_busy_across_its_data_settings(tmp_path, monkeypatch):
    # one run left in each of two settings: --n-jobs 2 runs both at once, in
    # one pool, not one setting after the other
    import dataclasses

    from skcentral.experiments import _runner
    exp = dataclasses.replace(rp.digits_experiment(), name="digits",
                              variants=[{"energy": 0.3}, {"energy": 0.6}])
    pools, run_pool = [], _runner._run_pool

    def recorded(tasks, *args, **kwargs):
        tasks = list(tasks)
        pools.append([(name, seed) for name, _, seed, *_ in tasks])
        return run_pool(tasks, *args, **kwargs)

    monkeypatch.setattr(_runner, "_run_pool", recorded)
    path = tmp_path / "r.jsonl"
    kw = dict(epochs=1, train_size=120, test_size=60, precision="fp32", methods=["unimodal"],
              seeds=1, results=path, out=io.StringIO())
    new = rp.reproduce(exp, n_jobs=2, **kw)
    assert pools == [[("unimodal|energy=0.3", 0), ("unimodal|energy=0.6", 0)]]
    # each run trained on its own setting's data: as when run alone
    alone = rp.reproduce(exp, n_jobs=1, variants=["energy=0.6"],
                         **{**kw, "results": tmp_path / "alone.jsonl"})
    by_setting = {r["variant"]["energy"]: r for r in new}
    assert by_setting[0.6]["scores"] == alone[0]["scores"]
    assert by_setting[0.3]["n_train"] == by_setting[0.6]["n_train"] == 120


def test_a_setting_whose_data_fail_to_load_stops_the_sweep_before_any_training(tmp_path):
    import dataclasses
    exp = dataclasses.replace(rp.digits_experiment(), name="digits",
                              variants=[{"energy": 0.3}, {"energy": 1.5}])
    path = tmp_path / "r.jsonl"
    with pytest.raises(ValueError, match="energy"):
        rp.reproduce(exp, epochs=1, train_size=120, test_size=60, precision="fp32",
                     methods=["unimodal"], seeds=1, results=path, out=io.StringIO())
    assert not path.exists() or _lines(path) == []


def _without_durations(curve):
    return [{k: v for k, v in epoch.items() if k != "dur"} for epoch in curve]


@pytest.mark.filterwarnings("ignore:fit interrupted")
@pytest.mark.parametrize("stop", [RuntimeError("the session ended"), KeyboardInterrupt()],
                         ids=["killed", "ctrl-c"])
def test_a_run_stopped_mid_training_goes_on_to_the_same_record(tmp_path, run_digits,
                                                               stop_fits_at_epoch, stop):
    (reference,), _ = run_digits(tmp_path / "reference.jsonl", epochs=6, seeds=1,
                                 methods=["centralnet"])
    path = tmp_path / "r.jsonl"
    restore = stop_fits_at_epoch(4, stop)
    # Ctrl-C ends a skorch fit quietly, with the epochs it trained: no record either
    with pytest.raises(type(stop)):
        run_digits(path, epochs=6, seeds=1, methods=["centralnet"])
    restore()
    assert not path.exists() or _lines(path) == []
    (state,) = (tmp_path / "r.partial").iterdir()
    assert state.name.startswith("centralnet-seed0-") and state.suffix == ".pt"

    _, out = run_digits(path, epochs=6, seeds=1, methods=["centralnet"], dry_run=True)
    assert "seed 0 goes on after epoch 3" in out

    (record,), _ = run_digits(path, epochs=6, seeds=1, methods=["centralnet"])
    assert record["resumed_from_epoch"] == 3 and "resumed_from_epoch" not in reference
    assert record["scores"] == reference["scores"]
    assert _without_durations(record["curve"]) == _without_durations(reference["curve"])
    assert not (tmp_path / "r.partial").exists()  # recorded: its state is gone


def test_a_stale_saved_state_is_replaced_not_fatal(tmp_path, run_digits, stop_fits_at_epoch):
    # a state the package can no longer resume (an update changed the
    # estimator): the run starts afresh, and the sweep goes on
    (reference,), _ = run_digits(tmp_path / "reference.jsonl", epochs=3, seeds=1)
    restore = stop_fits_at_epoch(2)
    with pytest.raises(RuntimeError, match="the session ended"):
        run_digits(tmp_path / "r.jsonl", epochs=3, seeds=1)
    restore()
    (state,) = (tmp_path / "r.partial").iterdir()
    state.write_bytes(b"written by another version")
    with pytest.warns(UserWarning, match="is not a training state written by "
                                         "TrainingCheckpoint: training from scratch"):
        (record,), _ = run_digits(tmp_path / "r.jsonl", epochs=3, seeds=1)
    assert "resumed_from_epoch" not in record and record["scores"] == reference["scores"]


def test_a_killed_process_s_run_goes_on_in_the_next(tmp_path, run_digits):
    import os
    import signal
    import subprocess
    import sys
    import time
    options = dict(epochs=12, seeds=1, methods=["centralnet"], train_size=300)
    (reference,), _ = run_digits(tmp_path / "reference.jsonl", **options)
    path = tmp_path / "r.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "skcentral.cli", "reproduce", "digits", "--epochs", "12",
         "--seeds", "1", "--methods", "centralnet", "--train-size", "300", "--test-size",
         "60", "--precision", "fp32", "--results", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    partial = tmp_path / "r.partial"
    try:
        deadline = time.monotonic() + 120
        while not (partial.exists() and any(partial.glob("*.pt"))):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.002)
    finally:
        # the process and its pool's workers, with no clean-up: a killed session
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not path.exists() or _lines(path) == []
    (record,), _ = run_digits(path, **options)
    assert 1 <= record["resumed_from_epoch"] < 12
    assert record["scores"] == reference["scores"]
    assert _without_durations(record["curve"]) == _without_durations(reference["curve"])
    # nothing left behind, not even the file a kill may have cut mid-write
    assert sorted(os.listdir(tmp_path)) == ["r.jsonl", "reference.jsonl"]
