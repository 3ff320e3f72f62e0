import pytest
import torch
from torch import nn

from skcentral.losses import check_beta, multitask_loss


def test_multitask_loss_is_eq2():
    crit = nn.CrossEntropyLoss()
    y = torch.tensor([0, 1, 1])
    outs = tuple(torch.randn(3, 2) for _ in range(3))
    expected = crit(outs[0], y) + 0.5 * crit(outs[1], y) + 2.0 * crit(outs[2], y)
    torch.testing.assert_close(multitask_loss(crit, outs, y, [1, 0.5, 2.0]), expected)
    torch.testing.assert_close(multitask_loss(crit, outs, y, [1, 0, 0]), crit(outs[0], y))
    torch.testing.assert_close(multitask_loss(crit, outs, y, [0, 1, 1]),
                               crit(outs[1], y) + crit(outs[2], y))


def test_a_weight_of_one_multiplies_nothing():
    """beta = 1 (the default) costs no operation: a GPU step is bound by launches."""
    crit = nn.CrossEntropyLoss()
    y = torch.tensor([0, 1, 1])
    outs = tuple(torch.randn(3, 2, requires_grad=True) for _ in range(3))

    def graph_ops(loss):
        seen, todo = [], [loss.grad_fn]
        while todo:
            fn = todo.pop()
            if fn is not None:
                seen.append(type(fn).__name__)
                todo += [f for f, _ in fn.next_functions]
        return seen

    ones = multitask_loss(crit, outs, y, [1, 1, 1])
    assert not any(op.startswith("MulBackward") for op in graph_ops(ones))
    assert ones.item() == (crit(outs[0], y) + crit(outs[1], y) + crit(outs[2], y)).item()
    assert sum(op.startswith("MulBackward") for op in graph_ops(
        multitask_loss(crit, outs, y, [1, 0.5, 2.0]))) == 2


def test_check_beta():
    assert check_beta(1.0, 3) == [1.0, 1.0, 1.0]
    assert check_beta([0.5, 2], 2) == [0.5, 2.0]
    with pytest.raises(ValueError, match=r"beta has 3 values but there are 2 modalities \(\['a', 'b'\]\)"):
        check_beta([1, 1, 1], 2, ["a", "b"])
    with pytest.raises(ValueError, match="finite and >= 0"):
        check_beta(-1, 2)
