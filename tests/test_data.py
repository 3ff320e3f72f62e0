import numpy as np
import torch
from torch.utils.data import Subset

from skcentral import ModalityBatchIterator, ModalityDataset


def dataset(n=10):
    return ModalityDataset([np.arange(n * 2.0).reshape(n, 2), np.arange(n * 1.0).reshape(n, 1)],
                           np.arange(n))


def test_batches_cover_every_sample_once_and_stay_aligned():
    batches = list(ModalityBatchIterator(dataset(), batch_size=4, shuffle=True, seed=0))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    ys = torch.cat([b[1] for b in batches])
    assert sorted(ys.tolist()) == list(range(10)) and ys.tolist() != list(range(10))
    for xs, y in batches:
        assert torch.equal(xs[1][:, 0].long(), y) and torch.equal(xs[0][:, 0].long(), 2 * y)


def test_shuffling_is_reproducible_and_changes_every_epoch():
    def orders(seed):
        it = ModalityBatchIterator(dataset(), batch_size=10, shuffle=True, seed=seed)
        return [next(iter(it))[1].tolist() for _ in range(2)]
    assert orders(1) == orders(1)
    first, second = orders(1)
    assert first != second


def test_subsets_from_skorch_validation_split_are_honoured():
    sub = Subset(Subset(dataset(), [9, 8, 7, 6]), [0, 2])
    (xs, y), = list(ModalityBatchIterator(sub, batch_size=8))
    assert y.tolist() == [9, 7]
