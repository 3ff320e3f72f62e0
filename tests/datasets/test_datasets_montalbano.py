"""Montalbano: the documented one-.npz-per-split layout, written and read back."""

import os

import numpy as np
import pytest

from skcentral.datasets import _home, load_montalbano, save_montalbano

SIZES = {"audio": 350, "mocap": 350, "left_hand": 400, "right_hand": 400}


def make_split(rng, n, sizes=SIZES):
    split = {m: rng.standard_normal((n, d)).astype(np.float32) for m, d in sizes.items()}
    split["y"] = np.arange(n) % 20
    return split


@pytest.fixture
def splits():
    rng = np.random.default_rng(0)
    return {"train": make_split(rng, 60), "valid": make_split(rng, 20),
            "test": make_split(rng, 40)}


def test_roundtrip_and_padding(tmp_path, splits):
    paths = save_montalbano(tmp_path / "montalbano", splits)
    assert sorted(p.name for p in paths) == ["test.npz", "train.npz", "valid.npz"]
    data = load_montalbano(tmp_path / "montalbano")
    assert data.modality_names == ["audio", "mocap", "left_hand", "right_hand"]
    assert data.n_features == SIZES
    for s, n in (("train", 60), ("valid", 20), ("test", 40)):
        Xs = data[f"Xs_{s}"]
        assert [x.shape for x in Xs] == [(n, 400)] * 4
        assert all(x.dtype == np.float32 for x in Xs)
        np.testing.assert_array_equal(Xs[0][:, :350], splits[s]["audio"])
        assert not Xs[0][:, 350:].any() and not Xs[1][:, 350:].any()  # zero padding
        np.testing.assert_array_equal(Xs[2], splits[s]["left_hand"])
        np.testing.assert_array_equal(data[f"y_{s}"], splits[s]["y"])
        assert data[f"y_{s}"].dtype == np.int64
    raw = load_montalbano(tmp_path / "montalbano", pad_to=None)
    assert raw.Xs_train[0].shape == (60, 350)
    with pytest.raises(ValueError, match="more than pad_to=300"):
        load_montalbano(tmp_path / "montalbano", pad_to=300)


def test_data_home_default(tmp_path, splits, monkeypatch):
    save_montalbano(tmp_path / "montalbano", splits)
    monkeypatch.setenv("SKCENTRAL_DATA", str(tmp_path))
    assert len(load_montalbano().y_valid) == 20
    assert len(load_montalbano(data_home=tmp_path).y_test) == 40


def test_fits_an_estimator(tmp_path, splits):
    from skcentral import CentralNetClassifier, MLP

    save_montalbano(tmp_path, splits)
    data = load_montalbano(tmp_path)
    clf = CentralNetClassifier(backbones=MLP((16,)), max_epochs=1, batch_size=20,
                               train_split=None, random_state=0)
    clf.fit(data.Xs_train, data.y_train)
    assert clf.predict(data.Xs_test).shape == (40,)


def test_save_checks_before_writing(tmp_path, splits):
    bad = dict(splits)
    bad["test"] = {k: v for k, v in splits["test"].items() if k != "mocap"}
    with pytest.raises(ValueError, match=r"split 'test' lacks \['mocap'\]"):
        save_montalbano(tmp_path, bad)
    assert os.listdir(tmp_path) == []  # nothing written, not even train.npz
    bad["test"] = dict(splits["test"], mocap=splits["test"]["mocap"][:, :300])
    with pytest.raises(ValueError, match="mocap has 300 features but 350"):
        save_montalbano(tmp_path, bad)
    bad["test"] = dict(splits["test"], y=np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="one row per label"):
        save_montalbano(tmp_path, bad)
    bad["test"] = dict(splits["test"], y=np.full(40, 0.5))
    with pytest.raises(ValueError, match="integer labels"):
        save_montalbano(tmp_path, bad)
    with pytest.raises(ValueError, match="Unknown Montalbano split 'dev'"):
        save_montalbano(tmp_path, {"dev": splits["test"]})


def test_interrupted_save_keeps_previous_files(tmp_path, splits, monkeypatch):
    save_montalbano(tmp_path, splits)
    before = (tmp_path / "train.npz").read_bytes()
    real = _home._row_blocks

    def fail(arr):
        yield next(real(arr))  # one block written, then the disk is full
        raise OSError("No space left on device")

    monkeypatch.setattr(_home, "_row_blocks", fail)
    with pytest.raises(OSError, match="No space"):
        save_montalbano(tmp_path, {"train": make_split(np.random.default_rng(1), 60)})
    assert sorted(os.listdir(tmp_path)) == ["test.npz", "train.npz", "valid.npz"]
    assert (tmp_path / "train.npz").read_bytes() == before


def test_missing_truncated_and_wrong_files(tmp_path, splits):
    save_montalbano(tmp_path, splits)
    os.unlink(tmp_path / "valid.npz")
    with pytest.raises(FileNotFoundError, match=r"valid.npz not found"):
        load_montalbano(tmp_path)
    save_montalbano(tmp_path, splits)
    blob = (tmp_path / "test.npz").read_bytes()
    (tmp_path / "test.npz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match=r"test.npz is not a readable"):
        load_montalbano(tmp_path)
    np.savez(tmp_path / "test.npz", audio=np.zeros((3, 350)))
    with pytest.raises(ValueError, match=r"test.npz.*lacks the arrays"):
        load_montalbano(tmp_path)
    np.savez(tmp_path / "test.npz", **dict(splits["test"], right_hand=np.zeros(40)))
    with pytest.raises(ValueError, match=r"test.npz: right_hand must be a numeric"):
        load_montalbano(tmp_path)
