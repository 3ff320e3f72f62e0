"""The results store: one JSON line per finished run, resumable."""

import json
import os
import warnings
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no lock, the check alone
    fcntl = None

__all__ = ["ResultsFile", "default_results", "protocol_of", "protocol_options", "read_results",
           "run_key"]


def default_results(experiment):
    """``docs/results/<experiment>.jsonl``."""
    return Path("docs") / "results" / f"{experiment}.jsonl"


def protocol_options(experiment, epochs, train_size, test_size, device, precision,
                     channels_last):
    """The run options, those left ``None`` taken from the experiment's defaults.

    ``precision="auto"`` becomes the fastest precision of ``device``
    (see :func:`skcentral._precision.fastest_precision`), so that a results
    file says what ran.
    """
    from .._precision import fastest_precision
    d = experiment.defaults
    return {"epochs": d["epochs"] if epochs is None else int(epochs),
            "train_size": d["train_size"] if train_size is None else int(train_size),
            "test_size": d["test_size"] if test_size is None else int(test_size),
            "device": device,
            "precision": fastest_precision(device) if precision == "auto" else precision,
            "channels_last": bool(channels_last)}


def protocol_of(experiment, opts):
    """The options that define a result (a rerun with the same ones resumes)."""
    return {"experiment": experiment, "epochs": int(opts["epochs"]),
            "train_size": opts.get("train_size"), "test_size": opts.get("test_size"),
            "device": str(opts.get("device", "cpu")), "precision": opts.get("precision"),
            "channels_last": bool(opts.get("channels_last", True))}


def reached_epoch_cap(record):
    """Whether a run trained its protocol's every epoch (early stopping did not end it)."""
    return record.get("epochs_run") == (record.get("protocol") or {}).get("epochs")


def run_key(record):
    """What identifies a run in a results file: protocol, configuration, parameters, seed.

    A run whose hyper-parameters changed (a learning rate chosen anew, say)
    is a new run, not one already done.
    """
    proto = record.get("protocol", {})
    return (json.dumps(proto, sort_keys=True), record.get("config"),
            json.dumps(record.get("params", {}), sort_keys=True), int(record.get("seed")))


def read_results(path):
    """Records of a results file; unreadable lines (an interrupted write) are skipped.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    list of dict

    Examples
    --------
    >>> import tempfile, os, warnings
    >>> from skcentral.experiments import read_results
    >>> path = os.path.join(tempfile.mkdtemp(), "r.jsonl")
    >>> with open(path, "w") as f:
    ...     _ = f.write('{"config": "a", "seed": 0}\\n{"config": "b", "se')
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     records = read_results(path)
    >>> [r["config"] for r in records], "unreadable" in str(caught[0].message)
    (['a'], True)
    """
    path = Path(path)
    if not path.exists():
        return []
    records, bad = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            if isinstance(rec, dict):
                records.append(rec)
            else:
                bad += 1
    if bad:
        warnings.warn(f"{path}: skipped {bad} unreadable line(s) (an interrupted run?).",
                      stacklevel=2)
    return records


class ResultsFile:
    """A JSON-lines results file: the runs it holds, and appending one at once.

    Opening it repairs a cut last line (an interrupted write) so that the
    next record starts on a line of its own; ``fresh=True`` empties it.
    """

    def __init__(self, path, fresh=False):
        self.path = Path(path)
        if fresh and self.path.exists():
            self.path.unlink()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and self.path.stat().st_size:
            with open(self.path, "rb") as f:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    with open(self.path, "a", encoding="utf-8") as g:
                        g.write("\n")  # the cut line stays unreadable, the next ones parse

    def done(self):
        """The :func:`run_key` of every run in the file."""
        return {run_key(r) for r in read_results(self.path)}

    def append(self, record):
        """Write one record as a line, flushed to disk at once, unless the file holds its run.

        Several processes may share one file (parts of a sweep, or two
        machines on a shared disk): one that finishes a run another has
        already written does not write it twice. The check and the write
        hold an exclusive lock on the file where the system has ``fcntl``.

        Returns
        -------
        bool
            Whether the record was written.
        """
        key = run_key(record)
        with open(self.path, "a", encoding="utf-8") as f:
            if fcntl is not None:
                fcntl.flock(f, fcntl.LOCK_EX)  # released when the file closes
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a cut line was reported when opened
                if key in self.done():
                    return False
            f.write(json.dumps(record, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return True
