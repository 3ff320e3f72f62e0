"""The torch layer: Backbone and shape probing, importable without scikit-learn."""

import subprocess
import sys

import torch
from torch import nn

from skcentral.fusion import Backbone, feature_shapes, output_shape


def test_importing_the_torch_layer_loads_neither_sklearn_nor_skorch():
    code = ("import sys, skcentral.fusion; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'skorch'}))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert res.stdout.strip() == "[]"


def test_shape_probing_leaves_the_training_state_alone():
    net = Backbone(nn.Identity(), [nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))],
                   nn.Linear(8, 2))
    net.train()
    assert feature_shapes(net, (4,)) == [(4,), (8,), (2,)]
    assert output_shape(net, (4,)) == (2,) and net.training
    assert net(torch.zeros(3, 4)).shape == (3, 2)
