"""What ``dataguard`` imports is what ``pip install .`` installs.

The test extra installs more (python-docx, openpyxl, odfpy, python-pptx write the tests'
documents): an import of one of them in ``dataguard/`` would pass the suite and fail on a
field machine installed as the quick start says. Every third-party module the package
imports, anywhere in its code, must come from a distribution ``install_requires`` names
(the Dask executor's from the ``cluster`` extra), not only from another dependency's
dependencies."""
from __future__ import annotations

import ast
import configparser
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CLUSTER_ONLY = {"scanner/cluster.py", "scanner/tls.py"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(section: str, key: str) -> set:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    lines = [ln.strip() for ln in cfg[section][key].splitlines()]
    return {_canonical(Requirement(ln).name) for ln in lines if ln and not ln.startswith("#")}


def _imports() -> dict:
    """top-level module -> the package files importing it (relative to dataguard/)."""
    out: dict = {}
    for path in (ROOT / "dataguard").rglob("*.py"):
        rel = str(path.relative_to(ROOT / "dataguard"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                out.setdefault(name.split(".")[0], set()).add(rel)
    return {m: files for m, files in out.items()
            if m not in sys.stdlib_module_names and m not in ("dataguard", "__future__")}


def test_every_imported_distribution_is_a_declared_dependency():
    runtime = _requirements("options", "install_requires")
    cluster = _requirements("options.extras_require", "cluster")
    owners = packages_distributions()
    missing = []
    for module, files in sorted(_imports().items()):
        dists = {_canonical(d) for d in owners.get(module, [])}
        assert dists, f"{module} (imported by {sorted(files)}) is not installed"
        declared = runtime | cluster if files <= CLUSTER_ONLY else runtime
        if not dists & declared:
            missing.append(f"{module} ({sorted(dists)}, imported by {sorted(files)})")
    assert missing == []


def test_the_test_only_writers_are_not_runtime_dependencies():
    """dataguard reads office documents itself: the libraries that write them are for tests."""
    runtime = _requirements("options", "install_requires")
    assert runtime.isdisjoint({"python-docx", "openpyxl", "odfpy", "python-pptx"})
    assert not {"docx", "openpyxl", "odf", "pptx"} & set(_imports())
