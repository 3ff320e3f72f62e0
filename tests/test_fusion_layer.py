import pytest
import torch

from skcentral import LeNet5
from skcentral.fusion import LayerFusion
from skcentral.fusion.layer import combine


def make(k, op="sum", ensemble=False):
    torch.manual_seed(0)
    spec = LeNet5(dense=16)
    bbs = [spec.build((8, 8), 10), spec.build((8, 8), 10)]
    return LayerFusion(bbs, spec.build_central((1, 8, 8), 10), [(8, 8), (8, 8)], k,
                       op=op, ensemble=ensemble).eval()


def test_ops():
    a, b, c = torch.randn(3, 2), torch.randn(3, 2), torch.randn(3, 2)
    torch.testing.assert_close(combine([a, b, c], "sum"), a + b + c)
    torch.testing.assert_close(combine([a, b, c], "subtract"), a - b - c)
    torch.testing.assert_close(combine([a, b], "product"), a * b)


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
