import pytest
import torch

from skcentral import MLP
from skcentral.fusion import MultiBackbone, average_predictions


def test_average_predictions_averages_probabilities():
    a, b = torch.randn(4, 3), torch.randn(4, 3)
    mean = (a.softmax(1) + b.softmax(1)) / 2
    torch.testing.assert_close(average_predictions([a, b]).softmax(1), mean)
    torch.testing.assert_close(torch.sigmoid(average_predictions([a, b], "multilabel")),
                               (a.sigmoid() + b.sigmoid()) / 2)
    torch.testing.assert_close(average_predictions([a, b], "regression"), (a + b) / 2)
    with pytest.raises(ValueError, match="task must be one of"):
        average_predictions([a], "ranking")


def test_run_between_fusion_points_composes_to_the_full_network():
    torch.manual_seed(0)
    net = MultiBackbone([MLP((8, 6)).build((5,), 2).eval()], [(5,)])
    x = [torch.randn(3, 5)]
    mid = net.run(x, stop=1)
    torch.testing.assert_close(net.run(mid, start=1)[0], net.backbones[0](x[0]))
    assert net.n_layers == 3 and net.shapes[0] == [(5,), (8,), (6,), (2,)]


def test_renormalise_keeps_the_total_absolute_weight():
    from skcentral.fusion import renormalise
    w = torch.tensor([0.5, 0.3, -0.2])
    missing = torch.tensor([[False, False, False], [False, True, False], [True, True, False]])
    out = renormalise(w, missing)
    torch.testing.assert_close(out[0], w)
    torch.testing.assert_close(out[1], torch.tensor([0.5, 0.0, -0.2]) * (1.0 / 0.7))
    torch.testing.assert_close(out[2], torch.tensor([0.0, 0.0, -1.0]))
    torch.testing.assert_close(out.abs().sum(1), torch.ones(3))


def test_average_predictions_leave_missing_members_out_per_sample():
    torch.manual_seed(0)
    a, b, c = torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4)
    missing = torch.tensor([[False, False, False], [False, True, False], [True, True, False]])
    pa, pb, pc = a.softmax(1), b.softmax(1), c.softmax(1)
    expected = torch.stack([(pa[0] + pb[0] + pc[0]) / 3, (pa[1] + pc[1]) / 2, pc[2]])
    torch.testing.assert_close(average_predictions([a, b, c], missing=missing).softmax(1),
                               expected)
    torch.testing.assert_close(average_predictions([a, b, c], "regression", missing)[1],
                               (a[1] + c[1]) / 2)
