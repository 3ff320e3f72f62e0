"""Mutation testing of the fusion code: which typical defects does the suite miss?

Each mutant is one small edit of the package (an inverted mask, an
off-by-one fusion point, a missing nonlinearity, an ignored weight...). The
script copies the package and its tests to a temporary folder, applies one
mutant at a time, runs the tests that should catch it, and prints a table:
the mutant, ``killed`` or ``survived``, and the first test that failed.
A survivor is a defect the suite would let through: give it a test.

Run it by hand (it is CPU heavy: one pytest per mutant), e.g.::

    nice -n 10 python benchmarks/mutation_fusion.py
    nice -n 10 python benchmarks/mutation_fusion.py --only moddrop

It exits with status 1 when a mutant survives.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FUSION_TESTS = ["tests/test_fusion_centralnet.py", "tests/test_fusion_common.py",
                "tests/test_fusion_gmu.py", "tests/test_fusion_moddrop.py",
                "tests/test_fusion_layer.py", "tests/test_fusion_scores.py",
                "tests/test_fusion_ensemble.py"]
LOSS_TESTS = ["tests/test_losses.py", "tests/test_base.py::test_get_loss_is_eq2_on_the_modules_outputs",
              "tests/test_base.py::test_get_loss_is_eq4_with_pos_weight_for_multilabel",
              "tests/test_base.py::test_get_loss_trains_the_ensemble_members_not_their_average"]
ALPHAS_TESTS = ["tests/test_centralnet.py::test_alphas_report_the_modules_weights_and_their_shares"]

# (name, file, text to replace, replacement, tests to run)
MUTANTS = [
    ("centralnet: alphas of the previous fusion point", "skcentral/fusion/centralnet.py",
     "alphas = self.alpha_modalities[i]", "alphas = self.alpha_modalities[max(i - 1, 0)]",
     FUSION_TESTS),
    ("centralnet: central weight of the next point", "skcentral/fusion/centralnet.py",
     "s = s + self.alpha_central[i - 1] * h_central",
     "s = s + self.alpha_central[min(i, len(self.alpha_central) - 1)] * h_central",
     FUSION_TESTS),
    ("centralnet: Eq. 3 weight on the central term too", "skcentral/fusion/centralnet.py",
     """        if self.alpha_form == "eq3":
            s = self.alpha_fused[i] * s
        if h_central is not None:
            s = s + self.alpha_central[i - 1] * h_central""",
     """        if h_central is not None:
            s = s + self.alpha_central[i - 1] * h_central
        if self.alpha_form == "eq3":
            s = self.alpha_fused[i] * s""", FUSION_TESTS),
    ("centralnet: Eq. 3 weight ignored", "skcentral/fusion/centralnet.py",
     "s = self.alpha_fused[i] * s", "s = s", FUSION_TESTS),
    ("centralnet: modalities one layer ahead (off-by-one point)",
     "skcentral/fusion/centralnet.py",
     """            h_central = layer(self._fuse(i, h_central, hs, missing))
            hs = [b.layers[i](h) for b, h in zip(self.backbones, hs)]""",
     """            hs_next = [b.layers[i](h) for b, h in zip(self.backbones, hs)]
            h_central = layer(self._fuse(i, h_central, hs_next if i else hs, missing))
            hs = hs_next""", FUSION_TESTS),
    ("centralnet: alphas start unequal", "skcentral/fusion/centralnet.py",
     "torch.full((n_points - 1, n), 1.0 / (n + 1))", "torch.full((n_points - 1, n), 1.0 / n)",
     FUSION_TESTS),
    ("centralnet: reported alphas without the Eq. 3 weight", "skcentral/fusion/centralnet.py",
     "mods = mods * self.alpha_fused.detach().cpu()[:, None]", "mods = mods",
     FUSION_TESTS + ALPHAS_TESTS),
    ("renormalise: inverted mask", "skcentral/fusion/_common.py",
     "present = (~missing).to(weights.dtype)", "present = missing.to(weights.dtype)",
     FUSION_TESTS),
    ("renormalise: signed instead of absolute total", "skcentral/fusion/_common.py",
     "total = weights.abs().sum()", "total = weights.sum()", FUSION_TESTS),
    ("renormalise: no rescaling", "skcentral/fusion/_common.py",
     "return weights * present * (total / kept)", "return weights * present", FUSION_TESTS),
    ("average_predictions: missing members still counted", "skcentral/fusion/_common.py",
     "w = present / present.sum(0, keepdim=True).clamp_min(1)", "w = present / len(preds)",
     FUSION_TESTS),
    ("gmu: missing tanh", "skcentral/fusion/gmu.py",
     "z[:, k] * torch.tanh(p(f))", "z[:, k] * p(f)", FUSION_TESTS),
    ("gmu: gates swapped", "skcentral/fusion/gmu.py",
     "z[:, k] * torch.tanh(p(f))", "z[:, (k + 1) % self.n_modalities] * torch.tanh(p(f))",
     FUSION_TESTS),
    ("gmu: softmax over hidden units", "skcentral/fusion/gmu.py",
     "return torch.softmax(z, dim=1)", "return torch.softmax(z, dim=2)", FUSION_TESTS),
    ("gmu: missing gate left open", "skcentral/fusion/gmu.py",
     'z = z.masked_fill(missing.unsqueeze(-1), float("-inf"))', "z = z", FUSION_TESTS),
    ("moddrop: keep with probability p", "skcentral/fusion/moddrop.py",
     ">= self.p_drop).float()", "< self.p_drop).float()", FUSION_TESTS),
    ("moddrop: one draw for all modalities", "skcentral/fusion/moddrop.py",
     "flat = [f * mask[:, k:k + 1] for k, f in enumerate(flat)]",
     "flat = [f * mask[:, :1] for k, f in enumerate(flat)]", FUSION_TESTS),
    ("moddrop: kept modalities rescaled", "skcentral/fusion/moddrop.py",
     "flat = [f * mask[:, k:k + 1] for k, f in enumerate(flat)]",
     "flat = [f * mask[:, k:k + 1] / (1 - self.p_drop) for k, f in enumerate(flat)]",
     FUSION_TESTS),
    ("moddrop: drops at prediction too", "skcentral/fusion/moddrop.py",
     "if self.training and self.p_drop > 0:", "if self.p_drop > 0:", FUSION_TESTS),
    ("moddrop: missing modality not zeroed", "skcentral/fusion/moddrop.py",
     "keep = (~missing).to(flat[0].dtype)", "keep = torch.ones_like(missing, dtype=flat[0].dtype)",
     FUSION_TESTS),
    ("layer: subtract ignores the third modality", "skcentral/fusion/layer.py",
     "return hs[0] - sum(hs[2:], hs[1])", "return hs[0] - hs[1]", FUSION_TESTS),
    ("layer: product as a sum", "skcentral/fusion/layer.py",
     "out = out * h", "out = out + h", FUSION_TESTS),
    ("layer: trunk starts one layer late", "skcentral/fusion/layer.py",
     "for layer in self.trunk_layers:", "for layer in list(self.trunk_layers)[1:] or []:",
     FUSION_TESTS),
    ("align: zero-padding at the start", "skcentral/fusion/_align.py",
     "pad += [0, t - s]", "pad += [t - s, 0]", FUSION_TESTS),
    ("weighted mean: weights start at 1", "skcentral/fusion/scores.py",
     "torch.full((n,), 1.0 / n)", "torch.full((n,), 1.0)", FUSION_TESTS),
    ("ensemble: missing members still averaged", "skcentral/fusion/ensemble.py",
     "missing = missing[:, self.members]", "missing = None", FUSION_TESTS),
    ("loss: weights ignored", "skcentral/losses.py",
     "terms = [w * criterion(out, y)", "terms = [criterion(out, y)", LOSS_TESTS),
    ("loss: fused term dropped", "skcentral/losses.py",
     "return sum(terms[1:], terms[0])", "return sum(terms[1:], 0 * terms[0])", LOSS_TESTS),
    ("loss: beta ignored (modality terms weigh 1)", "skcentral/losses.py",
     "float(beta[k]) if role == \"modality\"", "1.0 if role == \"modality\"", LOSS_TESTS),
    ("loss: the average of members trained too", "skcentral/losses.py",
     "\"average\": 0.0", "\"average\": 1.0", LOSS_TESTS),
    ("loss: pos_weight ignored (Eq. 4)", "skcentral/_tasks.py",
     "pos_weight=torch.full((len(self.classes_),), float(self.pos_weight))",
     "pos_weight=torch.full((len(self.classes_),), 2.0)", LOSS_TESTS),
]


def run_mutant(workdir, mutant):
    name, path, old, new, tests = mutant
    target = workdir / path
    original = target.read_text()
    if original.count(old) != 1:
        return "stale", f"the text to mutate is in {path} {original.count(old)} times"
    target.write_text(original.replace(old, new))
    try:
        env = dict(os.environ, PYTHONPATH=str(workdir))
        res = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
             "-o", "addopts=", "-rf", *tests],
            cwd=workdir, env=env, capture_output=True, text=True)
    finally:
        target.write_text(original)
    if res.returncode == 0:
        return "survived", ""
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", res.stdout, re.M)
    return "killed", failed[0] if failed else res.stdout.strip().splitlines()[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run mutants whose name contains this")
    args = parser.parse_args(argv)
    mutants = [m for m in MUTANTS if args.only in m[0]]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for part in ("skcentral", "tests"):
            shutil.copytree(ROOT / part, workdir / part,
                            ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", workdir)
        rows, start = [], time.perf_counter()
        for m in mutants:
            status, test = run_mutant(workdir, m)
            rows.append((m[0], status, test))
            print(f"{status:8}  {m[0]}  {test}", flush=True)
    width = max(len(r[0]) for r in rows)
    print(f"\n{'mutant'.ljust(width)}  result    killed by")
    for name, status, test in rows:
        print(f"{name.ljust(width)}  {status:8}  {test}")
    survivors = sum(r[1] != "killed" for r in rows)
    print(f"\n{len(rows) - survivors} of {len(rows)} mutants killed "
          f"in {time.perf_counter() - start:.0f} s")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
