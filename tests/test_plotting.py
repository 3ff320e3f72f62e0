import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from skcentral import CentralNetClassifier, GMUClassifier, MLP  # noqa: E402
from skcentral.plotting import plot_alphas, plot_robustness  # noqa: E402


def test_plot_alphas_draws_stacked_shares_for_centralnet_and_gmu(small_digits, tmp_path):
    Xs, _, y, _ = small_digits
    clf = CentralNetClassifier(backbones=MLP((16,)), max_epochs=1, random_state=0).fit(Xs, y)
    ax = plot_alphas(clf, title="alphas")
    assert len(ax.patches) == 3 * 3  # 3 sources x 3 fusion points
    heights = np.array([p.get_height() for p in ax.patches]).reshape(3, 3)
    np.testing.assert_allclose(heights.sum(0), 100.0)
    ax.figure.savefig(tmp_path / "alphas.png")
    gmu = GMUClassifier(backbones=MLP((16,)), max_epochs=1, random_state=0).fit(Xs, y)
    assert len(plot_alphas(gmu.gates_).patches) == 2
    with pytest.raises(TypeError, match="needs FusionWeights"):
        plot_alphas(object())


def test_plot_robustness_one_line_per_model():
    ax = plot_robustness({"a": ([0, 1, 2], [0.9, 0.7, 0.5])}, xlabel="drop rate")
    assert len(ax.lines) == 1 and ax.get_xlabel() == "drop rate"
