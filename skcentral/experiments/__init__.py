"""Experiments: the method registry, the paper's protocols, results and summaries.

``skcentral compare`` and ``skcentral reproduce`` both run on this package:

* :data:`METHODS`, the registry of fusion methods (:func:`register_method`
  adds one, and every comparison finds it);
* :class:`Experiment`, a protocol (data, backbones, hyper-parameters per
  method, scores, the paper's figures), and :data:`EXPERIMENTS`, the
  paper's;
* :func:`reproduce`, which appends every finished run to a resumable
  JSON-lines file, and :func:`summarize`, its table beside the paper's;
* :func:`tune_lr`, each method's learning rate chosen on the validation
  split;
* :func:`compare`, every method over several seeds on the embedded data.
"""

from ._paper import EXPERIMENTS, digits_experiment
from ._protocol import Data, Experiment, Run, classification_scores, f1_scores
from ._registry import METHODS, Method, make_method, method_configs, register_method
from ._runner import Comparison, compare, reproduce
from ._store import ResultsFile, default_results, read_results
from ._summary import (per_run_rows, rank_agreement, summarize, summary_rows,
                       with_current_settings)
from ._tune import tune_lr

__all__ = [
    "Comparison",
    "Data",
    "EXPERIMENTS",
    "Experiment",
    "METHODS",
    "Method",
    "ResultsFile",
    "Run",
    "classification_scores",
    "compare",
    "default_results",
    "digits_experiment",
    "f1_scores",
    "make_method",
    "method_configs",
    "per_run_rows",
    "read_results",
    "rank_agreement",
    "register_method",
    "reproduce",
    "summarize",
    "with_current_settings",
    "summary_rows",
    "tune_lr",
]
