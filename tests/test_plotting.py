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
    # runs without validation: an empty plot that says so, not an empty legend
    ax = plot_learning_curves([{"config": "no validation", "curve": [{"epoch": 1}]}])
    assert ax.get_legend() is None and "no run has a validation" in ax.texts[0].get_text()


def _fig4_rows(settings, methods=("unimodal", "centralnet"), half=5.0):
    return [{"row": m, "variant": {"energy": e, "share_ratio": s},
             "mean": 100 * (1 - e) + 10 * s + (50 if m == "unimodal" else 0),
             "half_width": half}
            for m in methods for e, s in settings]


def test_plot_settings_one_panel_per_parameter_as_figure_4():
    from skcentral.plotting import plot_settings
    fig4 = [(0.1, 0.5), (0.25, 0.5), (0.5, 0.5), (0.5, 0.0), (0.5, 0.1), (0.5, 0.9)]
    rows = _fig4_rows(fig4)
    energy, share = plot_settings(rows)
    assert (energy.get_xlabel(), share.get_xlabel()) == ("energy", "share ratio")
    assert energy.get_title() == "at share ratio 0.5" and share.get_title() == "at energy 0.5"
    # per panel, a line per method over the settings that vary only its parameter
    lines = [c.lines[0] for c in energy.containers]  # each method's data line
    assert [list(line.get_xdata()) for line in lines] == [[0.1, 0.25, 0.5]] * 2
    assert list(lines[0].get_ydata()) == pytest.approx([145, 130, 105])  # unimodal
    lines = [c.lines[0] for c in share.containers]
    assert [list(line.get_xdata()) for line in lines] == [[0.0, 0.1, 0.5, 0.9]] * 2
    assert energy.get_legend_handles_labels()[1] == ["unimodal", "centralnet"]
    # a method run on part of the grid is drawn where it was run
    partial = _fig4_rows(fig4[:2], methods=("ensemble",))
    energy, share = plot_settings(rows + partial)
    assert energy.get_legend_handles_labels()[1][-1] == "ensemble"
    assert "ensemble" not in share.get_legend_handles_labels()[1]
    # the 99% intervals as error bars; one seed: none, the points still drawn
    assert all(c.has_yerr for c in energy.containers)
    one_seed = plot_settings(_fig4_rows(fig4, half=float("nan")))[0].containers
    assert len(one_seed) == 2 and not any(c.has_yerr for c in one_seed)
    # errors from 200 to 2,000: a log axis, its ticks plain numbers at 1, 2, 3, 5 per decade
    energy = plot_settings(rows, yscale="log")[0]
    label = energy.yaxis.get_minor_formatter()
    assert energy.get_yscale() == "log"
    assert [label(v, 0) for v in (300, 700, 2000)] == ["300", "", "2000"]


def test_plot_settings_errors_name_the_settings_and_the_axes():
    import matplotlib.pyplot as plt

    from skcentral.plotting import plot_settings
    with pytest.raises(ValueError, match="at least two settings.*'energy': 0.5"):
        plot_settings(_fig4_rows([(0.5, 0.5)]))
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"2 panels \(energy, share_ratio\); got 1 axes"):
        plot_settings(_fig4_rows([(0.1, 0.5), (0.5, 0.5), (0.5, 0.0)]), axes=[ax])
