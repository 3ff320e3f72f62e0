import numpy as np
import pytest
from sklearn.datasets import load_digits

from skcentral.datasets import PCASplit, make_pca_split

IMAGES = load_digits().images / 16.0


@pytest.mark.parametrize("energy", [0.25, 0.5])
@pytest.mark.parametrize("share_ratio", [0.0, 0.5, 0.9])
def test_energy_and_share_ratio_are_respected(energy, share_ratio):
    split = PCASplit(energy, share_ratio, random_state=0).fit(IMAGES)
    assert np.all(np.abs(split.energy_ - energy) <= 0.03)
    assert abs(split.share_ratio_ - share_ratio) <= 0.15
    a, b = (set(c) for c in split.components_)
    if share_ratio == 0:
        assert not a & b


def test_modalities_are_projections_keeping_that_energy():
    split = PCASplit(0.5, 0.5, random_state=1).fit(IMAGES)
    a, b = split.transform(IMAGES)
    assert a.shape == IMAGES.shape and a.dtype == np.float32
    centred = IMAGES - IMAGES.mean(0)
    kept = ((a - IMAGES.mean(0)) ** 2).sum() / (centred ** 2).sum()
    np.testing.assert_allclose(kept, split.energy_[0], rtol=1e-3)
    assert not np.allclose(a, b)


def test_the_union_holds_what_both_modalities_know():
    split = PCASplit(0.5, 0.5, random_state=1).fit(IMAGES)
    a, b = split.transform(IMAGES)
    u = split.transform_union(IMAGES)
    centred, mean = IMAGES - IMAGES.mean(0), IMAGES.mean(0)
    union = np.union1d(*split.components_)
    kept = ((u - mean) ** 2).sum() / (centred ** 2).sum()
    np.testing.assert_allclose(kept, split.pca_.explained_variance_ratio_[union].sum(),
                               rtol=1e-3)
    assert split.energy_.max() < kept < 1  # more than either modality, less than the image
    # projecting the union onto a modality's components gives that modality back
    basis = split.pca_.components_[split.components_[0]]
    flat = (u - mean).reshape(len(u), -1)
    back = (flat @ basis.T @ basis).reshape(u.shape) + mean
    np.testing.assert_allclose(back, a, atol=1e-4)


def test_reproducible_and_fitted_on_the_given_images_only():
    (a1, _), s1 = make_pca_split(IMAGES[:50], random_state=3, fit_images=IMAGES[100:])
    (a2, _), s2 = make_pca_split(IMAGES[:50], random_state=3, fit_images=IMAGES[100:])
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_allclose(s1.pca_.mean_, IMAGES[100:].reshape(-1, 64).mean(0))


def test_bad_arguments():
    with pytest.raises(ValueError, match="energy must be in"):
        PCASplit(energy=0).fit(IMAGES)
    with pytest.raises(ValueError, match="share_ratio must be in"):
        PCASplit(share_ratio=1.5).fit(IMAGES)
    split = PCASplit().fit(IMAGES)
    with pytest.raises(ValueError, match=r"per-sample shape \(4, 4\).*fitted on \(8, 8\)"):
        split.transform(np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match=r"per-sample shape \(4, 4\)"):
        split.transform_union(np.zeros((2, 4, 4)))
