import numpy as np
import pytest
import torch

from skcentral import LeNet5, MLP
from skcentral.fusion import CentralNet


def build(alpha_form="eq3", shapes=((8, 8), (8, 8)), spec=None, fused_shapes="pad"):
    spec = spec or LeNet5(dense=32)
    torch.manual_seed(0)
    bbs = [spec.build(s, 10) for s in shapes]
    central = spec.build_central(bbs[0].stem(torch.zeros((1,) + shapes[0])).shape[1:], 10)
    return CentralNet(bbs, central, list(shapes), alpha_form=alpha_form,
                      fused_shapes=fused_shapes)


def test_forward_returns_fused_then_one_prediction_per_modality():
    net = build()
    out = net([torch.randn(4, 8, 8), torch.randn(4, 8, 8)])
    assert len(out) == 3 and all(o.shape == (4, 10) for o in out)


def test_alphas_start_as_a_plain_average():
    w = build().effective_alphas()
    assert w.shape == (5, 3)  # fusion points 0..4, central + 2 modalities
    assert np.isnan(w[0, 0]) and np.allclose(w[0, 1:], 0.5)
    assert np.allclose(w[1:], 1 / 3)


def test_eq1_and_eq3_start_identical_and_differ_by_the_shared_weight():
    x = [torch.randn(4, 8, 8), torch.randn(4, 8, 8)]
    n1, n3 = build("eq1").eval(), build("eq3").eval()
    torch.testing.assert_close(n1(x)[0], n3(x)[0])
    assert not hasattr(n1, "alpha_fused") and n3.alpha_fused.shape == (5,)
    with torch.no_grad():
        n3.alpha_fused[-1] = 2.0
    w = n3.effective_alphas()
    assert np.allclose(w[-1, 1:], 2 / 3)
    assert not torch.allclose(n1(x)[0], n3(x)[0])


@pytest.mark.parametrize("alpha_form", ["eq1", "eq3"])
def test_gradients_reach_every_alpha(alpha_form):
    net = build(alpha_form)
    out = net([torch.randn(4, 8, 8), torch.randn(4, 8, 8)])
    sum(o.logsumexp(1).sum() for o in out).backward()
    alphas = [p for n, p in net.named_parameters() if n.startswith("alpha")]
    assert len(alphas) == (3 if alpha_form == "eq3" else 2)
    for p in alphas:
        assert p.grad is not None and (p.grad != 0).all()


def test_unequal_modality_sizes_are_zero_padded_or_projected():
    spec = MLP((16, 8))
    for mode in ["pad", "project"]:
        torch.manual_seed(0)
        bbs = [spec.build((3,), 2), spec.build((7,), 2)]
        net = CentralNet(bbs, spec.build_central((7,), 2), [(3,), (7,)], fused_shapes=mode)
        assert net.point_shapes[0] == (7,)
        out = net([torch.randn(5, 3), torch.randn(5, 7)])
        assert out[0].shape == (5, 2)
    with pytest.raises(ValueError, match=r"does not take the fused shape \(7,\)"):
        CentralNet(bbs, spec.build_central((3,), 2), [(3,), (7,)])
    wide = [MLP((16,)).build((4,), 2), MLP((32,)).build((4,), 2)]
    with pytest.raises(ValueError, match=r"fusion point 1, modality 'modality_1'.*zero-pad.*\(32,\) to \(16,\)"):
        CentralNet(wide, MLP((16,)).build_central((4,), 2), [(4,), (4,)])
    net = CentralNet(wide, MLP((16,)).build_central((4,), 2), [(4,), (4,)],
                     fused_shapes="project")
    assert net([torch.randn(5, 4), torch.randn(5, 4)])[0].shape == (5, 2)


def test_layer_count_mismatch_is_a_clear_error():
    bbs = [MLP((8,)).build((4,), 2), MLP((8, 8)).build((4,), 2)]
    with pytest.raises(ValueError, match="same number of layers.*'modality_0': 2, 'modality_1': 3"):
        CentralNet(bbs, MLP((8,)).build_central((4,), 2), [(4,), (4,)])
    with pytest.raises(ValueError, match="have 3 layers after their stem.*central network has 2"):
        CentralNet(bbs[1:] * 2, MLP((8,)).build_central((4,), 2), [(4,), (4,)])
