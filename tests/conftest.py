import os

import numpy as np
import pytest
import torch

from skcentral.datasets import load_multimodal_digits


if os.environ.get("PYTEST_XDIST_WORKER"):
    # one torch thread per xdist worker: `pytest -n 2` on 2 cores, no oversubscription
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def digits():
    """The embedded multimodal digits split: (Xs_train, Xs_test, y_train, y_test)."""
    return load_multimodal_digits(energy=0.5, share_ratio=0.5, random_state=0, return_X_y=True)


@pytest.fixture(scope="session")
def small_digits(digits):
    """400 training and 200 test digits, for fits that must take a second."""
    Xs_train, Xs_test, y_train, y_test = digits
    return ([x[:400] for x in Xs_train], [x[:200] for x in Xs_test],
            y_train[:400], y_test[:200])


@pytest.fixture
def rng():
    return np.random.default_rng(0)
