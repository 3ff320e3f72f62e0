import pytest
import torch

from skcentral import MLP
from skcentral.fusion import ModDrop


def make(p):
    torch.manual_seed(0)
    bbs = [MLP((8,), dropout=0, batch_norm=False).build((4,), 3),
           MLP((8,), dropout=0, batch_norm=False).build((4,), 3)]
    return ModDrop(bbs, [(4,), (4,)], 3, p_drop=p)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.7])
def test_each_modality_is_dropped_with_probability_p_independently(p):
    torch.manual_seed(3)
    mask = make(p).drop_mask(40000, 2, "cpu")
    assert set(mask.unique().tolist()) <= {0.0, 1.0}  # no rescaling: as at prediction
    dropped = mask == 0
    # 5 standard deviations of a rate estimated on 40000 samples is below 0.012
    torch.testing.assert_close(dropped.float().mean(0), torch.full((2,), p), atol=0.012,
                               rtol=0)
    both = (dropped[:, 0] & dropped[:, 1]).float().mean().item()
    assert abs(both - p * p) < 0.012  # independent across modalities: p^2, not p
    only_first = (dropped[:, 0] & ~dropped[:, 1]).float().mean().item()
    assert abs(only_first - p * (1 - p)) < 0.012


def by_hand(m, xs, keep):
    """The fusion layers on the concatenated hidden layers, each multiplied by 0 or 1."""
    hs = [b.features(x)[-2] * keep[:, k:k + 1] for k, (b, x) in enumerate(zip(m.backbones, xs))]
    return m.fusion(torch.cat(hs, 1))


def test_a_dropped_modality_contributes_exactly_zero_in_training():
    m = make(0.5).train()
    torch.manual_seed(4)
    xs = [torch.randn(64, 4), torch.randn(64, 4)]
    torch.manual_seed(5)
    out = m(xs)[0]
    torch.manual_seed(5)  # the same draw: the mask forward used
    keep = m.drop_mask(64, 2, "cpu")
    assert 0 < keep.mean() < 1
    torch.testing.assert_close(out, by_hand(m, xs, keep))
    other = [xs[0], torch.randn(64, 4) * 100]  # change modality 1 everywhere
    torch.manual_seed(5)
    out2 = m(other)[0]
    dropped = keep[:, 1] == 0
    assert torch.equal(out2[dropped], out[dropped])  # bit for bit
    assert not torch.allclose(out2[~dropped], out[~dropped])


def test_nothing_is_dropped_at_prediction_and_missing_equals_dropped():
    m = make(0.7)
    torch.manual_seed(6)
    xs = [torch.randn(6, 4), torch.randn(6, 4)]
    m.eval()
    torch.testing.assert_close(m(xs)[0], by_hand(m, xs, torch.ones(6, 2)))
    missing = torch.tensor([[False, True], [True, False], [False, False]] * 2)
    keep = (~missing).float()
    torch.testing.assert_close(m(xs, missing)[0], by_hand(m, xs, keep))
    # a sample seen in training with modality 1 dropped gives the same output
    m.train()
    for seed in range(50):
        torch.manual_seed(seed)
        mask = m.drop_mask(6, 2, "cpu")
        if mask[0].tolist() == [1.0, 0.0]:
            break
    else:
        pytest.fail("no draw dropped modality 1 of sample 0 alone")
    torch.manual_seed(seed)
    trained_view = m(xs)[0][0]
    m.eval()
    torch.testing.assert_close(trained_view, m(xs, missing)[0][0])


def test_p_drop_zero_is_plain_fusion_and_bad_p_is_refused():
    m = make(0.0).train()
    xs = [torch.randn(6, 4), torch.randn(6, 4)]
    torch.testing.assert_close(m(xs)[0], by_hand(m, xs, torch.ones(6, 2)))
    with pytest.raises(ValueError, match=r"p_drop must be in \[0, 1\)"):
        make(1.0)
