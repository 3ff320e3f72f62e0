"""ModDropClassifier: modality dropout (Neverova et al., 2016)."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from ._base import FusionNet
from ._docstring import regressor_doc
from ._tasks import FusionClassifierMixin, FusionRegressorMixin
from .fusion import ModDrop

__all__ = ["ModDropClassifier", "ModDropRegressor"]


class _ModDropBase(FusionNet):
    """What ModDropClassifier and ModDropRegressor share."""

    _parameter_constraints = {
        "p_drop": [Interval(Real, 0, 1, closed="left")],
        "hidden_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, *, backbones=None, p_drop=0.2, hidden_size=None, beta=0.0, **kwargs):
        super().__init__(backbones=backbones, beta=beta, **kwargs)
        self.p_drop = p_drop
        self.hidden_size = hidden_size

    def build_module(self, backbones, input_shapes, n_outputs):
        return ModDrop(backbones, input_shapes, n_outputs, p_drop=self.p_drop,
                       hidden_size=self.hidden_size, names=self.modality_names_)


class ModDropClassifier(FusionClassifierMixin, _ModDropBase):
    """Fusion of the modalities' last hidden layers with modality dropout.

    During training each modality's representation is dropped (zeroed)
    with probability ``p_drop``, independently per sample, so the model
    learns not to rely on any single modality; nothing is dropped at
    prediction.

    Parameters
    ----------
    backbones : BackboneSpec or list of BackboneSpec, default=None
    p_drop : float, default=0.2
        Probability of dropping a modality, in [0, 1) (the paper's
        multimodal MNIST setting; 0.32 on avMNIST, 0.25 on MM-IMDb).
    hidden_size : int, default=None
        Width of the shared fusion layer; ``None`` uses the widest
        modality representation.
    beta : float or list of float, default=0.0
        Weight of each modality's own loss. 0 trains on the fused loss
        only, as Neverova et al. define ModDrop and the paper compares it:
        dropping whole modalities already keeps each one useful on its
        own. A positive value adds the paper's "Multi-Task" loss (Eq. 2).
    **kwargs
        Shared parameters, see :class:`~skcentral.FusionNet`.

    Examples
    --------
    >>> from skcentral import ModDropClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = ModDropClassifier(backbones=MLP((64,)), p_drop=0.2, max_epochs=5, random_state=0)
    >>> clf.fit(Xs, y).score(Xt, yt) > 0.5
    True
    """


class ModDropRegressor(FusionRegressorMixin, _ModDropBase):
    __doc__ = regressor_doc("ModDrop")
