import pytest
import torch

from skcentral import LeNet5, MLP
from skcentral.fusion import LayerFusion
from skcentral.fusion.layer import combine


def make(k, op="sum", ensemble=False):
    torch.manual_seed(0)
    spec = LeNet5(dense=16)
    bbs = [spec.build((8, 8), 10), spec.build((8, 8), 10)]
    return LayerFusion(bbs, spec.build_central((1, 8, 8), 10), [(8, 8), (8, 8)], k,
                       op=op, ensemble=ensemble).eval()


@pytest.mark.parametrize("op, expected", [
    ("sum", [[2.0, 11.0, 1.5]]),
    ("subtract", [[0.0, -7.0, 0.5]]),  # a - b - c
    ("product", [[-6.0, 40.0, -0.5]]),
])
def test_ops_by_hand_on_three_modalities(op, expected):
    a, b, c = torch.tensor([[1.0, 2.0, 1.0]]), torch.tensor([[3.0, 5.0, -0.5]]), \
        torch.tensor([[-2.0, 4.0, 1.0]])
    torch.testing.assert_close(combine([a, b, c], op), torch.tensor(expected))
    two = {"sum": a + b, "subtract": a - b, "product": a * b}[op]
    torch.testing.assert_close(combine([a, b], op), two)


@pytest.mark.parametrize("op", ["sum", "subtract", "product"])
def test_fusion_at_a_hidden_layer_combines_then_runs_the_trunk(op):
    torch.manual_seed(0)
    spec = MLP((6, 5), dropout=0, batch_norm=False)
    bbs = [spec.build((4,), 3), spec.build((4,), 3)]
    trunk = spec.build_central((4,), 3)
    m = LayerFusion(bbs, trunk, [(4,), (4,)], fusion_layer=2, op=op).eval()
    xs = [torch.randn(5, 4), torch.randn(5, 4)]
    h1 = bbs[0].blocks[1](bbs[0].blocks[0](xs[0]))  # each modality to fusion point 2
    h2 = bbs[1].blocks[1](bbs[1].blocks[0](xs[1]))
    fused = {"sum": h1 + h2, "subtract": h1 - h2, "product": h1 * h2}[op]
    with torch.no_grad():
        torch.testing.assert_close(m(xs)[0], trunk.head(fused))


@pytest.mark.parametrize("k", range(5))
def test_every_depth_of_lenet5_fuses(k):
    m = make(k)
    xs = [torch.randn(4, 8, 8), torch.randn(4, 8, 8)]
    out, = m(xs)
    assert out.shape == (4, 10) and len(m.trunk_layers) == 4 - k


def test_late_fusion_by_sum_adds_the_predictions():
    m = make(4)
    xs = [torch.randn(4, 8, 8), torch.randn(4, 8, 8)]
    p = [b(x) for b, x in zip(m.backbones, xs)]
    torch.testing.assert_close(m(xs)[0], p[0] + p[1])


def test_fusion_plus_ensemble_averages_fused_and_unimodal_probabilities():
    m = make(1, op="subtract", ensemble=True)
    xs = [torch.randn(4, 8, 8), torch.randn(4, 8, 8)]
    out, fused, p1, p2 = m(xs)
    torch.testing.assert_close(p1, m.backbones[0](xs[0]))
    torch.testing.assert_close(out.softmax(1), (fused.softmax(1) + p1.softmax(1) + p2.softmax(1)) / 3)


def test_bad_depth_or_op():
    with pytest.raises(ValueError, match=r"fusion_layer must be between 0 \(the inputs\) and 4"):
        make(5)
    with pytest.raises(ValueError, match="op must be one of"):
        make(0, op="max")
