"""Scores pinned for fixed seeds: the estimators, ``reproduce`` and ``compare``
give the same numbers as before the experiment engine was reorganised."""

import json

import numpy as np
import pytest

from skcentral import MLP
from skcentral.cli import main
from skcentral.experiments import make_method

# First six probabilities (3 samples x 2 classes) and the sum of column 0 over
# 100 test samples, after 2 epochs on 300 digits with random_state=3.
PROBA = {
    "centralnet": [0.096881, 0.095773, 0.087591, 0.1134, 0.129171, 0.101929, 9.39677],
    "fusion_ensemble_sum": [0.099417, 0.104383, 0.082709, 0.117829, 0.126066, 0.100503,
                            9.73565],
    "ensemble": [0.100847, 0.09611, 0.087467, 0.107723, 0.13574, 0.105119, 9.77392],
    "moddrop": [0.084696, 0.089006, 0.112322, 0.098337, 0.110867, 0.101065, 8.1568],
    "gmu": [0.113638, 0.100572, 0.090885, 0.103884, 0.149562, 0.098, 10.18914],
    "concat_mt": [0.092025, 0.106659, 0.087787, 0.136543, 0.12663, 0.098325, 9.37324],
    "weighted_mean": [0.102188, 0.094407, 0.086332, 0.109404, 0.137771, 0.106535, 9.88076],
    "unimodal": [0.098973, 0.106672, 0.077419, 0.103088, 0.144071, 0.107409, 9.85883],
}


@pytest.mark.parametrize("name", sorted(PROBA))
def test_predict_proba_is_pinned(name, digits):
    Xs, Xt, y, _ = digits
    Xs, Xt, y = [x[:300] for x in Xs], [x[:100] for x in Xt], y[:300]
    est = make_method(name, MLP((16,)), fusion_layer=1, max_epochs=2, lr=0.01,
                      batch_size=64, random_state=3, torch_threads=1)
    p = est.fit(Xs, y).predict_proba(Xt)
    got = list(p[:3].ravel()[:6]) + [p[:, 0].sum()]
    np.testing.assert_allclose(got, PROBA[name], atol=2e-5)


def test_reproduce_and_compare_scores_are_pinned(tmp_path, capsys):
    main(["reproduce", "digits", "--epochs", "1", "--seeds", "2", "--train-size", "150",
          "--test-size", "80", "--methods", "unimodal,fusion_sum,centralnet", "--depths", "0,1",
          "--precision", "fp32", "--n-jobs", "1", "--results", str(tmp_path / "r.jsonl")])
    recs = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert {f"{r['config']}/{r['seed']}": r["scores"]["errors"] for r in recs} == {
        "unimodal/0": 70, "unimodal/1": 69, "fusion_sum@0/0": 71, "fusion_sum@0/1": 62,
        "fusion_sum@1/0": 71, "fusion_sum@1/1": 70, "centralnet/0": 76, "centralnet/1": 65}
    main(["compare", "--backbone", "mlp", "--epochs", "1", "--seeds", "2",
          "--methods", "centralnet,fusion_sum", "--depths", "0,1", "--n-jobs", "1",
          "--output", str(tmp_path / "c.json")])
    rows = json.loads((tmp_path / "c.json").read_text())["results"]
    assert {r["method"]: (r["scores"], r["fusion_layer"]) for r in rows} == {
        "centralnet": ([217.0, 242.0], None), "fusion_sum": ([234.0, 240.0], 1)}
