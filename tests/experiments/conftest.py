import io

import pytest

from skcentral.experiments import reproduce


@pytest.fixture
def run_digits():
    """``run(path, **options)``: a tiny ``reproduce("digits")``, its records and output."""
    def run(path, **kw):
        out = io.StringIO()
        args = dict(epochs=1, train_size=120, test_size=60, precision="fp32", n_jobs=1,
                    methods=["unimodal"], seeds=2, results=path, out=out)
        args.update(kw)
        return reproduce("digits", **args), out.getvalue()
    return run
