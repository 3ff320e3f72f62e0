"""The full constructor signature of each estimator, for scikit-learn's reprs.

The estimators take their shared parameters through ``**kwargs`` down a
chain of ``__init__`` methods (the method's own, the classifier or
regressor mixin's, :class:`~skcentral.FusionNet`'s, skorch's). scikit-learn
reads an estimator's defaults from ``inspect.signature(est.__init__)`` to
print only the changed parameters (``repr``) and to mark them in the HTML
diagram; :func:`install_signature` gives each estimator class an
``__init__`` whose signature lists every parameter with its default.
"""

import functools
import inspect

__all__ = ["install_signature"]

#: skorch parameters the estimators set themselves (the torch module is
#: always built from the backbones).
_HIDDEN = ("module",)


def full_signature(cls, base=object):
    """The merged keyword signature of every ``__init__`` in ``cls``'s MRO.

    A class nearer ``cls`` in the MRO wins when two declare the same
    parameter, as its ``__init__`` is the one the caller reaches first.
    The parameters of the strict subclasses of ``base`` (the method's own)
    come first, then the mixins', then ``base``'s and its bases'.
    """
    params = {}
    mro = sorted(cls.__mro__, key=lambda k: not (issubclass(k, base) and k is not base))
    for klass in mro:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        if getattr(init, "_skcentral_forwarder", False):
            init = init.__wrapped__
            if any(k.__dict__.get("__init__") is init for k in mro):
                continue  # another class's ``__init__``, read in its turn
        for name, p in inspect.signature(init).parameters.items():
            if name == "self" or name in _HIDDEN or p.kind in (p.VAR_POSITIONAL,
                                                               p.VAR_KEYWORD):
                continue
            if name in params:
                continue
            if p.default is p.empty and klass.__module__.startswith("skorch"):
                # skorch's required ``criterion`` is optional here: the
                # estimators pick the task's loss
                p = p.replace(default=None)
            params[name] = p.replace(kind=p.KEYWORD_ONLY)
    params = list(params.values())
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    kwargs = inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)
    return inspect.Signature([self_param, *params, kwargs])


def install_signature(cls, base=object):
    """Give ``cls`` its own ``__init__`` carrying :func:`full_signature`.

    The new ``__init__`` only forwards to the inherited one, so behaviour
    is unchanged; ``inspect.signature`` (and with it scikit-learn's
    ``repr``, its HTML diagram and Sphinx) sees every parameter.
    """
    base_init = cls.__init__

    @functools.wraps(base_init)
    def __init__(self, *args, **kwargs):
        base_init(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__signature__ = full_signature(cls, base)
    __init__._skcentral_forwarder = True
    cls.__init__ = __init__
    return cls
