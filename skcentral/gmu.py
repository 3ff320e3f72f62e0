"""GMUClassifier: the Gated Multimodal Unit (Arevalo et al., 2017)."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval

from ._alphas import FusionWeights
from ._base import FusionNet
from ._docstring import regressor_doc
from ._tasks import FusionClassifierMixin, FusionRegressorMixin
from .fusion import GMU

__all__ = ["GMUClassifier", "GMURegressor"]


class _GMUBase(FusionNet):
    """What GMUClassifier and GMURegressor share."""

    _parameter_constraints = {
        "hidden_size": [Interval(Integral, 1, None, closed="left"), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(self, *, backbones=None, hidden_size=None, dropout=0.0, beta=0.0, **kwargs):
        super().__init__(backbones=backbones, beta=beta, **kwargs)
        self.hidden_size = hidden_size
        self.dropout = dropout

    def build_module(self, backbones, input_shapes, n_outputs):
        return GMU(backbones, input_shapes, n_outputs, hidden_size=self.hidden_size,
                   dropout=self.dropout, names=self.modality_names_)

    def gate_activations(self, X):
        """Per-sample gates, ``(n_samples, n_modalities, hidden_size)``."""
        return self._gates(self.get_dataset(X))

    def _gates(self, dataset):
        self.module_.eval()
        out = []
        with torch.no_grad():
            for xs, _ in self.get_iterator(dataset, training=False):
                missing = None if xs.missing is None else xs.missing.to(self.device)
                xs = [x.to(self.device) for x in xs]
                out.append(self.module_.gates(xs, missing).cpu().numpy())
        return np.concatenate(out)

    def _after_fit(self, dataset):
        self.gate_activations_ = self._gates(dataset).mean(axis=0)

    @property
    def gates_(self):
        self.check_is_fitted()
        mean = self.gate_activations_.mean(axis=1)[None, :]
        return FusionWeights(mean, self.modality_names_, ["gate"])


class GMUClassifier(FusionClassifierMixin, _GMUBase):
    """Gated Multimodal Unit on the modalities' last hidden layers.

    ``h_k = tanh(W_k x_k)``, a per-dimension gate ``z``, and
    ``h = sum_k z_k * h_k``; for two modalities ``z_1 = sigmoid(...)`` and
    ``z_2 = 1 - z_1`` as in Arevalo et al. More modalities use a softmax
    gate over the modalities per hidden dimension (see
    :class:`skcentral.fusion.GMU`).

    Parameters
    ----------
    backbones : BackboneSpec or list of BackboneSpec, default=None
    hidden_size : int, default=None
        Width of the gated representation; ``None`` uses the widest
        modality representation.
    dropout : float, default=0.0
        Dropout on the gated representation. (The paper raised the
        networks' dropout for the GMU: ``LeNet5(dropout=0.25)`` on
        multimodal MNIST.)
    beta : float or list of float, default=0.0
        Weight of each modality's own loss. 0 trains on the fused loss
        only, the GMU as Arevalo et al. define it and as the paper compares
        it (the gate already learns how much to trust each modality). A
        positive value adds the paper's "Multi-Task" loss (Eq. 2).
    **kwargs
        Shared parameters, see :class:`~skcentral.FusionNet`.

    Attributes
    ----------
    gates_ : FusionWeights
        Mean gate activation of each modality over the training data, the
        GMU's counterpart of CentralNet's ``alphas_``.
    gate_activations_ : ndarray of shape (n_modalities, hidden_size)
        Mean gate per modality and hidden dimension.

    Examples
    --------
    >>> from skcentral import GMUClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = GMUClassifier(backbones=MLP((64,)), max_epochs=5, random_state=0).fit(Xs, y)
    >>> clf.score(Xt, yt) > 0.5, float(clf.gates_.shares.sum().round())
    (True, 100.0)
    """


class GMURegressor(FusionRegressorMixin, _GMUBase):
    __doc__ = regressor_doc("GMU")
