"""Data-parallel training with torch's ``DistributedDataParallel``.

Launch the same script once per process with ``torchrun`` (or
``accelerate launch``, which sets the same environment) and give the
estimator ``distributed=True``: every process reads its own part of each
batch, DDP averages the gradients, and every process ends with the same
fitted estimator. In a single, plain process the estimator trains as usual.

Why DDP rather than skorch's ``AccelerateMixin``: the estimators gather
whole batches with their own iterator, not a ``DataLoader``, so Accelerate's
sharding of data loaders would not apply and the batches have to be shared
out here anyway; they already run mixed precision and loss scaling
themselves (``precision=``); and DDP ships with torch, so data-parallel
training adds no dependency.
"""

import contextlib
import os
import pickle
import time
import weakref

import torch
import torch.distributed as dist
from skorch.callbacks import Checkpoint as _SkorchCheckpoint
from torch.nn.parallel import DistributedDataParallel

__all__ = ["Checkpoint", "init_process_group", "is_main_process", "rank", "world_size"]

#: How long the failing process waits for the others to take its error.
FAILURE_TIMEOUT = 30.0

# The DDP wrapper of each estimator while it trains (kept off the estimator,
# which must stay picklable, e.g. by a checkpoint written mid-training).
_WRAPPERS = weakref.WeakKeyDictionary()


def _launched():
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def world_size():
    """Number of processes training together (1 outside a distributed launch)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank():
    """This process's rank among them (0 outside a distributed launch)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return int(os.environ.get("RANK", "0"))


def is_main_process():
    """True on the process that should print and write files (rank 0)."""
    return rank() == 0


def active(net):
    """Whether ``net`` trains data-parallel: asked for, and launched on several processes."""
    return bool(getattr(net, "distributed", False)) and (
        _launched() or (dist.is_available() and dist.is_initialized()
                        and dist.get_world_size() > 1))


def init_process_group(device="cpu"):
    """Join the processes of the launch (``torchrun`` sets the environment).

    gloo for CPU training, NCCL for CUDA; a CUDA process uses the GPU of its
    ``LOCAL_RANK``. Does nothing when a process group already exists.
    """
    if dist.is_initialized():
        return
    cuda = torch.device(device).type == "cuda"
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend="nccl" if cuda else "gloo")


def prepare(net, state):
    """Join the launch and take process 0's seed (``state`` of a first fit).

    Every process then draws the same weights and the same batches.
    """
    if not active(net):
        return state
    init_process_group(net.device)
    if "random_seed_" in state:
        box = [state["random_seed_"]]
        dist.broadcast_object_list(box, src=0)
        state = dict(state, random_seed_=box[0])
    return state


def forward_module(net):
    """The module a forward pass goes through: DDP's wrapper while training."""
    ddp = _WRAPPERS.get(net, (None,))[0]
    return ddp if ddp is not None and net.module_.training else net.module_


def shard():
    """``(rank, world_size)``: which part of each batch this process trains on."""
    return rank(), world_size()


def scale_loss(net, loss, X, n_local):
    """The loss of a training batch, weighted for DDP's gradient average.

    DDP averages gradients over processes; a process's mean loss over its
    ``n_local`` samples times ``n_local * world_size / n_global`` makes that
    average the gradient of the mean over the whole batch of ``n_global``
    samples, even when the parts differ in size. The returned value is the
    whole batch's loss (for the history); its gradient is this process's
    share. Outside data-parallel training, ``loss`` is returned as it is.
    """
    n_global = getattr(X, "global_size", None)
    if n_global is None or net not in _WRAPPERS:
        return loss
    weight = n_local * dist.get_world_size() / n_global
    share = loss * weight if n_local else loss.nan_to_num(0.0) * 0.0
    total = share.detach().clone()
    _wait(dist.all_reduce(total, async_op=True), *_WRAPPERS[net][1:])
    return share + (total / dist.get_world_size() - share).detach()


class _PeerFailed(RuntimeError):
    """Another process stored its failure while this one waited for it."""


def _wait(work, store, key, poll=0.05):
    """Wait for a collective, watching for another process's failure meanwhile."""
    last = time.monotonic()
    while not work.is_completed():
        if time.monotonic() - last > poll:
            if store.check([key]):
                raise _PeerFailed("another process failed")
            last = time.monotonic()
        time.sleep(0.0002)
    work.wait()


@contextlib.contextmanager
def training(net):
    """Wrap ``net.module_`` in DDP for the training loop; report failures to every process.

    A process that fails stores its exception in the launch's key-value
    store; the others, which watch for it while they wait on their
    batch's loss, raise that exception (with a note saying which process
    raised it). The failing process then closes its connections, so that
    a process stuck in another collective fails too. Used by
    :meth:`FusionNet.fit`.
    """
    if not active(net):
        yield
        return
    store = dist.distributed_c10d._get_default_store()
    key = f"skcentral/failure/{net.__dict__.get('random_seed_')}/{len(net.history)}"
    device = torch.device(net.device)
    ddp = DistributedDataParallel(
        net.module_, device_ids=[torch.cuda.current_device()] if device.type == "cuda"
        else None, find_unused_parameters=True)
    _WRAPPERS[net] = (ddp, store, key)
    try:
        yield
    except BaseException as exc:
        _stop_everyone(exc, store, key)
        raise
    finally:
        _WRAPPERS.pop(net, None)


def _stop_everyone(exc, store, key):
    me, n = dist.get_rank(), dist.get_world_size()
    try:
        payload = pickle.dumps((me, exc))
    except Exception:  # an exception that cannot be pickled travels as text
        payload = pickle.dumps((me, RuntimeError(f"{type(exc).__name__}: {exc}")))
    try:
        first = store.compare_set(key, "", payload)
    except Exception:  # the store went away: the failing process has exited
        return
    culprit, error = pickle.loads(first)
    if culprit == me:
        # wait for the others to take the error (they watch for it while
        # they wait for this process); if one is stuck elsewhere, closing
        # the connections makes its collective fail
        deadline = time.monotonic() + FAILURE_TIMEOUT
        while store.add(key + "/seen", 0) < n - 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        _close_connections()
        return
    store.add(key + "/seen", 1)
    error.add_note(f"Raised on process {culprit} of {n}; process {me} stopped "
                   "training because of it.")
    raise error from exc


def _close_connections():
    group = dist.group.WORLD
    try:
        group.abort()
    except Exception:  # pragma: no cover - backends without abort
        pass
    dist.destroy_process_group()


class Checkpoint(_SkorchCheckpoint):
    """skorch's ``Checkpoint`` for data-parallel training: main process, whole files.

    Only the main process writes, and each file is written beside its
    target and then renamed over it, so that a process stopped mid-write
    (a failure elsewhere, a kill) leaves the previous checkpoint intact and
    never a half-written one. Takes skorch's ``Checkpoint`` parameters.

    Examples
    --------
    >>> from skcentral import CentralNetClassifier
    >>> from skcentral.distributed import Checkpoint
    >>> clf = CentralNetClassifier(distributed=True, callbacks=[
    ...     Checkpoint(dirname="checkpoints", monitor="train_loss_best")])
    """

    def save_model(self, net):
        if not is_main_process():
            return
        f_pickle, self.f_pickle = self.f_pickle, None
        try:
            super().save_model(net)
        finally:
            self.f_pickle = f_pickle
        if f_pickle:
            target = self._format_target(net, f_pickle, -1)
            _write_whole(target, lambda tmp: _pickle_to(net, tmp))

    def _save_params(self, f, net, f_name, log_name):
        if not isinstance(f, (str, os.PathLike)):
            return super()._save_params(f, net, f_name, log_name)
        _write_whole(f, lambda tmp: net.save_params(
            **{f_name: tmp, "use_safetensors": self.use_safetensors}))


def _pickle_to(obj, path):
    with open(path, "wb") as fh:
        pickle.dump(obj, fh)


def _write_whole(path, write):
    """Write through a temporary file renamed over ``path``: all or nothing."""
    tmp = f"{os.fspath(path)}.{os.getpid()}.part"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
