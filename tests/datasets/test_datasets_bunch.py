"""Every loader and generator: named Modalities in one Bunch convention, sklearn-ready."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, train_test_split

from skcentral import MLP, Modalities, WeightedMeanClassifier
from skcentral.datasets import (load_montalbano, load_multimodal_digits, make_mmimdb_like,
                                make_montalbano_like, save_montalbano)


def _montalbano(tmp_path):
    rng = np.random.default_rng(0)

    def split(n):
        return {"audio": rng.random((n, 350)), "mocap": rng.random((n, 350)),
                "left_hand": rng.random((n, 400)), "right_hand": rng.random((n, 400)),
                "y": rng.integers(0, 20, n)}
    save_montalbano(tmp_path, {"train": split(30), "valid": split(10), "test": split(12)})
    return lambda **kw: load_montalbano(tmp_path, **kw)


@pytest.mark.parametrize("name", ["digits", "montalbano"])
def test_split_loaders_share_one_convention(name, tmp_path):
    load = {"digits": lambda **kw: load_multimodal_digits(random_state=0, **kw),
            "montalbano": _montalbano(tmp_path)}[name]
    data = load()
    assert data.splits[0] == "train" and data.splits[-1] == "test"
    for s in data.splits:
        Xs = data[f"Xs_{s}"]
        assert isinstance(Xs, Modalities) and Xs.names == data.modality_names
        assert len(Xs) == len(data[f"y_{s}"])
        assert Xs[0] is Xs[data.modality_names[0]]  # still indexes like a list
    assert isinstance(data.DESCR, str)
    Xs_train, Xs_test, y_train, y_test = load(return_X_y=True)
    assert Xs_train.names == data.modality_names
    np.testing.assert_array_equal(Xs_test[-1], data.Xs_test[-1])
    np.testing.assert_array_equal(y_train, data.y_train)


@pytest.mark.parametrize("make", [make_montalbano_like, make_mmimdb_like])
def test_generators_share_one_convention(make):
    data = make(60, random_state=0)
    assert data.splits == () and isinstance(data.Xs, Modalities)
    assert data.Xs.names == data.modality_names and len(data.y) == len(data.Xs) == 60
    Xs, y = make(60, random_state=0, return_X_y=True)
    np.testing.assert_array_equal(y, data.y)
    assert Xs.names == data.modality_names


def test_loader_output_goes_unwrapped_into_sklearn():
    data = load_multimodal_digits(random_state=0)
    Xs, y = data.Xs_train[:150], data.y_train[:150]
    assert Xs.names == ["a", "b"]
    clf = WeightedMeanClassifier(backbones=MLP((8,)), max_epochs=1, train_split=None,
                                 random_state=0)
    scores = cross_val_score(clf, data.Xs_train[:150], data.y_train[:150], cv=KFold(3))
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    Xa, Xb, ya, yb = train_test_split(Xs, y, test_size=50, random_state=0)
    assert (len(Xa), len(Xb)) == (100, 50) and Xa.names == ["a", "b"]
    search = GridSearchCV(clf, {"lr": [0.01, 0.001]}, cv=2).fit(data.Xs_train[:80],
                                                                  data.y_train[:80])
    assert search.best_estimator_.modality_names_ == ["a", "b"]


def test_return_X_y_needs_train_and_test(tmp_path):
    h5py = pytest.importorskip("h5py")
    import json

    from skcentral.datasets import load_mmimdb
    path = tmp_path / "m.hdf5"
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        f.create_dataset("features", data=rng.random((10, 300), dtype=np.float32))
        f.create_dataset("vgg_features", data=rng.random((10, 8), dtype=np.float32))
        g = f.create_dataset("genres", data=rng.integers(0, 2, (10, 23), dtype=np.int32))
        g.attrs["target_names"] = json.dumps([f"g{i}" for i in range(23)])
    Xs, Xt, y, yt = load_mmimdb(path, splits={"train": (0, 6), "test": (6, 10)},
                                return_X_y=True)
    assert Xs.names == ["text", "visual"] and yt.shape == (4, 23)
    with pytest.raises(ValueError, match=r"needs a 'train' and a 'test' split.*\['a', 'b'\]"):
        load_mmimdb(path, splits={"a": (0, 6), "b": (6, 10)}, return_X_y=True)
