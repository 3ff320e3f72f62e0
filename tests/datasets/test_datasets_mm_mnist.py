"""Multimodal MNIST from the real MNIST files: split sizes, energy, share ratio, cache."""

import os

import numpy as np
import pytest

from skcentral.datasets import fetch_mnist, load_multimodal_mnist, mm_mnist


def test_paper_split(shared_data, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    data = load_multimodal_mnist(0.5, 0.5, random_state=0, data_home=shared_data,
                                 cache=cache)
    mnist = fetch_mnist(shared_data, download=False)
    sizes = {"train": 55000, "valid": 5000, "test": 10000}
    for s, n in sizes.items():
        assert [x.shape for x in data[f"Xs_{s}"]] == [(n, 28, 28)] * 2
        assert all(x.dtype == np.float32 for x in data[f"Xs_{s}"])
        assert data[f"y_{s}"].dtype == np.int64
    # 55,000 = MNIST training images 5000-59999, validation = 0-4999
    np.testing.assert_array_equal(data.y_valid, mnist.y_train[:5000])
    np.testing.assert_array_equal(data.y_train, mnist.y_train[5000:])
    np.testing.assert_array_equal(data.y_test, mnist.y_test)

    # Energy actually kept, measured on the data rather than read from the
    # split: a projection onto some of the training images' principal axes
    # keeps their share of the training images' variance.
    originals = mnist.X_train[5000:].reshape(55000, -1) / 255.0
    whole = originals.var(axis=0).sum()
    for k in range(2):
        x = data.Xs_train[k].reshape(55000, -1).astype(np.float64)
        kept = x.var(axis=0).sum() / whole
        assert abs(kept - data.energy[k]) < 1e-3
        assert 0.5 - 0.02 <= kept <= 0.5 + 0.011
    # share ratio, from the component sets
    a, b = data.components
    shared = len(np.intersect1d(a, b)) / np.mean([len(a), len(b)])
    assert shared == pytest.approx(data.share_ratio)
    assert abs(shared - 0.5) < 0.05
    assert not np.array_equal(data.Xs_test[0], data.Xs_test[1])

    # the cache: one file, named by a format version and the arguments' hash,
    # read back without building
    (path,) = os.listdir(cache)
    assert path.startswith(f"mm_mnist-v{mm_mnist._VERSION}-") and path.endswith(".npz")
    monkeypatch.setattr(mm_mnist, "_build", lambda *a, **k: pytest.fail("rebuilt"))
    Xs_train, Xs_test, y_train, y_test = load_multimodal_mnist(
        0.5, 0.5, random_state=0, data_home=shared_data, cache=cache, return_X_y=True)
    for got, want in zip([*Xs_train, *Xs_test], [*data.Xs_train, *data.Xs_test]):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(y_test, data.y_test)
    assert "Energy kept: 0.5" in data.DESCR


def test_bad_arguments_fail_before_any_cache(shared_data, tmp_path):
    with pytest.raises(ValueError, match="energy must be in"):
        load_multimodal_mnist(energy=1.5, data_home=shared_data, cache=tmp_path)
    assert os.listdir(tmp_path) == []


def test_missing_mnist_names_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "mnist")):
        load_multimodal_mnist(data_home=tmp_path, download=False)
