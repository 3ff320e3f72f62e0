import os
from pathlib import Path

import numpy as np
import pytest
import torch

from skcentral.datasets import load_multimodal_digits


if os.environ.get("PYTEST_XDIST_WORKER"):
    # one torch thread per xdist worker: `pytest -n 2` on 2 cores, no oversubscription
    torch.set_num_threads(1)


# The project's real data sits beside the repository, at ../shared/data; a
# user's checkout has no such folder, and the tests that need it are skipped.
_REPO = Path(__file__).resolve().parents[1]


def _shared_data():
    env = os.environ.get("SKCENTRAL_TEST_DATA")
    return Path(env) if env else _REPO / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data():
    """The folder of real data (mnist/, fsdd/, esc10/), or skip."""
    path = _shared_data().resolve()
    if not (path / "mnist").is_dir():
        pytest.skip(f"real data folder {path} is absent (set SKCENTRAL_TEST_DATA to "
                    "a folder holding mnist/, fsdd/recordings/ and esc10/)")
    return path


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


@pytest.fixture
def stop_fits_at_epoch(monkeypatch):
    """``stop(n)``: the fits that follow raise ``RuntimeError("the session ended")``
    as their ``n``-th training epoch (counted over them all) starts, as a killed
    process would stop (``stop(n, KeyboardInterrupt)``: as Ctrl-C would); ``stop``
    returns the function that lets fits run again."""
    from skcentral import FusionNet

    def stop(n, exc=None):
        run_single_epoch, epochs = FusionNet.run_single_epoch, [0]

        def stopped(self, iterator, training, **kw):
            epochs[0] += training
            if epochs[0] == n:
                raise exc or RuntimeError("the session ended")
            return run_single_epoch(self, iterator, training, **kw)
        monkeypatch.setattr(FusionNet, "run_single_epoch", stopped)
        return lambda: monkeypatch.setattr(FusionNet, "run_single_epoch", run_single_epoch)
    return stop
