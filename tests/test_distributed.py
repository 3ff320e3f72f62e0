"""Data-parallel training: 2 CPU processes over gloo on loopback.

The test launches this file twice with the environment ``torchrun`` sets
(RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT); run as a script, it trains.
"""

import json
import os
import pickle
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skcentral import MLP, CentralNetClassifier
from skcentral import distributed
from skcentral.distributed import Checkpoint

N, BATCH = 61, 16  # the last batch (13 samples) splits unevenly: 6 + 7


def data(folder=None):
    """Two modalities in memory and one that says which rows a process saw,
    on disk in ``folder`` (written there when missing)."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(N, 4)), rng.normal(size=(N, 3))
    ids = np.arange(N, dtype=np.float32)[:, None]
    if folder is not None:
        path = Path(folder) / "ids.f32"
        if not path.exists():
            ids.tofile(path)
        ids = np.memmap(path, dtype=np.float32, mode="r", shape=(N, 1))
    return [a, b, ids], (a[:, 0] + b[:, 0] > 0).astype(int)


def estimator(**kw):
    params = dict(backbones=MLP((8,), dropout=0.0, batch_norm=False), max_epochs=2,
                  batch_size=BATCH, lr=0.01, torch_threads=1, random_state=0,
                  distributed=True)
    return CentralNetClassifier(**{**params, **kw})


class SeenRows(Callback):
    def initialize(self):
        self.rows = []
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.rows.append(batch[0][2][:, 0].long().tolist())


class FailOnProcess1(Callback):
    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if distributed.rank() == 1 and len(net.history) == 3 \
                and len(net.history[-1]["batches"]) == 2:
            raise ValueError("row 42 of the audio file is corrupt")


def worker(out, scenario):
    out = Path(out)
    Xs, y = data(out)
    me = distributed.rank()
    if scenario == "fit":
        seen = SeenRows()
        clf = estimator(callbacks=[seen]).fit(Xs, y)
        bn = estimator(backbones=MLP((8,), dropout=0.0), recompute_batch_norm=True).fit(Xs, y)
        bn_stats = {k: v for k, v in bn.module_.state_dict().items()
                    if k.endswith(("running_mean", "running_var", "num_batches_tracked"))}
        with open(out / f"rank{me}.pkl", "wb") as f:
            pickle.dump({"loss": clf.history[:, "train_loss"], "rows": seen.rows,
                         "proba": clf.predict_proba(Xs), "clf": clf, "bn": bn_stats}, f)
        return
    try:
        estimator(max_epochs=3, callbacks=[Checkpoint(dirname=str(out / "ckpt"),
                                                      monitor="train_loss_best"),
                                           FailOnProcess1()]).fit(Xs, y)
    except Exception as exc:
        (out / f"error{me}.txt").write_text(
            f"{type(exc).__name__}: {exc}\n" + "\n".join(getattr(exc, "__notes__", [])))
        sys.exit(1)


def launch(tmp_path, scenario):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    procs = []
    for r in range(2):
        env = dict(os.environ, RANK=str(r), LOCAL_RANK=str(r), WORLD_SIZE="2",
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), GLOO_SOCKET_IFNAME="lo",
                   OMP_NUM_THREADS="1",
                   PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1])] + sys.path))
        procs.append(subprocess.Popen([sys.executable, __file__, str(tmp_path), scenario],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    outs = []
    try:
        for p in procs:
            outs.append(p.communicate(timeout=300)[0].decode())
    finally:
        for p in procs:
            p.kill()
    return [p.returncode for p in procs], outs


def test_two_processes_train_like_one_on_the_whole_batch(tmp_path):
    data(tmp_path)  # the processes read one modality from disk, each its own rows
    codes, outs = launch(tmp_path, "fit")
    assert codes == [0, 0], outs
    ranks = [pickle.loads((tmp_path / f"rank{r}.pkl").read_bytes()) for r in range(2)]
    Xs, y = data()
    seen = SeenRows()
    ref = estimator(callbacks=[seen]).fit(Xs, y)  # one process: not launched
    # each process reads its own part of every batch, and together the whole batch
    for r0, r1, whole in zip(ranks[0]["rows"], ranks[1]["rows"], seen.rows):
        assert r0 and r1 and not set(r0) & set(r1)
        assert r0 + r1 == whole
    for r in ranks:
        np.testing.assert_allclose(r["loss"], ref.history[:, "train_loss"], rtol=1e-5)
        np.testing.assert_allclose(r["proba"], ref.predict_proba(Xs), rtol=1e-4, atol=1e-6)
    clf = ranks[0]["clf"]  # the main process's estimator, unpickled
    np.testing.assert_allclose(clf.alphas_.weights, ref.alphas_.weights, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(clf.predict(Xs), ref.predict(Xs))
    # recomputed batch-norm statistics: averaged over every part of every
    # batch (4 batches of 2 parts), the same on each process
    bn0, bn1 = ranks[0]["bn"], ranks[1]["bn"]
    assert bn0 and all(torch.equal(bn0[k], bn1[k]) for k in bn0)
    assert {int(v) for k, v in bn0.items() if k.endswith("num_batches_tracked")} == {8}


def test_a_failing_process_stops_every_process_with_its_error(tmp_path):
    data(tmp_path)
    codes, outs = launch(tmp_path, "fail")
    assert codes == [1, 1], outs
    for r in range(2):
        text = (tmp_path / f"error{r}.txt").read_text()
        assert text.startswith("ValueError: row 42 of the audio file is corrupt"), text
    assert "Raised on process 1 of 2; process 0 stopped" in (tmp_path / "error0.txt").read_text()
    # the checkpoint of the last finished epoch is whole, and nothing half-written is left
    files = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert files == ["criterion.pt", "history.json", "optimizer.pt", "params.pt"], files
    assert len(json.loads((tmp_path / "ckpt" / "history.json").read_text())) == 2
    params = torch.load(tmp_path / "ckpt" / "params.pt")
    assert all(torch.isfinite(v).all() for v in params.values())


def test_checkpoint_files_are_written_whole(tmp_path):
    target = tmp_path / "params.pt"
    target.write_text("the last good checkpoint")

    def crash(path):
        Path(path).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        distributed._write_whole(target, crash)
    assert target.read_text() == "the last good checkpoint"
    assert [p.name for p in tmp_path.iterdir()] == ["params.pt"]


def test_a_single_plain_process_trains_as_usual():
    Xs, y = data()
    a = estimator().fit(Xs, y)
    b = estimator(distributed=False).fit(Xs, y)
    np.testing.assert_array_equal(a.history[:, "train_loss"], b.history[:, "train_loss"])
    assert distributed.world_size() == 1 and distributed.is_main_process()


if __name__ == "__main__":
    # by its module name, so that what the workers pickle unpickles in the test
    sys.path.insert(0, str(Path(__file__).parent))
    import test_distributed
    test_distributed.worker(*sys.argv[1:])
