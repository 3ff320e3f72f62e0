"""On-disk modalities: memmap, HDF5 and zarr arrays read batch by batch."""

import pickle
import tracemalloc

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, train_test_split

from skcentral import (MLP, CentralNetClassifier, Modalities, OnDiskArray,
                       check_modalities)

h5py = pytest.importorskip("h5py")
zarr = pytest.importorskip("zarr")

KW = dict(backbones=MLP((8,), batch_norm=False), max_epochs=2, batch_size=16,
          random_state=0)


def memmap(path, a):
    mm = np.memmap(path, dtype=a.dtype, mode="w+", shape=a.shape)
    mm[:] = a
    mm.flush()
    return np.memmap(path, dtype=a.dtype, mode="r", shape=a.shape)


@pytest.fixture
def on_disk(tmp_path, rng):
    """The same two modalities in memory, as HDF5 + memmap, and as zarr."""
    a = rng.normal(size=(60, 5))                        # float64 on disk
    b = rng.normal(size=(60, 4)).astype(np.float32)
    y = (a[:, 0] + b[:, 0] > 0).astype(int)
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f["a"] = a
    f = h5py.File(tmp_path / "x.h5", "r")
    z = zarr.open_array(str(tmp_path / "b.zarr"), mode="w", shape=b.shape,
                        dtype="f4", chunks=(7, 4))
    z[:] = b
    yield {"memory": [a, b], "hdf5": [f["a"], memmap(tmp_path / "b.f32", b)],
           "zarr": [f["a"], z], "y": y}
    f.close()


@pytest.mark.parametrize("kind", ["hdf5", "zarr"])
def test_rows_read_as_numpy_indexes_them(on_disk, kind):
    mem, disk = on_disk["memory"], on_disk[kind]
    Xs = Modalities(disk, names=["a", "b"])
    assert all(isinstance(x, OnDiskArray) for x in Xs.arrays)
    assert Xs.sample_shapes == [(5,), (4,)] and Xs.arrays[0].dtype == np.float64
    # unsorted, repeated and negative rows: HDF5 itself accepts only increasing ones
    rows = np.array([7, 3, 3, 49, -1, 0])
    view = Xs[10:][rows]
    for got, want in zip(view.arrays, mem):
        np.testing.assert_array_equal(got.read(), want[10:][rows])
    mask = np.arange(60) % 3 == 0
    np.testing.assert_array_equal(np.asarray(Xs[mask]["b"]), mem[1][mask])
    np.testing.assert_array_equal(Xs["a"][4], mem[0][4])
    with pytest.raises(IndexError, match="out of range for 60 rows: 60"):
        Xs.arrays[0][[0, 60]]


def test_validation_reads_no_data_and_the_fit_reads_batches(tmp_path):
    a = np.zeros((40, 3))
    a[33] = np.nan
    b = memmap(tmp_path / "b.f64", np.ones((40, 2)))
    with h5py.File(tmp_path / "nan.h5", "w") as f:
        f["a"] = a
    with h5py.File(tmp_path / "nan.h5", "r") as f:
        Xs = check_modalities([f["a"], b])          # shapes and dtypes only
        assert [x.dtype for x in Xs.arrays] == [np.float32, np.float32]
        with pytest.raises(ValueError, match=r"Modality 'modality_0' \(on disk, shape "
                           r"\(40, 3\)\) holds NaN or infinite values in rows \[33\]"):
            CentralNetClassifier(**KW).fit(Xs, np.arange(40) % 2)


@pytest.mark.parametrize("kind", ["hdf5", "zarr"])
def test_fit_matches_the_in_memory_fit(on_disk, kind):
    mem, disk, y = on_disk["memory"], on_disk[kind], on_disk["y"]
    ref = CentralNetClassifier(**KW).fit(mem, y)
    clf = CentralNetClassifier(**KW).fit(disk, y)
    np.testing.assert_allclose(clf.history[:, "train_loss"], ref.history[:, "train_loss"],
                               rtol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(disk), ref.predict_proba(mem), rtol=1e-5)
    assert pickle.loads(pickle.dumps(clf)).predict(disk).shape == (60,)


def test_splitters_and_search_cut_lazy_views(on_disk):
    Xs, y = Modalities(on_disk["hdf5"]), on_disk["y"]
    X_train, X_test, y_train, _ = train_test_split(Xs, y, random_state=0)
    assert isinstance(X_train.arrays[0], OnDiskArray) and X_train.shape == (45, 2)
    search = GridSearchCV(CentralNetClassifier(**KW), {"lr": [0.01]}, cv=2).fit(X_train, y_train)
    assert search.predict(X_test).shape == (15,)


def test_pickled_views_reopen_the_files_instead_of_copying(on_disk, tmp_path):
    big = memmap(tmp_path / "big.f32", np.arange(50_000, dtype=np.float32).reshape(-1, 10))
    Xs = Modalities([on_disk["hdf5"][0], big[:60]])[[5, 1, 2]]
    # the memmap slice is a view: a whole-file memmap alone is reopened
    whole = Modalities([big])[[3, 9]]
    blob = pickle.dumps(whole)
    assert len(blob) < 2_000
    np.testing.assert_array_equal(pickle.loads(blob).arrays[0].read(), big[[3, 9]])
    back = pickle.loads(pickle.dumps(Xs))
    np.testing.assert_array_equal(back.arrays[0].read(), on_disk["memory"][0][[5, 1, 2]])


def test_a_fit_never_holds_the_whole_modality(tmp_path, rng):
    # 8 MB of float64 on disk: the in-memory path would hold a float32 copy (4 MB)
    a = memmap(tmp_path / "a.f64", rng.normal(size=(2_000, 500)))
    y = rng.integers(0, 2, 2_000)
    clf = CentralNetClassifier(backbones=MLP((4,), batch_norm=False), max_epochs=1,
                               batch_size=50, random_state=0)
    clf.fit([a[:100], a[:100]], y[:100])  # first-fit imports are not data
    tracemalloc.start()
    try:
        clf.fit([a, a], y).predict([a, a])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < a.nbytes / 4, peak


def test_length_and_dtype_disagreements_fail_before_training(tmp_path):
    with h5py.File(tmp_path / "bad.h5", "w") as f:
        f["short"] = np.zeros((9, 3))
        f["names"] = np.array([b"abc"] * 10)[:, None]
    b = memmap(tmp_path / "b.f32", np.zeros((10, 2), np.float32))
    with h5py.File(tmp_path / "bad.h5", "r") as f:
        with pytest.raises(ValueError, match=r"X: Every modality must have the same number "
                           r"of rows.*text \(9, 3\) float64 on disk, audio \(10, 2\) "
                           r"float32 on disk"):
            CentralNetClassifier(**KW).fit({"text": f["short"], "audio": b}, np.arange(10) % 2)
        with pytest.raises(ValueError, match=r"X: modality 'text' on disk must hold numbers; "
                           r"got dtype \|S3 \(shape \(10, 1\)\) where the others are "
                           r"'audio' float32"):
            CentralNetClassifier(**KW).fit({"text": f["names"], "audio": b}, np.arange(10) % 2)


def test_missing_rows_on_disk_read_as_zeros(tmp_path):
    a = np.ones((4, 2))
    a[1] = np.nan
    disk = memmap(tmp_path / "a.f64", a)
    Xs = check_modalities(Modalities([disk, np.ones((4, 2))],
                                     missing=[[0, 0], [1, 0], [0, 0], [0, 0]]),
                          expected=[(2,), (2,)], allow_missing=True)
    np.testing.assert_array_equal(Xs.arrays[0].read([1, 0]), [[0, 0], [1, 1]])
