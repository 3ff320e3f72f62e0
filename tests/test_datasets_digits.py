import numpy as np

from skcentral.datasets import load_multimodal_digits


def test_split_shapes_labels_and_pca_on_train_only():
    data = load_multimodal_digits(random_state=0)
    Xs_tr, Xs_te, y_tr, y_te = load_multimodal_digits(random_state=0, return_X_y=True)
    split = data.split
    np.testing.assert_array_equal(Xs_tr["b"], data.Xs_train[1])
    assert data.splits == ("train", "test") and data.modality_names == ["a", "b"]
    assert [x.shape for x in Xs_tr] == [(1347, 8, 8)] * 2
    assert [x.shape for x in Xs_te] == [(450, 8, 8)] * 2
    assert set(np.unique(y_tr)) == set(range(10)) == set(np.unique(y_te))
    assert split.pca_.n_samples_ == 1347


def test_reproducible_from_random_state():
    a = load_multimodal_digits(random_state=2, return_X_y=True)
    b = load_multimodal_digits(random_state=2, return_X_y=True)
    c = load_multimodal_digits(random_state=3, return_X_y=True)
    np.testing.assert_array_equal(a[0][0], b[0][0])
    assert not np.array_equal(a[2], c[2])
