"""Time building the full avMNIST (55,000 + 5,000 + 10,000 pairs) and its peak memory.

Each phase runs in a fresh Python process, so that its peak resident set
size (``ru_maxrss``) is its own:

1. build: ``load_avmnist`` with an empty cache folder (PCA, audio decoding,
   mixing, 70,000 spectrograms, cache write);
2. load: ``load_avmnist`` again, reading the cache.

Usage (from the repository root; the data folder holds ``mnist/``,
``fsdd/recordings/`` and ``esc10/``)::

    python benchmarks/bench_avmnist_build.py --data-home ../shared/data

The cache goes to a temporary folder, removed at the end (``--cache-dir`` to
keep it). ``--n-train``/``--n-valid``/``--n-test`` time a smaller build
(``--n-valid 0``: no validation split).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

PHASE = r"""
import json, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from skcentral.datasets import load_avmnist
args = json.loads(sys.argv[1])
data = load_avmnist(**args)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({
    "wall_s": wall, "cpu_s": cpu,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "shapes": [list(x.shape) for s in data.splits for x in data["Xs_" + s]],
    "dtypes": [str(x.dtype) for x in data.Xs_train],
    "image_energy": data.image_energy,
    "train_speakers": data.train_speakers, "test_speakers": data.test_speakers,
    "train_counts": [int((data.y_train == d).sum()) for d in range(10)],
    "test_counts": [int((data.y_test == d).sum()) for d in range(10)],
}))
"""


def run_phase(name, kwargs):
    proc = subprocess.run([sys.executable, "-c", PHASE, json.dumps(kwargs)],
                          capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("SKCENTRAL_DATA"),
                        help="folder with mnist/, fsdd/recordings/, esc10/")
    parser.add_argument("--fsdd-dir", default=None)
    parser.add_argument("--noise-dir", default=None)
    parser.add_argument("--cache-dir", default=None,
                        help="where the cache is written (default: a temporary folder)")
    parser.add_argument("--n-train", type=int, default=55000)
    parser.add_argument("--n-valid", type=int, default=5000)
    parser.add_argument("--n-test", type=int, default=10000)
    args = parser.parse_args()

    tmp = None
    cache_dir = args.cache_dir
    if cache_dir is None:
        tmp = cache_dir = tempfile.mkdtemp(prefix="bench_avmnist_")
    kwargs = dict(data_home=args.data_home, fsdd_dir=args.fsdd_dir,
                  noise_dir=args.noise_dir, n_train=args.n_train,
                  n_valid=args.n_valid, n_test=args.n_test, cache=cache_dir)
    try:
        print(f"cpus available: {len(os.sched_getaffinity(0))}; "
              f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        build = run_phase("build", kwargs)
        size = sum(os.path.getsize(os.path.join(cache_dir, f)) for f in os.listdir(cache_dir))
        load = run_phase("load", kwargs)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    valid = f" + {args.n_valid} validation" if args.n_valid else ""
    print(f"avMNIST {args.n_train} train{valid} + {args.n_test} test pairs")
    print(f"shapes: {build['shapes']}  dtypes: {build['dtypes']}")
    print(f"image energy kept: {build['image_energy']:.4f}")
    print(f"train speakers: {build['train_speakers']}  test speakers: {build['test_speakers']}")
    print(f"train digits: {build['train_counts']}  test digits: {build['test_counts']}")
    print(f"build (empty cache): {build['wall_s']:.1f} s wall, {build['cpu_s']:.1f} s CPU, "
          f"peak RSS {build['peak_rss_mb']:.0f} MB")
    print(f"cache file(s): {size / 2**20:.0f} MiB")
    print(f"load (from cache):   {load['wall_s']:.1f} s wall, {load['cpu_s']:.1f} s CPU, "
          f"peak RSS {load['peak_rss_mb']:.0f} MB")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
