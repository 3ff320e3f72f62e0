"""CentralNetClassifier: the paper's method as a scikit-learn estimator."""

from sklearn.utils._param_validation import HasMethods, StrOptions

from ._alphas import FusionWeights
from ._base import FusionNet
from ._docstring import regressor_doc
from ._tasks import FusionClassifierMixin, FusionRegressorMixin
from .fusion import feature_shapes
from .fusion import CentralNet
from .fusion._align import ALIGN_MODES, fused_shape
from .fusion.centralnet import ALPHA_FORMS

__all__ = ["CentralNetClassifier", "CentralNetRegressor"]


class _CentralNetBase(FusionNet):
    """What CentralNetClassifier and CentralNetRegressor share."""

    _parameter_constraints = {
        "central": [None, HasMethods("build_central")],
        "alpha_form": [StrOptions(set(ALPHA_FORMS))],
        "fused_shapes": [StrOptions(set(ALIGN_MODES))],
    }

    def __init__(self, *, backbones=None, central=None, beta=1.0, alpha_form="eq3",
                 fused_shapes="project", **kwargs):
        super().__init__(backbones=backbones, beta=beta, **kwargs)
        self.central = central
        self.alpha_form = alpha_form
        self.fused_shapes = fused_shapes

    def build_module(self, backbones, input_shapes, n_outputs):
        spec = self.central if self.central is not None else \
            self.backbone_specs(len(backbones))[0]
        stem_shapes = [feature_shapes(b, s)[0] for b, s in zip(backbones, input_shapes)]
        central = spec.build_central(fused_shape(stem_shapes), n_outputs)
        return CentralNet(backbones, central, input_shapes, alpha_form=self.alpha_form,
                          fused_shapes=self.fused_shapes, names=self.modality_names_)

    @property
    def alphas_(self):
        self.check_is_fitted()
        n_points = self.module_.n_points
        points = ["0 (stem)"] + [f"{i}" for i in range(1, n_points - 1)] + \
            [f"{n_points - 1} (prediction)"]
        return FusionWeights(self.module_.effective_alphas(),
                             ["central", *self.modality_names_], points)


class CentralNetClassifier(FusionClassifierMixin, _CentralNetBase):
    """CentralNet multimodal fusion classifier (Vielzeuf et al., 2018).

    One network per modality plus a central network that takes, at each
    layer, a learned weighted sum of the modality networks' hidden
    representations and of its own previous layer; trained with the
    multi-task loss of Eq. 2 (central loss plus ``beta_k`` times each
    modality's loss).

    Parameters
    ----------
    backbones : BackboneSpec or list of BackboneSpec, default=None
        One spec per modality (or one for all); ``None`` picks LeNet5 for
        images and MLP for vectors.
    central : BackboneSpec, default=None
        Spec of the central network, built on the fused shape of fusion
        point 0. ``None`` mirrors the first backbone's fused blocks and head.
    beta : float or list of float, default=1.0
        Weight of each modality's loss in Eq. 2. The paper uses 1 in all
        its experiments: the unimodal losses keep every modality network
        predictive on its own, a multi-task regularisation it finds
        crucial, and the last fusion point weighs those predictions.
    alpha_form : {"eq3", "eq1"}, default="eq3"
        The weighted sum of Eq. 3 (an extra shared weight on the modality
        sum, the paper's recommendation) or of Eq. 1.
    fused_shapes : {"project", "pad"}, default="project"
        How a modality representation whose shape differs from the central
        one at a fusion point is matched to it (equal shapes are summed as
        they are): a learned projection (a linear map, or a 1x1 convolution
        for feature maps), or zero-padding, the paper's choice for
        modalities of different sizes. Padding sums unrelated features of
        the modalities in the same units, which loses what the central
        network would need to combine them; with modalities of unequal
        sizes the projection is much stronger (see the user guide on
        backbones). Reproducing the paper, pass ``"pad"``.
    **kwargs
        The shared parameters of :class:`~skcentral.FusionNet` (``lr``,
        ``max_epochs``, ``batch_size``, ``optimizer``, ``device``,
        ``random_state``, ``verbose``, ``callbacks``, ``train_split``,
        ``modalities``, ...) and skorch's routed parameters.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    alphas_ : FusionWeights
        Central and modality weights at every fusion point, raw and as
        shares of 100% (the paper's Fig. 3).
    modality_names_ : list of str
    modality_shapes_ : list of tuple
        Per-sample shape of each modality seen at fit.
    n_modalities_ : int
    random_seed_ : int
        The seed this fit used (drawn when ``random_state`` is not an int).
    module_ : CentralNet
        The trained torch module.
    history_ : skorch History

    Examples
    --------
    >>> from skcentral import CentralNetClassifier, MLP
    >>> from skcentral.datasets import load_multimodal_digits
    >>> Xs_train, Xs_test, y_train, y_test = load_multimodal_digits(random_state=0, return_X_y=True)
    >>> clf = CentralNetClassifier(backbones=MLP((64,)), max_epochs=5, random_state=0)
    >>> clf.fit(Xs_train, y_train).score(Xs_test, y_test) > 0.5
    True
    >>> clf.alphas_.columns
    ['central', 'a', 'b']
    """


class CentralNetRegressor(FusionRegressorMixin, _CentralNetBase):
    __doc__ = regressor_doc("CentralNet")
