"""The import graph of `cms`: layers point one way, no module imports itself back, everything imported is declared.

Read from the source with `ast`, imports inside functions included: a late import hides a cycle, it does not
remove it.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cms"
#: What `cms.core` may not import: its rules stay plain Python, testable without an app or a database.
CORE_FORBIDDEN = re.compile(r"^(flask|flask_\w+|sqlalchemy|werkzeug|cms\.(models|extensions|services|web|admin|cli))"
                            r"(\.|$)")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts}


def imported_names(name: str) -> Iterator[str]:
    """Every module `name` imports, as dotted names; `from a import b` counts as a.b when that is a module."""
    path = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base


def internal_graph() -> dict[str, set[str]]:
    return {name: {other for other in imported_names(name) if other in modules() and other != name}
            for name in modules()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as the modules along it, or None."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> list[str] | None:
        if name in visiting:
            return [*visiting[visiting.index(name):], name]
        if name in done:
            return None
        visiting.append(name)
        for other in sorted(graph[name]):
            cycle = visit(other)
            if cycle:
                return cycle
        visiting.pop()
        done.add(name)
        return None

    return next((cycle for name in sorted(graph) if (cycle := visit(name))), None)


def test_no_module_imports_itself_back():
    assert find_cycle(internal_graph()) is None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_core_imports_no_flask_database_or_models():
    offending = sorted(f"{name} imports {other}" for name in modules() if name.startswith("cms.core")
                       for other in imported_names(name) if CORE_FORBIDDEN.match(other))
    assert offending == []


def test_layers_point_one_way():
    """web, cli and admin use services; services use core; never the other way round."""
    upward = {"cms.core": ("cms.services", "cms.web", "cms.admin", "cms.cli"),
              "cms.services": ("cms.web", "cms.admin", "cms.cli")}
    offending = sorted(f"{name} imports {other}" for name, others in internal_graph().items()
                       for layer, above in upward.items() if name.startswith(layer)
                       for other in others if other.startswith(above))
    assert offending == []


def test_every_third_party_import_is_a_declared_dependency():
    declared = {_normal(Requirement(line).name) for line in
                tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    distributions = packages_distributions()
    undeclared: dict[str, str] = {}  # top-level module -> one module of ours that imports it
    for name in sorted(modules()):
        for other in imported_names(name):
            top = other.partition(".")[0]
            if top in sys.stdlib_module_names or top in {"cms", "__future__"}:
                continue
            if not {_normal(dist) for dist in distributions.get(top, [top])} & declared:
                undeclared.setdefault(top, name)
    assert undeclared == {}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
