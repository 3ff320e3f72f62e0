"""Sample weights and class weights in every estimator's loss."""

import numpy as np
import pytest
from sklearn import config_context
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.utils.validation import has_fit_parameter
from skorch.dataset import ValidSplit
from torch.utils.data import Subset

from skcentral import (MLP, CentralNetClassifier, CentralNetRegressor, Modalities,
                       ModalityBatchIterator, ModalityDataset, ModDropClassifier,
                       ModDropRegressor)
from skcentral._weights import check_class_weight, check_sample_weight
from skcentral.utils import all_estimators

# Full-batch training without dropout or batch normalisation: the loss is
# then exactly the weighted mean over the samples, as in scikit-learn.
EXACT = dict(backbones=MLP((8,), dropout=0.0, batch_norm=False), batch_size=-1,
             max_epochs=8, lr=0.05, random_state=0)
ESTIMATORS = [cls for _, cls in all_estimators()]


def exact(cls, **kw):
    params = dict(EXACT, **kw)
    if issubclass(cls, (ModDropClassifier, ModDropRegressor)):
        params["p_drop"] = 0.0  # modality dropout draws per sample
    return cls(**params)


def data(cls, n=40, seed=0):
    rng = np.random.default_rng(seed)
    Xs = [rng.normal(size=(n, 5)).astype(np.float32), rng.normal(size=(n, 3)).astype(np.float32)]
    signal = Xs[0][:, 0] + Xs[1][:, 0]
    y = (signal > 0).astype(int) + (signal > 1) if hasattr(cls, "predict_proba") else signal
    return Xs, y


def predictions(est, Xs):
    return est.predict_proba(Xs) if hasattr(est, "predict_proba") else est.predict(Xs)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_zero_weight_drops_and_integer_weight_repeats_samples(cls):
    Xs, y = data(cls)
    w = np.tile([0, 1, 2, 3], len(y) // 4)
    weighted = exact(cls).fit(Xs, y, sample_weight=w)
    repeated = exact(cls).fit([np.repeat(x, w, axis=0) for x in Xs], np.repeat(y, w))
    np.testing.assert_allclose(predictions(weighted, Xs), predictions(repeated, Xs),
                               rtol=1e-4, atol=1e-5)
    # and weights matter: the unweighted fit differs
    plain = exact(cls).fit(Xs, y)
    assert not np.allclose(predictions(plain, Xs), predictions(weighted, Xs), atol=1e-4)
    assert has_fit_parameter(weighted, "sample_weight")


def test_equal_weights_train_exactly_as_none():
    Xs, y = data(CentralNetClassifier)
    params = dict(EXACT, batch_size=16)
    a = CentralNetClassifier(**params).fit(Xs, y, sample_weight=np.full(len(y), 3.0))
    b = CentralNetClassifier(**params).fit(Xs, y)
    np.testing.assert_array_equal(a.predict_proba(Xs), b.predict_proba(Xs))


def test_mini_batches_carry_their_weights_through_a_validation_split():
    ids = np.arange(20, dtype=np.float32)
    ds = ModalityDataset([ids[:, None], ids[:, None]], y=ids, sample_weight=ids + 1)
    for xs, yb in ModalityBatchIterator(Subset(ds, np.arange(3, 20)), batch_size=4,
                                        shuffle=True, seed=0):
        np.testing.assert_array_equal(xs.sample_weight.numpy(), yb.numpy() + 1)
    Xs, y = data(CentralNetRegressor, n=64)
    reg = CentralNetRegressor(**dict(EXACT, batch_size=8),
                              train_split=ValidSplit(0.25, random_state=0))
    reg.fit(Xs, y, sample_weight=np.r_[np.zeros(32), np.ones(32)])
    assert np.isfinite(reg.history[:, "valid_loss"]).all()


def test_class_weight_balanced_and_dict_multiclass():
    rng = np.random.default_rng(0)
    Xs = [rng.normal(size=(120, 4)).astype(np.float32), rng.normal(size=(120, 3)).astype(np.float32)]
    y = np.where(np.arange(120) < 100, "common", "rare")
    clf = CentralNetClassifier(**dict(EXACT, max_epochs=30), class_weight="balanced").fit(Xs, y)
    np.testing.assert_allclose(clf.class_weight_, [120 / 200, 120 / 40])
    plain = CentralNetClassifier(**dict(EXACT, max_epochs=30)).fit(Xs, y)
    # balancing makes the rare class predicted more often on pure noise
    assert (clf.predict(Xs) == "rare").sum() > (plain.predict(Xs) == "rare").sum()
    # a dict equals the same weights given per sample
    by_class = CentralNetClassifier(**EXACT, class_weight={"rare": 4.0}).fit(Xs, y)
    by_sample = CentralNetClassifier(**EXACT).fit(Xs, y, sample_weight=np.where(y == "rare", 4.0, 1.0))
    np.testing.assert_allclose(by_class.predict_proba(Xs), by_sample.predict_proba(Xs),
                               rtol=1e-4, atol=1e-5)


def test_class_weight_multilabel_weighs_each_labels_terms():
    Y = np.array([[1, 0], [0, 0], [0, 0], [0, 1]] * 5)
    table = check_class_weight("balanced", Y, np.arange(2), "multilabel")
    np.testing.assert_allclose(table, [[20 / 30, 20 / 10], [20 / 30, 20 / 10]])
    np.testing.assert_array_equal(check_class_weight({1: 3.0}, Y, np.arange(2), "multilabel"),
                                  [[1, 1], [3, 3]])
    rng = np.random.default_rng(0)
    Xs = [rng.normal(size=(20, 4)).astype(np.float32), rng.normal(size=(20, 3)).astype(np.float32)]
    clf = CentralNetClassifier(**EXACT, class_weight="balanced").fit(Xs, Y)
    assert clf.class_weight_.shape == (2, 2) and clf.predict(Xs).shape == (20, 2)


def test_bad_weights_are_clear_errors_and_leave_the_fit_intact():
    Xs, y = data(CentralNetClassifier)
    clf = exact(CentralNetClassifier).fit(Xs, y)
    before = clf.predict_proba(Xs)
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(40,\).*\(39,\)"):
        clf.fit(Xs, y, sample_weight=np.ones(39))
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        clf.fit(Xs, y, sample_weight=-np.ones(40))
    with pytest.raises(ValueError, match="at least one non-zero weight"):
        clf.fit(Xs, y, sample_weight=np.zeros(40))
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(Xs, y, sample_weight=np.full(40, np.nan))
    with pytest.raises(ValueError, match=r"class_weight has keys \[7\] that are not classes"):
        clf.set_params(class_weight={7: 2.0}).fit(Xs, y)
    with pytest.raises(ValueError, match=r"class_weight must be None, \"balanced\" or a dict"):
        clf.set_params(class_weight="balance").fit(Xs, y)
    with pytest.raises(ValueError, match=r"class_weight\[1\] must be a finite number >= 0"):
        clf.set_params(class_weight={1: -1}).fit(Xs, y)
    np.testing.assert_array_equal(before, clf.predict_proba(Xs))
    from torch.utils.data import DataLoader
    with pytest.raises(ValueError, match="sample_weight needs iterator_train=ModalityBatchIterator"):
        exact(CentralNetClassifier, iterator_train=DataLoader).fit(
            Xs, y, sample_weight=np.arange(40))


def test_check_sample_weight_rescales_to_mean_one():
    np.testing.assert_allclose(check_sample_weight([0, 2, 4], 3), [0, 1, 2])
    assert check_sample_weight(None, 3) is None and check_sample_weight(5, 3) is None


def test_sample_weight_through_cross_validation_and_grid_search_with_routing():
    Xs, y = data(CentralNetRegressor, n=60)
    w = np.random.default_rng(0).integers(1, 4, size=60).astype(float)
    with config_context(enable_metadata_routing=True):
        reg = exact(CentralNetRegressor).set_fit_request(sample_weight=True) \
            .set_score_request(sample_weight=False)
        scores = cross_val_score(reg, Modalities(Xs), y, cv=KFold(3),
                                 params={"sample_weight": w})
        search = GridSearchCV(reg, {"lr": [0.01, 0.05]}, cv=KFold(2)).fit(
            Modalities(Xs), y, sample_weight=w)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    # the weights reached the fits: the refit equals a weighted fit
    direct = exact(CentralNetRegressor, lr=search.best_params_["lr"]).fit(Xs, y, sample_weight=w)
    np.testing.assert_allclose(search.best_estimator_.predict(Xs), direct.predict(Xs), rtol=1e-5)
