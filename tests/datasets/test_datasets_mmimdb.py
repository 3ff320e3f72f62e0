"""MM-IMDb: small HDF5 files written in the published layout."""

import json

import numpy as np
import pytest

from skcentral.datasets import MMIMDB_SPLITS, load_mmimdb

h5py = pytest.importorskip("h5py")

GENRES = ["Drama", "Comedy", "Romance", "Thriller", "Crime", "Action", "Adventure",
          "Horror", "Documentary", "Mystery", "Sci-Fi", "Fantasy", "Family",
          "Biography", "War", "History", "Music", "Animation", "Musical",
          "Western", "Sport", "Short", "Film-Noir"]
SMALL = {"train": (0, 12), "valid": (12, 16), "test": (16, 24)}


def write(path, n=24, text=300, visual=4096, names=GENRES, genres=None, drop=None):
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        arrays = {"features": rng.standard_normal((n, text)).astype(np.float32),
                  "vgg_features": rng.random((n, visual), dtype=np.float32),
                  "genres": rng.integers(0, 2, (n, 23), dtype=np.int32)
                  if genres is None else genres}
        for key, value in arrays.items():
            if key != drop:
                f.create_dataset(key, data=value)
        if drop != "genres" and names is not None:
            f["genres"].attrs["target_names"] = json.dumps(names)
    return arrays


def test_small_file(tmp_path):
    arrays = write(tmp_path / "multimodal_imdb.hdf5")
    data = load_mmimdb(tmp_path / "multimodal_imdb.hdf5", splits=SMALL)
    assert data.target_names == GENRES and data.modality_names == ["text", "visual"]
    for s, (a, b) in SMALL.items():
        text, visual = data[f"Xs_{s}"]
        assert text.shape == (b - a, 300) and visual.shape == (b - a, 4096)
        assert text.dtype == visual.dtype == np.float32
        np.testing.assert_array_equal(text, arrays["features"][a:b])
        np.testing.assert_array_equal(visual, arrays["vgg_features"][a:b])
        np.testing.assert_array_equal(data[f"y_{s}"], arrays["genres"][a:b])
    assert "rows [16, 24)" in data.DESCR


def test_default_path_and_split(tmp_path, monkeypatch):
    (tmp_path / "mmimdb").mkdir()
    write(tmp_path / "mmimdb" / "multimodal_imdb.hdf5", n=30)
    monkeypatch.setenv("SKCENTRAL_DATA", str(tmp_path))
    # the published split needs 25,959 rows: a small file must say its own
    with pytest.raises(ValueError, match=r"has 30 rows; the 'train' split asks for "
                       r"rows \[0, 15552\).*pass splits="):
        load_mmimdb()
    assert MMIMDB_SPLITS == {"train": (0, 15552), "valid": (15552, 18160),
                             "test": (18160, 25959)}
    data = load_mmimdb(data_home=tmp_path, splits={"train": (0, 20), "test": (20, 30)})
    assert data.y_train.shape == (20, 23) and data.y_test.shape == (10, 23)


def test_multilabel_fit(tmp_path):
    from skcentral import CentralNetClassifier, MLP

    write(tmp_path / "m.hdf5")
    data = load_mmimdb(tmp_path / "m.hdf5", splits=SMALL)
    # one genre as a binary target: the multilabel estimators are elsewhere
    clf = CentralNetClassifier(backbones=MLP((8,)), max_epochs=1, train_split=None,
                               random_state=0)
    clf.fit(data.Xs_train, data.y_train[:, 0])
    assert clf.predict(data.Xs_test).shape == (8,)


def test_missing_corrupt_and_wrong_layout(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothere.hdf5 not found"):
        load_mmimdb(tmp_path / "nothere.hdf5")
    path = tmp_path / "m.hdf5"
    write(path)
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) // 3])
    with pytest.raises(ValueError, match=r"m.hdf5 is not a readable HDF5 file"):
        load_mmimdb(path, splits=SMALL)
    path.write_bytes(b"not an hdf5 file at all")
    with pytest.raises(ValueError, match=r"m.hdf5 is not a readable HDF5 file"):
        load_mmimdb(path, splits=SMALL)
    write(path, drop="vgg_features")
    with pytest.raises(ValueError, match=r"lacks the dataset\(s\) \['vgg_features'\]"):
        load_mmimdb(path, splits=SMALL)
    write(path, names=None)
    with pytest.raises(ValueError, match=r"target_names'\] must be a JSON list"):
        load_mmimdb(path, splits=SMALL)
    write(path, names=GENRES[:5])
    with pytest.raises(ValueError, match=r"must list 23 names"):
        load_mmimdb(path, splits=SMALL)
    write(path, genres=np.full((24, 23), 2, dtype=np.int32))
    with pytest.raises(ValueError, match=r"values other than 0 and 1"):
        load_mmimdb(path, splits=SMALL)
    with h5py.File(path, "w") as f:
        f.create_dataset("features", data=np.zeros((24, 300), np.float32))
        f.create_dataset("vgg_features", data=np.zeros((20, 4096), np.float32))
        f.create_dataset("genres", data=np.zeros((24, 23), np.int32))
    with pytest.raises(ValueError, match=r"one row per movie"):
        load_mmimdb(path, splits=SMALL)


def test_lazy_leaves_features_on_disk_and_fits_the_same(tmp_path):
    from skcentral import MLP, CentralNetClassifier, OnDiskArray
    arrays = write(tmp_path / "multimodal_imdb.hdf5")
    eager = load_mmimdb(tmp_path / "multimodal_imdb.hdf5", splits=SMALL)
    lazy = load_mmimdb(tmp_path / "multimodal_imdb.hdf5", splits=SMALL, lazy=True)
    text, visual = lazy.Xs_valid
    assert isinstance(text, OnDiskArray) and text.shape == (4, 300)
    assert visual.dtype == np.float32 and visual.source.name == "/vgg_features"
    np.testing.assert_array_equal(np.asarray(text), arrays["features"][12:16])
    np.testing.assert_array_equal(lazy.y_valid, eager.y_valid)
    kw = dict(backbones=MLP((8,), batch_norm=False), max_epochs=2, batch_size=4,
              random_state=0)
    a = CentralNetClassifier(**kw).fit(eager.Xs_train, eager.y_train)
    b = CentralNetClassifier(**kw).fit(lazy.Xs_train, lazy.y_train)
    np.testing.assert_allclose(b.predict_proba(lazy.Xs_test), a.predict_proba(eager.Xs_test),
                               rtol=1e-6)
