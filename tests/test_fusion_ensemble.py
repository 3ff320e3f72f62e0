import torch

from skcentral import MLP
from skcentral.fusion import Ensemble, SingleModality


def test_members_read_their_modality_and_are_averaged():
    torch.manual_seed(0)
    nets = [MLP((8,)).build((4,), 3).eval() for _ in range(3)]
    m = Ensemble(nets, [(4,), (4,), (4,)], members=[0, 0, 1])
    xs = [torch.randn(5, 4), torch.randn(5, 4)]
    out, p1, p2, p3 = m(xs)
    torch.testing.assert_close(p3, nets[2](xs[1]))
    torch.testing.assert_close(out.softmax(1), (p1.softmax(1) + p2.softmax(1) + p3.softmax(1)) / 3)
    assert not torch.allclose(p1, p2)  # independently initialised


def test_single_modality_ignores_the_others():
    net = MLP((8,)).build((4,), 3).eval()
    m = SingleModality(net, 1)
    x = torch.randn(5, 4)
    torch.testing.assert_close(m([None, x])[0], net(x))


def test_members_of_a_missing_modality_are_left_out():
    torch.manual_seed(0)
    nets = [MLP((8,)).build((4,), 3).eval() for _ in range(3)]
    m = Ensemble(nets, [(4,), (4,), (4,)], members=[0, 0, 1])
    xs = [torch.randn(2, 4), torch.randn(2, 4)]
    missing = torch.tensor([[True, False], [False, True]])
    with torch.no_grad():
        out = m(xs, missing)[0].softmax(1)
        p = [net(xs[k]).softmax(1) for net, k in zip(nets, [0, 0, 1])]
    torch.testing.assert_close(out[0], p[2][0])  # modality 0 absent: the third network alone
    torch.testing.assert_close(out[1], (p[0][1] + p[1][1]) / 2)
