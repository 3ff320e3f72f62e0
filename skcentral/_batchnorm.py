"""Recompute the batch-norm statistics of a trained network ("precise BN").

During training a batch-norm layer keeps an exponential moving average of
its batches' statistics (momentum 0.1), which after a short training still
carries the statistics of the network as it was epochs ago. Recomputing
them over one pass of the training data once the weights are final
(Wu & Johnson, "Rethinking 'Batch' in BatchNorm", 2021, and fvcore's
``update_bn_stats``) gives the statistics of the network that predicts.
``torch.optim.swa_utils.update_bn`` does the same for single-input modules;
the fusion modules take a list of modalities, an optional ``missing`` mask,
and run under the estimator's precision and memory format, so the pass
here goes through the estimator's own iterator and ``infer``.
"""

import torch
import torch.distributed as dist
from torch import nn

from . import distributed

__all__ = ["BatchNormRecomputeMixin", "batch_norm_layers", "recompute_batch_norm"]


def batch_norm_layers(module, keep=None):
    """The batch-norm layers of ``module`` that track running statistics.

    Parameters
    ----------
    module : torch.nn.Module
    keep : torch.nn.Module, default=None
        A part of ``module`` whose layers are left out (frozen backbones).

    Returns
    -------
    list of torch.nn.modules.batchnorm._BatchNorm
    """
    kept = set() if keep is None else {id(m) for m in keep.modules()}
    return [m for m in module.modules()
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats
            and id(m) not in kept]


def recompute_batch_norm(net, dataset):
    """Reset and recompute the running statistics of ``net``'s batch-norm layers.

    One pass over ``dataset`` through the estimator's training iterator
    (its batches, shuffled) and its ``infer`` (precision, channels-last,
    ``missing`` masks), without gradients. The network runs as it
    predicts, dropout and modality dropout off, except that the
    batch-norm layers normalise with their batches' statistics and
    average them with equal weight per batch (``momentum=None``); a last
    batch of one sample is left out. Sample weights play no part. The layers of frozen backbones
    (``freeze_backbones=True``) keep theirs. Data-parallel processes each
    average over their parts of the batches, then over the processes,
    and all end with the same statistics.

    Parameters
    ----------
    net : FusionNet
        A fitted estimator.
    dataset : torch.utils.data.Dataset
        The training data, as ``net.get_iterator`` takes it.
    """
    module = net.module_
    keep = module.backbones if net.freeze_backbones else None
    layers = batch_norm_layers(module, keep)
    if not layers:
        return
    modes = [(m, m.training) for m in module.modules()]
    momenta = [bn.momentum for bn in layers]
    saved = [{k: v.clone() for k, v in bn.state_dict().items()} for bn in layers]
    done = False
    try:
        module.eval()
        for bn in layers:
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the batches
            bn.train()
        with torch.no_grad():
            for X, _ in net.get_iterator(dataset, training=True):
                # a batch of one sample has no statistics (a dense layer's
                # batch norm refuses it), and a data-parallel process's part
                # of a batch may be empty
                if len(X[0]) > 1:
                    net.infer(X)
        if distributed.active(net):
            _average_over_processes(layers)
        done = True
    finally:
        for bn, momentum, state in zip(layers, momenta, saved):
            bn.momentum = momentum
            if not done:  # an interrupted pass leaves the statistics as they were
                bn.load_state_dict(state)
        for m, training in modes:
            m.training = training


def _average_over_processes(layers):
    """Average each process's statistics, weighted by its number of batches."""
    counts = [bn.num_batches_tracked.to(bn.running_mean.dtype) for bn in layers]
    flat = torch.cat([torch.cat([bn.running_mean * n, bn.running_var * n, n[None]])
                      for bn, n in zip(layers, counts)])
    dist.all_reduce(flat)
    start = 0
    for bn in layers:
        c = bn.num_features
        total = flat[start + 2 * c]
        if total > 0:
            bn.running_mean.copy_(flat[start:start + c] / total)
            bn.running_var.copy_(flat[start + c:start + 2 * c] / total)
        bn.num_batches_tracked.fill_(int(total.round()))
        start += 2 * c + 1


class BatchNormRecomputeMixin:
    """Runs :func:`recompute_batch_norm` at the end of every training (part
    of :class:`~skcentral.FusionNet`, which has the ``recompute_batch_norm``
    parameter).

    It runs after the callbacks' ``on_train_end``, so that statistics
    follow the weights a callback restores (``EarlyStopping(load_best=True)``).
    """

    def notify(self, method_name, **cb_kwargs):
        super().notify(method_name, **cb_kwargs)
        if method_name == "on_train_end" and self.recompute_batch_norm:
            recompute_batch_norm(self, cb_kwargs["X"])
