"""Structure checks over the source of ``dataguard``: no import cycle, no long function.

Both read the code with ``ast`` (nothing is imported). Imports inside functions count:
a deferred import hides a cycle from Python, not from the reader.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dataguard"
MAX_FUNCTION_LINES = 60

# Import cycles still to be taken apart (each a set of modules that import each other).
# The list only shrinks: a cycle that is gone must be removed from it.
KNOWN_CYCLES: set = set()

# Functions over MAX_FUNCTION_LINES lines, by "module:qualified name", still to be split.
# The list only shrinks: a function that got short must be removed from it.
KNOWN_LONG: set = set()


def _modules() -> dict:
    """module name -> parsed tree, for every .py file of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = (path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return out


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imports(name: str, path: Path, tree: ast.AST, known: set) -> set:
    """The dataguard modules ``name`` imports (anywhere in its code)."""
    package = name if _is_package(path) else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)
    return {m for m in found if m in known and m != name}


def import_graph() -> dict:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, tree, known) for name, (path, tree) in mods.items()}


def _cycles(graph: dict) -> list:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(frozenset(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_imports():
    graph = import_graph()
    assert "dataguard.vocab" in graph["dataguard.types"]
    assert "dataguard.globs" in graph["dataguard.rules.engine"]


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]


def test_no_import_cycle():
    cycles = set(_cycles(import_graph()))
    new = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    assert not new, f"import cycles: {new}"
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in cycles]
    assert not gone, f"cycles no longer there (remove them from KNOWN_CYCLES): {gone}"


def _functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")


def long_functions() -> dict:
    """"module:qualified name" -> lines, for every function longer than MAX_FUNCTION_LINES
    (decorators excluded, docstring included)."""
    out = {}
    for name, (_path, tree) in _modules().items():
        for qual, node in _functions(tree):
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                out[f"{name}:{qual}"] = lines
    return out


def test_no_long_function():
    found = long_functions()
    new = {k: v for k, v in found.items() if k not in KNOWN_LONG}
    assert not new, f"functions over {MAX_FUNCTION_LINES} lines: {new}"
    gone = sorted(k for k in KNOWN_LONG if k not in found)
    assert not gone, f"no longer long (remove them from KNOWN_LONG): {gone}"


@pytest.mark.parametrize("module", ["dataguard.types", "dataguard.vocab", "dataguard.globs", "dataguard.durations",
                                    "dataguard.defaults", "dataguard.validation", "dataguard.sqldump"])
def test_neutral_modules_import_no_pipeline_stage(module):
    """The shared modules sit below every stage: they import none of them."""
    stages = {"dataguard.cli", "dataguard.settings", "dataguard.scanner", "dataguard.detect", "dataguard.extract",
              "dataguard.sources", "dataguard.rules", "dataguard.report", "dataguard.state", "dataguard.spill"}
    deps = import_graph()[module]
    assert not {d for d in deps if any(d == s or d.startswith(s + ".") for s in stages)}


def test_no_merge_conflict_markers():
    """No text file of the repository carries a left-over merge conflict."""
    root = PACKAGE.parent
    markers = ("<<<<<<< ", ">>>>>>> ")
    bad = []
    for folder in ("dataguard", "docs", "rules", "tests", "benchmarks", "scripts", "examples"):
        for path in (root / folder).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".md", ".yaml", ".yml", ".sh", ".json", ".sql", ""):
                text = path.read_text(errors="replace")
                bad += [f"{path.relative_to(root)}:{i}" for i, line in enumerate(text.splitlines(), 1)
                        if line.startswith(markers)]
    readme = (root / "README.md").read_text()
    bad += [f"README.md:{i}" for i, line in enumerate(readme.splitlines(), 1) if line.startswith(markers)]
    assert not bad, bad
