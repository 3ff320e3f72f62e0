"""A new fusion method in a few dozen lines: one torch module, one estimator and
one registry entry give it scikit-learn's common checks, ``compare`` and
``reproduce``, with no other file touched."""

import importlib.util
import json
from numbers import Real
from pathlib import Path

import pytest
import torch
from sklearn.utils._param_validation import Interval
from sklearn.utils.estimator_checks import parametrize_with_checks

from skcentral import FusionClassifierMixin, FusionNet
from skcentral.cli import main
from skcentral.experiments import METHODS, register_method
from skcentral.fusion import MultiBackbone
from skcentral.utils import all_estimators


# 1. the torch module: the fused score is the element-wise max of the modalities'
class MaxOfScores(MultiBackbone):
    def __init__(self, backbones, input_shapes, temperature=1.0, names=None):
        super().__init__(backbones, input_shapes, names, same_depth=False)
        self.temperature = temperature

    def forward(self, xs):
        preds = self.heads(self.features(xs))
        return (torch.stack(preds).amax(0) / self.temperature, *preds)


# 2. the estimator, with its hyper-parameter's constraint
class MaxOfScoresClassifier(FusionClassifierMixin, FusionNet):
    _parameter_constraints = {"temperature": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, *, backbones=None, temperature=1.0, **kwargs):
        super().__init__(backbones=backbones, **kwargs)
        self.temperature = temperature

    def build_module(self, backbones, input_shapes, n_outputs):
        return MaxOfScores(backbones, input_shapes, self.temperature, self.modality_names_)


# 3. the registry entry
@pytest.fixture
def registered():
    register_method("max_of_scores", "Max of scores", MaxOfScoresClassifier)
    yield
    del METHODS["max_of_scores"]


def _common_checks():
    """The package's common-checks settings and expected failures."""
    spec = importlib.util.spec_from_file_location(
        "common_checks", Path(__file__).parents[1] / "test_common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMMON = _common_checks()
register_method("max_of_scores", "Max of scores", MaxOfScoresClassifier)
DISCOVERED = [COMMON.make_fast(cls) for _, cls in all_estimators()
              if cls is MaxOfScoresClassifier]
del METHODS["max_of_scores"]


def test_the_registered_method_is_discovered():
    assert len(DISCOVERED) == 1
    assert MaxOfScoresClassifier not in dict(all_estimators()).values()  # unregistered


@parametrize_with_checks(DISCOVERED, expected_failed_checks=COMMON.expected_failed_checks)
def test_the_new_method_passes_the_common_checks(estimator, check):
    COMMON.run_check(estimator, check)


def test_its_parameters_are_validated_and_its_loss_follows_the_roles(small_digits):
    Xs, _, y, _ = small_digits
    with pytest.raises(ValueError, match="The 'temperature' parameter of MaxOfScores"):
        MaxOfScoresClassifier(temperature=0).fit(Xs, y)
    from skcentral import MLP
    clf = MaxOfScoresClassifier(backbones=MLP((8,)), beta=0.5, max_epochs=1).fit(Xs, y)
    assert clf.loss_weights() == [1.0, 0.5, 0.5]


def test_compare_and_reproduce_run_it(registered, tmp_path, capsys):
    assert main(["compare", "--backbone", "mlp", "--epochs", "1", "--seeds", "2",
                 "--methods", "max_of_scores", "--n-jobs", "1"]) == 0
    assert "Max of scores" in capsys.readouterr().out
    path = tmp_path / "r.jsonl"
    assert main(["reproduce", "digits", "--epochs", "1", "--seeds", "1", "--train-size",
                 "100", "--test-size", "50", "--methods", "max_of_scores", "--n-jobs", "1",
                 "--precision", "fp32", "--results", str(path)]) == 0
    (record,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert record["method"] == "max_of_scores" and 0 <= record["scores"]["errors"] <= 50
    assert "max_of_scores" in capsys.readouterr().out
