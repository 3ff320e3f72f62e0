"""Resuming an interrupted fit: :class:`TrainingCheckpoint`.

At the end of every epoch the whole training state is written to one file:
the networks, the optimizer, the history, every callback's state (early
stopping's counter and best weights, a learning-rate scheduler's), and the
random streams of dropout and of the batch order. A later ``fit`` of the
same estimator on the same data finds the file, restores that state and
trains the remaining epochs, to the result an uninterrupted fit gives.
"""

import glob
import hashlib
import os
import time
import warnings

import numpy as np
import torch
from skorch.callbacks import Callback
from skorch.history import History

__all__ = ["TrainingCheckpoint"]

_FORMAT = 1
_STATE_DICT = "__state_dict__"


class TrainingCheckpoint(Callback):
    """Write the training state after every epoch; resume an interrupted fit from it.

    Add it to an estimator's ``callbacks``. After every epoch (after every
    other callback has seen the epoch's end) the estimator's whole training
    state goes to ``path``: the networks' and the optimizer's parameters,
    the history, each callback's fitted state (``EarlyStopping``'s count of
    epochs without improvement and best weights, an ``LRScheduler``'s
    scheduler), and the random streams (dropout, modality dropout, batch
    order). The file is written beside ``path`` and renamed over it, so a
    process killed mid-write leaves the previous epoch's state, never half
    a file.

    When ``fit`` starts and ``path`` holds the state of the same estimator
    (same class and parameters) on the same data, it restores that state
    and trains only the remaining epochs: on the same machine, the fitted
    estimator equals the one an uninterrupted fit gives, to the last bit
    (on a GPU, as far as its kernels are deterministic).
    A file written by another fit raises a ``ValueError`` that names what
    differs, and the estimator is left as it was (``foreign="replace"``:
    a warning, and the fit starts from scratch). Once training ends, the
    file is removed (``keep=True`` keeps the last epoch's state). A fit
    stopped by Ctrl-C returns, as skorch's do, with the epochs it trained,
    and keeps the file (with a warning): the same ``fit`` run again goes
    on from the last whole epoch.

    Only fresh fits write and resume: ``partial_fit`` and ``warm_start``
    fits leave the file alone. Not for data-parallel training
    (``distributed=True``); :class:`skcentral.distributed.Checkpoint` keeps
    the best parameters there.

    Parameters
    ----------
    path : str or path-like
        The file. ``{fit}`` in it stands for a digest of the estimator's
        parameters and data (``"checkpoints/{fit}.pt"``): every distinct fit
        then has a file of its own, each seed of
        :func:`~skcentral.model_selection.evaluate_seeds`, each candidate
        and fold of ``GridSearchCV``, in parallel or not; run again after
        an interruption, a search takes up each unfinished fit where it
        stopped.
    keep : bool, default=False
        Keep the file when training ends. The same fit run again then finds
        every epoch done and trains none: the fitted estimator is restored.
    foreign : {"raise", "replace"}, default="raise"
        What a file that holds another fit's state (or no training state)
        does: raise a ``ValueError``, or warn and be replaced by this fit's
        (a long sweep whose saved states an update of the package made
        stale goes on rather than stops).

    Attributes
    ----------
    path_ : str
        The file of the last fit (``{fit}`` replaced).
    resumed_from_ : dict or None
        After a fit that resumed: ``epoch`` (the epochs the file held) and
        ``fit_seconds`` (the training time they had taken); ``None`` after a
        fit from scratch.

    Examples
    --------
    >>> import os, tempfile
    >>> from skcentral import CentralNetClassifier, MLP, TrainingCheckpoint
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "fit.pt")
    >>> clf = CentralNetClassifier(backbones=MLP((32,)), max_epochs=3, random_state=0,
    ...                            callbacks=[TrainingCheckpoint(path)]).fit(Xs, y)
    >>> os.path.exists(path)  # removed once training ended
    False

    A fit killed at epoch 2 of 3 leaves the state of epoch 1 (or 2) in
    ``path``; running the same ``fit`` again trains the epochs left.
    """

    def __init__(self, path, keep=False, foreign="raise"):
        self.path = path
        self.keep = keep
        self.foreign = foreign

    # ------------------------------------------------ called by FusionNet
    def start(self, net, arrays, y, validation_data):
        """At the start of a fresh fit: the saved state to resume from, or None.

        Raises ``ValueError`` if the file holds another fit's state (unless
        ``foreign="replace"``).
        """
        if self.foreign not in ("raise", "replace"):
            raise ValueError(f"TrainingCheckpoint's foreign must be 'raise' or 'replace'; "
                             f"got {self.foreign!r}.")
        self._fingerprint = _fingerprint(net, arrays, y, validation_data)
        digest = hashlib.sha1(repr(sorted(self._fingerprint.items())).encode()).hexdigest()
        self.path_ = os.fspath(self.path).replace("{fit}", digest[:16])
        self._iterator = self._iterator_state = None
        self._seconds_before, self._t0 = 0.0, time.perf_counter()
        self.resumed_from_ = None
        if not os.path.exists(self.path_):
            return None
        try:
            state = torch.load(self.path_, map_location=net.device, weights_only=False)
        except Exception:  # noqa: BLE001 - not a file torch wrote: said below
            state = None
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            problem = "is not a training state written by TrainingCheckpoint"
        else:
            differ = sorted(k for k in set(state["fingerprint"]) | set(self._fingerprint)
                            if state["fingerprint"].get(k) != self._fingerprint.get(k))
            if not differ:
                return state
            problem = (f"holds the training state of another fit (it differs in "
                       f"{', '.join(differ)})")
        if self.foreign == "replace":
            warnings.warn(f"{self.path_} {problem}: training from scratch, the file "
                          "replaced.", UserWarning, stacklevel=2)
            return None
        raise ValueError(f"{self.path_} {problem}; delete the file to train from scratch, "
                         "or give TrainingCheckpoint another path.")

    def restore(self, net, state):
        """Put ``state`` back into ``net`` (after ``on_train_begin``, before the loop)."""
        for name in _state_owners(net):
            getattr(net, name + "_").load_state_dict(state["owners"][name])
        if state.get("grad_scaler") is not None:
            net.grad_scaler_.load_state_dict(state["grad_scaler"])
        net.history_ = History(state["history"])
        net.random_seed_ = state["random_seed"]
        for name, cb in net.callbacks_:
            for key, value in state["callbacks"].get(name, {}).items():
                if isinstance(value, tuple) and len(value) == 2 and value[0] == _STATE_DICT:
                    getattr(cb, key).load_state_dict(value[1])
                else:
                    setattr(cb, key, value)
        torch.set_rng_state(state["torch_rng"].cpu())
        if state.get("cuda_rng") is not None and torch.device(net.device).type == "cuda":
            torch.cuda.set_rng_state(state["cuda_rng"].cpu(), torch.device(net.device))
        self._iterator_state = state["iterator_rng"]
        self._seconds_before = state["fit_seconds"]
        self.resumed_from_ = {"epoch": len(state["history"]),
                              "fit_seconds": state["fit_seconds"]}

    def iterator(self, iterator):
        """The training batch iterator: its random stream is saved (and restored)."""
        rng = getattr(iterator, "rng", None)
        if isinstance(rng, np.random.Generator):
            if self._iterator_state is not None:
                rng.bit_generator.state = self._iterator_state
                self._iterator_state = None
            self._iterator = iterator

    def save(self, net):
        """Write ``net``'s training state at the end of an epoch, all or nothing."""
        from .distributed import _write_whole
        device = torch.device(net.device)
        state = {
            "format": _FORMAT,
            "fingerprint": self._fingerprint,
            "fit_seconds": self._seconds_before + time.perf_counter() - self._t0,
            "owners": {name: getattr(net, name + "_").state_dict()
                       for name in _state_owners(net)},
            "grad_scaler": None if getattr(net, "grad_scaler_", None) is None
            else net.grad_scaler_.state_dict(),
            "history": net.history.to_list(),
            "random_seed": net.random_seed_,
            "callbacks": {name: _callback_state(cb) for name, cb in net.callbacks_
                          if cb is not self},
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state(device) if device.type == "cuda" else None,
            "iterator_rng": None if self._iterator is None
            else self._iterator.rng.bit_generator.state,
        }
        _write_whole(self.path_, lambda tmp: torch.save(state, tmp))

    def interrupted(self):
        """Training stopped by Ctrl-C: the file keeps the last whole epoch's state."""
        self._iterator = None
        if os.path.exists(self.path_):
            warnings.warn(f"fit interrupted: {self.path_} keeps the training state of "
                          f"epoch {saved_epochs(self.path_)}; the same fit run again goes "
                          "on from there.", UserWarning, stacklevel=4)

    def finish(self):
        """Training ended: the file is no longer needed (unless ``keep``)."""
        self._iterator = None
        # and what a process killed mid-write left (``<path>.<pid>.part``, see
        # ``save``), not the file another live process is writing
        for left in glob.glob(glob.escape(self.path_) + ".*.part"):
            if not _running(int(left.rsplit(".", 2)[-2])):
                os.remove(left)
        if not self.keep and os.path.exists(self.path_):
            os.remove(self.path_)


def _running(pid):
    """Whether process ``pid`` is alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, another user's
        return True
    return True


def saved_epochs(path):
    """Epochs held by the training state in ``path`` (``None`` without a readable one)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
        return len(state["history"])
    except Exception:  # noqa: BLE001 - a missing or foreign file: nothing to resume
        return None


def _state_owners(net):
    """The names of ``net``'s modules, criteria and optimizers (``module``, ...)."""
    return [*net._modules, *net._criteria, *net._optimizers]


def _callback_state(cb):
    """A callback's fitted attributes (``misses_``, ``lr_scheduler_``'s state, ...)."""
    out = {}
    for key, value in vars(cb).items():
        if not key.endswith("_") or key.startswith("_") or isinstance(value, type):
            continue  # set from the callback's parameters (``policy_``), not trained
        if hasattr(value, "state_dict") and hasattr(value, "load_state_dict"):
            value = (_STATE_DICT, value.state_dict())
        out[key] = value
    return out


def _describe(value):
    """A text for ``value`` that is the same in every process (no addresses)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_describe(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, type) or callable(value) and hasattr(value, "__qualname__") \
            and not hasattr(value, "get_params"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    if hasattr(value, "get_params"):
        try:
            params = value.get_params(deep=False)
        except TypeError:
            params = value.get_params()
        return f"{type(value).__qualname__}({_describe(params)[1:-1]})"
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


def _data_digest(arrays, y, validation_data):
    """A digest of the training (and validation) data: shapes, labels, sampled rows."""
    h = hashlib.sha1()

    def add(arrays, y):
        for a in arrays:
            rows = np.linspace(0, len(a) - 1, min(len(a), 64)).astype(int)
            a = a.read(rows) if hasattr(a, "read") else np.asarray(a)[rows]
            h.update(f"{a.shape}{a.dtype}".encode())
            h.update(np.ascontiguousarray(a).tobytes())
        y = np.asarray(y)
        h.update(f"{y.shape}{y.dtype}".encode())
        h.update(np.ascontiguousarray(y).tobytes())

    add(arrays, y)
    h.update(f"{[len(a) for a in arrays]}".encode())
    if validation_data is not None:
        add(*validation_data)
    return h.hexdigest()


def _fingerprint(net, arrays, y, validation_data):
    """What must agree for a saved state to be resumed: the estimator and the data."""
    params = net.get_params(deep=False)
    params.pop("verbose", None)
    params["callbacks"] = [cb for cb in (params.get("callbacks") or [])
                           if not isinstance(cb, TrainingCheckpoint)] \
        if isinstance(params.get("callbacks"), (list, tuple)) else params.get("callbacks")
    out = {k: _describe(v) for k, v in params.items()}
    out["estimator"] = f"{type(net).__module__}.{type(net).__qualname__}"
    out["data"] = _data_digest(arrays, y, validation_data)
    return out
