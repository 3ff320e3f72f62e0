"""Choosing a learning rate on the validation split: the table and what it flags."""

import io
import json

from skcentral.experiments import tune_lr


def _tune(path):
    out = io.StringIO()
    found = tune_lr("mmimdb-synthetic", [0.001, 0.01], epochs=1, train_size=60,
                    methods=["unimodal:text"], n_jobs=1, precision="fp32", results=path,
                    out=out)
    return found["unimodal:text"], out.getvalue().split("per learning rate")[1]


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
    found, table = _tune(path)
    assert found["capped"] == {0.001: False, 0.01: True}
    assert table.count("*") == 2 and len(path.read_text().splitlines()) == 2
