"""PerModality: one transformer per modality, shapes kept, inside Pipeline and searches."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

from skcentral import MLP, CentralNetClassifier, Modalities
from skcentral.preprocessing import PerModality


@pytest.fixture
def Xs(rng):
    return Modalities([3 + 5 * rng.standard_normal((60, 8, 8)), rng.random((60, 20))],
                      names=["visual", "audio"])


def test_one_scaler_for_every_modality_keeps_image_shapes(Xs):
    out = PerModality(StandardScaler()).fit_transform(Xs)
    assert out.names == ["visual", "audio"]
    assert out["visual"].shape == (60, 8, 8) and out["audio"].shape == (60, 20)
    # statistics are each modality's own, per pixel
    np.testing.assert_allclose(out["visual"].mean(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(out["audio"].std(axis=0), 1, atol=1e-10)


def test_per_modality_by_name_and_position_pca_changes_shape(Xs):
    pm = PerModality({"visual": PCA(n_components=5), 1: MinMaxScaler()}).fit(Xs)
    assert pm.sample_shapes_out_ == {"visual": (5,), "audio": (20,)}
    out = pm.transform(Xs)
    assert out["visual"].shape == (60, 5)
    np.testing.assert_allclose(out["audio"].min(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out["audio"].max(axis=0), 1)
    # transform of a plain list follows the fitted names and matches
    again = pm.transform([Xs[0], Xs[1]])
    np.testing.assert_allclose(again["visual"], out["visual"])
    # a dict leaves the rest to `remainder`: passthrough by default, or drop
    only = PerModality({"audio": StandardScaler()}, remainder="drop").fit_transform(Xs)
    assert only.names == ["audio"]
    kept = PerModality({"audio": StandardScaler()}).fit_transform(Xs)
    np.testing.assert_array_equal(kept["visual"], Xs["visual"])


def test_list_one_per_modality_and_keep_shape_false(Xs):
    out = PerModality([StandardScaler(), "passthrough"], keep_shape=False).fit_transform(Xs)
    assert out["visual"].shape == (60, 64)
    np.testing.assert_array_equal(out["audio"], Xs["audio"])


def test_feature_names_out(Xs):
    pm = PerModality({"visual": PCA(n_components=3), "audio": "drop"}).fit(Xs)
    assert pm.get_feature_names_out().tolist() == ["visual__pca0", "visual__pca1",
                                                   "visual__pca2"]
    names = PerModality(StandardScaler()).fit(Xs).get_feature_names_out()
    assert len(names) == 64 + 20 and names[0] == "visual__x0" and names[-1] == "audio__x19"
    with pytest.raises(AttributeError, match="modality 'visual'.*FunctionTransformer"):
        PerModality({"visual": FunctionTransformer(np.abs)}).fit(Xs).get_feature_names_out()


def test_params_reach_each_modality_and_clone(Xs):
    pm = PerModality({"visual": PCA(n_components=5), "audio": StandardScaler()})
    params = pm.get_params()
    assert params["visual__n_components"] == 5 and "audio__with_std" in params
    pm.set_params(visual__n_components=2)
    assert pm.fit_transform(Xs)["visual"].shape == (60, 2)
    pm.set_params(audio=PCA(n_components=4))
    assert pm.fit(Xs).sample_shapes_out_["audio"] == (4,)
    single = PerModality(StandardScaler()).set_params(transformer__with_mean=False)
    assert single.transformer.with_mean is False
    assert clone(pm).get_params()["visual__n_components"] == 2
    with pytest.raises(ValueError, match="Invalid parameter"):
        pm.set_params(nothere=1)


def test_errors_name_the_modality_and_shapes(Xs):
    with pytest.raises(ValueError, match=r"no modality named 'image'.*\['visual', 'audio'\]"):
        PerModality({"image": PCA()}).fit(Xs)
    with pytest.raises(ValueError, match="list of 3 entries but X has 2 modalities"):
        PerModality([PCA(), PCA(), PCA()]).fit(Xs)
    with pytest.raises(ValueError, match=r"fit_transform failed on modality 'visual' "
                       r"\(shape \(60, 8, 8\), flattened to \(60, 64\)\).*n_components"):
        PerModality({"visual": PCA(n_components=100)}).fit_transform(Xs)
    pm = PerModality(StandardScaler()).fit(Xs)
    with pytest.raises(ValueError, match=r"'visual' has per-sample shape \(4, 4\).*\(8, 8\)"):
        pm.transform([np.zeros((5, 4, 4)), np.zeros((5, 20))])
    with pytest.raises(ValueError, match="has 1 modalities"):
        pm.transform([np.zeros((5, 8, 8))])
    with pytest.raises(TypeError, match="got ndarray"):
        pm.transform(np.zeros((5, 84)))
    with pytest.raises(ValueError, match="'passthrough' or 'drop'"):
        PerModality("scale").fit(Xs)


def test_in_a_pipeline_tuned_by_grid_search(small_digits):
    Xs, Xt, y, yt = small_digits
    Xs = Modalities([x[:120] for x in Xs], names=["a", "b"])
    pipe = make_pipeline(
        # 2-D out: CentralNet zero-pads vectors (64,) and (k,) to a common width
        PerModality({"a": StandardScaler(), "b": PCA(n_components=8)}, keep_shape=False),
        CentralNetClassifier(backbones=MLP((8,)), max_epochs=1, train_split=None,
                             random_state=0))
    search = GridSearchCV(pipe, {"permodality__b__n_components": [4, 8]}, cv=2)
    search.fit(Xs, y[:120])
    assert search.best_params_["permodality__b__n_components"] in (4, 8)
    fitted = search.best_estimator_[-1]
    assert fitted.modality_names_ == ["a", "b"]
    assert search.predict([x[:10] for x in Xt]).shape == (10,)
