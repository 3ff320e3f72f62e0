import numpy as np
import pytest

from skcentral import EnsembleClassifier, MLP, UnimodalClassifier


def test_ensemble_of_three_networks_on_one_input(small_digits):
    Xs, Xt, y, yt = small_digits
    clf = EnsembleClassifier(backbones=MLP((32,)), n_estimators=3, lr=0.01, max_epochs=4,
                             random_state=0).fit([Xs[0]], y)
    assert len(clf.module_.backbones) == 3 and clf.loss_weights() == [0.0, 1.0, 1.0, 1.0]
    assert clf.score([Xt[0]], yt) > 0.5


def test_unimodal_uses_only_its_modality(small_digits):
    Xs, Xt, y, yt = small_digits
    clf = UnimodalClassifier(modality=1, backbones=MLP((32,)), lr=0.01, max_epochs=4,
                             random_state=0).fit(Xs, y)
    noise = np.random.default_rng(0).normal(size=Xt[0].shape).astype(np.float32)
    np.testing.assert_array_equal(clf.predict_proba(Xt), clf.predict_proba([noise, Xt[1]]))
    by_name = UnimodalClassifier(modality="modality_1", backbones=MLP((32,)), lr=0.01,
                                 max_epochs=4, random_state=0).fit(Xs, y)
    np.testing.assert_array_equal(clf.predict_proba(Xt), by_name.predict_proba(Xt))
    with pytest.raises(ValueError, match=r"modality must be a name in .* or an index in \[0, 2\)"):
        UnimodalClassifier(modality=2).fit(Xs, y)


def test_ensemble_averages_the_present_members(small_digits):
    Xs, Xt, y, yt = small_digits
    clf = EnsembleClassifier(backbones=MLP((16,)), lr=0.01, batch_size=32, max_epochs=2,
                             random_state=0).fit(Xs, y)
    import torch
    with torch.no_grad():
        member = clf.module_.backbones[1].eval()(torch.as_tensor(Xt[1])).softmax(1).numpy()
    np.testing.assert_allclose(clf.predict_proba([None, Xt[1]]), member, rtol=1e-4, atol=1e-6)
