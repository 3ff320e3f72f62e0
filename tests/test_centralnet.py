import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from skcentral import CentralNetClassifier, CentralNetRegressor, LeNet5, MLP, Modalities


def test_the_issue_example_runs_as_a_sklearn_user_expects(small_digits):
    Xs_train, Xs_test, y_train, y_test = small_digits
    clf = CentralNetClassifier(backbones=[LeNet5(dense=64), LeNet5(dense=64)], beta=1.0,
                               max_epochs=4, batch_size=32, random_state=0)
    clf.fit(Xs_train, y_train)
    assert clf.score(Xs_test, y_test) > 0.6
    search = GridSearchCV(clf, {"beta": [0.5, 1.0]}, cv=2).fit(Modalities(Xs_train), y_train)
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] != scores[1]  # beta changes the model
    assert search.best_params_["beta"] == [0.5, 1.0][int(np.argmax(scores))]
    # the refitted best model is the one a user gets by fitting that beta directly
    direct = clone(clf).set_params(beta=search.best_params_["beta"]).fit(Xs_train, y_train)
    np.testing.assert_array_equal(search.best_estimator_.predict_proba(Xs_test),
                                  direct.predict_proba(Xs_test))
    scores = cross_val_score(clf.set_params(max_epochs=10), Modalities(Xs_train), y_train,
                             cv=2, n_jobs=2)
    assert scores.shape == (2,) and (scores > 0.6).all()


def test_alphas_are_labelled_shares_of_100_percent(small_digits):
    Xs, _, y, _ = small_digits
    clf = CentralNetClassifier(backbones=MLP((16, 16)), max_epochs=2, random_state=0).fit(Xs, y)
    a = clf.alphas_
    assert a.columns == ["central", "modality_0", "modality_1"]
    assert a.points[0] == "0 (stem)" and a.points[-1] == "3 (prediction)"
    np.testing.assert_allclose(np.nansum(a.shares, axis=1), 100.0)
    assert np.isnan(a["central"][0])
    assert "fusion point" in repr(a) and "%" in repr(a)
    d = a.to_dict()
    assert d["central"]["weight"][0] is None and len(d["modality_1"]["share"]) == 4


def test_alphas_report_the_modules_weights_and_their_shares(small_digits):
    Xs, _, y, _ = small_digits
    clf = CentralNetClassifier(backbones=MLP((16,)), random_state=0).fit(Xs, y, epochs=0)
    with torch.no_grad():
        clf.module_.alpha_modalities.copy_(torch.tensor([[0.6, -0.2], [-0.3, 0.5], [0.4, 0.8]]))
        clf.module_.alpha_central.copy_(torch.tensor([-0.5, 0.25]))
        clf.module_.alpha_fused.copy_(torch.tensor([2.0, -1.0, 0.5]))
    a = clf.alphas_
    expected = np.array([[np.nan, 1.2, -0.4], [-0.5, 0.3, -0.5], [0.25, 0.2, 0.4]])
    np.testing.assert_allclose(a.weights, expected, rtol=1e-6)
    np.testing.assert_allclose(a.shares, [[np.nan, 75.0, 25.0], [38.4615, 23.0769, 38.4615],
                                          [29.4118, 23.5294, 47.0588]], rtol=1e-5)
    np.testing.assert_allclose(a["modality_1"], [-0.4, -0.5, 0.4], rtol=1e-6)


@pytest.mark.parametrize("alpha_form", ["eq1", "eq3"])
def test_both_alpha_forms_train_and_the_alphas_move(small_digits, alpha_form):
    Xs, Xt, y, yt = small_digits
    clf = CentralNetClassifier(backbones=MLP((32,)), alpha_form=alpha_form, lr=0.01,
                               max_epochs=5, random_state=0).fit(Xs, y)
    assert clf.score(Xt, yt) > 0.6
    w = clf.alphas_.weights
    assert not np.allclose(w[1:, :], 1 / 3, atol=1e-3)


def test_in_a_pipeline_with_a_modality_aware_step(small_digits):
    from sklearn.preprocessing import FunctionTransformer
    Xs, Xt, y, yt = small_digits
    double = FunctionTransformer(lambda X: Modalities([2 * a for a in X], names=X.names))
    pipe = make_pipeline(double, CentralNetClassifier(backbones=MLP((32,)), max_epochs=3,
                                                      random_state=0, lr=0.01))
    pipe.fit(Modalities(Xs), y)
    assert pipe.score(Modalities(Xt), yt) > 0.5


def test_project_option_fuses_modalities_of_different_sizes(rng):
    n = 120
    y = rng.integers(0, 2, n)
    text = rng.normal(size=(n, 5)) + y[:, None]
    image = rng.normal(size=(n, 12)) + y[:, None]
    for mode in ["pad", "project"]:
        clf = CentralNetClassifier(backbones=MLP((8,)), fused_shapes=mode, max_epochs=20,
                                   lr=0.01, random_state=0).fit([text, image], y)
        assert clf.score([text, image], y) > 0.8


def interaction_data(n, seed):
    """Modalities of 6, 10 and 3 features; y needs a product across two of them."""
    rng = np.random.default_rng(seed)
    Xs = [rng.normal(size=(n, d)).astype(np.float32) for d in (6, 10, 3)]
    return Xs, Xs[0][:, 0] + Xs[2][:, 0] + 2 * Xs[0][:, 1] * Xs[1][:, 1]


def test_default_fuses_a_cross_modal_interaction_of_unequal_sizes():
    # zero-padding sums feature 1 of the first two modalities into one unit,
    # so the central network cannot form their product; projection can
    (Xs, y), (Xt, yt) = interaction_data(400, 0), interaction_data(500, 1)
    params = dict(backbones=MLP((16,), dropout=0.0, batch_norm=False), lr=0.02,
                  batch_size=64, max_epochs=40, random_state=0)
    default = CentralNetRegressor(**params).fit(Xs, y)
    padded = CentralNetRegressor(fused_shapes="pad", **params).fit(Xs, y)
    assert default.score(Xt, yt) > 0.7 and padded.score(Xt, yt) < 0.65
    assert default.module_.point_shapes[0] == (10,)
    with pytest.raises(ValueError, match=r"The 'fused_shapes' parameter of CentralNetRegressor .*Got 'zero'"):
        CentralNetRegressor(fused_shapes="zero", **params).fit([Xs[1], Xs[1]], y)


def xor_data(rng, n=600):
    a, b = rng.normal(size=(n, 4)), rng.normal(size=(n, 4))
    return [a, b], ((a[:, 0] > 0) ^ (b[:, 0] > 0)).astype(int)


def test_fusion_beats_every_single_modality_when_the_label_needs_both(rng):
    from skcentral import UnimodalClassifier
    (a, b), y = xor_data(rng)
    (ta, tb), yt = xor_data(rng)
    params = dict(backbones=MLP((32, 16), dropout=0), lr=0.01, batch_size=32, max_epochs=25,
                  random_state=0)
    fused = CentralNetClassifier(**params).fit([a, b], y).score([ta, tb], yt)
    single = [UnimodalClassifier(modality=k, **params).fit([a, b], y).score([ta, tb], yt)
              for k in (0, 1)]
    assert fused > 0.8 and max(single) < 0.65


def test_four_modalities_with_per_modality_beta_and_unequal_sizes(rng):
    n = 240
    y = rng.integers(0, 3, n)
    Xs = [rng.normal(size=(n, d)) + y[:, None] for d in (35, 35, 40, 40)]
    clf = CentralNetClassifier(backbones=MLP((16, 8), dropout=0), beta=[1, 0.5, 0.5, 0],
                               lr=0.01, batch_size=32, max_epochs=10, random_state=0).fit(Xs, y)
    assert clf.module_.point_shapes[0] == (40,) and clf.alphas_.weights.shape == (4, 5)
    assert clf.loss_weights() == [1.0, 1.0, 0.5, 0.5, 0.0]
    assert clf.score(Xs, y) > 0.9


def test_predict_with_a_missing_modality(small_digits):
    Xs, Xt, y, yt = small_digits
    clf = CentralNetClassifier(backbones=MLP((32,)), lr=0.01, batch_size=32, max_epochs=5,
                               random_state=0).fit(Xs, y)
    full = clf.score(Xt, yt)
    only_first = clf.score([Xt[0], None], yt)
    assert 0.3 < only_first <= full + 0.05
    mask = np.zeros((len(yt), 2), bool)
    mask[:100, 1] = True
    Xm = Modalities([Xt[0], Xt[1].copy()], missing=mask)
    Xm[1][:100] = np.nan  # values of missing samples are ignored
    proba = clf.predict_proba(Xm)
    np.testing.assert_allclose(proba[100:], clf.predict_proba(Xt)[100:], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(proba[:100], clf.predict_proba([Xt[0], None])[:100],
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="every modality missing"):
        clf.predict(Modalities(Xt, missing=np.ones((len(yt), 2), bool)))
    with pytest.raises(ValueError, match="accepted only by `predict`"):
        clf.fit([Xs[0], None], y)
