import torch

from skcentral import MLP
from skcentral.fusion import GMU


def test_two_modality_gates_are_complementary_sigmoids():
    torch.manual_seed(0)
    bbs = [MLP((8,)).build((4,), 3), MLP((6,)).build((5,), 3)]
    m = GMU(bbs, [(4,), (5,)], 3, hidden_size=7).eval()
    xs = [torch.randn(10, 4), torch.randn(10, 5)]
    z = m.gates(xs)
    assert z.shape == (10, 2, 7)
    torch.testing.assert_close(z.sum(1), torch.ones(10, 7))
    fused, p1, p2 = m(xs)
    assert fused.shape == p1.shape == (10, 3)


def test_three_modalities_share_one_softmax_gate():
    bbs = [MLP((8,)).build((4,), 3) for _ in range(3)]
    m = GMU(bbs, [(4,)] * 3, 3).eval()
    z = m.gates([torch.randn(5, 4) for _ in range(3)])
    assert z.shape == (5, 3, 8)
    torch.testing.assert_close(z.sum(1), torch.ones(5, 8))
