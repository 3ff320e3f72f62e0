"""scikit-learn's repr and HTML diagram for every estimator, fitted or not."""

import inspect

import numpy as np
import pytest
import torch
from sklearn import config_context
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skcentral import MLP, CentralNetClassifier, FusionClassifierMixin, FusionNet, LeNet5
from skcentral.fusion import WeightedMean
from skcentral.utils import all_estimators

ESTIMATORS = [cls for _, cls in all_estimators()]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_repr_shows_changed_parameters_only_fitted_or_not(cls):
    name = cls.__name__
    assert repr(cls()) == f"{name}()"
    est = cls(max_epochs=3, backbones=MLP((4,), dropout=0.0), batch_size=16, random_state=0)
    expected = (f"{name}(backbones=MLP(dropout=0.0, hidden_layer_sizes=(4,)), "
                f"batch_size=16, max_epochs=3, random_state=0)")
    assert " ".join(repr(est).split()) == expected
    assert "sk-estimator fitted" not in est._repr_html_()
    rng = np.random.default_rng(0)
    Xs = [rng.normal(size=(20, 3)), rng.normal(size=(20, 2))]
    y = np.arange(20) % 2 if hasattr(cls, "predict_proba") else rng.normal(size=20)
    est.fit(Xs, y)
    assert " ".join(repr(est).split()) == expected
    assert isinstance(est.module_, torch.nn.Module)  # the torch module stays at module_
    html = est._repr_html_()
    assert name in html and "max_epochs" in html and "<table" in html
    assert "sk-estimator fitted" in html
    assert "module" not in clone(est).get_params()


def test_repr_of_nested_specs_routed_and_inherited_parameters():
    clf = CentralNetClassifier(backbones=[LeNet5(dropout=0.25), MLP((8,))], lr=0.1,
                               optimizer__weight_decay=1e-4, fused_shapes="pad",
                               class_weight="balanced", pos_weight=2.0)
    text = " ".join(repr(clf).split())
    assert text == ("CentralNetClassifier(backbones=[LeNet5(dropout=0.25), "
                    "MLP(hidden_layer_sizes=(8,))], class_weight='balanced', "
                    "fused_shapes='pad', lr=0.1, optimizer__weight_decay=0.0001)")
    with config_context(print_changed_only=False):
        assert "max_epochs=20" in repr(clf)
    pipe = make_pipeline(FunctionTransformer(), CentralNetClassifier(max_epochs=3))
    assert "CentralNetClassifier(max_epochs=3)" in repr(pipe)
    assert "CentralNetClassifier" in pipe._repr_html_()


def test_signature_lists_every_parameter_with_its_default():
    params = inspect.signature(CentralNetClassifier).parameters
    assert params["max_epochs"].default == 20 and params["fused_shapes"].default == "project"
    assert params["pos_weight"].default == 2.0 and params["optimizer"].default is torch.optim.Adam
    assert "module" not in params and params["kwargs"].kind is inspect.Parameter.VAR_KEYWORD

    # a user's subclass gets the same treatment
    class MeanOfScores(FusionClassifierMixin, FusionNet):
        def __init__(self, *, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def build_module(self, backbones, input_shapes, n_outputs):
            return WeightedMean(backbones, input_shapes)

    assert repr(MeanOfScores(scale=2.0, lr=0.1)) == "MeanOfScores(lr=0.1, scale=2.0)"
    assert clone(MeanOfScores(scale=2.0)).scale == 2.0

    class Wider(CentralNetClassifier):  # and a subclass of an estimator
        def __init__(self, *, width=8, **kwargs):
            super().__init__(**kwargs)
            self.width = width

    names = list(inspect.signature(Wider).parameters)
    assert names[:3] == ["width", "backbones", "central"] and names.count("pos_weight") == 1
    assert repr(Wider(width=4, beta=0.5)) == "Wider(beta=0.5, width=4)"
