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


def test_plot_learning_curves_one_colour_per_row_best_epoch_and_rate_drops():
    from skcentral.plotting import plot_learning_curves

    def rec(config, seed, accs, lrs):
        return {"config": config, "seed": seed,
                "curve": [{"epoch": i + 1, "valid_acc": a, "event_lr": lr}
                          for i, (a, lr) in enumerate(zip(accs, lrs))]}
    ax = plot_learning_curves([rec("a", 0, [0.9, 0.95, 0.94], [1e-3, 1e-3, 2e-4]),
                               rec("a", 1, [0.9, 0.96], [1e-3, 1e-3]),
                               rec("b", 0, [0.8, 0.85], [1e-3, 1e-3]),
                               {"config": "no validation", "curve": [{"epoch": 1}]}])
    assert ax.get_legend_handles_labels()[1] == ["a", "b"]  # seeds share a colour
    lines = ax.lines
    assert lines[0].get_color() == lines[3].get_color() != lines[5].get_color()
    assert list(lines[0].get_ydata()) == pytest.approx([1000, 500, 600])
    assert list(lines[1].get_ydata()) == pytest.approx([500])  # best epoch kept
    assert list(lines[2].get_xdata()) == [3]  # first epoch at the lowered rate
    # more rows than colours: every row still drawn its own way
    ax = plot_learning_curves([rec(f"row{i}", 0, [0.9, 0.95], [1e-3, 1e-3]) for i in range(12)])
    curves = [line for line in ax.lines if len(line.get_xdata()) == 2]
    assert len({(line.get_color(), line.get_linestyle()) for line in curves}) == 12
