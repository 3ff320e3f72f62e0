"""Memory and throughput of a fit on modalities that stay on disk.

A data set of MM-IMDb's shapes (300 + 4096 float32 features per sample,
23 classes; 113,000 samples make 2 GB) is written once, block by block,
as raw ``numpy.memmap`` files and as an HDF5 file (and a zarr store when
zarr is installed): 6 GB of free disk in all. Each contender then fits in
a fresh Python process:

* ``in memory``: the arrays read into RAM first (``np.array(memmap)``),
  the path every estimator took before on-disk modalities;
* ``memmap``, ``hdf5``, ``zarr``: the on-disk arrays given as they are,
  read batch by batch (:class:`skcentral.OnDiskArray`).

Each process reports, in anonymous resident memory (sampled every 5 ms
from ``/proc/self/status``) above its level after the imports: the data it
holds before fitting, the network's share (weights, gradients, optimizer
state, after the first batch), and the peak of the fit; "peak - network"
is what the data cost the fit, as a share of the data's size. Anonymous,
because pages of a memory-mapped or cached file are the kernel's page
cache, which it reclaims under pressure. The throughput is the number of
training samples per second over the timed batches (after the first one).

Usage::

    python benchmarks/bench_on_disk.py                       # 2 GB, 200 batches
    python benchmarks/bench_on_disk.py --max-batches 0       # one full epoch each
    python benchmarks/bench_on_disk.py --dir /data/scratch   # where the files go
    python benchmarks/bench_on_disk.py --quick               # smoke run: 35 MB, 5 batches
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback

from _common import CONFIGS, estimator, parser, setup, table

BLOCK = 4096


def anon_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class PeakSampler(threading.Thread):
    """The highest anonymous RSS seen, sampled every 5 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.running = anon_mb(), True

    def run(self):
        while self.running:
            self.peak = max(self.peak, anon_mb())
            time.sleep(0.005)


class Timer(Callback):
    """Time the training batches after the first; stop after ``n`` (0: the epoch)."""

    def __init__(self, n):
        self.n = n

    def on_train_begin(self, net, **kwargs):
        self.seen, self.samples, self.t0 = 0, 0, None

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if not training:
            return
        self.seen += 1
        if self.t0 is None:
            self.after_first = anon_mb()  # network, gradients, optimizer state
            self.t0 = time.perf_counter()
        else:
            self.samples += len(batch[1])
        self.seconds = time.perf_counter() - self.t0
        if self.n and self.seen >= self.n:
            raise KeyboardInterrupt  # skorch ends the fit cleanly


def write(folder, config, n, formats):
    """Write the data set block by block (never whole in memory); return y."""
    rng = np.random.default_rng(0)
    shapes = [(n, *s) for s in config.shapes]
    mms = [np.memmap(folder / f"m{k}.f32", np.float32, "w+", shape=s)
           for k, s in enumerate(shapes)]
    h5 = z = None
    if "hdf5" in formats:
        import h5py
        h5 = h5py.File(folder / "data.h5", "w")
        for k, s in enumerate(shapes):
            h5.create_dataset(f"m{k}", shape=s, dtype=np.float32, chunks=(256, *s[1:]))
    if "zarr" in formats:
        import zarr
        z = [zarr.open_array(str(folder / f"m{k}.zarr"), mode="w", shape=s, dtype="f4",
                             chunks=(1024, *s[1:])) for k, s in enumerate(shapes)]
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        for k, s in enumerate(shapes):
            block = rng.random((stop - start, *s[1:]), dtype=np.float32)
            mms[k][start:stop] = block
            if h5 is not None:
                h5[f"m{k}"][start:stop] = block
            if z is not None:
                z[k][start:stop] = block
    for m in mms:
        m.flush()
    if h5 is not None:
        h5.close()
    y = rng.integers(0, config.n_classes, n)
    y[:config.n_classes] = np.arange(config.n_classes)
    np.save(folder / "y.npy", y)


def open_modalities(folder, config, n, mode):
    shapes = [(n, *s) for s in config.shapes]
    mms = [np.memmap(folder / f"m{k}.f32", np.float32, "r", shape=s)
           for k, s in enumerate(shapes)]
    if mode == "in memory":
        return [np.array(m) for m in mms]
    if mode == "memmap":
        return mms
    if mode == "hdf5":
        import h5py
        f = h5py.File(folder / "data.h5", "r")
        return [f[f"m{k}"] for k in range(len(shapes))]
    import zarr
    return [zarr.open_array(str(folder / f"m{k}.zarr"), mode="r") for k in range(len(shapes))]


def child(args):
    if args.threads:
        torch.set_num_threads(args.threads)
    config, folder = CONFIGS[args.config], Path(args.dir)
    sampler = PeakSampler()
    sampler.start()
    start = anon_mb()
    Xs = open_modalities(folder, config, args.samples, args.child)
    loaded = anon_mb()
    y = np.load(folder / "y.npy")
    timer = Timer(args.max_batches)
    estimator(config, callbacks=[timer], iterator_train__shuffle=True).fit(Xs, y)
    sampler.running = False
    sampler.join()
    print(json.dumps({"data": loaded - start, "network": timer.after_first - loaded,
                      "peak": sampler.peak - start,
                      "throughput": timer.samples / max(timer.seconds, 1e-9),
                      "batches": timer.seen}))


def main():
    p = parser(__doc__)
    p.add_argument("--samples", type=int, default=113_000)
    p.add_argument("--max-batches", type=int, default=200,
                   help="stop each fit after this many batches; 0 for a full epoch")
    p.add_argument("--config", choices=sorted(CONFIGS), default="mlp")
    p.add_argument("--dir", default=None, help="folder for the data files (default: a "
                   "temporary folder, removed after)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args)
    setup(args, "a fit on modalities on disk: peak anonymous memory and throughput")
    if args.quick:
        args.samples, args.max_batches = 2_000, 5
    formats = ["memmap", "hdf5"]
    try:
        import zarr  # noqa: F401
        formats.append("zarr")
    except ImportError:
        pass
    config = CONFIGS[args.config]
    folder = Path(args.dir or tempfile.mkdtemp(prefix="skcentral-on-disk-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        write(folder, config, args.samples, formats)
        size_mb = args.samples * sum(int(np.prod(s)) for s in config.shapes) * 4 / 2 ** 20
        print(f"{config.label}: {args.samples} samples, {size_mb:.0f} MiB per format "
              f"(written in {time.perf_counter() - t0:.0f} s), "
              + (f"first {args.max_batches} batches" if args.max_batches else "one epoch"))
        res = {}
        for mode in ["in memory"] + formats:
            cmd = [sys.executable, __file__, "--child", mode, "--config", args.config,
                   "--samples", str(args.samples), "--max-batches", str(args.max_batches),
                   "--dir", str(folder)]
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True)
            res[mode] = json.loads(out.stdout.strip().splitlines()[-1])
        ref = res["in memory"]["throughput"]
        table(["contender", "data in RAM", "network", "peak", "peak - network",
               "% of data", "samples/s", "vs in memory"],
              [[mode, f"{r['data']:.0f}", f"{r['network']:.0f}", f"{r['peak']:.0f}",
                f"{r['peak'] - r['network']:.0f}",
                f"{100 * (r['peak'] - r['network']) / size_mb:.1f}",
                f"{r['throughput']:.0f}", f"{r['throughput'] / ref:.2f}"]
               for mode, r in res.items()])
        print("(anonymous memory in MiB above the process's after its imports)")
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
