import pytest
from sklearn.model_selection import GridSearchCV

from skcentral import MLP, Modalities, ModDropClassifier


def test_grid_search_tunes_p_drop(small_digits):
    Xs, Xt, y, yt = small_digits
    clf = ModDropClassifier(backbones=MLP((32,)), lr=0.01, max_epochs=4, random_state=0)
    search = GridSearchCV(clf, {"p_drop": [0.0, 0.3]}, cv=2).fit(Modalities(Xs), y)
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] != scores[1]  # p_drop reaches the model
    assert search.best_estimator_.module_.p_drop == search.best_params_["p_drop"]
    assert search.score(Modalities(Xt), yt) > 0.6


@pytest.mark.parametrize("p", [-0.1, 1.0])
def test_p_drop_out_of_range_is_refused_before_training(small_digits, p):
    Xs, _, y, _ = small_digits
    with pytest.raises(ValueError, match=r"'p_drop' parameter of ModDropClassifier .*\[0.0, 1.0\)"):
        ModDropClassifier(backbones=MLP((8,)), p_drop=p).fit(Xs, y)


def test_moddrop_training_makes_a_missing_modality_cost_less(digits):
    from skcentral.model_selection import robustness_curve
    Xs, Xt, y, yt = digits
    drops = {}
    for p in (0.0, 0.3):
        clf = ModDropClassifier(backbones=MLP((32,)), p_drop=p, lr=0.01, batch_size=32,
                                max_epochs=8, random_state=0).fit(Xs, y)
        levels, scores = robustness_curve(clf, Xt, yt, modality=1, kind="drop",
                                          levels=[0.0, 1.0])
        drops[p] = scores[0] - scores[1]
    assert drops[0.3] < drops[0.0]
