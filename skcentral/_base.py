"""The shared skorch-based estimator base of every fusion method.

It does data checking, the multi-task loss (Eq. 2), seeding, nested backbone
parameters, and the fitted attributes; each method is a thin subclass that
builds its torch module in :meth:`FusionNet.build_module`.
"""

import contextlib
import numbers
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._available_if import available_if
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_array
from skorch import NeuralNet
from skorch.callbacks import EpochScoring
from skorch.utils import to_numpy, to_tensor
from torch import nn

from . import distributed
from ._data import ModalityBatchIterator, ModalityDataset
from ._docstring import complete_doc, regressor_doc  # noqa: F401 (estimators import it)
from ._modalities import check_modalities
from ._signature import install_signature
from .backbones import LeNet5, MLP, BackboneSpec
from .losses import check_beta, multitask_loss
from ._weights import check_class_weight, check_sample_weight, element_weights

__all__ = ["FusionNet", "FusionClassifierMixin", "FusionRegressorMixin"]

_MISSING = object()

_PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}
_NONLINEARITIES = {
    "multiclass": lambda y: torch.softmax(y, dim=-1),
    "multilabel": torch.sigmoid,
    "regression": lambda y: y,
}


def default_backbone(sample_shape):
    """LeNet5 for images ((H, W) or (C, H, W) samples), an MLP otherwise."""
    return LeNet5() if len(sample_shape) in (2, 3) else MLP()


class FusionNet(NeuralNet):
    """Base of the skcentral estimators (a skorch ``NeuralNet``).

    Subclasses implement :meth:`build_module` and list their own
    hyper-parameters as keyword arguments of ``__init__``; the shared ones
    are below. Further skorch parameters (``optimizer__weight_decay``,
    ``callbacks__print_log__...``, ``iterator_train__batch_size``, ...) are
    accepted as keyword arguments, as in skorch.

    Parameters
    ----------
    backbones : BackboneSpec or list of BackboneSpec, default=None
        One spec per modality, or one spec used for every modality. ``None``
        picks :class:`~skcentral.LeNet5` for image modalities and
        :class:`~skcentral.MLP` for the others. Nested parameters are set
        with ``backbones__0__dropout`` (list) or ``backbones__dropout``.
    beta : float or list of float, default=1.0
        Weight of each modality's own loss in the multi-task loss (Eq. 2),
        one number for every modality or one per modality. Each method
        sets the default its definition calls for: 1.0 for the paper's
        "Multi-Task" loss (CentralNet, Concat + Multi-Task, Fusion +
        Ensemble), 0.0 for the baselines the paper runs as their authors
        defined them, on the fused loss alone (weighted mean, ModDrop,
        GMU); the method's docstring says why.
    modalities : list or dict, default=None
        Column spec that makes the estimator take a single 2-D ``X`` (see
        :func:`~skcentral.check_modalities`).
    lr : float, default=0.001
        Learning rate of the optimizer.
    max_epochs : int, default=20
        Passes over the training data.
    batch_size : int, default=128
        Samples per training step (and per prediction batch).
    optimizer : torch optimizer class, default=torch.optim.Adam
        Built on the network's parameters with ``lr``; its other arguments
        are set with ``optimizer__<name>``. Adam and AdamW run as torch's
        fused single-kernel implementation where torch has one for the
        device (``fused=True``; about 1.4x faster training of MLP backbones
        on CPU), and as torch's default implementation elsewhere. ``optimizer__fused=False`` or
        ``optimizer__foreach=True`` chooses an implementation yourself.
    criterion : torch loss class, default=None
        ``None`` picks the task's loss (cross-entropy for classification).
    train_split : callable, default=None
        skorch's internal validation split, e.g. ``skorch.dataset.ValidSplit(0.1)``;
        ``None`` trains on all the data, as scikit-learn estimators do.
    callbacks : list, default=None
        skorch callbacks, e.g. ``[skorch.callbacks.EarlyStopping()]``.
    iterator_train, iterator_valid : class, default=ModalityBatchIterator
        Batch iterators; :class:`~skcentral.ModalityBatchIterator` gathers
        whole batches from in-memory arrays, shuffled from ``random_state``.
    device : str or torch.device, default="cpu"
        Where the network trains and predicts (``"cuda"``, ``"cuda:1"``, ...).
    precision : {"fp32", "bf16", "fp16"}, default="fp32"
        Mixed precision by autocast: ``"bf16"`` runs matrix products and
        convolutions in bfloat16 (on CPUs with bf16 support and on GPUs);
        ``"fp16"`` is meant for GPUs and scales the loss against underflow.
        Parameters and outputs stay float32.
    channels_last : bool or "auto", default="auto"
        Store convolution weights and image batches in the channels-last
        memory format, which oneDNN and cuDNN run faster. ``"auto"`` turns it
        on when the network has 2-D convolutions (``LeNet5``, ``AudioCNN``)
        and leaves it off otherwise; ``channels_last_`` holds the choice.
    freeze_backbones : bool, default=False
        Train only the fusion parameters (central network and alphas,
        gates, fusion heads); the modality networks, e.g. pretrained ones
        wrapped in :class:`~skcentral.ModuleBackbone`, keep their weights
        and batch-norm statistics.
    torch_threads : int, default=None
        Torch threads used while fitting and predicting (the global setting
        is restored after). Results on CPU can differ in the last bits with
        the thread count, so a fixed number (e.g. 1) makes fits
        bit-identical whether they run alone or in ``GridSearchCV(n_jobs=k)``
        workers. ``None`` uses torch's current setting.
    distributed : bool, default=False
        Train data-parallel with torch's ``DistributedDataParallel`` when the
        script is launched on several processes (``torchrun``, ``accelerate
        launch``): each process trains on its part of every batch and all
        end with the same fitted estimator. A plain single process trains
        as usual. See :mod:`skcentral.distributed`.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout and shuffling; an int gives
        identical predictions on CPU from run to run. The global torch
        random state is left untouched.
    verbose : int, default=0
        1 prints a table of epochs as training goes.
    warm_start : bool, default=False
        Continue training the current model on the next ``fit``.

    Examples
    --------
    A new method is a subclass that builds its torch module:

    >>> from skcentral import FusionClassifierMixin, FusionNet, MLP
    >>> from skcentral.fusion import WeightedMean
    >>> from skcentral.datasets import load_multimodal_digits
    >>> class MeanOfScores(FusionClassifierMixin, FusionNet):
    ...     def build_module(self, backbones, input_shapes, n_outputs):
    ...         return WeightedMean(backbones, input_shapes)
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = MeanOfScores(backbones=MLP((32,)), beta=0.0, max_epochs=3, random_state=0)
    >>> clf.fit(Xs, y).score(Xt, yt) > 0.5
    True
    """

    _spec_params = ("backbones", "central", "trunk")
    #: Whether ``predict`` accepts missing modalities (``None`` or ``Modalities.missing``).
    _supports_missing = False

    def __init__(self, *, backbones=None, beta=1.0, modalities=None, lr=0.001,
                 max_epochs=20, batch_size=128, optimizer=torch.optim.Adam,
                 criterion=None, train_split=None, callbacks=None,
                 iterator_train=ModalityBatchIterator,
                 iterator_valid=ModalityBatchIterator, device="cpu",
                 precision="fp32", channels_last="auto", freeze_backbones=False,
                 torch_threads=None, distributed=False, random_state=None, verbose=0,
                 warm_start=False, **kwargs):
        kwargs.pop("module", None)  # always built from the backbones
        super().__init__(
            module=None, criterion=criterion, optimizer=optimizer, lr=lr,
            max_epochs=max_epochs, batch_size=batch_size,
            iterator_train=iterator_train, iterator_valid=iterator_valid,
            train_split=train_split, callbacks=callbacks, device=device,
            verbose=verbose, warm_start=warm_start, **kwargs)
        self.backbones = backbones
        self.beta = beta
        self.modalities = modalities
        self.precision = precision
        self.channels_last = channels_last
        self.freeze_backbones = freeze_backbones
        self.torch_threads = torch_threads
        self.distributed = distributed
        self.random_state = random_state

    # ------------------------------------------------------------ hooks
    def build_module(self, backbones, input_shapes, n_outputs):
        """Return the torch fusion module (subclasses implement this).

        Parameters
        ----------
        backbones : list of Backbone
            The built per-modality networks.
        input_shapes : list of tuple
            Per-sample input shape of each modality.
        n_outputs : int
            Output width (number of classes).
        """
        raise NotImplementedError

    def _n_outputs(self):
        raise NotImplementedError

    def _check_y(self, y, reset, n_samples=None, classes=None):
        raise NotImplementedError

    def _default_criterion(self):
        raise NotImplementedError

    # ------------------------------------------------------------ params
    def backbone_specs(self, n_modalities):
        """The spec of each modality, from ``backbones`` (not built)."""
        specs = self.backbones
        if specs is None:
            return [default_backbone(s) for s in self.modality_shapes_]
        if isinstance(specs, BackboneSpec):
            return [specs] * n_modalities
        specs = list(specs)
        if len(specs) != n_modalities:
            raise ValueError(
                f"backbones has {len(specs)} specs but X has {n_modalities} "
                f"modalities ({self.modality_names_}); give one spec per modality "
                "or a single spec for all."
            )
        for k, s in enumerate(specs):
            if not hasattr(s, "build"):
                raise TypeError(
                    f"backbones[{k}] must be a backbone spec (LeNet5(), MLP(), "
                    f"ModuleBackbone(module), ...); got {type(s).__name__}."
                )
        return specs

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        install_signature(cls, base=FusionNet)
        # every estimator page lists the shared parameters and attributes
        cls.__doc__ = complete_doc(cls, FusionNet, FusionClassifierMixin)

    # scikit-learn's repr (changed parameters only) rather than skorch's
    __repr__ = BaseEstimator.__repr__

    def _get_param_names(self):
        # skorch lists every attribute not ending in "_", which includes its
        # private bookkeeping (``_params_to_validate``); those are not params,
        # nor is ``module``, always built from the backbones.
        return [k for k in super()._get_param_names()
                if not k.startswith("_") and k != "module"]

    def get_params(self, deep=True, **kwargs):
        params = super().get_params(deep=deep, **kwargs)
        if deep and isinstance(self.backbones, (list, tuple)):
            for i, spec in enumerate(self.backbones):
                if hasattr(spec, "get_params"):
                    for key, val in spec.get_params().items():
                        params[f"backbones__{i}__{key}"] = val
        return params

    def set_params(self, **kwargs):
        # Backbone specs are plain sklearn objects held by the estimator (in a
        # list for ``backbones``): route ``backbones__0__dropout`` to them
        # instead of letting skorch store the key as an attribute.
        nested = {k: kwargs.pop(k) for k in list(kwargs)
                  if k.split("__", 1)[0] in self._spec_params and "__" in k}
        if "callbacks" in kwargs and not self.initialized_:
            # skorch's route reads the initialised callbacks_; before fit
            # the list is just stored, and built at initialisation
            self.callbacks = kwargs.pop("callbacks")
        for key, val in nested.items():
            name, rest = key.split("__", 1)
            target = getattr(self, name)
            if isinstance(target, (list, tuple)):
                head, _, rest = rest.partition("__")
                if not head.isdigit() or int(head) >= len(target) or not rest:
                    raise ValueError(
                        f"Invalid parameter {key!r}: {name} is a list of "
                        f"{len(target)} specs; use {name}__<index>__<param>."
                    )
                target = target[int(head)]
            if target is None:
                raise ValueError(f"Invalid parameter {key!r}: {name} is None.")
            target.set_params(**{rest: val})
        return super().set_params(**kwargs) if kwargs else self

    # ------------------------------------------------------------ fitting
    def initialize_module(self):
        specs = self.backbone_specs(self.n_modalities_)
        n_out = self._n_outputs()
        backbones = [spec.build(shape, n_out)
                     for spec, shape in zip(specs, self.modality_shapes_)]
        module = self.build_module(backbones, self.modality_shapes_, n_out)
        self.channels_last_ = _resolve_channels_last(self.channels_last, module)
        if self.channels_last_:
            module = module.to(memory_format=torch.channels_last)
        if self.freeze_backbones:
            frozen = getattr(module, "backbones", None)
            if frozen is None or not any(p.requires_grad for p in module.parameters()
                                         if all(p is not q for q in frozen.parameters())):
                raise ValueError(
                    f"freeze_backbones=True leaves {type(self).__name__} nothing to "
                    "train: it has no fusion parameters of its own."
                )
            for p in frozen.parameters():
                p.requires_grad_(False)
        self.module_ = module  # skorch moves it to the device and compiles it
        return self

    def get_all_learnable_params(self):
        # frozen backbones stay out of the optimizer
        for name, p in super().get_all_learnable_params():
            if p.requires_grad:
                yield name, p

    def _set_training(self, training=True):
        super()._set_training(training)
        if training and self.freeze_backbones:
            # frozen networks keep their batch-norm statistics and no dropout
            self.module_.backbones.eval()

    def initialize(self):
        super().initialize()
        scaled = self.precision == "fp16"
        self.grad_scaler_ = torch.amp.GradScaler(torch.device(self.device).type) \
            if scaled else None
        return self

    def infer(self, x, **fit_params):
        missing = getattr(x, "missing", None)
        if missing is not None:
            fit_params = dict(fit_params, missing=to_tensor(missing, device=self.device))
        x = to_tensor(list(x), device=self.device)
        if self.channels_last_:
            x = [xi.contiguous(memory_format=torch.channels_last) if xi.dim() == 4 else xi
                 for xi in x]
        dtype = _PRECISIONS[self.precision]
        module = distributed.forward_module(self)
        if dtype is None:
            return module(x, **fit_params)
        with torch.autocast(torch.device(self.device).type, dtype=dtype):
            out = module(x, **fit_params)
        return tuple(o.float() for o in out) if isinstance(out, tuple) else out.float()

    def train_step_single(self, batch, **fit_params):
        if getattr(self, "grad_scaler_", None) is None:
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        Xi, yi = batch
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        self.grad_scaler_.scale(loss).backward()
        return {"loss": loss, "y_pred": y_pred}

    def _step_optimizer(self, step_fn):
        if getattr(self, "grad_scaler_", None) is None:
            return super()._step_optimizer(step_fn)
        step_fn()
        for name in self._optimizers:
            self.grad_scaler_.step(getattr(self, name + "_"))
        self.grad_scaler_.update()

    def initialize_optimizer(self, triggered_directly=None):
        args, kwargs = self.get_params_for_optimizer(
            "optimizer", self.get_all_learnable_params())
        self.optimizer_ = build_optimizer(self.optimizer, args, kwargs, self.device)
        return self

    def initialize_criterion(self):
        if self.criterion is None:
            self.criterion_ = self._default_criterion()
        else:
            self.criterion_ = self.initialized_instance(
                self.criterion, self.get_params_for("criterion"))
        return self

    def _validate_for_fit(self, X, y, reset, classes=None):
        """Validate X and y; on reset, return the fitted attributes to set."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if not reset:
            return self._check_X(X), self._check_y(y, reset=False), {}
        Xs = check_modalities(self._check_2d(X), modalities=self.modalities)
        if len(Xs) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to train (batch "
                f"normalisation and mini-batches); got 1 sample."
            )
        state = {
            "modality_names_": list(Xs.names),
            "modality_shapes_": [tuple(s) for s in Xs.sample_shapes],
            "n_modalities_": Xs.n_modalities,
            "random_seed_": _draw_seed(self.random_state),
        }
        if self.modalities is not None:
            state["n_features_in_"] = np.asarray(X).shape[1]
        y, y_state = self._check_y(y, reset=True, n_samples=len(Xs), classes=classes)
        state.update(y_state)
        return Xs, y, state

    def fit(self, X, y, sample_weight=None, validation_data=None, **fit_params):
        """Initialise (unless ``warm_start``) and train the network.

        Parameters
        ----------
        X : Modalities, list of arrays, dict of arrays, or 2-D array
            One array per modality with the same number of rows; a 2-D
            array needs the ``modalities`` column spec.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels, a binary indicator matrix (multilabel) or
            regression targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in every term of the multi-task loss
            (rescaled to a mean of 1; batches carry their weights). With
            full-batch training (``batch_size=-1``), no dropout and no
            batch normalisation, a weight of 0 equals leaving the sample
            out and an integer weight equals repeating it.
        validation_data : tuple (X_valid, y_valid), default=None
            A held-out set scored after every epoch (``valid_loss`` in
            ``history_``), for skorch's ``EarlyStopping`` callback; it
            replaces ``train_split`` for this fit.
        **fit_params
            Passed to skorch's training loop.

        Returns
        -------
        self
        """
        reset = not (self.warm_start and self.initialized_)
        return self._fit(X, y, reset, fit_params, sample_weight=sample_weight,
                         validation_data=validation_data)

    def partial_fit(self, X, y, classes=None, sample_weight=None, validation_data=None,
                    **fit_params):
        """Train for ``max_epochs`` more epochs without re-initialising."""
        return self._fit(X, y, not self.initialized_, fit_params, classes=classes,
                         sample_weight=sample_weight, validation_data=validation_data)

    def _fit(self, X, y, reset, fit_params, classes=None, sample_weight=None,
             validation_data=None):
        Xs, y, state = self._validate_for_fit(X, y, reset, classes)
        sample_weight = self._check_sample_weight(sample_weight, len(Xs))
        state = distributed.prepare(self, state)
        if reset:
            old = {k: self.__dict__.get(k, _MISSING) for k in state}
            self.__dict__.update(state)
            try:
                self._check_params()
                with self._seeded(0):
                    self.initialize()
            except BaseException:
                for k, v in old.items():
                    if v is _MISSING:
                        self.__dict__.pop(k, None)
                    else:
                        self.__dict__[k] = v
                raise
        dataset = self._device_dataset(Xs.arrays, y, sample_weight)
        self.validation_dataset_ = None
        if validation_data is not None:
            X_valid, y_valid = validation_data
            self.validation_dataset_ = self._device_dataset(
                self._check_X(X_valid).arrays, self._check_y(y_valid, reset=False))
        try:
            with self._seeded(1 + len(self.history)), self._threads(), \
                    distributed.training(self):
                NeuralNet.partial_fit(self, dataset, y, **fit_params)
        finally:
            self.validation_dataset_ = None
        self._after_fit(dataset)
        return self

    def _device_dataset(self, arrays, y, sample_weight=None):
        dataset = ModalityDataset(arrays, y, sample_weight=sample_weight)
        if torch.device(self.device).type != "cpu":
            # Copy the data to the device once, not batch by batch.
            # (modalities on disk stay there and are read batch by batch)
            w = dataset.sample_weight
            dataset = ModalityDataset([x.to(self.device) if torch.is_tensor(x) else x
                                       for x in dataset.X], dataset.y.to(self.device),
                                      sample_weight=None if w is None else w.to(self.device))
        return dataset

    def _check_sample_weight(self, sample_weight, n_samples):
        """Validated weights of mean 1 (None when all equal), see ``fit``."""
        sample_weight = check_sample_weight(sample_weight, n_samples)
        iterator = self.iterator_train
        if sample_weight is not None and not (
                isinstance(iterator, type) and issubclass(iterator, ModalityBatchIterator)):
            raise ValueError(
                "sample_weight needs iterator_train=ModalityBatchIterator, whose batches "
                f"carry the weights; got {getattr(iterator, '__name__', iterator)}.")
        return sample_weight

    def get_split_datasets(self, X, y=None, **fit_params):
        if getattr(self, "validation_dataset_", None) is not None:
            return self.get_dataset(X, y), self.validation_dataset_
        return super().get_split_datasets(X, y, **fit_params)

    def check_beta(self):
        """Per-modality weights of the unimodal losses, validated."""
        return check_beta(self.beta, self.n_modalities_, self.modality_names_)

    def _check_params(self):
        """Validate hyper-parameters before building anything (extended by subclasses)."""
        self.check_beta()  # also where a method's loss leaves beta out
        self.loss_weights()
        if self.precision not in _PRECISIONS:
            raise ValueError(
                f"precision must be one of {sorted(_PRECISIONS)}; got {self.precision!r}.")

    def _after_fit(self, dataset):
        """Hook run after training, e.g. to summarise gates on the training data."""

    def loss_weights(self):
        """Weight of each module output in the loss: ``[1, beta_1, ..., beta_n]``.

        Subclasses whose module returns other outputs override this.
        """
        return [1.0, *self.check_beta()]

    def _get_predict_nonlinearity(self):
        self.check_is_fitted()  # skorch's NotInitializedError is a NotFittedError
        if self.predict_nonlinearity != "auto":
            return super()._get_predict_nonlinearity()
        return _NONLINEARITIES[self.task_]

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        outputs = y_pred if isinstance(y_pred, tuple) else (y_pred,)
        weight = element_weights(getattr(X, "sample_weight", None),
                                 getattr(self, "class_weight_", None), y_true)
        loss = multitask_loss(self.criterion_, outputs, y_true, self.loss_weights(),
                              sample_weight=weight)
        return distributed.scale_loss(self, loss, X, len(y_true)) if training else loss

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        # data-parallel: the history weighs each batch by its whole size
        size = getattr(batch[0], "global_size", None) if batch is not None else None
        if training and size is not None:
            self.history.record_batch("train_batch_size", size)

    @contextlib.contextmanager
    def _threads(self):
        """Run with ``torch_threads`` torch threads, restoring the setting after."""
        if self.torch_threads is None:
            yield
            return
        previous = torch.get_num_threads()
        torch.set_num_threads(int(self.torch_threads))
        try:
            yield
        finally:
            torch.set_num_threads(previous)

    def forward_iter(self, X, training=False, device="cpu"):
        with self._threads():
            yield from super().forward_iter(X, training=training, device=device)

    @contextlib.contextmanager
    def _seeded(self, offset):
        """Seed torch for one phase of training, restoring the global state after."""
        device = torch.device(self.device)
        devices = [device.index or 0] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(int(np.random.SeedSequence(
                [self.random_seed_, offset]).generate_state(1)[0]))
            yield

    # ------------------------------------------------------------ data
    def _check_2d(self, X):
        """With a ``modalities`` column spec, X is an ordinary 2-D sklearn input."""
        if self.modalities is None:
            return X
        return check_array(X, dtype="numeric", input_name="X")

    def _check_X(self, X, allow_missing=False):
        self.check_is_fitted()
        if self.modalities is not None:
            X = self._check_2d(X)
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is "
                    f"expecting {self.n_features_in_} features as input."
                )
        Xs = check_modalities(X, modalities=self.modalities, expected=self.modality_shapes_,
                              allow_missing=allow_missing)
        if Xs.missing is not None and Xs.missing.all(axis=1).any():
            raise ValueError(
                f"{int(Xs.missing.all(axis=1).sum())} samples have every modality "
                "missing; at least one must be present to predict."
            )
        if Xs.missing is not None and not self._supports_missing:
            absent = [n for n, m in zip(Xs.names, Xs.missing.any(axis=0)) if m]
            raise ValueError(
                f"{type(self).__name__} cannot predict with missing modalities "
                f"({', '.join(map(repr, absent))}): its fusion has no rule to leave "
                "one out. CentralNet, ModDrop, weighted mean, GMU and ensemble "
                "estimators can."
            )
        return Xs

    def get_dataset(self, X, y=None):
        if isinstance(X, ModalityDataset):
            return X
        Xs = self._check_X(X, allow_missing=True)
        return ModalityDataset(Xs.arrays, y, missing=Xs.missing)

    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        iterator = getattr(self, prefix)
        if not (isinstance(iterator, type) and issubclass(iterator, ModalityBatchIterator)):
            return super().get_iterator(dataset, training=training)
        kwargs = self.get_params_for(prefix)
        kwargs.setdefault("batch_size", self.batch_size)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        if training:
            kwargs.setdefault("shuffle", True)
            kwargs.setdefault("seed", [self.random_seed_, len(self.history)])
            if distributed.active(self):
                kwargs.setdefault("shard", distributed.shard())
        return iterator(dataset, **kwargs)


def _resolve_channels_last(channels_last, module):
    """The ``channels_last`` setting as a bool: ``"auto"`` means "the module convolves"."""
    if isinstance(channels_last, str) and channels_last == "auto":
        return any(isinstance(m, nn.Conv2d) for m in module.modules())
    return bool(channels_last)


def build_optimizer(optimizer, args, kwargs, device):
    """``optimizer(*args, **kwargs)``, fused where torch has a fused kernel for the device.

    Adam and AdamW (and their subclasses) get ``fused=True`` unless the
    caller chose an implementation (``fused`` or ``foreach``); where torch
    refuses the fused kernel (an older torch, a device or dtype without one),
    the default implementation is built instead.
    """
    chosen = "fused" in kwargs or "foreach" in kwargs
    if chosen or not (isinstance(optimizer, type)
                      and issubclass(optimizer, (torch.optim.Adam, torch.optim.AdamW))):
        return optimizer(*args, **kwargs)
    groups = list(args[0])
    # the constructor fills the group dicts in place: each try gets fresh copies
    fresh = lambda: [dict(g) if isinstance(g, dict) else g for g in groups]  # noqa: E731
    if torch.device(device).type in _fused_devices():
        try:
            return optimizer(fresh(), *args[1:], fused=True, **kwargs)
        except (RuntimeError, TypeError, ValueError):
            pass  # no fused kernel here: torch's default implementation below
    return optimizer(fresh(), *args[1:], **kwargs)


def _fused_devices():
    try:
        from torch.optim.optimizer import _get_fused_kernels_supported_devices
        return set(_get_fused_kernels_supported_devices())
    except ImportError:  # torch without the helper: let the constructor decide
        return {"cpu", "cuda", "mps", "xpu"}


def _draw_seed(random_state):
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _encoded_accuracy(net, X, y):
    """Accuracy against the encoded labels skorch's validation split holds
    (subset accuracy for multilabel)."""
    proba, y = net.predict_proba(X), to_numpy(y)
    if net.task_ == "multilabel":
        return float(np.mean(((proba >= net.threshold) == (y > 0.5)).all(axis=1)))
    return float(np.mean(proba.argmax(axis=1) == y))


class FusionClassifierMixin(ClassifierMixin):
    """Classification for fusion estimators: multiclass and multilabel.

    String and other labels work: ``classes_`` holds them sorted and
    ``predict`` returns them. A 2-D binary indicator ``y`` makes the task
    multilabel: sigmoid outputs and the weighted binary cross-entropy of
    the paper's Eq. 4.

    Parameters
    ----------
    pos_weight : float, default=2.0
        Multilabel only: weight of the positive terms in the loss (Eq. 4,
        2.0 in the paper, to balance precision and recall).
    threshold : float, default=0.5
        Multilabel only: probability at or above which ``predict`` sets a
        label.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in every term of the loss, multiplied with
        ``sample_weight``, as in scikit-learn's classifiers: ``{label:
        weight}`` (unlisted classes weigh 1), or ``"balanced"``,
        ``n_samples / (n_classes * np.bincount(y))``. Multilabel: a dict
        ``{label index: weight}`` weighs both terms of that label, and
        ``"balanced"`` balances each label as a binary problem, weighting its
        present terms by ``n_samples / (2 * n_present)`` and its absent terms
        by ``n_samples / (2 * n_absent)`` (on top of ``pos_weight``).

    Attributes
    ----------
    class_weight_ : ndarray or None
        The class weights of the last fit: ``(n_classes,)``, or for
        multilabel ``(n_labels, 2)``, each label's weight when absent and
        when present; None without ``class_weight``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral import CentralNetClassifier, MLP
    >>> rng = np.random.default_rng(0)
    >>> Xs = [rng.normal(size=(100, 4)), rng.normal(size=(100, 3))]
    >>> Y = np.stack([Xs[0][:, 0] > 0, Xs[1][:, 0] > 0], axis=1).astype(int)
    >>> clf = CentralNetClassifier(backbones=MLP((8,)), max_epochs=2, random_state=0)
    >>> clf.fit(Xs, Y).predict(Xs).shape, clf.task_
    ((100, 2), 'multilabel')
    """

    def __init__(self, *, pos_weight=2.0, threshold=0.5, class_weight=None, **kwargs):
        super().__init__(**kwargs)
        self.pos_weight = pos_weight
        self.threshold = threshold
        self.class_weight = class_weight

    def _validate_for_fit(self, X, y, reset, classes=None):
        Xs, y, state = super()._validate_for_fit(X, y, reset, classes)
        if reset:
            state["class_weight_"] = check_class_weight(
                self.class_weight, y, state["classes_"], state["task_"])
        return Xs, y, state

    @property
    def _default_callbacks(self):
        callbacks = list(super()._default_callbacks)
        callbacks.insert(-1, ("valid_acc", EpochScoring(
            _encoded_accuracy, name="valid_acc", lower_is_better=False,
            on_train=False, use_caching=True)))
        return callbacks

    def _default_criterion(self):
        if self.task_ == "multilabel":
            return nn.BCEWithLogitsLoss(
                pos_weight=torch.full((len(self.classes_),), float(self.pos_weight)))
        return nn.CrossEntropyLoss()

    def _n_outputs(self):
        return len(self.classes_)

    def _check_y(self, y, reset, n_samples=None, classes=None):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected; "
                          "it is used as y.ravel().", DataConversionWarning, stacklevel=4)
            y = y.ravel()
        if reset and n_samples is not None and y.shape[0] != n_samples:
            raise ValueError(f"y has {y.shape[0]} labels but X has {n_samples} samples.")
        task = type_of_target(y) if reset else self.task_
        if task == "multilabel-indicator" or (not reset and task == "multilabel"):
            return self._check_multilabel(y, reset)
        if y.ndim != 1:
            raise ValueError(
                "y must be a 1-D array of class labels of shape (n_samples,) or a "
                f"binary indicator matrix (multilabel); got shape {y.shape}"
                + (f" with values {np.unique(y)[:5].tolist()}" if y.size else "") + "."
            )
        if not reset:
            if self.task_ != "multiclass":
                raise ValueError(f"The estimator was fitted on a {self.task_} y; got 1-D labels.")
            return self._encode(y, self.classes_)
        check_classification_targets(y)
        classes = np.unique(y) if classes is None else np.unique(classes)
        if len(classes) < 2:
            raise ValueError(
                f"A classifier needs samples of at least 2 classes in y; got "
                f"only {classes.tolist()}."
            )
        return self._encode(y, classes), {"classes_": classes, "task_": "multiclass"}

    def _check_multilabel(self, y, reset):
        if not np.isin(y, (0, 1)).all():
            raise ValueError("A multilabel y must be a binary (0/1) indicator matrix.")
        if not reset:
            if self.task_ != "multilabel" or y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"y has shape {y.shape} but the estimator was fitted on "
                    + (f"{len(self.classes_)} labels." if self.task_ == "multilabel"
                       else "1-D class labels.")
                )
            return y.astype(np.float32)
        return y.astype(np.float32), {"classes_": np.arange(y.shape[1]), "task_": "multilabel"}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    @staticmethod
    def _encode(y, classes):
        idx = np.searchsorted(classes, y)
        idx_clipped = np.clip(idx, 0, len(classes) - 1)
        unseen = classes[idx_clipped] != y
        if np.any(unseen):
            raise ValueError(
                f"y contains labels not seen at fit: {np.unique(y[unseen]).tolist()[:10]}; "
                f"known classes are {classes.tolist()[:20]}."
            )
        return idx_clipped.astype(np.int64)

    def predict_proba(self, X):
        """Probabilities of the fused prediction, ``(n_samples, n_classes)``.

        Softmax over classes, or one sigmoid per label for multilabel.
        """
        return super().predict_proba(X)

    def predict(self, X):
        """Class labels ``(n_samples,)``, or the indicator matrix for multilabel."""
        proba = self.predict_proba(X)
        if self.task_ == "multilabel":
            return (proba >= self.threshold).astype(int)
        return self.classes_[proba.argmax(axis=1)]


class FusionRegressorMixin(RegressorMixin):
    """Regression for fusion estimators: MSE multi-task loss, ``score`` is R^2.

    ``y`` may be 1-D or 2-D (multi-output); ``predict`` returns the same
    shape.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral import CentralNetRegressor, MLP
    >>> rng = np.random.default_rng(0)
    >>> Xs = [rng.normal(size=(100, 4)), rng.normal(size=(100, 3))]
    >>> Y = np.stack([Xs[0][:, 0], Xs[1][:, 0]], axis=1)
    >>> reg = CentralNetRegressor(backbones=MLP((8,)), max_epochs=2, random_state=0)
    >>> reg.fit(Xs, Y).predict(Xs).shape
    (100, 2)
    """

    def _default_criterion(self):
        return nn.MSELoss()

    def _n_outputs(self):
        return self.n_outputs_

    def _check_y(self, y, reset, n_samples=None, classes=None):
        y = np.asarray(y)
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"Regression targets must be numbers; got dtype {y.dtype}.") \
                from None
        if y.ndim not in (1, 2):
            raise ValueError(f"y must have shape (n_samples,) or (n_samples, n_outputs); "
                             f"got {y.shape}.")
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite values.")
        y2 = y.reshape(len(y), -1).astype(np.float32)
        if not reset:
            if y2.shape[1] != self.n_outputs_:
                raise ValueError(f"y has {y2.shape[1]} outputs but the estimator was "
                                 f"fitted on {self.n_outputs_}.")
            return y2
        if n_samples is not None and len(y) != n_samples:
            raise ValueError(f"y has {len(y)} targets but X has {n_samples} samples.")
        return y2, {"n_outputs_": y2.shape[1], "task_": "regression",
                    "_y_1d_": y.ndim == 1}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @available_if(lambda self: False)
    def predict_proba(self, X):  # regressors have no probabilities
        raise AttributeError("predict_proba")

    def predict(self, X):
        """Predicted targets, ``(n_samples,)`` or ``(n_samples, n_outputs)``."""
        out = NeuralNet.predict_proba(self, X).astype(np.float64)
        return out.ravel() if self._y_1d_ else out
