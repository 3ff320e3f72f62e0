"""What the speed and memory benchmarks share.

* the configurations (issue 5's two: LeNet5 on multimodal-MNIST-shaped
  images, an MLP on MM-IMDb-sized vectors; and a small MLP) and synthetic
  data of their shapes;
* the hand-written PyTorch reference loop, training the module the estimator
  built with the same optimizer, batch size and multi-task loss;
* timing (interleaved repeats, medians of per-repeat ratios), the CPU other
  processes take before and during a run, and plain-text tables.

The benchmarks import it as ``from _common import ...``: run them as scripts,
``python benchmarks/bench_speed.py``.
"""

import argparse
import atexit
import copy
import os
import platform
import resource
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from skcentral import LeNet5, MLP, CentralNetClassifier

BATCH_SIZE = 128
LR = 1e-3


# ---------------------------------------------------------------- configurations
@dataclass(frozen=True)
class Config:
    """One benchmark configuration: per-modality sample shapes and backbones."""

    label: str
    shapes: tuple
    n_classes: int
    backbones: object = field(compare=False)

    def make_backbones(self):
        return copy.deepcopy(self.backbones)


CONFIGS = {
    "lenet5": Config("LeNet5, multimodal MNIST (2 x 28x28, 10 classes)",
                     ((28, 28), (28, 28)), 10, [LeNet5(), LeNet5()]),
    "mlp": Config("MLP(2048, 512), MM-IMDb sizes (300 + 4096, 23 classes)",
                  ((300,), (4096,)), 23, MLP((2048, 512))),
    # Not in issue 5: a network small enough for batch loading to matter.
    "mlp-small": Config("MLP(64), MM-IMDb sizes (300 + 4096, 23 classes)",
                        ((300,), (4096,)), 23, MLP((64,))),
}


def synthetic(config, n, seed=0):
    """Random float32 modalities of the configuration's shapes, and int64 labels."""
    rng = np.random.default_rng(seed)
    Xs = [rng.random((n, *shape), dtype=np.float32) for shape in config.shapes]
    return Xs, rng.integers(0, config.n_classes, n)


def estimator(config, **params):
    """A CentralNetClassifier of the configuration (batch 128, Adam, beta=1)."""
    params = {"max_epochs": 1, "random_state": 0, "batch_size": BATCH_SIZE,
              "lr": LR, **params}
    return CentralNetClassifier(backbones=config.make_backbones(), **params)


def fitted(config, n=256, **params):
    """An estimator initialised by one epoch on ``n`` samples (its ``module_`` is built)."""
    Xs, y = synthetic(config, max(n, config.n_classes), seed=1)
    y[:config.n_classes] = np.arange(config.n_classes)  # every class seen
    return estimator(config, **params).fit(Xs, y)


def tensors(Xs, y=None):
    """Zero-copy torch views of numpy data."""
    out = [torch.from_numpy(x) for x in Xs]
    return out if y is None else (out, torch.from_numpy(np.asarray(y)))


# ---------------------------------------------------------------- reference loop
def multitask_ce(outputs, y):
    """Eq. 2 with beta=1: cross-entropy of the fused output plus each modality's."""
    return sum(F.cross_entropy(out, y) for out in outputs)


class HandLoop:
    """A plain PyTorch training loop over in-memory tensors, as one would write it.

    Shuffled batches gathered with ``index_select``,
    ``zero_grad(set_to_none=True)`` before the forward pass, Adam, the
    multi-task loss; ``precision="bf16"`` autocasts the forward pass and
    ``channels_last`` stores weights and 4-D inputs channels-last, as the
    estimator's options do.
    """

    def __init__(self, module, lr=LR, batch_size=BATCH_SIZE, precision="fp32",
                 channels_last=False, seed=0, fused=None):
        self.module = copy.deepcopy(module)
        if channels_last:
            self.module = self.module.to(memory_format=torch.channels_last)
        # autocast on the device the module lies on (the CPU or a GPU)
        self.device_type = next(self.module.parameters()).device.type
        self.optimizer = torch.optim.Adam(self.module.parameters(), lr=lr, fused=fused)
        self.batch_size = batch_size
        self.dtype = {"fp32": None, "bf16": torch.bfloat16}[precision]
        self.channels_last = channels_last
        self.generator = torch.Generator().manual_seed(seed)

    def _forward(self, xb):
        if self.channels_last:
            xb = [x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x
                  for x in xb]
        if self.dtype is None:
            return self.module(xb)
        with torch.autocast(self.device_type, dtype=self.dtype):
            out = self.module(xb)
        return tuple(o.float() for o in out)

    def step(self, xb, yb):
        self.optimizer.zero_grad(set_to_none=True)  # frees the gradients before the forward
        loss = multitask_ce(self._forward(xb), yb)
        loss.backward()
        self.optimizer.step()
        return loss

    def epoch(self, Xs, y, max_batches=None):
        """One pass over torch tensors ``Xs`` (list) and ``y`` in shuffled batches."""
        self.module.train()
        perm = torch.randperm(len(y), generator=self.generator).to(y.device)
        stop = min(len(y), max_batches * self.batch_size) if max_batches else len(y)
        for start in range(0, stop, self.batch_size):
            idx = perm[start:start + self.batch_size]
            self.step([x.index_select(0, idx) for x in Xs], y.index_select(0, idx))
        if y.is_cuda:
            torch.cuda.synchronize()  # the epoch is over when the GPU is done

    @torch.inference_mode()
    def predict(self, Xs, batch_size=None):
        """Class indices of the fused output, batch by batch (contiguous slices)."""
        self.module.eval()
        bs = batch_size or self.batch_size
        n = len(Xs[0])
        return torch.cat([self._forward([x[s:s + bs] for x in Xs])[0].argmax(1)
                          for s in range(0, n, bs)])


# ---------------------------------------------------------------- timing
def timed(fn, *args, **kwargs):
    """Wall-clock seconds of one call."""
    t0 = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t0


def interleaved(contenders, repeats):
    """Time each callable once per repeat, rotating their order every repeat.

    Returns ``{name: [seconds, ...]}``. Adjacent measurements see the same
    machine state, so per-repeat ratios are steadier than ratios of means.
    """
    names = list(contenders)
    times = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            times[name].append(timed(contenders[name]))
    return times


def median_ratio(num, den):
    """Median over repeats of ``num[i] / den[i]``."""
    return statistics.median(a / b for a, b in zip(num, den))


def spread(values):
    """``min-max`` of a list, for tables."""
    return "-".join(f"{v:.0f}" if v >= 100 else f"{v:.3g}" for v in (min(values), max(values)))


def matmul_job(dtype, n=None, count=4):
    """``(run, flops)``: ``run()`` multiplies two ``n x n`` matrices ``count`` times.

    Timed alongside the training runs, it gives the machine's matmul GFLOP/s
    under the same conditions.
    """
    n = n or (2048 if dtype == torch.float32 else 4096)
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=gen).to(dtype)
    b = torch.randn(n, n, generator=gen).to(dtype)

    def run():
        for _ in range(count):
            torch.matmul(a, b)

    return run, count * 2 * n ** 3


def train_step_flops(loop, xb, yb):
    """FLOPs of one training step (forward + backward) counted by FlopCounterMode."""
    from torch.utils.flop_counter import FlopCounterMode

    loop.module.train()
    with FlopCounterMode(display=False) as counter:
        loss = multitask_ce(loop._forward(xb), yb)
        loss.backward()
    loop.optimizer.zero_grad(set_to_none=True)
    return counter.get_total_flops()


# ---------------------------------------------------------------- machine
def _other_processes():
    """Every process but this one and its descendants (joblib workers, subprocesses)."""
    import psutil

    me = psutil.Process()
    mine = {me.pid, *(child.pid for child in me.children(recursive=True))}
    return [p for p in psutil.process_iter() if p.pid not in mine]


def busy_cpus(interval=0.5):
    """CPU cores that other processes (not this one or its children) kept busy."""
    try:
        import psutil
    except ImportError:  # the load average is good enough
        return os.getloadavg()[0]
    procs = _other_processes()
    for p in procs:
        try:
            p.cpu_percent(None)
        except psutil.Error:
            pass
    time.sleep(interval)
    total = 0.0
    for p in procs:
        try:
            total += p.cpu_percent(None)
        except psutil.Error:
            pass
    return total / 100


def wait_until_quiet(max_wait, threshold=0.3):
    """Wait up to ``max_wait`` s for other processes to leave the cores idle."""
    t_end = time.monotonic() + max_wait
    busy = busy_cpus()
    while busy > threshold and time.monotonic() < t_end:
        time.sleep(5)
        busy = busy_cpus()
    return busy


class ContentionMonitor(threading.Thread):
    """Samples, every ``period`` s, how many cores other processes keep busy."""

    def __init__(self, period=2.0):
        super().__init__(daemon=True)
        self.period = period
        self.samples = []

    def run(self):
        while True:
            self.samples.append(busy_cpus(self.period))

    def summary(self):
        if not self.samples:
            return "no contention samples"
        return (f"other processes kept {statistics.mean(self.samples):.2f} cores busy on "
                f"average during the run (max {max(self.samples):.2f}, "
                f"{len(self.samples)} samples of {self.period:g} s)")


def _cpuinfo(key):
    """The value of the first ``key`` line of /proc/cpuinfo, or None."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_model():
    return _cpuinfo("model name") or platform.processor() or "unknown"


def cpu_flags():
    flags = set((_cpuinfo("flags") or "").split())
    return [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in flags]


def _autogroup():
    """This process's Linux scheduling autogroup and its niceness, if any."""
    try:
        with open("/proc/self/autogroup") as f:
            return f.read().strip().lstrip("/")
    except OSError:
        return "no autogroup"


def peak_rss_mb():
    """Peak resident set size of this process so far, in MiB (Linux: KiB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb():
    """Current resident set size of this process, in MiB."""
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


# ---------------------------------------------------------------- command line
def parser(description, control=False):
    """An argument parser with the options every benchmark takes.

    ``control=True`` adds ``--control``: time a second, identical skcentral
    instance too, whose ratio to the first shows the noise floor of the run.
    """
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    if control:
        p.add_argument("--control", action="store_true",
                       help="also time a second, identical skcentral instance (noise floor)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run of a few seconds (tiny sizes, 1 repeat)")
    p.add_argument("--repeats", type=int, default=None,
                   help="timed repeats per contender (the median is reported)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads (default: torch's own, the number of cores)")
    p.add_argument("--wait", type=float, default=30,
                   help="seconds to wait for other processes to leave the CPUs idle")
    return p


def setup(args, title):
    """Apply ``--threads``, wait for a quiet machine, print the header."""
    import skorch
    import sklearn

    if args.threads:
        torch.set_num_threads(args.threads)
    busy = wait_until_quiet(0 if args.quick else args.wait)
    print(f"== {title}")
    print(f"CPU: {cpu_model()} ({', '.join(cpu_flags()) or 'no vector flags read'}); "
          f"{os.cpu_count()} cores")
    print(f"Python {platform.python_version()}, torch {torch.__version__}, "
          f"skorch {skorch.__version__}, scikit-learn {sklearn.__version__}; "
          f"torch threads: {torch.get_num_threads()}; scheduling: nice {os.nice(0)}, "
          f"{_autogroup()}")
    print(f"Other processes kept {busy:.2f} cores busy at the start"
          + ("  ** the machine is busy: timings are unreliable **" if busy > 0.3 else ""))
    print(f"Command: python {' '.join(sys.argv)}")
    print()
    monitor = ContentionMonitor()
    monitor.start()
    atexit.register(lambda: print(f"\n[{monitor.summary()}]"))


def table(headers, rows):
    """Print a plain-text table (right-aligned numbers)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(cells[0], widths)))
    print(line)
    for row in cells[1:]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths))))
    print(line)


def verdict(ok):
    return "met" if ok else "NOT met"
