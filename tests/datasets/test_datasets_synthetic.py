"""The synthetic Montalbano- and MM-IMDb-shaped generators."""

import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import Ridge

from skcentral import CentralNetClassifier, MLP
from skcentral.datasets import (MONTALBANO_LIKE_SEPARATION, make_mmimdb_like,
                                make_montalbano_like)


def test_montalbano_like_shapes_classes_padding():
    data = make_montalbano_like(400, random_state=0)
    assert data.modality_names == ["audio", "mocap", "left_hand", "right_hand"]
    assert [x.shape for x in data.Xs] == [(400, 400)] * 4
    assert all(x.dtype == np.float32 for x in data.Xs)
    assert data.y.dtype == np.int64
    counts = np.bincount(data.y)
    assert len(counts) == 20 and counts.min() == counts.max() == 20
    # audio and mocap (350 features) are zero-padded to 400, the hands are not
    for x, width in zip(data.Xs, [350, 350, 400, 400]):
        assert np.all(x[:, width:] == 0)
        assert np.all(x[:, :width].std(axis=0) > 0)
    assert "SYNTHETIC" in data.DESCR
    assert data.separation == MONTALBANO_LIKE_SEPARATION


def test_montalbano_like_unpadded_and_return_X_y():
    Xs, y = make_montalbano_like(50, random_state=1, pad_to=None, return_X_y=True)
    assert [x.shape[1] for x in Xs] == [350, 350, 400, 400]
    assert len(y) == 50


def test_montalbano_like_deterministic():
    a = make_montalbano_like(100, random_state=3)
    b = make_montalbano_like(100, random_state=3)
    c = make_montalbano_like(100, random_state=4)
    assert all(np.array_equal(x, z) for x, z in zip(a.Xs, b.Xs))
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.Xs[0], c.Xs[0])


def test_montalbano_like_informativeness_order():
    # the paper's unimodal order: mocap > right hand > audio > left hand
    data = make_montalbano_like(1600, random_state=0)
    acc = {}
    for name, X in zip(data.modality_names, data.Xs):
        clf = LinearDiscriminantAnalysis(solver="lsqr", shrinkage=0.5)
        acc[name] = clf.fit(X[:1200], data.y[:1200]).score(X[1200:], data.y[1200:])
    assert acc["mocap"] > acc["right_hand"] > acc["left_hand"]
    assert acc["audio"] > acc["left_hand"]
    assert acc["mocap"] > 0.6 and acc["left_hand"] < 0.6


@pytest.mark.parametrize("bad", [{"n_samples": 0}, {"n_classes": 1},
                                 {"separation": {"audio": 1.0}}, {"pad_to": 100}])
def test_montalbano_like_rejects_bad_arguments(bad):
    kwargs = {"n_samples": 10, **bad}
    with pytest.raises(ValueError):
        make_montalbano_like(random_state=0, **kwargs)


def test_mmimdb_like_shapes_and_label_density():
    data = make_mmimdb_like(2000, random_state=0, visual_features=256)
    assert data.modality_names == ["text", "visual"]
    assert [x.shape for x in data.Xs] == [(2000, 300), (2000, 256)]
    assert data.y.shape == (2000, 23) and set(np.unique(data.y)) == {0, 1}
    density = data.y.sum(axis=1).mean()
    assert 2.2 < density < 2.8  # MM-IMDb: about 2.5 genres per movie
    assert data.y.sum(axis=1).min() >= 1  # every movie has a genre
    freq = data.y.mean(axis=0)
    assert freq.max() > 0.4 and freq.min() < 0.06  # imbalanced, like MM-IMDb
    assert len(data.target_names) == 23
    assert "SYNTHETIC" in data.DESCR


def test_mmimdb_like_default_visual_width_and_determinism():
    Xs, Y = make_mmimdb_like(20, random_state=5, return_X_y=True)
    assert Xs[1].shape == (20, 4096)
    Xs2, Y2 = make_mmimdb_like(20, random_state=5, return_X_y=True)
    np.testing.assert_array_equal(Y, Y2)
    np.testing.assert_array_equal(Xs[1], Xs2[1])


def test_mmimdb_like_text_more_informative_than_visual():
    from sklearn.metrics import f1_score
    data = make_mmimdb_like(1500, random_state=0, visual_features=1024)
    f1 = {}
    for name, X in zip(data.modality_names, data.Xs):
        reg = Ridge(alpha=1000.0).fit(X[:1000], data.y[:1000])
        pred = (reg.predict(X[1000:]) > 0.3).astype(int)
        f1[name] = f1_score(data.y[1000:], pred, average="micro")
    assert f1["text"] > f1["visual"]


@pytest.mark.parametrize("bad", [{"n_samples": 0}, {"label_density": 0},
                                 {"label_density": 30}])
def test_mmimdb_like_rejects_bad_arguments(bad):
    kwargs = {"n_samples": 10, **bad}
    with pytest.raises(ValueError):
        make_mmimdb_like(random_state=0, **kwargs)


def test_fusion_estimators_train_on_synthetic_data():
    data = make_montalbano_like(160, random_state=0)
    clf = CentralNetClassifier(backbones=MLP((16,)), max_epochs=2, batch_size=42,
                               random_state=0)
    clf.fit([x[:120] for x in data.Xs], data.y[:120])
    assert clf.predict([x[120:] for x in data.Xs]).shape == (40,)

    mm = make_mmimdb_like(200, random_state=0, visual_features=64)
    clf = CentralNetClassifier(backbones=MLP((16,)), max_epochs=2, batch_size=50,
                               random_state=0)
    clf.fit([x[:150] for x in mm.Xs], mm.y[:150])
    pred = clf.predict([x[150:] for x in mm.Xs])
    assert pred.shape == (50, 23) and set(np.unique(pred)) <= {0, 1}
