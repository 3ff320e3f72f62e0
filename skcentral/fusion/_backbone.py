"""The modality network as a torch module, shape probing and layer helpers.

Pure PyTorch: the backbone specs of :mod:`skcentral.backbones` (scikit-learn
objects) build these.
"""

import torch
from torch import nn

__all__ = ["AddChannel", "Backbone", "conv_pool_block", "dense_block", "feature_shapes",
           "image_shape", "output_shape"]


class Backbone(nn.Module):
    """A modality network split as ``stem -> blocks -> head``.

    Parameters
    ----------
    stem : nn.Module
    blocks : sequence of nn.Module
    head : nn.Module

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skcentral.fusion import Backbone
    >>> net = Backbone(nn.Identity(), [nn.Linear(4, 8)], nn.Linear(8, 2))
    >>> [tuple(h.shape) for h in net.features(torch.zeros(3, 4))]
    [(3, 4), (3, 8), (3, 2)]
    """

    def __init__(self, stem, blocks, head):
        super().__init__()
        self.stem = stem
        self.blocks = nn.ModuleList(blocks)
        self.head = head

    @property
    def layers(self):
        """The layers after the stem, in order: the fused blocks, then the head."""
        return [*self.blocks, self.head]

    def features(self, x):
        """Return the representation at every fusion point, input to prediction."""
        h = self.stem(x)
        out = [h]
        for layer in self.layers:
            h = layer(h)
            out.append(h)
        return out

    def forward(self, x):
        return self.features(x)[-1]


def output_shape(module, input_shape):
    """Per-sample output shape of ``module`` for per-sample ``input_shape``."""
    return tuple(_probe(module, input_shape, "forward").shape[1:])


def feature_shapes(backbone, input_shape):
    """Per-sample shape at every fusion point of ``backbone``."""
    return [tuple(h.shape[1:]) for h in _probe(backbone, input_shape, "features")]


def _probe(module, input_shape, method):
    # A batch of 2 in eval mode: batch norm needs no statistics and the
    # module's training state is left as it was.
    x = torch.zeros((2,) + tuple(int(s) for s in input_shape))
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            return getattr(module, method)(x)
    finally:
        module.train(was_training)


class AddChannel(nn.Module):
    """(N, H, W) -> (N, 1, H, W), for gray images given without a channel axis."""

    def forward(self, x):
        return x.unsqueeze(1)


def dense_block(n_in, n_out, batch_norm, dropout):
    """Flatten, Linear, [BatchNorm1d], ReLU, [Dropout]."""
    layers = [nn.Flatten(), nn.Linear(n_in, n_out)]
    if batch_norm:
        layers.append(nn.BatchNorm1d(n_out))
    layers.append(nn.ReLU(inplace=True))
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def conv_pool_block(c_in, c_out, kernel_size, batch_norm):
    """Conv2d ('same' padding), [BatchNorm2d], ReLU, 2x2 max pooling."""
    layers = [nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(c_out))
    layers += [nn.ReLU(inplace=True), nn.MaxPool2d(2, ceil_mode=True)]
    return nn.Sequential(*layers)


def image_shape(input_shape, spec_name):
    """``(C, H, W)`` of an image modality, and whether a channel axis must be added."""
    if len(input_shape) == 2:
        return (1,) + tuple(input_shape), True
    if len(input_shape) == 3:
        return tuple(input_shape), False
    raise ValueError(
        f"{spec_name} needs images of per-sample shape (H, W) or (C, H, W); got "
        f"{tuple(input_shape)}. Use MLP for flat features."
    )
