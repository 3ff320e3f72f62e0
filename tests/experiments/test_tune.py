"""Choosing a learning rate on the validation split: the table and what it flags."""

import io
import json

import pytest

from skcentral.experiments import tune_lr


def _tune(path, lrs=(0.001, 0.01), **kw):
    out = io.StringIO()
    found = tune_lr("mmimdb-synthetic", list(lrs), epochs=1, train_size=60,
                    methods=["unimodal:text"], n_jobs=1, precision="fp32", results=path,
                    out=out, **kw)
    return found.get("unimodal:text"), out.getvalue().split("per learning rate")[1]


def test_rates_stopped_by_the_epoch_cap_are_marked(tmp_path):
    path = tmp_path / "tuning.jsonl"
    found, table = _tune(path)
    # one epoch is the cap: both runs may still have been improving, and the table says so
    assert found["capped"] == {0.001: True, 0.01: True}
    assert table.count("*") == 3 and "epoch cap (1)" in table
    assert found["best_lr"] in (0.001, 0.01)
    # a run that early stopping ended before the cap is not marked (the file is read
    # back: nothing is trained again)
    recs = [json.loads(line) for line in path.read_text().splitlines()]
    low = next(r for r in recs if r["params"]["lr"] == 0.001)
    low["epochs_run"] = 0
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    found, table = _tune(path, summary_only=True)
    assert found["capped"] == {0.001: False, 0.01: True}
    assert table.count("*") == 2 and len(path.read_text().splitlines()) == 2


def test_summary_only_trains_nothing(tmp_path):
    path = tmp_path / "tuning.jsonl"
    with pytest.raises(FileNotFoundError, match="tuning.jsonl does not exist"):
        _tune(path, summary_only=True)
    assert not path.exists()
    _tune(path, lrs=[0.01])
    # a rate not in the file is left out of the table, not trained
    found, table = _tune(path, lrs=[0.001, 0.01], summary_only=True)
    assert found["by_lr"].keys() == {0.01} and "0.001:" not in table
    assert len(path.read_text().splitlines()) == 1
    found, table = _tune(path, lrs=[0.001], summary_only=True)
    assert found is None and "unimodal:text" not in table


def test_each_rate_is_the_mean_of_its_seeds(tmp_path):
    path = tmp_path / "tuning.jsonl"
    _tune(path, lrs=[0.01], seeds=2)
    recs = [json.loads(line) for line in path.read_text().splitlines()]
    assert sorted(r["seed"] for r in recs) == [0, 1]
    found, table = _tune(path, lrs=[0.01], summary_only=True)
    assert found["n_seeds"] == {0.01: 2}
    assert found["by_lr"][0.01] == pytest.approx(sum(r["score"] for r in recs) / 2)
    assert "(2 seeds)" in table
    # a second rate with one seed says nothing of its count
    _tune(path, lrs=[0.001])
    found, table = _tune(path, lrs=[0.001, 0.01], summary_only=True)
    assert found["n_seeds"] == {0.001: 1, 0.01: 2} and table.count("seeds)") == 1
