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


def test_shards_split_every_batch_between_processes():
    ds = ModalityDataset([np.arange(11.0)[:, None]], y=np.arange(11))
    whole = [y.tolist() for _, y in ModalityBatchIterator(ds, batch_size=4, shuffle=True, seed=0)]
    parts = [list(ModalityBatchIterator(ds, batch_size=4, shuffle=True, seed=0, shard=(r, 2)))
             for r in range(2)]
    for (x0, y0), (x1, y1), w in zip(*parts, whole):
        assert y0.tolist() + y1.tolist() == w          # contiguous halves, in order
        assert x0.global_size == x1.global_size == len(w)
        assert x0[0][:, 0].long().tolist() == y0.tolist()
    assert [len(y) for _, y in parts[0]] == [2, 2, 1]  # the last batch of 3: 1 + 2


def test_on_disk_modalities_are_read_batch_by_batch(tmp_path):
    from skcentral import OnDiskArray
    mm = np.memmap(tmp_path / "x.f32", np.float32, "w+", shape=(7, 2))
    mm[:] = np.arange(14).reshape(7, 2)
    ds = ModalityDataset([OnDiskArray(mm), np.arange(7.0)[:, None]], y=np.arange(7))
    for xs, y in ModalityBatchIterator(ds, batch_size=3, shuffle=True, seed=1):
        assert torch.equal(xs[0][:, 0], 2 * y.float()) and torch.equal(xs[1][:, 0], y.double())
