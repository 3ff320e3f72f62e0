import pickle

import pytest
import torch
from sklearn.base import clone
from torch import nn

from skcentral import AudioCNN, LeNet5, MLP, ModuleBackbone
from skcentral.backbones import feature_shapes


@pytest.mark.parametrize("shape, expected", [
    ((8, 8), [(1, 8, 8), (32, 4, 4), (64, 2, 2), (1024,), (10,)]),
    ((28, 28), [(1, 28, 28), (32, 14, 14), (64, 7, 7), (1024,), (10,)]),
    ((3, 28, 28), [(3, 28, 28), (32, 14, 14), (64, 7, 7), (1024,), (10,)]),
])
def test_lenet5_takes_its_input_shape_from_the_data(shape, expected):
    assert feature_shapes(LeNet5().build(shape, 10), shape) == expected


def test_avmnist_networks_fuse_from_14x14x32_as_in_table_3():
    image = feature_shapes(LeNet5(n_stem=1).build((28, 28), 10), (28, 28))
    audio = feature_shapes(AudioCNN().build((112, 112), 10), (112, 112))
    assert image == audio == [(32, 14, 14), (64, 7, 7), (1024,), (10,)]


def test_lenet5_has_batch_norm_and_dropout_on_the_dense_layer():
    net = LeNet5(dropout=0.3).build((28, 28), 10)
    kinds = [type(m) for m in net.modules()]
    assert nn.BatchNorm2d in kinds and nn.BatchNorm1d in kinds
    assert [m.p for m in net.modules() if isinstance(m, nn.Dropout)] == [0.3]


def test_mlp_blocks_follow_hidden_layer_sizes_and_flatten_images():
    net = MLP((16, 8)).build((2, 3), 4)
    assert feature_shapes(net, (2, 3)) == [(2, 3), (16,), (8,), (4,)]


def test_specs_clone_pickle_and_print():
    spec = LeNet5(dense=64)
    assert clone(spec).get_params() == spec.get_params()
    assert pickle.loads(pickle.dumps(spec)).dense == 64
    assert repr(spec) == "LeNet5(dense=64)"


def test_lenet5_rejects_flat_features_clearly():
    with pytest.raises(ValueError, match=r"LeNet5 needs images.*got \(30,\)"):
        LeNet5().build((30,), 10)
    with pytest.raises(ValueError, match="n_stem must be between 0 and len"):
        LeNet5(n_stem=3).build((28, 28), 10)


class Pretrained(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Identity()
        self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(5, 6), nn.ReLU())])
        self.head = nn.Linear(6, 3)


def test_module_backbone_copies_the_module_and_checks_its_output():
    module = Pretrained()
    net = ModuleBackbone(module).build((5,), 3)
    assert net.head is not module.head
    torch.testing.assert_close(net.head.weight, module.head.weight)
    with pytest.raises(ValueError, match=r"outputs per-sample shape \(3,\) but the task needs \(4,\)"):
        ModuleBackbone(module).build((5,), 4)
    with pytest.raises(TypeError, match=r"lacks \['stem', 'blocks', 'head'\]"):
        ModuleBackbone(nn.Linear(2, 2)).build((2,), 2)
