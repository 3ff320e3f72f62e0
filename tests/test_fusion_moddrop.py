import pytest
import torch

from skcentral import MLP
from skcentral.fusion import ModDrop


def make(p):
    torch.manual_seed(0)
    bbs = [MLP((8,), dropout=0).build((4,), 3), MLP((8,), dropout=0).build((4,), 3)]
    return ModDrop(bbs, [(4,), (4,)], 3, p_drop=p)


def test_modalities_are_dropped_per_sample_in_training_only():
    m = make(0.5)
    mask = m.drop_mask(10000, 2, "cpu")
    assert set(mask.unique().tolist()) == {0.0, 1.0}  # no rescaling: as at prediction
    assert abs((mask == 0).float().mean().item() - 0.5) < 0.02
    xs = [torch.randn(6, 4), torch.randn(6, 4)]
    m.eval()
    torch.testing.assert_close(m(xs)[0], m(xs)[0])
    m.train()
    torch.manual_seed(1)
    a = m(xs)[0]
    torch.manual_seed(2)
    assert not torch.allclose(a, m(xs)[0])


def test_p_drop_zero_is_plain_fusion_and_bad_p_is_refused():
    m = make(0.0).train()
    xs = [torch.randn(6, 4), torch.randn(6, 4)]
    torch.testing.assert_close(m(xs)[0], m(xs)[0])
    with pytest.raises(ValueError, match=r"p_drop must be in \[0, 1\)"):
        make(1.0)
