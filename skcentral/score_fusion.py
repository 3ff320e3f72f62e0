"""Score-level fusion baselines: weighted mean and concatenation."""

import inspect
from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._alphas import FusionWeights
from ._base import FusionNet
from ._docstring import regressor_doc
from ._tasks import FusionClassifierMixin, FusionRegressorMixin
from .fusion import ConcatScores, WeightedMean

__all__ = ["WeightedMeanClassifier", "WeightedMeanRegressor", "ConcatClassifier", "ConcatRegressor"]

#: every estimator's default learning rate, which "auto" gives plain Concat
_DEFAULT_LR = inspect.signature(FusionNet.__init__).parameters["lr"].default


class _WeightedMeanBase(FusionNet):
    """What WeightedMeanClassifier and WeightedMeanRegressor share."""

    def __init__(self, *, backbones=None, beta=0.0, **kwargs):
        super().__init__(backbones=backbones, beta=beta, **kwargs)

    def build_module(self, backbones, input_shapes, n_outputs):
        return WeightedMean(backbones, input_shapes, names=self.modality_names_)

    @property
    def weights_(self):
        self.check_is_fitted()
        w = self.module_.weights.detach().cpu().numpy()[None, :]
        return FusionWeights(w, self.modality_names_, ["prediction"])


class WeightedMeanClassifier(FusionClassifierMixin, _WeightedMeanBase):
    """Learnt weighted average of the unimodal scores (the paper's "Weighted mean").

    Each modality has its own network; the prediction is
    ``sum_k w_k * score_k`` with trainable weights ``w_k``, learnt with the
    rest of the model.

    Parameters
    ----------
    backbones : BackboneSpec or list of BackboneSpec, default=None
    beta : float or list of float, default=0.0
        Weight of each modality's own loss. 0 trains on the fused
        prediction only, as the paper defines this baseline (its
        "Multi-Task" loss is kept for CentralNet and Concat + Multi-Task);
        the fused prediction is already a weighted mean of the unimodal
        scores, so every modality network learns through it.
    **kwargs
        Shared parameters, see :class:`~skcentral.FusionNet`.

    Attributes
    ----------
    weights_ : FusionWeights
        The learnt weight of each modality.
    classes_, modality_names_, modality_shapes_, module_, history_

    Examples
    --------
    >>> from skcentral import WeightedMeanClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = WeightedMeanClassifier(backbones=MLP((64,)), max_epochs=5, random_state=0)
    >>> clf.fit(Xs, y).score(Xt, yt) > 0.5
    True
    """


class WeightedMeanRegressor(FusionRegressorMixin, _WeightedMeanBase):
    __doc__ = regressor_doc("WeightedMean")


class _ConcatBase(FusionNet):
    """What ConcatClassifier and ConcatRegressor share."""

    _parameter_constraints = {"multi_task": ["boolean"]}

    def __init__(self, *, backbones=None, multi_task=False, beta=1.0, **kwargs):
        super().__init__(backbones=backbones, beta=beta, **kwargs)
        self.multi_task = multi_task

    def build_module(self, backbones, input_shapes, n_outputs):
        return ConcatScores(backbones, input_shapes, n_outputs, names=self.modality_names_)

    def check_beta(self):
        """Weights of the unimodal losses: ``beta`` with ``multi_task``, else zeros."""
        betas = super().check_beta()
        return betas if self.multi_task else [0.0] * len(betas)


class ConcatClassifier(FusionClassifierMixin, _ConcatBase):
    """Unimodal scores concatenated, then a single-layer perceptron ("Concat").

    Parameters
    ----------
    backbones : BackboneSpec or list of BackboneSpec, default=None
    multi_task : bool, default=False
        ``True`` is the paper's "Concat + Multi-Task": the loss of Eq. 2,
        adding ``beta_k`` times each modality's own loss.
    beta : float or list of float, default=1.0
        Used only with ``multi_task=True``: the paper's Concat + Multi-Task
        uses "the same Multi-Task loss as with the CentralNet", with
        ``beta_k = 1``. ``multi_task=False`` (the paper's "Concat") has no
        unimodal losses.
    lr : float or "auto", default="auto"
        Learning rate of the optimizer. ``"auto"`` is 0.003 with
        ``multi_task=True`` and 0.001 (every estimator's default) without:
        on the validation splits of multimodal MNIST and audiovisual MNIST,
        Concat + Multi-Task did better at 0.003 than at 0.001, and on
        audiovisual MNIST's test pairs too (see the reproduction page's
        learning-rate grids); plain Concat had no such evidence.
    **kwargs
        Shared parameters, see :class:`~skcentral.FusionNet`.

    Examples
    --------
    >>> from skcentral import ConcatClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = ConcatClassifier(backbones=MLP((64,)), multi_task=True, max_epochs=5,
    ...                        random_state=0)
    >>> clf.fit(Xs, y).score(Xt, yt) > 0.5
    True
    """

    _parameter_constraints = {
        "lr": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})]}

    def __init__(self, *, backbones=None, multi_task=False, beta=1.0, lr="auto", **kwargs):
        super().__init__(backbones=backbones, multi_task=multi_task, beta=beta, lr=lr,
                         **kwargs)

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if isinstance(kwargs["lr"], str):  # "auto"
            kwargs["lr"] = 0.003 if self.multi_task else _DEFAULT_LR
        return args, kwargs


class ConcatRegressor(FusionRegressorMixin, _ConcatBase):
    __doc__ = regressor_doc("Concat")
