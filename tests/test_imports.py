"""The integration's import graph: no circle, and each upstream's internals stay its own.

Read from the source with ``ast``, every import counts: at module level, in
functions and under ``if TYPE_CHECKING:`` (a circle that only type checkers
see is still a circle to a reader).  ``from .pkg import name`` is an edge to
``pkg.name`` when that is a module, else to ``pkg``.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

COMPONENT = Path(__file__).parent.parent / "custom_components" / "pandora_box"
PACKAGE = "custom_components.pandora_box"
UPSTREAMS = f"{PACKAGE}.upstreams"
ENTITY_MODULES = frozenset({"entities", "sensor", "binary_sensor", "switch", "button", "event"})
"""Modules of an upstream package that hold entity code."""


@cache
def _modules() -> dict[str, Path]:
    """Every module of the integration by dotted name (packages by their own name)."""
    found: dict[str, Path] = {}
    for path in sorted(COMPONENT.rglob("*.py")):
        parts = path.relative_to(COMPONENT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path
    return found


def _is_package(name: str) -> bool:
    return _modules()[name].name == "__init__.py"


@cache
def _tree(name: str) -> ast.Module:
    return ast.parse(_modules()[name].read_text(encoding="utf-8"))


def _resolve(name: str, node: ast.ImportFrom) -> str:
    """The absolute module ``node`` imports from, inside module ``name``."""
    if node.level == 0:
        return node.module or ""
    base = name.split(".") if _is_package(name) else name.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(name: str) -> list[tuple[str, str | None]]:
    """What ``name`` imports, inside the integration: (module, name taken from it or None)."""
    modules = _modules()
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(name, node)
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    found.append((f"{source}.{alias.name}", None))
                elif source in modules:
                    found.append((source, alias.name))
    return found


def _graph() -> dict[str, set[str]]:
    return {name: {target for target, _ in _imports(name)} for name in _modules()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a self-import."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _kind_of(module: str) -> str | None:
    """The upstream package a module belongs to (``upstreams.<kind>``), if any."""
    parts = module.removeprefix(f"{UPSTREAMS}.").split(".")
    if not module.startswith(f"{UPSTREAMS}.") or not _is_package(f"{UPSTREAMS}.{parts[0]}"):
        return None
    return parts[0]


def _exports(package: str) -> dict[str, str]:
    """A package's ``__all__``, each name with the module it comes from."""
    exported: set[str] = set()
    origin: dict[str, str] = {}
    for node in _tree(package).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            exported = set(ast.literal_eval(node.value))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                origin[alias.asname or alias.name] = _resolve(package, node)
    return {name: origin.get(name, package) for name in exported}


def test_the_graph_is_read() -> None:
    """The reader sees the registry, the packages and their modules (guards the tests below)."""
    graph = _graph()
    assert f"{UPSTREAMS}.qbittorrent" in graph[UPSTREAMS]
    assert f"{UPSTREAMS}.qbittorrent.coordinator" in graph[f"{UPSTREAMS}.qbittorrent"]
    assert f"{PACKAGE}.coordinator" in graph[f"{UPSTREAMS}.qbittorrent.coordinator"]
    assert f"{PACKAGE}.upstreams.cache" in graph[f"{UPSTREAMS}.tmdb.coordinator"]
    assert len(graph) > 60


def test_no_import_circle() -> None:
    """No module imports itself back, however long the way."""
    assert _cycles(_graph()) == []


def test_cycle_finder_finds_a_circle() -> None:
    """The finder itself: a circle of three, a self-import, and a clean chain."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"], ["d"]]


def test_the_core_needs_nothing_of_the_upstreams() -> None:
    """What every upstream builds on never imports an upstream (the old circle's root)."""
    for name in ("api", "const", "coordinator", "entity", "helpers", "validation"):
        for target, _ in _imports(f"{PACKAGE}.{name}"):
            assert not target.startswith(UPSTREAMS), (name, target)


def test_upstream_internals_stay_inside_their_package() -> None:
    """Outside ``upstreams/<kind>/`` only what the package's ``__init__`` exports is used."""
    checked = 0
    for module in _modules():
        own = _kind_of(module)
        for target, imported in _imports(module):
            kind = _kind_of(target)
            if kind is None or kind == own:
                continue
            package = f"{UPSTREAMS}.{kind}"
            assert target == package, f"{module} reaches into {target}"
            if imported is not None:
                assert imported in _exports(package), f"{module} takes {imported} from {package}"
            checked += 1
    assert checked > 20


def test_the_pipeline_uses_no_entity_code() -> None:
    """``media/`` takes actions, reads and options from the upstreams, never their entities."""
    taken = 0
    for module in _modules():
        if not module.startswith(f"{PACKAGE}.media"):
            continue
        for target, imported in _imports(module):
            if _kind_of(target) is None or imported is None:
                continue
            origin = _exports(target)[imported]
            assert origin.rsplit(".", 1)[-1] not in ENTITY_MODULES, (module, imported, origin)
            taken += 1
    assert taken > 10
