"""Backbone specs: one modality's network as stem -> fused blocks -> head.

A *spec* is a small, clonable, picklable description (a scikit-learn
``BaseEstimator``, so ``get_params``/``set_params``/``clone`` and nested
parameters such as ``backbones__0__dropout`` work). At fit, the estimator
calls :meth:`BackboneSpec.build` with the per-sample input shape read from
the data, and gets a :class:`~skcentral.fusion.Backbone` module:

* ``stem``: modality-specific feature extraction, never fused;
* ``blocks``: an ``nn.ModuleList`` of the layers whose outputs fusion
  methods may combine;
* ``head``: the prediction layer.

The fusion points of a backbone are numbered from 0 (the stem output, the
network input for LeNet5) to ``len(blocks) + 1`` (the head output, the
prediction), as the paper numbers LeNet5's layers 0 to 4.

Writing your own
----------------
Subclass :class:`BackboneSpec` and implement ``build_stem(input_shape)``
(return a module, or ``nn.Identity()``) and ``build_fused(stem_shape,
n_outputs)`` (return ``(blocks, head)``). The central network of CentralNet
is built by ``build_fused`` alone, on the fused shape. To use an existing
module, wrap it in :class:`ModuleBackbone`.
"""

import copy

import numpy as np
from sklearn.base import BaseEstimator
from torch import nn

from .fusion._backbone import (AddChannel, Backbone, conv_pool_block, dense_block,
                               feature_shapes, image_shape, output_shape)

__all__ = ["AudioCNN", "BackboneSpec", "LeNet5", "MLP", "ModuleBackbone"]


class BackboneSpec(BaseEstimator):
    """Base class of backbone specs.

    Subclasses implement :meth:`build_stem` and :meth:`build_fused`; their
    ``__init__`` stores hyper-parameters only, as scikit-learn estimators do.

    Examples
    --------
    >>> from torch import nn
    >>> from skcentral import BackboneSpec
    >>> class Tiny(BackboneSpec):
    ...     def __init__(self, width=8):
    ...         self.width = width
    ...     def build_fused(self, stem_shape, n_outputs):
    ...         block = nn.Sequential(nn.Flatten(), nn.Linear(stem_shape[0], self.width), nn.ReLU())
    ...         return [block], nn.Linear(self.width, n_outputs)
    >>> net = Tiny().build((5,), n_outputs=3)
    >>> [type(m).__name__ for m in (net.stem, net.head)]
    ['Identity', 'Linear']
    """

    def build_stem(self, input_shape):
        """Return the stem module for per-sample ``input_shape``."""
        return nn.Identity()

    def build_fused(self, stem_shape, n_outputs):
        """Return ``(blocks, head)`` for a stem output of shape ``stem_shape``."""
        raise NotImplementedError

    def build(self, input_shape, n_outputs):
        """Build the modality network for per-sample ``input_shape``."""
        input_shape = tuple(int(s) for s in input_shape)
        stem = self.build_stem(input_shape)
        stem_shape = output_shape(stem, input_shape)
        blocks, head = self.build_fused(stem_shape, n_outputs)
        return Backbone(stem, blocks, head)

    def build_central(self, fused_shape, n_outputs):
        """Build a central network (identity stem) on ``fused_shape``."""
        blocks, head = self.build_fused(tuple(int(s) for s in fused_shape), n_outputs)
        return Backbone(nn.Identity(), blocks, head)


class LeNet5(BackboneSpec):
    """The paper's LeNet5: Conv 32 5x5 + pool, Conv 64 5x5 + pool, Dense 1024, Pred.

    Convolutions use 'same' padding and 2x2 max pooling, so a 28x28 MNIST
    image gives 14x14x32 then 7x7x64 as in the paper's Table 1, and an 8x8
    digit 4x4x32 then 2x2x64. Each convolution is followed by batch
    normalisation and ReLU; dropout is applied after the dense layer.

    Parameters
    ----------
    channels : tuple of int, default=(32, 64)
        Output channels of the convolution + pooling blocks.
    kernel_size : int, default=5
    dense : int, default=1024
        Width of the dense layer.
    dropout : float, default=0.5
        Dropout after the dense layer.
    batch_norm : bool, default=True
    n_stem : int, default=0
        How many of the first convolution blocks form the (never fused)
        stem. The paper's avMNIST image network (Table 3) uses 1, so that
        fusion starts at 14x14x32.

    Notes
    -----
    With ``n_stem=0`` the fusion points are 0 the input image, 1 and 2 the
    convolution blocks, 3 the dense layer and 4 the prediction, as the paper
    numbers them.

    Examples
    --------
    >>> import torch
    >>> from skcentral import LeNet5
    >>> net = LeNet5().build((28, 28), n_outputs=10)
    >>> [tuple(h.shape[1:]) for h in net.features(torch.zeros(2, 28, 28))]
    [(1, 28, 28), (32, 14, 14), (64, 7, 7), (1024,), (10,)]
    """

    def __init__(self, channels=(32, 64), kernel_size=5, dense=1024, dropout=0.5,
                 batch_norm=True, n_stem=0):
        self.channels = channels
        self.kernel_size = kernel_size
        self.dense = dense
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.n_stem = n_stem

    def _convs(self, c_in, channels):
        blocks = []
        for c_out in channels:
            blocks.append(conv_pool_block(c_in, c_out, self.kernel_size, self.batch_norm))
            c_in = c_out
        return blocks

    def _check_n_stem(self):
        if not 0 <= self.n_stem <= len(self.channels):
            raise ValueError(
                f"{type(self).__name__}: n_stem must be between 0 and "
                f"len(channels)={len(self.channels)}; got {self.n_stem}."
            )

    def build_stem(self, input_shape):
        self._check_n_stem()
        shape, add_channel = image_shape(input_shape, type(self).__name__)
        layers = ([AddChannel()] if add_channel else []) + \
            self._convs(shape[0], self.channels[:self.n_stem])
        return nn.Sequential(*layers) if layers else nn.Identity()

    def build_fused(self, stem_shape, n_outputs):
        self._check_n_stem()
        (c, h, w), _ = image_shape(stem_shape, type(self).__name__)
        channels = self.channels[self.n_stem:]
        blocks = self._convs(c, channels)
        for _ in channels:
            h, w = -(-h // 2), -(-w // 2)
        c = channels[-1] if channels else c
        blocks.append(dense_block(c * h * w, self.dense, self.batch_norm, self.dropout))
        return blocks, nn.Linear(self.dense, n_outputs)


class AudioCNN(LeNet5):
    """The paper's avMNIST audio network (Table 3): a 6-layer CNN.

    Three convolution + pooling blocks form the stem (112x112 spectrogram
    -> 56x56x8 -> 28x28x16 -> 14x14x32), then the same fused blocks as the
    image LeNet5 (Conv 7x7x64, Dense 1024, Pred), so that it fuses with
    ``LeNet5(n_stem=1)`` from 14x14x32 on.

    Parameters
    ----------
    channels : tuple of int, default=(8, 16, 32, 64)
    kernel_size, dense, dropout, batch_norm
        As for :class:`LeNet5`.
    n_stem : int, default=3

    Examples
    --------
    >>> import torch
    >>> from skcentral import AudioCNN
    >>> net = AudioCNN().build((112, 112), n_outputs=10)
    >>> [tuple(h.shape[1:]) for h in net.features(torch.zeros(2, 112, 112))]
    [(32, 14, 14), (64, 7, 7), (1024,), (10,)]
    """

    def __init__(self, channels=(8, 16, 32, 64), kernel_size=5, dense=1024, dropout=0.5,
                 batch_norm=True, n_stem=3):
        super().__init__(channels=channels, kernel_size=kernel_size, dense=dense,
                         dropout=dropout, batch_norm=batch_norm, n_stem=n_stem)


class MLP(BackboneSpec):
    """A multilayer perceptron: one fused block per hidden layer.

    Inputs with more than one feature axis are flattened by each block.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(128,)
        Width of each hidden (fused) layer, as in scikit-learn's MLP.
    dropout : float, default=0.5
        Dropout after each hidden layer.
    batch_norm : bool, default=True

    Examples
    --------
    >>> from skcentral import MLP
    >>> net = MLP(hidden_layer_sizes=(64, 32)).build((300,), n_outputs=23)
    >>> [b[1].out_features for b in net.blocks]
    [64, 32]
    """

    def __init__(self, hidden_layer_sizes=(128,), dropout=0.5, batch_norm=True):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.batch_norm = batch_norm

    def build_fused(self, stem_shape, n_outputs):
        n_in, blocks = int(np.prod(stem_shape)), []
        for width in self.hidden_layer_sizes:
            blocks.append(dense_block(n_in, int(width), self.batch_norm, self.dropout))
            n_in = int(width)
        return blocks, nn.Linear(n_in, n_outputs)


class ModuleBackbone(BackboneSpec):
    """Wrap an existing module that follows the ``stem``/``blocks``/``head`` protocol.

    Each fit starts from a deep copy of ``module``, so a pretrained network
    is fine-tuned without being modified in place.

    Parameters
    ----------
    module : nn.Module
        Has attributes ``stem`` (nn.Module), ``blocks`` (sequence of
        nn.Module) and ``head`` (nn.Module). Its head must already output
        the right number of values.
    central : BackboneSpec, default=None
        Spec used to build a CentralNet central network on this backbone's
        fused shape; required only when this backbone is the one the central
        network mirrors.

    Examples
    --------
    >>> from torch import nn
    >>> from skcentral import ModuleBackbone
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.stem = nn.Identity()
    ...         self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(4, 8), nn.ReLU())])
    ...         self.head = nn.Linear(8, 3)
    >>> ModuleBackbone(Net()).build((4,), n_outputs=3).head.out_features
    3
    """

    def __init__(self, module, central=None):
        self.module = module
        self.central = central

    @classmethod
    def from_estimator(cls, estimator, central=None):
        """Wrap the network of a fitted single-modality estimator.

        Parameters
        ----------
        estimator : fitted UnimodalClassifier or UnimodalRegressor
        central : BackboneSpec, default=None
            Defaults to the spec the estimator's network was built from, so
            a CentralNet central network can mirror it.

        Returns
        -------
        ModuleBackbone
        """
        net = getattr(getattr(estimator, "module_", None), "backbone", None)
        if net is None:
            raise TypeError(
                "ModuleBackbone.from_estimator needs a fitted UnimodalClassifier or "
                f"UnimodalRegressor; got {type(estimator).__name__}."
            )
        if central is None:
            central = estimator.backbone_specs(estimator.n_modalities_)[
                estimator.modality_index()]
        return cls(net, central=central)

    def build(self, input_shape, n_outputs):
        m = self.module
        missing = [a for a in ("stem", "blocks", "head") if not hasattr(m, a)]
        if missing:
            raise TypeError(
                f"ModuleBackbone needs a module with attributes stem, blocks and "
                f"head; {type(m).__name__} lacks {missing}."
            )
        m = copy.deepcopy(m)
        net = Backbone(m.stem, list(m.blocks), m.head)
        got = feature_shapes(net, input_shape)[-1]
        if got != (n_outputs,):
            raise ValueError(
                f"The wrapped {type(self.module).__name__} outputs per-sample shape "
                f"{got} but the task needs ({n_outputs},)."
            )
        return net

    def build_central(self, fused_shape, n_outputs):
        if self.central is None:
            raise ValueError(
                "A CentralNet central network cannot mirror a ModuleBackbone "
                "without a spec: pass ModuleBackbone(module, central=<spec>) or "
                "the estimator's `central=` parameter."
            )
        return self.central.build_central(fused_shape, n_outputs)
