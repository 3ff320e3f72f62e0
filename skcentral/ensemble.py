"""EnsembleClassifier and UnimodalClassifier."""

import numbers

from ._base import FusionClassifierMixin, FusionNet, FusionRegressorMixin, regressor_doc
from .fusion import Ensemble, SingleModality

__all__ = ["EnsembleClassifier", "EnsembleRegressor", "UnimodalClassifier", "UnimodalRegressor"]


class _EnsembleBase(FusionNet):
    """What EnsembleClassifier and EnsembleRegressor share."""

    _supports_missing = True

    def __init__(self, *, backbones=None, n_estimators=1, **kwargs):
        super().__init__(backbones=backbones, **kwargs)
        self.n_estimators = n_estimators

    def _check_params(self):
        super()._check_params()
        if not isinstance(self.n_estimators, numbers.Integral) or self.n_estimators < 1:
            raise ValueError(f"n_estimators must be an int >= 1; got {self.n_estimators!r}.")

    def build_module(self, backbones, input_shapes, n_outputs):
        specs = self.backbone_specs(len(backbones))
        nets, members = [], []
        for k, (net, spec, shape) in enumerate(zip(backbones, specs, input_shapes)):
            nets.append(net)
            nets += [spec.build(shape, n_outputs) for _ in range(self.n_estimators - 1)]
            members += [k] * self.n_estimators
        return Ensemble(nets, [input_shapes[m] for m in members], members,
                        task=self.task_, names=None)

    def loss_weights(self):
        return [0.0] + [1.0] * (self.n_modalities_ * self.n_estimators)


class EnsembleClassifier(FusionClassifierMixin, _EnsembleBase):
    """Average of independently trained networks' predicted probabilities.

    One network per modality (the paper's "Ensemble 2 classifiers"), or
    ``n_estimators`` independently initialised networks per modality: with
    a single modality holding the original image and ``n_estimators=3``,
    the paper's "Ensemble 3 classifiers". Each network is trained on its
    own loss only.

    Parameters
    ----------
    backbones : BackboneSpec or list of BackboneSpec, default=None
    n_estimators : int, default=1
        Networks per modality.
    **kwargs
        Shared parameters, see :class:`~skcentral.FusionNet` (``beta`` is
        not used: every network has weight 1 on its own loss).

    Examples
    --------
    >>> from skcentral import EnsembleClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = EnsembleClassifier(backbones=MLP((64,)), max_epochs=5, random_state=0)
    >>> clf.fit(Xs, y).score(Xt, yt) > 0.5
    True
    """


class EnsembleRegressor(FusionRegressorMixin, _EnsembleBase):
    __doc__ = regressor_doc("Ensemble")


class _UnimodalBase(FusionNet):
    """What UnimodalClassifier and UnimodalRegressor share."""

    _supports_missing = True

    def __init__(self, *, modality=0, backbones=None, **kwargs):
        super().__init__(backbones=backbones, **kwargs)
        self.modality = modality

    def modality_index(self):
        names = self.modality_names_
        if isinstance(self.modality, str):
            if self.modality not in names:
                raise ValueError(f"modality {self.modality!r} is not one of {names}.")
            return names.index(self.modality)
        if not isinstance(self.modality, numbers.Integral) or \
                not 0 <= self.modality < len(names):
            raise ValueError(
                f"modality must be a name in {names} or an index in "
                f"[0, {len(names)}); got {self.modality!r}."
            )
        return int(self.modality)

    def _check_params(self):
        super()._check_params()
        self.modality_index()

    def build_module(self, backbones, input_shapes, n_outputs):
        k = self.modality_index()
        return SingleModality(backbones[k], k)

    def loss_weights(self):
        return [1.0]


class UnimodalClassifier(FusionClassifierMixin, _UnimodalBase):
    """A single modality's network: the unimodal baseline.

    Takes the same multimodal input as the fusion estimators and uses only
    ``modality``, so that a comparison changes only the class.

    Parameters
    ----------
    modality : int or str, default=0
        Index or name of the modality to use.
    backbones : BackboneSpec or list of BackboneSpec, default=None
    **kwargs
        Shared parameters, see :class:`~skcentral.FusionNet`.

    Examples
    --------
    >>> from skcentral import UnimodalClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = UnimodalClassifier(modality=1, backbones=MLP((64,)), max_epochs=5, random_state=0)
    >>> clf.fit(Xs, y).score(Xt, yt) > 0.5
    True
    """


class UnimodalRegressor(FusionRegressorMixin, _UnimodalBase):
    __doc__ = regressor_doc("Unimodal")
