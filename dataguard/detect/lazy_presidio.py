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
  a submodule imported before a name it shares with its package's export
  (``from .device_detector import device_detector``) does not replace that name;
- a package whose ``__init__`` is anything else (or has no source) is run as it is.

Names are resolved without holding a lock across an import (the import system's own locks
serialise imports; a lock of ours held across one could deadlock with a thread importing a
Presidio module directly). A package without ``__all__`` gives nothing to ``import *``.

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
import types

ROOT = "presidio_analyzer"
_LOCK = threading.RLock()
# Presidio's recognizer registry finds a predefined recognizer by its class name among the
# subclasses of EntityRecognizer already imported: whoever uses the registry (an AnalyzerEngine)
# gets every predefined recognizer imported first, as the eager __init__ modules did
_LOADS_ALL = {"presidio_analyzer.recognizer_registry": "presidio_analyzer.predefined_recognizers"}


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


def _submodule(name: str):
    """The spec of a module or package ``name`` (no namespace package: a data folder), or None."""
    spec = importlib.util.find_spec(name)
    return spec if spec is not None and spec.origin not in (None, "namespace") else None


class _LazyPackage(types.ModuleType):
    """A package whose exported names resolve on first use (``_LazyInitLoader``)."""

    def __setattr__(self, attr: str, value) -> None:
        # the import system binds a submodule on its package once imported; a package that
        # exports a name of that submodule ("from .device_detector import device_detector")
        # binds the name, as the eager __init__ does after importing the submodule
        plan = self.__dict__.get("__lazy_plan__")
        if plan is not None and isinstance(value, types.ModuleType) and attr in plan.exports \
                and plan.exports[attr] != (self.__name__, attr) and value.__name__ == f"{self.__name__}.{attr}":
            return
        super().__setattr__(attr, value)


class _LazyInitLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, attr: str):
        return getattr(self.loader, attr)      # get_data, get_resource_reader, is_package, ...

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

        def resolve(attr: str):
            """The value of an exported name (imports its module: never under ``_LOCK``, as
            the import system's own locks serialise imports)."""
            source_module, real = plan.exports[attr]
            if source_module != name:
                held = importlib.import_module(source_module)
                try:
                    return getattr(held, real)
                except AttributeError:
                    pass
            if _submodule(f"{source_module}.{real}") is None:     # "from . import x", or x a module
                raise AttributeError(f"module {source_module!r} has no attribute {real!r}")
            return importlib.import_module(f"{source_module}.{real}")

        def __getattr__(attr: str):
            if attr in plan.exports:
                return namespace.setdefault(attr, resolve(attr))
            if attr in plan.deferred:
                node, reads = plan.deferred[attr]
                for read in reads:
                    getattr(module, read)
                with _LOCK:                     # runs once
                    if attr not in namespace:
                        exec(compile(ast.Module([node], []), module.__file__, "exec"), namespace)   # noqa: S102
                return namespace[attr]
            if not attr.startswith("__") and _submodule(f"{name}.{attr}") is not None:
                return importlib.import_module(f"{name}.{attr}")
            raise AttributeError(f"module {name!r} has no attribute {attr!r}")

        def __dir__():
            return sorted(set(namespace) | set(plan.exports) | set(plan.deferred))

        namespace["__lazy_plan__"] = plan
        namespace["__getattr__"] = __getattr__
        namespace["__dir__"] = __dir__
        module.__class__ = _LazyPackage
        exec(compile(ast.Module(plan.now, []), module.__file__, "exec"), namespace)   # noqa: S102
        if name in _LOADS_ALL:
            _import_all(_LOADS_ALL[name])


def _import_all(package: str) -> None:
    """Import every name a (lazy) package exports."""
    held = importlib.import_module(package)
    plan = held.__dict__.get("__lazy_plan__")
    for attr in (plan.exports if plan is not None else ()):
        getattr(held, attr)


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
