import pytest

from skcentral import LayerFusionClassifier, LeNet5


@pytest.mark.parametrize("op", ["sum", "subtract", "product"])
def test_ops_train_at_an_early_layer(small_digits, op):
    Xs, Xt, y, yt = small_digits
    clf = LayerFusionClassifier(backbones=LeNet5(dense=64), fusion_layer=1, op=op,
                                batch_size=32, max_epochs=4, random_state=0).fit(Xs, y)
    assert clf.score(Xt, yt) > 0.5


def test_ensemble_switch_and_depth_errors(small_digits):
    Xs, Xt, y, yt = small_digits
    clf = LayerFusionClassifier(backbones=LeNet5(dense=64), fusion_layer=0, ensemble=True,
                                batch_size=32, max_epochs=4, random_state=0).fit(Xs, y)
    assert clf.loss_weights() == [0.0, 1.0, 1.0, 1.0] and clf.score(Xt, yt) > 0.5
    with pytest.raises(ValueError, match=r"fusion_layer must be between 0 \(the inputs\) and 4"):
        LayerFusionClassifier(backbones=LeNet5(dense=8), fusion_layer=7).fit(Xs, y)
    with pytest.raises(ValueError, match="The 'op' parameter of LayerFusionClassifier"):
        LayerFusionClassifier(op="max").fit(Xs, y)
