import numpy as np
import pytest

from skcentral import ConcatClassifier, MLP, WeightedMeanClassifier


def test_weighted_mean_learns_its_weights(small_digits):
    Xs, Xt, y, yt = small_digits
    clf = WeightedMeanClassifier(backbones=MLP((32,)), lr=0.01, max_epochs=5,
                                 random_state=0).fit(Xs, y)
    assert clf.score(Xt, yt) > 0.7
    w = clf.weights_
    assert w.columns == ["modality_0", "modality_1"] and not np.allclose(w.weights, 0.5)
    assert clf.loss_weights() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize("multi_task, expected", [(False, [1.0, 0.0, 0.0]), (True, [1.0, 0.5, 0.5])])
def test_concat_multi_task_switch_sets_the_eq2_loss(small_digits, multi_task, expected):
    Xs, Xt, y, yt = small_digits
    clf = ConcatClassifier(backbones=MLP((32,)), multi_task=multi_task, beta=0.5, lr=0.01,
                           batch_size=32, max_epochs=5, random_state=0).fit(Xs, y)
    assert clf.loss_weights() == expected
    assert clf.score(Xt, yt) > 0.7


def test_weighted_mean_leaves_a_missing_modality_out_and_concat_refuses(small_digits):
    Xs, Xt, y, yt = small_digits
    wm = WeightedMeanClassifier(backbones=MLP((32,)), lr=0.01, batch_size=32, max_epochs=3,
                                random_state=0).fit(Xs, y)
    import torch
    w = wm.weights_.weights[0]
    scale = np.abs(w).sum() / abs(w[0])  # the renormalisation rule
    with torch.no_grad():
        logits = wm.module_.backbones[0].eval()(torch.as_tensor(Xt[0]))
    expected = torch.softmax(float(w[0] * scale) * logits, dim=1).numpy()
    np.testing.assert_allclose(wm.predict_proba([Xt[0], None]), expected, rtol=1e-4, atol=1e-6)
    concat = ConcatClassifier(backbones=MLP((8,)), max_epochs=1, random_state=0).fit(Xs, y)
    with pytest.raises(ValueError, match=r"ConcatClassifier cannot predict with missing modalities \('modality_1'\)"):
        concat.predict([Xt[0], None])


def test_concat_auto_rate_is_the_validated_one_and_an_explicit_rate_wins(small_digits):
    Xs, Xt, y, yt = small_digits
    fit = dict(backbones=MLP((8,)), max_epochs=1, random_state=0)
    rate = lambda clf: [g["lr"] for g in clf.optimizer_.param_groups]
    assert ConcatClassifier().lr == "auto"
    assert rate(ConcatClassifier(multi_task=True, **fit).fit(Xs, y)) == [0.003]
    plain = ConcatClassifier(**fit).fit(Xs, y)
    assert rate(plain) == [0.001]
    assert rate(ConcatClassifier(multi_task=True, lr=0.02, **fit).fit(Xs, y)) == [0.02]
    # switching the loss later moves the automatic rate with it, as a grid search does
    assert rate(plain.set_params(multi_task=True).fit(Xs, y)) == [0.003]
    with pytest.raises(ValueError, match="'lr' parameter of ConcatClassifier.*Got 'fast'"):
        ConcatClassifier(lr="fast", **fit).fit(Xs, y)
