"""The package's import graph: no cycle between modules or between packages, and
SQLAlchemy stays inside ``calendar_svc/store``.

Read from the source with :mod:`ast`, so imports inside functions count (they run too);
imports under ``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "calendar_svc"
MIGRATIONS = PACKAGE / "store" / "migrations"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {
        module_name(path): path for path in PACKAGE.rglob("*.py") if MIGRATIONS not in path.parents
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(tree: ast.AST) -> Iterator[str]:
    """Yield every module an import statement that runs loads.

    ``from package import module`` yields the module, not the package: the package's
    ``__init__`` runs first for any submodule, which is no dependency between the two.
    """
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                yield from imported_names(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            submodules = [name for name in names if name in modules()]
            yield from submodules
            if len(submodules) < len(names):
                yield node.module
        yield from imported_names(node)


@cache
def graph() -> dict[str, set[str]]:
    """Return each module's imports of other calendar_svc modules."""
    known = modules()
    return {
        name: {dep for dep in imported_names(ast.parse(path.read_text())) if dep in known} - {name}
        for name, path in known.items()
    }


def component(module: str) -> str:
    """Return the subpackage or top-level module a module belongs to."""
    return module.split(".")[1] if "." in module else module


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of the directed graph, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep not in state and (found := visit(dep)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_the_graph_is_read() -> None:
    deps = graph()
    assert "calendar_svc.services.reminders" in deps
    assert "calendar_svc.mail.outbox" in deps["calendar_svc.services.reminders"]
    assert "calendar_svc.store.bootstrap" in deps["calendar_svc.store.open"]  # lazy import
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_import_cycle() -> None:
    assert find_cycle(graph()) is None


def test_no_package_import_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for module, deps in graph().items():
        edges.setdefault(component(module), set()).update(
            component(dep) for dep in deps if component(dep) != component(module)
        )
    assert find_cycle(edges) is None


def test_sqlalchemy_and_alembic_stay_in_the_store() -> None:
    outside = {
        name: sorted(
            dep
            for dep in imported_names(ast.parse(path.read_text()))
            if dep.split(".")[0] in ("sqlalchemy", "alembic")
        )
        for name, path in modules().items()
        if not name.startswith("calendar_svc.store")
    }
    assert {name: deps for name, deps in outside.items() if deps} == {}


def test_mail_holds_adapters_only() -> None:
    mail = {name: deps for name, deps in graph().items() if component(name) == "mail"}
    assert not any(
        component(dep) in ("services", "commands", "web") for d in mail.values() for dep in d
    )
