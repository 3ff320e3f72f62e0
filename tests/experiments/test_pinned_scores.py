"""Scores for fixed seeds: pinned for the estimators, and what ``reproduce`` and
``compare`` report is what fitting the experiment's estimators gives.

Adam's first steps move every weight by about the learning rate in the sign of
its gradient, so a last-bit difference of a matrix product (another CPU takes
other kernels) changes an Adam fit's probabilities by ~1e-3. The pinned
probabilities are therefore those of plain SGD, which carries such a
difference through training at its own size (~1e-7); the runner's figures,
trained with Adam as the experiments are, are checked against the same fits
made directly in the same test.
"""

import json

import numpy as np
import pytest
import torch

from skcentral import MLP
from skcentral.cli import _experiment, build_parser, main
from skcentral.experiments import EXPERIMENTS, make_method
from skcentral.model_selection import error_count

# First six probabilities (3 samples x 2 classes) and the sum of column 0 over
# 100 test samples, after 2 epochs of SGD (lr 0.1) on 300 digits with
# random_state=3.
PROBA = {
    "centralnet": [0.102933, 0.098946, 0.083774, 0.106266, 0.119832, 0.114615, 10.098347],
    "fusion_ensemble_sum": [0.103974, 0.106183, 0.084147, 0.108033, 0.121079, 0.107238,
                            10.244993],
    "ensemble": [0.101757, 0.098807, 0.085427, 0.106104, 0.118602, 0.11394, 10.209981],
    "moddrop": [0.09661, 0.089142, 0.10069, 0.096648, 0.092657, 0.110083, 9.845942],
    "gmu": [0.118856, 0.089734, 0.097763, 0.097366, 0.125958, 0.1156, 11.276682],
    "concat_mt": [0.078538, 0.106548, 0.099762, 0.133512, 0.107043, 0.097932, 8.104414],
    "weighted_mean": [0.104321, 0.100043, 0.088146, 0.104328, 0.108967, 0.119096, 10.590188],
    "unimodal": [0.096718, 0.091454, 0.08554, 0.101454, 0.134604, 0.110834, 9.850981],
}


def _fit(name, Xs, y, **kw):
    return make_method(name, MLP((16,)), fusion_layer=1, max_epochs=2, lr=0.1, batch_size=64,
                       random_state=3, torch_threads=1, optimizer=torch.optim.SGD,
                       **kw).fit(Xs, y)


@pytest.mark.parametrize("name", sorted(PROBA))
def test_predict_proba_is_pinned(name, digits):
    Xs, Xt, y, _ = digits
    Xs, Xt, y = [x[:300] for x in Xs], [x[:100] for x in Xt], y[:300]
    p = _fit(name, Xs, y).predict_proba(Xt)
    got = list(p[:3].ravel()[:6]) + [p[:, 0].sum()]
    np.testing.assert_allclose(got, PROBA[name], atol=2e-5)


def test_pinned_fits_carry_a_last_bit_difference_at_its_own_size(digits):
    # why SGD is pinned: inputs changed in their last bits (a relative 1e-6)
    # change the fitted probabilities by as little, not by orders more
    Xs, Xt, y, _ = digits
    Xs, Xt, y = [x[:300] for x in Xs], [x[:100] for x in Xt], y[:300]
    rng = np.random.default_rng(0)
    nudged = [(x * (1 + 1e-6 * rng.standard_normal(x.shape))).astype(x.dtype) for x in Xs]
    a = _fit("centralnet", Xs, y).predict_proba(Xt)
    b = _fit("centralnet", nudged, y).predict_proba(Xt)
    assert np.abs(a - b).max() < 1e-5


def _direct_errors(exp, run, opts, data, seed):
    """The test errors of ``run`` fitted directly, as a user would, under ``seed``."""
    est = exp.build_estimator(run, opts, data.modality_names).set_params(
        random_state=seed, torch_threads=1)  # the runner's one thread per run
    kw = {} if data.valid is None else {"validation_data": data.valid}
    est.fit(data.Xs_train, data.y_train, **kw)
    return error_count(est, data.Xs_test, data.y_test)


def test_reproduce_records_what_fitting_the_estimators_gives(tmp_path):
    methods = ["unimodal", "fusion_sum", "centralnet"]
    main(["reproduce", "digits", "--epochs", "1", "--seeds", "2", "--train-size", "150",
          "--test-size", "80", "--methods", ",".join(methods), "--depths", "0,1",
          "--precision", "fp32", "--n-jobs", "1", "--results", str(tmp_path / "r.jsonl")])
    recs = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    exp = EXPERIMENTS["digits"]
    opts = {"epochs": 1, "train_size": 150, "test_size": 80, "device": "cpu",
            "precision": "fp32", "channels_last": True, "verbose": 0}
    data = exp.load(opts)
    runs = {run.config: run for run in exp.runs(methods, "0,1")}
    assert sorted((r["config"], r["seed"]) for r in recs) == sorted(
        (c, s) for c in runs for s in (0, 1))
    for r in recs:
        assert r["scores"]["errors"] == _direct_errors(exp, runs[r["config"]], opts, data,
                                                       r["seed"]), r["config"]
    assert len({r["scores"]["errors"] for r in recs}) > 1  # the seeds and methods differ


def test_compare_reports_what_fitting_the_estimators_gives(tmp_path):
    argv = ["compare", "--backbone", "mlp", "--epochs", "1", "--seeds", "2",
            "--methods", "centralnet,fusion_sum", "--depths", "0,1", "--n-jobs", "1"]
    main(argv + ["--output", str(tmp_path / "c.json")])
    rows = {r["method"]: r for r in
            json.loads((tmp_path / "c.json").read_text())["results"]}
    args = build_parser().parse_args(argv)
    exp = _experiment(args, ["centralnet", "fusion_sum"])
    opts = {"epochs": 1, "device": "cpu", "precision": "fp32", "channels_last": False}
    data = exp.load({})
    direct = {run.config: [_direct_errors(exp, run, opts, data, s) for s in (0, 1)]
              for run in exp.runs(["centralnet", "fusion_sum"], "0,1")}
    assert rows["centralnet"]["scores"] == direct["centralnet"]
    # Fusion Sum is reported at its depth of fewest mean errors
    best = min((0, 1), key=lambda d: np.mean(direct[f"fusion_sum@{d}"]))
    assert rows["fusion_sum"]["fusion_layer"] == best
    assert rows["fusion_sum"]["scores"] == direct[f"fusion_sum@{best}"]
