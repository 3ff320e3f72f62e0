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


# ---------------------------------------------------------------- the maths by hand
# An MLP with two hidden layers has fusion points 0 (inputs), 1, 2 (hidden) and
# 3 (predictions); no batch norm and no dropout, so every layer is a plain map.

def mlp_net(alpha_form, n=3, sizes=(5, 5, 5)):
    spec = MLP((6, 4), dropout=0, batch_norm=False)
    torch.manual_seed(0)
    bbs = [spec.build((d,), 3) for d in sizes[:n]]
    net = CentralNet(bbs, spec.build_central((max(sizes[:n]),), 3), [(d,) for d in sizes[:n]],
                     alpha_form=alpha_form).eval()
    with torch.no_grad():  # distinct, partly negative weights at every point
        net.alpha_modalities.copy_(torch.tensor(
            [[0.7, -0.4, 0.25], [-0.3, 0.9, -0.6], [0.45, -1.1, 0.8], [-0.2, 0.35, 1.3]])[:, :n])
        net.alpha_central.copy_(torch.tensor([-0.8, 1.5, -0.65]))
        if alpha_form == "eq3":
            net.alpha_fused.copy_(torch.tensor([-1.2, 0.55, -0.9, 1.7]))
    return net


def by_hand(net, xs, a_mod):
    """CentralNet written out point by point from the paper's equations.

    ``a_mod[i][k]`` is the weight of modality ``k`` at point ``i`` for every
    sample (a (batch, 1) column), so that renormalised weights can be passed.
    """
    h = [b.features(x) for b, x in zip(net.backbones, xs)]  # h[k][i]: modality k at point i
    a_c = net.alpha_central.detach()
    a_f = net.alpha_fused.detach() if net.alpha_form == "eq3" else torch.ones(4)
    central, m = net.central.layers, range(len(xs))
    # inputs narrower than the widest are zero-padded at point 0 (the paper's choice)
    inputs = [torch.nn.functional.pad(h[k][0], (0, 5 - h[k][0].shape[1])) for k in m]
    s0 = a_f[0] * sum(a_mod[0][k] * inputs[k] for k in m)
    c1 = central[0](s0)
    s1 = a_c[0] * c1 + a_f[1] * sum(a_mod[1][k] * h[k][1] for k in m)
    c2 = central[1](s1)
    s2 = a_c[1] * c2 + a_f[2] * sum(a_mod[2][k] * h[k][2] for k in m)
    c3 = central[2](s2)
    return a_c[2] * c3 + a_f[3] * sum(a_mod[3][k] * h[k][3] for k in m)


@pytest.mark.parametrize("alpha_form", ["eq1", "eq3"])
def test_forward_is_the_papers_equation_at_every_fusion_point(alpha_form):
    net = mlp_net(alpha_form, sizes=(5, 3, 5))  # the 3-d modality is zero-padded to 5
    torch.manual_seed(1)
    xs = [torch.randn(7, 5), torch.randn(7, 3), torch.randn(7, 5)]
    a = net.alpha_modalities.detach()
    a_mod = [[a[i, k] for k in range(3)] for i in range(4)]
    with torch.no_grad():
        out = net(xs)
        torch.testing.assert_close(out[0], by_hand(net, xs, a_mod))
        for k in range(3):  # then each modality's own prediction
            torch.testing.assert_close(out[1 + k], net.backbones[k](xs[k]))


def test_missing_modalities_renormalise_the_weights_at_every_point():
    net = mlp_net("eq3")
    torch.manual_seed(2)
    xs = [torch.randn(4, 5) for _ in range(3)]
    missing = torch.tensor([[False, False, False], [False, True, False],
                            [True, False, True], [True, True, False]])
    a = net.alpha_modalities.detach()
    a_mod = []
    for i in range(4):
        point = []
        for k in range(3):
            col = []
            for j in range(4):  # sample by sample: w_k * sum_all |w| / sum_present |w|
                present = [q for q in range(3) if not missing[j, q]]
                scale = sum(abs(float(a[i, q])) for q in range(3)) / \
                    sum(abs(float(a[i, q])) for q in present)
                col.append(0.0 if missing[j, k] else float(a[i, k]) * scale)
            point.append(torch.tensor(col)[:, None])
        a_mod.append(point)
    garbage = [x.clone() for x in xs]
    for k in range(3):
        garbage[k][missing[:, k]] = 1e6  # an absent modality's values must not count
    with torch.no_grad():
        out = net(garbage, missing=missing)[0]
        torch.testing.assert_close(out, by_hand(net, xs, a_mod))
        full = net(xs)[0]
    torch.testing.assert_close(out[0], full[0])  # nothing missing: unchanged


def test_effective_alphas_report_each_point_weights():
    net = mlp_net("eq3")
    w = net.effective_alphas()
    expected = np.array([
        [np.nan, -1.2 * 0.7, -1.2 * -0.4, -1.2 * 0.25],
        [-0.8, 0.55 * -0.3, 0.55 * 0.9, 0.55 * -0.6],
        [1.5, -0.9 * 0.45, -0.9 * -1.1, -0.9 * 0.8],
        [-0.65, 1.7 * -0.2, 1.7 * 0.35, 1.7 * 1.3]])
    np.testing.assert_allclose(w, expected, rtol=1e-6)
    np.testing.assert_allclose(mlp_net("eq1").effective_alphas()[:, 1:], expected[:, 1:] /
                               np.array([-1.2, 0.55, -0.9, 1.7])[:, None], rtol=1e-6)
