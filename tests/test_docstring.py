"""Every estimator's docstring lists all its parameters and fitted attributes."""

import inspect

import pytest
from numpydoc.docscrape import ClassDoc

from skcentral import CentralNetClassifier, FusionClassifierMixin, FusionNet, MLP
from skcentral._docstring import complete_doc
from skcentral.utils import all_estimators

SHARED = ["lr", "max_epochs", "batch_size", "device", "precision", "random_state",
          "callbacks", "train_split", "torch_threads"]


def _documented(cls, section):
    names = set()
    for p in ClassDoc(cls, config={"show_class_members": False})[section]:
        names.update(n.strip() for n in p.name.split(","))
    return names


@pytest.mark.parametrize("name, cls", all_estimators())
def test_every_parameter_and_attribute_is_documented(name, cls):
    params = _documented(cls, "Parameters")
    # ``module`` is skorch's, always built from the backbones
    expected = set(cls().get_params(deep=False)) - {"module"}
    assert expected <= params, f"{name} leaves {sorted(expected - params)} undocumented"
    assert set(SHARED) <= params
    attributes = _documented(cls, "Attributes")
    assert {"modality_names_", "n_modalities_", "module_", "history_"} <= attributes
    is_classifier = issubclass(cls, FusionClassifierMixin)
    assert ("classes_" in attributes) == is_classifier
    assert ("pos_weight" in params) == is_classifier == ("threshold" in params)
    # each parameter once
    entries = [p.name for p in ClassDoc(cls, config={"show_class_members": False})["Parameters"]]
    assert len(entries) == len(set(entries))


def test_regressor_repeats_its_classifier_method_parameters():
    from skcentral import CentralNetRegressor
    assert {"central", "alpha_form", "fused_shapes"} <= _documented(CentralNetRegressor,
                                                                    "Parameters")
    assert "alphas_" in _documented(CentralNetRegressor, "Attributes")


def test_a_user_subclass_is_completed_too():
    class Mine(FusionClassifierMixin, FusionNet):
        """My method.

        Parameters
        ----------
        width : int, default=3
            Its own parameter.
        **kwargs
            See FusionNet.
        """

    params = _documented(Mine, "Parameters")
    assert {"width", "lr", "pos_weight", "**kwargs"} <= params
    assert inspect.getdoc(Mine).count("**kwargs") == 1
    assert complete_doc(type("_Private", (CentralNetClassifier,), {"__doc__": "x"}),
                        FusionNet, FusionClassifierMixin) == "x"
    assert MLP.__doc__  # backbone specs keep their own docstrings


def _fusion_modules():
    import skcentral.fusion as fusion
    return [(n, getattr(fusion, n)) for n in fusion.__all__
            if inspect.isclass(getattr(fusion, n))]


@pytest.mark.parametrize("name, cls", _fusion_modules())
def test_fusion_modules_document_their_parameters_in_signature_order(name, cls):
    from skcentral.fusion import MultiBackbone
    signature = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    entries = [n.strip() for p in ClassDoc(cls, config={"show_class_members": False})
               ["Parameters"] for n in p.name.split(",")]
    assert entries == signature, name
    if issubclass(cls, MultiBackbone):
        assert {"backbones", "shapes", "names", "n_layers"} <= _documented(cls, "Attributes")
