"""CentralNet (Vielzeuf et al., 2018): a central network fed, at every layer,
a learned weighted sum of the modality networks' hidden representations and
of its own previous layer."""

import torch
from torch import nn

from ._backbone import feature_shapes
from ._align import Align, fused_shape
from ._common import MultiBackbone, renormalise, weighted_sum

__all__ = ["CentralNet", "ALPHA_FORMS"]

ALPHA_FORMS = ("eq1", "eq3")


class CentralNet(MultiBackbone):
    """The CentralNet fusion network, in pure PyTorch.

    Parameters
    ----------
    backbones : list of Backbone
        One network per modality (``stem -> blocks -> head``), all with the
        same number of layers after the stem as ``central``.
    central : Backbone
        The central network; its stem is not used. It must take the fused
        shape of fusion point 0: the largest of the modalities' stem outputs.
    input_shapes : list of tuple
        Per-sample input shape of each modality.
    alpha_form : {"eq3", "eq1"}, default="eq3"
        ``"eq1"``: ``h_C[i+1] = a_C[i] h_C[i] + sum_k a_Mk[i] h_Mk[i]``;
        ``"eq3"`` adds a shared weight on the modality sum,
        ``h_C[i+1] = a_C[i] h_C[i] + a_mod[i] sum_k a_Mk[i] h_Mk[i]``, which
        the paper finds better and more stable.
    fused_shapes : {"pad", "project"}, default="pad"
        How hidden representations of different shapes are aligned with
        the central one (see :class:`~skcentral.fusion.Align`).

    Attributes
    ----------
    central : Backbone
        The central network.
    aligners : torch.nn.ModuleList
        Per fusion point, one :class:`~skcentral.fusion.Align` per modality.
    point_shapes : list of tuple of int
        The central network's per-sample shape at every fusion point.
    alpha_central : torch.nn.Parameter
        ``a_C[i]``, the weight of the central state at fusion points 1 and on.
    alpha_modalities : torch.nn.Parameter
        ``a_Mk[i]``, the weight of each modality at every fusion point.
    alpha_fused : torch.nn.Parameter
        ``a_mod[i]``, the shared weight of the modality sum (``"eq3"`` only).

    Notes
    -----
    Fusion points are numbered ``0..L`` where ``L`` is the number of layers
    after the stem: point 0 sums only the modalities' stem outputs (there is
    no central state yet); point ``L`` sums the unimodal predictions and the
    central prediction, which is the output. The alphas start equal, so
    every weighted sum starts as a plain average (Eq. 3 starts with
    ``a_mod = 1``, identical to Eq. 1).

    ``forward`` returns ``(fused, pred_1, ..., pred_n)``: the CentralNet
    prediction first, then each modality's own prediction, for the
    multi-task loss of Eq. 2.

    Examples
    --------
    >>> import torch
    >>> from skcentral import MLP
    >>> from skcentral.fusion import CentralNet
    >>> spec = MLP((16, 8))
    >>> nets = [spec.build((5,), 3), spec.build((5,), 3)]
    >>> net = CentralNet(nets, spec.build_central((5,), 3), [(5,), (5,)]).eval()
    >>> [tuple(o.shape) for o in net([torch.zeros(4, 5), torch.zeros(4, 5)])]
    [(4, 3), (4, 3), (4, 3)]
    >>> net.effective_alphas().shape  # fusion points x (central + modalities)
    (4, 3)
    """

    supports_missing = True

    def __init__(self, backbones, central, input_shapes, alpha_form="eq3",
                 fused_shapes="pad", names=None):
        if alpha_form not in ALPHA_FORMS:
            raise ValueError(f"alpha_form must be one of {ALPHA_FORMS}; got {alpha_form!r}.")
        super().__init__(backbones, input_shapes, names)
        n = len(backbones)
        self.central = central
        self.alpha_form = alpha_form
        n_layers = len(central.layers)
        if self.n_layers != n_layers:
            raise ValueError(
                f"The modality networks have {self.n_layers} layers after their stem "
                f"(blocks + head) but the central network has {n_layers}; CentralNet "
                "fuses layer by layer, so they must match."
            )
        mod_shapes = self.shapes
        point_zero = fused_shape([s[0] for s in mod_shapes])
        try:
            central_shapes = feature_shapes(central, point_zero)
        except RuntimeError as exc:
            raise ValueError(
                f"The central network does not take the fused shape {point_zero} "
                f"of fusion point 0 (the largest of the modalities' "
                f"{[s[0] for s in mod_shapes]}): {exc}"
            ) from exc
        self.point_shapes = central_shapes
        self.aligners = nn.ModuleList(
            nn.ModuleList(
                Align(shapes[i], central_shapes[i], fused_shapes,
                      where=f"CentralNet fusion point {i}, modality {name!r}")
                for name, shapes in zip(self.names, mod_shapes))
            for i in range(n_layers + 1))

        n_points = n_layers + 1
        self.alpha_modalities = nn.Parameter(torch.cat([
            torch.full((1, n), 1.0 / n), torch.full((n_points - 1, n), 1.0 / (n + 1))]))
        self.alpha_central = nn.Parameter(torch.full((n_points - 1,), 1.0 / (n + 1)))
        if alpha_form == "eq3":
            self.alpha_fused = nn.Parameter(torch.ones(n_points))

    @property
    def n_points(self):
        return self.alpha_modalities.shape[0]

    def _fuse(self, i, h_central, hs, missing=None):
        alphas = self.alpha_modalities[i]
        if missing is not None:
            alphas = renormalise(alphas, missing)
        s = weighted_sum(alphas, [align(h) for align, h in zip(self.aligners[i], hs)])
        if self.alpha_form == "eq3":
            s = self.alpha_fused[i] * s
        if h_central is not None:
            s = s + self.alpha_central[i - 1] * h_central
        return s

    def forward(self, xs, missing=None):
        """``missing`` (bool, ``(batch, n_modalities)``) leaves absent
        modalities out of every weighted sum (see :func:`renormalise`)."""
        hs = [b.stem(x) for b, x in zip(self.backbones, xs)]
        h_central = None
        for i, layer in enumerate(self.central.layers):
            h_central = layer(self._fuse(i, h_central, hs, missing))
            hs = [b.layers[i](h) for b, h in zip(self.backbones, hs)]
        return (self._fuse(self.n_points - 1, h_central, hs, missing), *hs)

    @torch.no_grad()
    def effective_alphas(self):
        """Weights at every fusion point: ``(n_points, 1 + n_modalities)``.

        Column 0 is the central weight (NaN at point 0, which has none), the
        others each modality's effective weight (``a_mod * a_Mk`` for Eq. 3).
        """
        mods = self.alpha_modalities.detach().cpu().clone()
        if self.alpha_form == "eq3":
            mods = mods * self.alpha_fused.detach().cpu()[:, None]
        central = torch.cat([torch.tensor([float("nan")]), self.alpha_central.detach().cpu()])
        return torch.cat([central[:, None], mods], dim=1).numpy()
