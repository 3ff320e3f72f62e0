"""Shared parameters and attributes, written once, substituted into every estimator.

Every estimator takes the parameters of :class:`~skcentral.FusionNet` (``lr``,
``max_epochs``, ``device``, ``precision``, ``random_state``, ...), the
classifiers those of :class:`~skcentral.FusionClassifierMixin` too, and every
fitted estimator has the same fitted attributes. Their descriptions live in
those two docstrings and in :data:`FITTED_ATTRIBUTES`; :func:`complete_doc`
appends what an estimator's own docstring leaves out, so that each estimator
page lists all its parameters and attributes (as imbalanced-learn's and
skorch's do). A regressor's docstring is its classifier's, less what only
classifiers have. The torch fusion modules get what
:class:`~skcentral.fusion.MultiBackbone` documents in the same way
(:func:`complete_module_doc`).
"""

import inspect
import re
import sys

__all__ = ["complete_doc", "complete_module_doc", "regressor_doc"]

FITTED_ATTRIBUTES = """\
modality_names_ : list of str
    Names of the modalities seen in ``fit`` (``"modality_0"``, ... for
    unnamed ones).
modality_shapes_ : list of tuple of int
    Per-sample shape of each modality seen in ``fit``.
n_modalities_ : int
    Number of modalities.
random_seed_ : int
    The seed this fit used (drawn when ``random_state`` is not an int).
module_ : torch.nn.Module
    The trained fusion network (see :mod:`skcentral.fusion`).
history_ : skorch.history.History
    Loss and scores of every epoch.
"""

CLASSIFIER_ATTRIBUTES = """\
classes_ : ndarray of shape (n_classes,)
    The class labels (multiclass) or label indices (multilabel).
task_ : {"multiclass", "multilabel"}
    The task inferred from ``y`` in ``fit``.
"""

KWARGS = """\
dataset, predict_nonlinearity, compile, use_caching, torch_load_kwargs : see skorch
    skorch's ``NeuralNet`` parameters, rarely changed: the defaults fit
    multimodal data (see ``skorch.NeuralNet``).
**kwargs
    skorch's routed parameters, set with double underscores:
    ``optimizer__weight_decay``, ``iterator_train__shuffle``,
    ``callbacks__<name>__<param>``, ...
"""

_REGRESSOR = "Regression counterpart of :class:`{}Classifier`."
_CLASSIFIER_ONLY = ("pos_weight", "threshold", "classes_", "task_")
_HEADER = re.compile(r"^(\S.*)\n(-{3,})$", re.M)


def regressor_doc(method):
    """Docstring of ``<method>Regressor``; :func:`complete_doc` fills it in."""
    pad = " " * len(f"{method}Regressor(")
    return f"""{_REGRESSOR.format(method)}

    The same method and parameters (without ``pos_weight`` and
    ``threshold``), trained with the mean squared error in the multi-task
    loss; ``y`` may be 1-D or 2-D (multi-output) and ``score`` is R^2.

    Examples
    --------
    >>> import numpy as np
    >>> from skcentral import {method}Regressor, MLP
    >>> rng = np.random.default_rng(0)
    >>> Xs = [rng.normal(size=(200, 5)), rng.normal(size=(200, 3))]
    >>> y = Xs[0][:, 0] + Xs[1][:, 1]
    >>> reg = {method}Regressor(backbones=MLP((16,), dropout=0.0), lr=0.01, max_epochs=20,
    ... {pad}random_state=0).fit(Xs, y)
    >>> reg.predict(Xs).shape
    (200,)
    """


def complete_doc(cls, base, classifier_mixin):
    """``cls.__doc__`` with every shared parameter and fitted attribute listed.

    Parameters
    ----------
    cls : type
        An estimator class (a subclass of ``base``).
    base : type
        :class:`~skcentral.FusionNet`, whose Parameters are the shared ones.
    classifier_mixin : type
        :class:`~skcentral.FusionClassifierMixin`, whose Parameters the
        classifiers add.

    Returns
    -------
    doc : str or None
        None when ``cls`` has no docstring of its own.
    """
    doc = cls.__dict__.get("__doc__")
    if not doc or cls.__name__.startswith("_"):
        return doc
    sections = _sections(doc)
    params, attributes = sections.get("Parameters", []), sections.get("Attributes", [])
    is_classifier = issubclass(cls, classifier_mixin)
    source = _regressor_source(cls, doc)
    if source is not None:  # the classifier's lists, less the classifier-only entries
        done = _sections(source.__doc__)
        params = [e for e in done.get("Parameters", []) if e[0] not in _CLASSIFIER_ONLY]
        attributes = [e for e in done.get("Attributes", []) if e[0] not in _CLASSIFIER_ONLY]
    else:
        params = [e for e in params if e[0] != "**kwargs"]
        shared = _sections(base.__doc__).get("Parameters", [])
        if is_classifier:
            shared += _sections(classifier_mixin.__doc__).get("Parameters", [])
        shared += _entries(KWARGS)
        params = _merge(params, shared)
        extra = _entries(CLASSIFIER_ATTRIBUTES) if is_classifier else []
        attributes = _merge(attributes, extra + _entries(FITTED_ATTRIBUTES))
    sections["Parameters"], sections["Attributes"] = params, attributes
    return _render(sections)


def complete_module_doc(cls, base):
    """A torch fusion module's docstring with what its ``base`` documents.

    The parameters of ``base`` that ``cls.__init__`` takes, in the order of
    its signature, and every attribute of ``base``.
    """
    doc = cls.__dict__.get("__doc__")
    if not doc or cls.__name__.startswith("_"):
        return doc
    sections, shared = _sections(doc), _sections(base.__doc__)
    order = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    params = [e for e in _merge(sections.get("Parameters", []), shared.get("Parameters", []))
              if _names(e[0])[0] in order]
    params.sort(key=lambda e: order.index(_names(e[0])[0]))
    sections["Parameters"] = params
    sections["Attributes"] = _merge(sections.get("Attributes", []),
                                    shared.get("Attributes", []))
    return _render(sections)


def _regressor_source(cls, doc):
    m = re.match(re.escape(_REGRESSOR).replace(r"\{\}", r"(\w+)"), doc.strip())
    if not m:
        return None
    return getattr(sys.modules[cls.__module__], f"{m.group(1)}Classifier", None)


def _merge(own, shared):
    """``own`` entries, then the ``shared`` ones ``own`` does not name.

    An own entry without a description (a bare ``name : type`` or
    ``a, b, c``) takes the shared one's.
    """
    by_name = dict(shared)
    expanded = []
    for name, lines in own:
        if len(lines) > 1:
            expanded.append((name, lines))
        else:  # a bare ``a, b : type`` line: each name, described where shared
            expanded += [(n, by_name.get(n, [n] if "," in name else lines))
                         for n in _names(name.split(" : ")[0])]
    own = expanded
    names = {n for e in own for n in _names(e[0])}
    return own + [e for e in shared if not set(_names(e[0])) & names]


def _names(head):
    return [n.strip() for n in head.split(",")]


def _sections(doc):
    """``{"_summary": [lines], "Parameters": [(name, lines)], ...}``, in order."""
    text = inspect.cleandoc(doc)
    out, last, title = {}, 0, "_summary"
    for m in _HEADER.finditer(text):
        out[title] = _parse(title, text[last:m.start()])
        title, last = m.group(1).strip(), m.end()
    out[title] = _parse(title, text[last:])
    return out


def _parse(title, body):
    if title not in ("Parameters", "Attributes"):
        return body.strip("\n")
    return _entries(body)


def _entries(body):
    entries = []
    for line in body.strip("\n").splitlines():
        if line and not line[0].isspace():
            name = line.split(" : ")[0].strip()
            entries.append((name, [line]))
        elif entries:
            entries[-1][1].append(line)
    return [(n, _strip_blank(lines)) for n, lines in entries]


def _strip_blank(lines):
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


_ORDER = ["Parameters", "Attributes", "Returns", "Raises", "Warns", "See Also", "Notes",
          "References", "Examples"]


def _render(sections):
    parts = [sections.pop("_summary")]
    rank = {t: i for i, t in enumerate(_ORDER)}
    for title, body in sorted(sections.items(), key=lambda kv: rank.get(kv[0], len(rank))):
        if not body:
            continue
        if isinstance(body, list):
            body = "\n".join(line for _, lines in body for line in lines)
        parts.append(f"{title}\n{'-' * len(title)}\n{body}")
    text = "\n\n".join(parts)
    first, *rest = text.splitlines()
    return "\n".join([first] + [("    " + line) if line else "" for line in rest]) + "\n"
