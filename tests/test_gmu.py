import numpy as np

from skcentral import GMUClassifier, MLP


def test_gates_after_fit_are_shares_per_modality(small_digits):
    Xs, Xt, y, yt = small_digits
    clf = GMUClassifier(backbones=MLP((32,)), lr=0.01, batch_size=32, max_epochs=5, random_state=0).fit(Xs, y)
    assert clf.score(Xt, yt) > 0.7
    assert clf.gate_activations_.shape == (2, 32)
    np.testing.assert_allclose(clf.gates_.weights.sum(), 1.0, rtol=1e-5)
    per_sample = clf.gate_activations(Xt)
    assert per_sample.shape == (200, 2, 32)
    np.testing.assert_allclose(per_sample.sum(axis=1), 1.0, rtol=1e-5)


def test_a_missing_modality_gets_gate_zero(small_digits):
    Xs, Xt, y, yt = small_digits
    clf = GMUClassifier(backbones=MLP((32,)), lr=0.01, batch_size=32, max_epochs=3,
                        random_state=0).fit(Xs, y)
    z = clf.gate_activations([Xt[0], None])
    np.testing.assert_allclose(z[:, 1], 0.0)
    np.testing.assert_allclose(z[:, 0], 1.0)
    assert clf.score([None, Xt[1]], yt) > 0.3
