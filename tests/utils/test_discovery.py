import pytest

from skcentral import CentralNetClassifier, FusionNet, GMURegressor
from skcentral.utils import all_estimators


def test_every_public_estimator_is_found_once():
    found = dict(all_estimators())
    assert found["CentralNetClassifier"] is CentralNetClassifier
    assert FusionNet not in found.values()
    assert len(found) == len(all_estimators())


def test_type_filter_keeps_one_kind():
    classifiers = dict(all_estimators("classifier"))
    regressors = dict(all_estimators(["regressor"]))
    assert "GMURegressor" not in classifiers and regressors["GMURegressor"] is GMURegressor
    assert set(classifiers).isdisjoint(regressors)
    assert len(classifiers) + len(regressors) == len(all_estimators())


def test_unknown_type_filter_is_named():
    with pytest.raises(ValueError, match="transformer"):
        all_estimators("transformer")
