import torch

from skcentral import MLP
from skcentral.fusion import ConcatScores, WeightedMean


def nets():
    torch.manual_seed(0)
    return [MLP((8,)).build((4,), 3).eval(), MLP((8,)).build((6,), 3).eval()]


def test_weighted_mean_starts_as_the_mean_of_the_scores():
    bbs = nets()
    m = WeightedMean(bbs, [(4,), (6,)]).eval()
    xs = [torch.randn(5, 4), torch.randn(5, 6)]
    fused, p1, p2 = m(xs)
    torch.testing.assert_close(fused, (p1 + p2) / 2)
    torch.testing.assert_close(p1, bbs[0](xs[0]))


def test_concat_is_a_perceptron_on_the_concatenated_scores():
    m = ConcatScores(nets(), [(4,), (6,)], n_outputs=3).eval()
    xs = [torch.randn(5, 4), torch.randn(5, 6)]
    fused, p1, p2 = m(xs)
    torch.testing.assert_close(fused, m.perceptron(torch.cat([p1, p2], 1)))
    assert m.perceptron.in_features == 6
