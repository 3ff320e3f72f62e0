"""Bring hidden representations of different shapes to a common one.

The paper: "If it is not the case, the features can be projected, e.g. with
1x1 convolutional layers or zero padded to give them the same size."
"""

import math

import torch.nn.functional as F
from torch import nn

__all__ = ["Align", "check_fused_shapes", "fused_shape"]

ALIGN_MODES = ("pad", "project")


def check_fused_shapes(mode):
    """Raise a clear error unless ``mode`` is a valid ``fused_shapes``."""
    if mode not in ALIGN_MODES:
        raise ValueError(f"fused_shapes must be one of {ALIGN_MODES}; got {mode!r}.")


def fused_shape(shapes):
    """The shape modalities are aligned to at a fusion point: the largest one."""
    return max(shapes, key=math.prod)


class Align(nn.Module):
    """Map per-sample shape ``source`` to ``target`` by zero-padding or projection.

    Parameters
    ----------
    source, target : tuple of int
        Per-sample shapes.
    mode : {"pad", "project"}
        ``"pad"`` zero-pads every axis at its end (the paper's choice for
        MM-IMDb's 300-d text against 4096-d images); ``"project"`` learns a
        linear map for vectors, or a 1x1 convolution (after adaptive average
        pooling when the spatial sizes differ) for feature maps.
    where : str
        Names the modality and fusion point in error messages.

    Attributes
    ----------
    source, target : tuple of int
        The shapes mapped.
    proj : torch.nn.Module or None
        The learned projection (``mode="project"`` and shapes that differ).
    padding : tuple of int or None
        The zero-padding (``mode="pad"`` and shapes that differ).

    Examples
    --------
    >>> import torch
    >>> from skcentral.fusion import Align
    >>> Align((300,), (4096,), "pad")(torch.ones(2, 300)).shape
    torch.Size([2, 4096])
    >>> Align((16, 14, 14), (32, 7, 7), "project")(torch.ones(2, 16, 14, 14)).shape
    torch.Size([2, 32, 7, 7])
    """

    def __init__(self, source, target, mode="pad", where=""):
        super().__init__()
        self.source, self.target = tuple(source), tuple(target)
        self.mode = mode
        self.proj = None
        self.padding = None
        if self.source == self.target:
            return
        check_fused_shapes(mode)
        if len(self.source) != len(self.target):
            raise ValueError(
                f"{where}: cannot align per-sample shape {self.source} with "
                f"{self.target}: they have different numbers of axes."
            )
        if mode == "pad":
            if any(s > t for s, t in zip(self.source, self.target)):
                raise ValueError(
                    f"{where}: cannot zero-pad per-sample shape {self.source} to "
                    f"{self.target}, it is larger on some axis; use "
                    "fused_shapes='project'."
                )
            pad = []
            for s, t in zip(reversed(self.source), reversed(self.target)):
                pad += [0, t - s]
            self.padding = tuple(pad)
        elif len(self.source) == 1:
            self.proj = nn.Linear(self.source[0], self.target[0])
        elif len(self.source) == 3:
            layers = []
            if self.source[1:] != self.target[1:]:
                layers.append(nn.AdaptiveAvgPool2d(self.target[1:]))
            layers.append(nn.Conv2d(self.source[0], self.target[0], kernel_size=1))
            self.proj = nn.Sequential(*layers)
        else:
            raise ValueError(
                f"{where}: fused_shapes='project' handles vectors and (C, H, W) "
                f"feature maps; got {self.source} -> {self.target}."
            )

    def forward(self, h):
        if self.padding is not None:
            return F.pad(h, self.padding)
        if self.proj is not None:
            return self.proj(h)
        return h
