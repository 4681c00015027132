"""The extract and sources packages import one way: no module of theirs imports,
directly or through others, a module that imports it back."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "dataguard"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _graph(package: str) -> dict:
    """module -> the modules of ``package`` it imports (at any place in its code)."""
    modules = {_module_name(p): p for p in (ROOT.parent / package.replace(".", "/")).rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def _cycle(graph: dict):
    state: dict = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack + [node, nxt]
            if nxt not in state:
                found = visit(nxt, stack + [node])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


@pytest.mark.parametrize("package", ["dataguard.extract", "dataguard.sources"])
def test_no_import_cycle(package):
    graph = _graph(package)
    assert len(graph) > 3
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_families_do_not_import_the_dispatcher():
    graph = _graph("dataguard.extract")
    assert not [m for m, edges in graph.items() if m != "dataguard.extract" and "dataguard.extract" in edges]
