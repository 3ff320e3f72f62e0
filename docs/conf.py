"""Sphinx configuration of the skcentral documentation.

Build (warnings are errors; the gallery runs every ``examples/plot_*.py``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Add ``-D plot_gallery=0`` to skip running the examples while editing prose.
"""

import os
import re
import sys
import warnings
from pathlib import Path

import skcentral

HERE = Path(__file__).resolve().parent

# -- Project -----------------------------------------------------------------
project = "skcentral"
author = "The skcentral developers"
copyright = "The skcentral developers (BSD-3-Clause)"
release = skcentral.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "generated/cli"]
default_role = "literal"
pygments_style = "sphinx"

# -- autodoc / autosummary / numpydoc ------------------------------------------
autosummary_generate = True
# Methods are documented where the package defines them; docstrings of skorch,
# torch and scikit-learn base methods are not pulled in (see the class template).
autodoc_inherit_docstrings = False
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skcentral {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "header_links_before_dropdown": 7,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_show_sourcelink = False
html_static_path = []

# -- sphinx-gallery ----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skcentral",),
    "reference_url": {"skcentral": None},
    "backreferences_dir": "generated/backreferences",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "min_reported_time": 0,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "capture_repr": ("_repr_html_", "__repr__"),
}

# The gallery runs in this process. Small networks on 8x8 digits gain little
# from a second torch thread, and lose much when the cores are busy (a CI
# runner, other jobs): one thread keeps the build time predictable.
# Examples that run seeds in parallel give each worker one thread anyway.
import torch  # noqa: E402

torch.set_num_threads(int(os.environ.get("SKCENTRAL_DOCS_TORCH_THREADS", "1")))

# Keep the examples' printed output readable: skorch and torch deprecation
# chatter is not what a reader came for.
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=FutureWarning, module="skorch")
os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")


# -- The command line reference: argparse help, generated at build time ------
def _write_cli_help():
    """Write ``skcentral --help`` and each sub-command's help for docs/cli.rst."""
    from skcentral.cli import build_parser

    os.environ["COLUMNS"] = "88"  # argparse wraps to the terminal width
    out = HERE / "generated" / "cli"
    out.mkdir(parents=True, exist_ok=True)
    parser = build_parser()
    (out / "skcentral.txt").write_text(parser.format_help())
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():
        (out / f"{name}.txt").write_text(p.format_help())
    # cli.rst describes ``run`` and ``compare``; any other sub-command gets a
    # section with its help text, so that a new one is never left out.
    others = [name for name in sub.choices if name not in ("run", "compare")]
    help_of = {a.dest: a.help for a in sub._choices_actions}
    lines = []
    for name in others:
        title = f"``skcentral {name}``"
        lines += [title, "=" * len(title), "", (help_of.get(name) or "").capitalize() + ".", "",
                  f".. literalinclude:: /generated/cli/{name}.txt", "   :language: text", ""]
    (out / "other_commands.rst").write_text("\n".join(lines))


_write_cli_help()


# -- Every public name must be in api.rst ------------------------------------
PUBLIC_MODULES = ["skcentral", "skcentral.backbones", "skcentral.datasets",
                  "skcentral.experiments", "skcentral.model_selection", "skcentral.plotting",
                  "skcentral.fusion", "skcentral.preprocessing", "skcentral.utils"]


def _check_api_coverage(app):
    """Warn (an error under -W) for a public name that api.rst does not list.

    A name re-exported by ``skcentral`` (``skcentral.LeNet5`` is
    ``skcentral.backbones.LeNet5``) counts as documented under either module.
    """
    import importlib

    from sphinx.util import logging

    logger = logging.getLogger("skcentral.docs")
    text = (HERE / "api.rst").read_text()
    listed, module = set(), None
    for line in text.splitlines():
        m = re.match(r"\.\. currentmodule:: (\S+)", line.strip())
        if m:
            module = m.group(1)
            continue
        m = re.match(r"^   ([A-Za-z_][\w.]*)$", line)
        if m and module:
            listed.add(f"{module}.{m.group(1)}")
    objects = {}
    for name in listed:
        mod, _, attr = name.rpartition(".")
        try:
            objects[name] = getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError):
            logger.warning("api.rst lists %s, which does not exist", name)
    documented_ids = {id(o) for o in objects.values() if not isinstance(o, (str, int, tuple, dict, list))}
    for modname in PUBLIC_MODULES:
        mod = importlib.import_module(modname)
        for attr in getattr(mod, "__all__", []):
            full = f"{modname}.{attr}"
            obj = getattr(mod, attr)
            if full in listed or id(obj) in documented_ids:
                continue
            logger.warning("public name %s is missing from docs/api.rst", full)


def _skip_foreign_member(app, what, name, obj, skip, options):
    """Document the members skcentral defines, not those of skorch, torch or sklearn.

    The classes' API pages list inherited members, but a method that
    ``NeuralNet``, ``nn.Module`` or a scikit-learn mixin defines (``score``,
    the ``set_*_request`` of metadata routing, ...) is documented upstream,
    and its docstring links to labels that only exist there.
    """
    if what != "class":
        return None
    target = obj.fget if isinstance(obj, property) else obj
    target = getattr(target, "__func__", target)
    module = getattr(target, "__module__", None)
    if module is None or not callable(target) and not isinstance(obj, property):
        return None
    return True if not module.startswith("skcentral") else None


def _estimator_signature(app, what, name, obj, options, signature, return_annotation):
    """Show every keyword argument of an estimator, not ``(*, pos_weight, threshold, **kwargs)``.

    The estimators are assembled from a mixin, a method base and FusionNet,
    each ``__init__`` taking its own keywords and passing ``**kwargs`` on, so
    the signature Python reports is the first class's. This gathers the
    keywords of every skcentral ``__init__`` in the method's MRO: the
    method's own first, then the shared ones, then the mixin's.
    """
    import inspect

    from skcentral import FusionNet

    if what != "class" or not (isinstance(obj, type) and issubclass(obj, FusionNet)):
        return None
    classes = [c for c in obj.__mro__
               if c.__module__.startswith("skcentral") and "__init__" in c.__dict__]
    classes.sort(key=lambda c: not issubclass(c, FusionNet))  # stable: mixins last
    params, seen = [], set()
    for cls in classes:
        for p in inspect.signature(cls.__init__).parameters.values():
            if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) or p.name == "self" \
                    or p.name in seen:
                continue
            seen.add(p.name)
            default = p.default
            text = default.__qualname__ if isinstance(default, type) else repr(default)
            params.append(f"{p.name}={text}")
    return "(*, " + ", ".join(params) + ", **kwargs)", return_annotation


def setup(app):
    app.connect("autodoc-process-signature", _estimator_signature)
    app.connect("builder-inited", _check_api_coverage)
    app.connect("autodoc-skip-member", _skip_foreign_member)
