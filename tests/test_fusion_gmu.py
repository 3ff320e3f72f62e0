import torch

from skcentral import MLP
from skcentral.fusion import GMU


def two_modality_gmu():
    torch.manual_seed(0)
    bbs = [MLP((8,), dropout=0, batch_norm=False).build((4,), 3),
           MLP((6,), dropout=0, batch_norm=False).build((5,), 3)]
    return GMU(bbs, [(4,), (5,)], 3, hidden_size=7).eval()


def arevalo(m, xs, missing=None):
    """Arevalo et al.'s unit written out: h_k = tanh(W_k x_k), z = sigmoid(W_z [x_1; x_2]),
    h = z h_1 + (1 - z) h_2; the softmax gate's two halves give W_z = W^(1) - W^(2)."""
    x1, x2 = (b.features(x)[-2] for b, x in zip(m.backbones, xs))
    W, b = m.gate.weight, m.gate.bias
    Wz, bz = W[:7] - W[7:], b[:7] - b[7:]
    z = torch.sigmoid(torch.cat([x1, x2], 1) @ Wz.T + bz)
    if missing is not None:  # an absent modality's gate is closed
        z = torch.where(missing[:, :1], torch.zeros_like(z), z)
        z = torch.where(missing[:, 1:], torch.ones_like(z), z)
    h1 = torch.tanh(x1 @ m.projections[0].weight.T + m.projections[0].bias)
    h2 = torch.tanh(x2 @ m.projections[1].weight.T + m.projections[1].bias)
    h = z * h1 + (1 - z) * h2
    linear = m.head[-1]
    return h @ linear.weight.T + linear.bias, z


def test_two_modalities_are_arevalos_sigmoid_unit_with_tanh():
    m = two_modality_gmu()
    torch.manual_seed(1)
    xs = [torch.randn(10, 4), torch.randn(10, 5)]
    with torch.no_grad():
        expected, z = arevalo(m, xs)
        fused, p1, p2 = m(xs)
        gates = m.gates(xs)
    torch.testing.assert_close(fused, expected)
    torch.testing.assert_close(gates[:, 0], z)
    torch.testing.assert_close(gates[:, 1], 1 - z)
    torch.testing.assert_close(p1, m.backbones[0](xs[0]))
    torch.testing.assert_close(p2, m.backbones[1](xs[1]))


def test_a_missing_modality_closes_its_gate():
    m = two_modality_gmu()
    torch.manual_seed(2)
    xs = [torch.randn(6, 4), torch.randn(6, 5)]
    missing = torch.tensor([[False, False], [False, True], [True, False]] * 2)
    with torch.no_grad():
        expected, z = arevalo(m, xs, missing)
        torch.testing.assert_close(m(xs, missing)[0], expected)
        torch.testing.assert_close(m.gates(xs, missing)[:, 0], z)


def test_three_modalities_share_one_softmax_gate():
    torch.manual_seed(0)
    bbs = [MLP((8,), dropout=0, batch_norm=False).build((4,), 3) for _ in range(3)]
    m = GMU(bbs, [(4,)] * 3, 3).eval()
    xs = [torch.randn(5, 4) for _ in range(3)]
    with torch.no_grad():
        z = m.gates(xs)
        hs = [b.features(x)[-2] for b, x in zip(m.backbones, xs)]
        logits = m.gate(torch.cat(hs, 1)).view(5, 3, 8)
        torch.testing.assert_close(z, logits.exp() / logits.exp().sum(1, keepdim=True))
        h = sum(z[:, k] * torch.tanh(m.projections[k](hs[k])) for k in range(3))
        torch.testing.assert_close(m(xs)[0], m.head(h))
