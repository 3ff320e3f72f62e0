"""Datasets and the batch iterator the estimators train with.

skorch's default ``DataLoader`` indexes one sample at a time and collates;
for arrays already in memory, gathering a whole batch with one
``index_select`` per modality is much cheaper. Modalities on disk
(:class:`~skcentral.OnDiskArray`) are read the same way, one batch at a
time, and never loaded whole.
"""

import numpy as np
import torch
from torch.utils.data import Dataset, Subset

from ._lazy import OnDiskArray

__all__ = ["ModalityBatch", "ModalityDataset", "ModalityBatchIterator"]


class ModalityBatch(list):
    """A batch: one tensor per modality, with optional ``missing`` and weights.

    ``missing`` is a bool tensor ``(batch, n_modalities)``, True where a
    modality is absent, or None; ``sample_weight`` a float tensor
    ``(batch,)`` of the samples' weights in the loss, or None.
    ``global_size`` is the number of samples of the whole batch when it is
    shared out between processes (data-parallel training), else None.
    """

    missing = None
    sample_weight = None
    global_size = None


class ModalityDataset(Dataset):
    """Per-modality tensors (and a target) that share their first axis.

    Parameters
    ----------
    X : list of Tensor, ndarray or OnDiskArray
        One array per modality; on-disk ones stay on disk.
    y : Tensor or ndarray, default=None
    missing : Tensor or ndarray of bool, default=None
        ``(n_samples, n_modalities)``, True where a modality is absent.
    sample_weight : Tensor or ndarray of shape (n_samples,), default=None
        Weight of each sample in the loss; batches carry theirs.

    Attributes ``X`` and ``y`` are what skorch's helpers
    (``data_from_dataset``) read back.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral import ModalityDataset
    >>> ds = ModalityDataset([np.zeros((5, 2)), np.ones((5, 3))], y=np.arange(5))
    >>> len(ds), [tuple(x.shape) for x in ds[0][0]]
    (5, [(2,), (3,)])
    """

    def __init__(self, X, y=None, missing=None, sample_weight=None):
        self.X = [x if isinstance(x, OnDiskArray) else torch.as_tensor(x) for x in X]
        self.y = None if y is None else torch.as_tensor(y)
        self.missing = None if missing is None else torch.as_tensor(missing)
        self.sample_weight = None if sample_weight is None else torch.as_tensor(sample_weight)

    def __len__(self):
        return self.X[0].shape[0]

    def __getitem__(self, i):
        # One sample, for users who swap in skorch's DataLoader.
        xi = [torch.as_tensor(x[i]) for x in self.X]
        return xi, (torch.zeros(()) if self.y is None else self.y[i])


class ModalityBatchIterator:
    """Iterate over whole batches of a :class:`ModalityDataset`.

    Parameters
    ----------
    dataset : ModalityDataset or torch.utils.data.Subset of one
    batch_size : int, default=128
    shuffle : bool, default=False
        Draw a new permutation at every pass (epoch).
    seed : int or sequence of int, default=None
        Seeds the permutations, so that training is reproducible.
    shard : tuple (rank, world_size), default=None
        Data-parallel training: every process draws the same batches and
        keeps its own contiguous part of each (process ``rank`` of
        ``world_size``); the batch's ``global_size`` is the whole batch's.

    Yields
    ------
    (list of Tensor, Tensor or None)
        The modality batches and the target batch.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral import ModalityBatchIterator, ModalityDataset
    >>> ds = ModalityDataset([np.zeros((5, 2)), np.ones((5, 3))], y=np.arange(5))
    >>> [len(y) for _, y in ModalityBatchIterator(ds, batch_size=2, shuffle=True, seed=0)]
    [2, 2, 1]
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, seed=None, shard=None):
        indices = None
        while isinstance(dataset, Subset):
            sub = torch.as_tensor(np.asarray(dataset.indices), dtype=torch.long)
            indices = sub if indices is None else sub[indices]
            dataset = dataset.dataset
        if not isinstance(dataset, ModalityDataset):
            raise TypeError(
                "ModalityBatchIterator iterates over a ModalityDataset; got "
                f"{type(dataset).__name__}. Use skorch's DataLoader "
                "(iterator_train=torch.utils.data.DataLoader) for other datasets."
            )
        self.dataset = dataset
        self.indices = indices
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.rng = np.random.default_rng(seed)
        self.shard = shard

    def __len__(self):
        n = len(self.dataset) if self.indices is None else len(self.indices)
        return -(-n // self.batch_size)

    def __iter__(self):
        X, y, bs = self.dataset.X, self.dataset.y, self.batch_size
        missing, weight = self.dataset.missing, self.dataset.sample_weight
        order = self.indices
        if self.shuffle:
            n = len(self.dataset) if order is None else len(order)
            perm = torch.from_numpy(self.rng.permutation(n))
            order = perm if order is None else order[perm]
        device = next((x.device for x in X if torch.is_tensor(x)), torch.device("cpu"))
        if order is not None:
            order = order.to(device)
        n = len(self.dataset) if order is None else len(order)
        for start in range(0, n, bs):
            stop = min(start + bs, n)
            global_size = stop - start
            if self.shard is not None:  # this process's part of the batch
                rank, world = self.shard
                start, stop = (start + global_size * rank // world,
                               start + global_size * (rank + 1) // world)
            if order is None:  # contiguous views, no copy
                rows = slice(start, stop)
                xs = ModalityBatch(_gather(x, rows) for x in X)
                yb = None if y is None else y[rows]
            else:
                rows = order[start:stop]
                xs = ModalityBatch(_gather(x, rows) for x in X)
                yb = None if y is None else y.index_select(0, rows.to(y.device))
            if missing is not None:
                xs.missing = missing[rows.cpu() if not isinstance(rows, slice) else rows]
            if weight is not None:
                xs.sample_weight = weight[rows if isinstance(rows, slice)
                                          else rows.to(weight.device)]
            if self.shard is not None:
                xs.global_size = global_size
            yield xs, yb


def _gather(x, rows):
    """Rows of one modality: a view or one ``index_select`` in memory, a read on disk."""
    if isinstance(x, OnDiskArray):
        return torch.from_numpy(x.read(rows if isinstance(rows, slice) else rows.cpu().numpy()))
    # the modalities and the labels may lie on different devices (a large
    # array memory-mapped by joblib stays on the CPU, a small one moves)
    return x[rows] if isinstance(rows, slice) else x.index_select(0, rows.to(x.device))
