"""The shared skorch-based estimator base of every fusion method.

It does data checking, the multi-task loss (Eq. 2), seeding, nested backbone
parameters, and the fitted attributes; each method is a thin subclass that
builds its torch module in :meth:`FusionNet.build_module`.
"""

import contextlib
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import (HasMethods, Interval, Options, StrOptions,
                                             validate_parameter_constraints)
from skorch import NeuralNet
from skorch.utils import to_tensor

from . import distributed
from ._batchnorm import BatchNormRecomputeMixin
from ._data import ModalityBatchIterator
from ._docstring import complete_doc
from ._input import InputMixin
from ._modalities import check_modalities
from ._optim import build_optimizer
from ._precision import _PRECISIONS, MixedPrecisionMixin, _resolve_channels_last
from ._resume import TrainingCheckpoint
from ._signature import install_signature
from ._spec_params import SpecParamsMixin
from ._tasks import FusionClassifierMixin, FusionRegressorMixin
from ._threads import torch_threads
from ._weights import element_weights
from .fusion._common import fused_and_modality_roles
from .losses import check_beta, loss_weights, multitask_loss

__all__ = ["FusionNet", "FusionClassifierMixin", "FusionRegressorMixin"]

_MISSING = object()

_NONLINEARITIES = {
    "multiclass": lambda y: torch.softmax(y, dim=-1),
    "multilabel": torch.sigmoid,
    "regression": lambda y: y,
}


class FusionNet(InputMixin, SpecParamsMixin, MixedPrecisionMixin, BatchNormRecomputeMixin,
                NeuralNet):
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
        skorch callbacks, e.g. ``[skorch.callbacks.EarlyStopping()]``;
        :class:`~skcentral.TrainingCheckpoint` lets an interrupted fit go
        on from its last epoch.
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
    recompute_batch_norm : bool, default=False
        At the end of every training (``fit``, ``partial_fit``), reset the
        running statistics of the batch-norm layers and recompute them
        over one pass of the data given to ``fit``, the weights unchanged. A short
        training leaves the moving averages behind the final weights;
        recomputed, they are those of the network that predicts (run as
        it predicts, dropout off). Sample weights play no part; frozen
        backbones keep theirs. Costs about one forward pass over the data.
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
        identical predictions on CPU from run to run on one machine (another
        CPU's matrix-product kernels round differently in the last bits, and
        Adam's sign-like first steps carry that into the fit: other figures,
        of the same spread over seeds). The global torch random state is
        left untouched.
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

    #: Constraints of this class's own hyper-parameters (scikit-learn's
    #: ``_parameter_constraints``); a subclass declares only its own, and
    #: :meth:`_check_params` validates those of every class in the MRO.
    _parameter_constraints = {
        "backbones": [None, HasMethods("build"), list, tuple],
        "beta": [Interval(Real, 0, None, closed="left"), "array-like"],
        "modalities": "no_validation",
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1})],
        "precision": [StrOptions(set(_PRECISIONS))],
        "channels_last": ["boolean", StrOptions({"auto"})],
        "freeze_backbones": ["boolean"],
        "recompute_batch_norm": ["boolean"],
        "torch_threads": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    def __init__(self, *, backbones=None, beta=1.0, modalities=None, lr=0.001,
                 max_epochs=20, batch_size=128, optimizer=torch.optim.Adam,
                 criterion=None, train_split=None, callbacks=None,
                 iterator_train=ModalityBatchIterator,
                 iterator_valid=ModalityBatchIterator, device="cpu",
                 precision="fp32", channels_last="auto", freeze_backbones=False,
                 recompute_batch_norm=False, torch_threads=None, distributed=False,
                 random_state=None, verbose=0, warm_start=False, **kwargs):
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
        self.recompute_batch_norm = recompute_batch_norm
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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        install_signature(cls, base=FusionNet)
        # every estimator page lists the shared parameters and attributes
        cls.__doc__ = complete_doc(cls, FusionNet, FusionClassifierMixin)

    # scikit-learn's repr (changed parameters only) rather than skorch's
    __repr__ = BaseEstimator.__repr__

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
        checkpoint = saved = None
        if reset:
            old = {k: self.__dict__.get(k, _MISSING) for k in state}
            self.__dict__.update(state)
            try:
                self._check_params()
                checkpoint = self._training_checkpoint()
                if checkpoint is not None:  # a foreign file fails before anything changes
                    saved = checkpoint.start(self, Xs.arrays, y, validation_data and (
                        check_modalities(self._check_2d(validation_data[0]),
                                         modalities=self.modalities).arrays,
                        np.asarray(validation_data[1])))
                with self._seeded(0):
                    self.initialize()
            except BaseException:
                for k, v in old.items():
                    if v is _MISSING:
                        self.__dict__.pop(k, None)
                    else:
                        self.__dict__[k] = v
                raise
        valid = self._check_validation_data(validation_data)
        dataset = self._device_dataset(Xs.arrays, y, sample_weight)
        self._interrupted = False
        self.validation_dataset_ = None if valid is None else self._device_dataset(*valid)
        self._checkpoint = checkpoint
        try:
            with self._seeded(1 + len(self.history)), self._threads(), \
                    distributed.training(self):
                if saved is None:
                    NeuralNet.partial_fit(self, dataset, y, **fit_params)
                else:
                    self._resume(saved, dataset, y, fit_params)
        finally:
            self.validation_dataset_ = None
            self._checkpoint = None
        if checkpoint is not None:
            if self._interrupted:  # the state of the last whole epoch stays: fit again
                checkpoint.interrupted()
            else:
                checkpoint.finish()
        self._after_fit(dataset)
        return self

    def _check_validation_data(self, validation_data):
        """``(arrays, y)`` of ``fit``'s ``validation_data``, checked; ``None`` without."""
        if validation_data is None:
            return None
        X_valid, y_valid = validation_data
        return self._check_X(X_valid).arrays, self._check_y(y_valid, reset=False)

    def _training_checkpoint(self):
        """The :class:`TrainingCheckpoint` among the callbacks, if any."""
        items = self.callbacks if isinstance(self.callbacks, (list, tuple)) else []
        found = [cb for cb in (item[1] if isinstance(item, (list, tuple)) else item
                               for item in items) if isinstance(cb, TrainingCheckpoint)]
        if len(found) > 1:
            raise ValueError(f"callbacks has {len(found)} TrainingCheckpoint callbacks; "
                             "one fit writes one training state.")
        if found and distributed.active(self):
            raise ValueError(
                "TrainingCheckpoint does not resume data-parallel training "
                "(distributed=True); use skcentral.distributed.Checkpoint there.")
        return found[0] if found else None

    def _resume(self, saved, dataset, y, fit_params):
        """skorch's ``partial_fit`` from a saved state: the epochs left, then the end."""
        self.notify("on_train_begin", X=dataset, y=y)
        self._checkpoint.restore(self, saved)
        try:
            self.fit_loop(dataset, y, epochs=self.max_epochs - len(self.history),
                          _routing_method="partial_fit", **fit_params)
        except KeyboardInterrupt:
            pass
        self.notify("on_train_end", X=dataset, y=y)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # skorch's partial_fit ends training quietly on a KeyboardInterrupt and
        # returns the estimator. Raised by a callback at an epoch's end, it is
        # how EarlyStopping ends training; raised mid-epoch, it is Ctrl-C: noted,
        # so that a TrainingCheckpoint keeps its state and a seed runner does
        # not score a half-trained estimator
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt as exc:
            self._interrupted = not getattr(exc, "_skcentral_epoch_end", False)
            raise

    def notify(self, method_name, **cb_kwargs):
        try:
            super().notify(method_name, **cb_kwargs)
        except KeyboardInterrupt as exc:
            if method_name == "on_epoch_end":  # a callback ends training
                exc._skcentral_epoch_end = True
            raise
        # after every callback has seen the epoch's end (early stopping's
        # count, the scheduler's step), so the saved state is complete
        if method_name == "on_epoch_end" and getattr(self, "_checkpoint", None) is not None:
            self._checkpoint.save(self)

    def get_iterator(self, dataset, training=False):
        iterator = super().get_iterator(dataset, training=training)
        if training and getattr(self, "_checkpoint", None) is not None:
            self._checkpoint.iterator(iterator)
        return iterator

    def get_split_datasets(self, X, y=None, **fit_params):
        if getattr(self, "validation_dataset_", None) is not None:
            return self.get_dataset(X, y), self.validation_dataset_
        return super().get_split_datasets(X, y, **fit_params)

    def check_beta(self):
        """Per-modality weights of the unimodal losses, validated."""
        return check_beta(self.beta, self.n_modalities_, self.modality_names_)

    @classmethod
    def _all_parameter_constraints(cls):
        constraints = {}
        for klass in reversed(cls.__mro__):
            constraints.update(vars(klass).get("_parameter_constraints", {}))
        return constraints

    def _check_params(self):
        """Validate every hyper-parameter once, at fit, before anything is built.

        The declared constraints of every class first, then what needs the
        data (``beta``'s length, and :meth:`_check_params_with_data`).
        """
        validate_parameter_constraints(self._all_parameter_constraints(),
                                       self.get_params(deep=False),
                                       caller_name=type(self).__name__)
        self.check_beta()
        self._check_params_with_data()

    def _check_params_with_data(self):
        """Checks that need the fitted data attributes (a subclass hook)."""

    def _after_fit(self, dataset):
        """Hook run after training, e.g. to summarise gates on the training data."""

    def loss_weights(self):
        """Weight of each module output in the loss, from the outputs' roles.

        ``[1, beta_1, ..., beta_n]`` for a fused prediction and one per
        modality (Eq. 2), the roles of a module that declares none; see
        :func:`skcentral.losses.loss_weights`.
        """
        roles = getattr(self.module_, "output_roles", None)
        if roles is None:
            roles = fused_and_modality_roles(self.n_modalities_)
        return loss_weights(roles, self.check_beta())

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

    def _threads(self):
        """Run with ``torch_threads`` torch threads, restoring the setting after."""
        return torch_threads(self.torch_threads)

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
