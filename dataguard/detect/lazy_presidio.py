"""Presidio's packages, imported name by name: a scan loads only the recognizers it runs.

``presidio_analyzer``'s ``__init__`` modules import every part of it: spaCy (through the NLP
engine) and each of its 60 predefined recognizers, whose patterns compile as their classes are
defined (the URL recognizer's alone takes 0.3 s). A ``--no-ner`` scan with the default rules
needs a dozen of them and no spaCy. ``install()`` puts a finder before the standard ones that
gives each package of ``presidio_analyzer`` a module whose names are imported on first use:

- ``from .x import Name`` (``Name`` defined in a module of the package) is read from the
  ``__init__``'s source, not run; ``package.Name`` imports ``x`` when first asked for;
- the ``__init__``'s other statements run as they would (logging set-up, ``__all__``), except an
  assignment that reads such a name (``NLP_RECOGNIZERS = {"spacy": SpacyRecognizer}``): it runs
  when its own name is first asked for;
- ``package.submodule`` imports the submodule, as the eager ``__init__`` would have bound it;
- a package whose ``__init__`` is anything else (or has no source) is run as it is.

Every public name resolves to the same object as with the eager import (tests/test_lazy_presidio.py
compares them); only the time of import moves. Modules, not packages, are loaded unchanged.
"""
from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading

ROOT = "presidio_analyzer"
_LOCK = threading.RLock()


class _Plan:
    """What a package's ``__init__`` holds: names to import on use, statements to run now,
    assignments to run when their name is asked for."""

    def __init__(self, package: str, tree: ast.Module):
        self.exports: dict = {}        # name -> (module, name in it)
        self.deferred: dict = {}       # name -> (assignment, the exported names it reads)
        self.now: list = []
        self.lazy = True
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and self._inside(package, node) and \
                    all(a.name != "*" for a in node.names):
                base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                    if node.level else node.module
                for alias in node.names:
                    self.exports[alias.asname or alias.name] = (base, alias.name)
            else:
                self.now.append(node)
        kept = []
        for node in self.now:
            reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & set(self.exports)
            if not reads:
                kept.append(node)
            elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
                for target in node.targets:
                    self.deferred[target.id] = (node, reads)
            else:
                self.lazy = False      # a statement we cannot defer: run the __init__ as it is
        self.now = kept

    @staticmethod
    def _inside(package: str, node: ast.ImportFrom) -> bool:
        if node.level:
            return True
        return node.module == package or (node.module or "").startswith(package + ".")


class _LazyInitLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        name = module.__name__
        try:
            source = self.loader.get_source(name)
        except (ImportError, OSError):
            source = None
        plan = _Plan(name, ast.parse(source, module.__file__)) if source is not None else None
        if plan is None or not plan.lazy:
            self.loader.exec_module(module)
            return
        namespace = module.__dict__

        def __getattr__(attr: str):
            with _LOCK:
                if attr in namespace:
                    return namespace[attr]
                if attr in plan.exports:
                    source_module, real = plan.exports[attr]
                    held = module if source_module == name else importlib.import_module(source_module)
                    if source_module != name and hasattr(held, real):
                        value = getattr(held, real)
                    else:                       # "from . import x", "from .x import y" (y a module)
                        value = importlib.import_module(f"{source_module}.{real}")
                elif attr in plan.deferred:
                    node, reads = plan.deferred[attr]
                    for read in reads:
                        __getattr__(read)
                    exec(compile(ast.Module([node], []), module.__file__, "exec"), namespace)   # noqa: S102
                    return namespace[attr]
                elif not attr.startswith("__") and importlib.util.find_spec(f"{name}.{attr}") is not None:
                    value = importlib.import_module(f"{name}.{attr}")
                else:
                    raise AttributeError(f"module {name!r} has no attribute {attr!r}")
                namespace[attr] = value
                return value

        namespace["__getattr__"] = __getattr__
        exec(compile(ast.Module(plan.now, []), module.__file__, "exec"), namespace)   # noqa: S102


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != ROOT and not fullname.startswith(ROOT + "."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.submodule_search_locations is None or spec.loader is None \
                or not hasattr(spec.loader, "get_source"):
            return spec
        spec.loader = _LazyInitLoader(spec.loader)
        return spec


def install() -> None:
    """Import Presidio's packages name by name from now on (a no-op once they are imported,
    or when installed already)."""
    if ROOT in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
