import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import KFold, train_test_split
from sklearn.utils import _safe_indexing

from skcentral import Modalities, check_modalities


def make(n=10):
    return [np.arange(n * 4, dtype=float).reshape(n, 2, 2), np.arange(n * 3.0).reshape(n, 3)]


def test_row_indexing_cuts_every_modality():
    Xs = Modalities(make(), names=["img", "vec"])
    assert Xs.shape == (10, 2) and len(Xs) == 10
    sub = Xs[np.array([1, 3])]
    assert isinstance(sub, Modalities) and sub.names == ["img", "vec"]
    np.testing.assert_array_equal(sub["vec"], make()[1][[1, 3]])
    np.testing.assert_array_equal(Xs[2:4][0], make()[0][2:4])
    mask = np.zeros(10, bool)
    mask[[0, 9]] = True
    np.testing.assert_array_equal(Xs[mask][1], make()[1][[0, 9]])


def test_int_and_name_select_a_modality_and_iteration_yields_modalities():
    Xs = Modalities({"img": make()[0], "vec": make()[1]})
    assert Xs[1] is Xs["vec"]
    assert [a.shape for a in Xs] == [(10, 2, 2), (10, 3)]
    with pytest.raises(KeyError, match="No modality named 'audio'"):
        Xs["audio"]


def test_sklearn_utilities_pass_it_through():
    Xs = Modalities(make())
    y = np.arange(10)
    a, b, ya, yb = train_test_split(Xs, y, test_size=0.3, random_state=0)
    assert isinstance(a, Modalities) and a.shape == (7, 2) and b.shape == (3, 2)
    np.testing.assert_array_equal(a[1][:, 0] // 3, ya)  # rows stay aligned with y
    for train, test in KFold(5).split(Xs):
        assert _safe_indexing(Xs, train).shape == (8, 2)


def test_ragged_rows_error_names_modalities_and_shapes():
    with pytest.raises(ValueError, match=r"same number of rows.*modality_0 \(10, 2, 2\).*modality_1 \(9, 3\)"):
        Modalities([make()[0], make()[1][:9]])


def test_check_modalities_accepts_list_dict_and_column_spec():
    X2d = np.hstack([make()[0].reshape(10, -1), make()[1]])
    Xs = check_modalities(X2d, modalities={"img": {"columns": 4, "shape": (2, 2)}, "vec": 3})
    assert Xs.names == ["img", "vec"] and Xs.sample_shapes == [(2, 2), (3,)]
    np.testing.assert_array_equal(Xs["img"], make()[0])
    assert check_modalities(make()).names == ["modality_0", "modality_1"]
    assert check_modalities({"a": make()[1]}).arrays[0].dtype == np.float32
    Xs = check_modalities(X2d, modalities=[slice(0, 4), [4, 5, 6]])
    np.testing.assert_array_equal(Xs[1], make()[1])


@pytest.mark.parametrize("bad, match", [
    (np.zeros((10, 7)), "needs a `modalities=` column spec"),
    ([np.zeros((0, 3))], "0 samples"),
    ([np.array([["a", "b"]] * 3)], "must hold numbers.*dtype <U1"),
    ([np.zeros(5)], r"shape \(n_samples, \.\.\.\).*got shape \(5,\)"),
    ([np.array([[1.0, np.nan], [0.0, np.inf]])], r"contains 2 NaN or infinite"),
])
def test_check_modalities_errors(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        check_modalities(bad)


def test_check_modalities_against_fitted_shapes():
    with pytest.raises(ValueError, match=r"3 modalities.*fitted on 2"):
        check_modalities(make() + [np.zeros((10, 1))], expected=[(2, 2), (3,)])
    with pytest.raises(ValueError, match=r"'modality_1' has per-sample shape \(4,\).*fitted with \(3,\)"):
        check_modalities([make()[0], np.zeros((10, 4))], expected=[(2, 2), (3,)])


def test_column_spec_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"reshapes img to \(3, 3\) \(9 values\) but it has 4"):
        check_modalities(np.zeros((2, 4)), modalities={"img": {"columns": 4, "shape": (3, 3)}})
    with pytest.raises(ValueError, match="X has only 4 columns"):
        check_modalities(np.zeros((2, 4)), modalities=[3, 3])


shapes = st.lists(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
                  min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 12), sample_shapes=shapes, data=st.data())
def test_row_indexing_and_column_specs_are_consistent(n, sample_shapes, data):
    rng = np.random.default_rng(n)
    arrays = [rng.normal(size=(n,) + s) for s in sample_shapes]
    Xs = check_modalities(arrays)
    rows = data.draw(st.lists(st.integers(0, n - 1), max_size=2 * n))
    sub = Xs[np.array(rows, dtype=int)]
    assert sub.shape == (len(rows), len(arrays))
    for a, b in zip(sub, arrays):
        np.testing.assert_array_equal(a, b[rows].astype(np.float32))
    # the same data as one 2-D array with a column spec
    flat = np.hstack([a.reshape(n, -1) for a in arrays])
    spec = [{"columns": int(np.prod(s)), "shape": s} for s in sample_shapes]
    again = check_modalities(flat, modalities=spec)
    for a, b in zip(again, Xs):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.integers(1, 6), min_size=2, max_size=4))
def test_ragged_rows_are_always_refused(rows):
    arrays = [np.zeros((r, 2)) for r in rows]
    if len(set(rows)) > 1:
        with pytest.raises(ValueError, match="same number of rows"):
            check_modalities(arrays)
    else:
        assert check_modalities(arrays).shape == (rows[0], len(rows))
