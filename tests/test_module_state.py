"""No module-level mutable state in the integration: what an entry keeps is per entry.

A module-level set, dict or list that code changes is state shared by every
config entry and every Home Assistant instance in the process, and lost on
a restart (``postprocess.py`` once kept its filed torrents so, and a restart
announced them again).  Per-entry state lives in ``entry.runtime_data`` or a
``Store``.

The rule, checked on the source (``ast``) of every module of
``custom_components/pandora_box``:

1. no ``global`` statement;
2. a name bound at module level (or in a class body) to a mutable container
   (a list, dict or set display or comprehension, or a call of ``list``,
   ``dict``, ``set``, ``bytearray``, ``defaultdict``, ``OrderedDict``,
   ``Counter``, ``deque``, ``ChainMap``, ``WeakKeyDictionary``,
   ``WeakValueDictionary``, ``WeakSet``) is never changed: no mutating
   method call on it (``add``, ``append``, ``update``, ``pop``, ``clear`` …),
   no item assignment or deletion, no augmented assignment.  This holds in
   its own module, in every module that imports the name, and through any
   attribute access ending in the name (``module.NAME.add``,
   ``cls.NAME[k] = v``).  Constant tables (``_UNITS``, ``STATE_KEYS``, action
   schemas) stay plain dicts: they are read only;
3. no module-level ``asyncio`` primitive (``Lock``, ``Event``, ``Queue``,
   ``Semaphore``, ``Condition``): they are state, and bound to one loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "custom_components" / "pandora_box"

MUTABLE_FACTORIES = frozenset(
    {
        "list",
        "dict",
        "set",
        "bytearray",
        "defaultdict",
        "OrderedDict",
        "Counter",
        "deque",
        "ChainMap",
        "WeakKeyDictionary",
        "WeakValueDictionary",
        "WeakSet",
    }
)
ASYNC_PRIMITIVES = frozenset({"Lock", "Event", "Queue", "Semaphore", "Condition"})
MUTATORS = frozenset(
    {
        "add",
        "append",
        "appendleft",
        "clear",
        "discard",
        "extend",
        "extendleft",
        "insert",
        "move_to_end",
        "pop",
        "popitem",
        "popleft",
        "remove",
        "reverse",
        "setdefault",
        "sort",
        "update",
        "__setitem__",
        "__delitem__",
    }
)


def _called_name(node: ast.expr) -> str | None:
    """``set`` for ``set()``, ``WeakKeyDictionary`` for ``weakref.WeakKeyDictionary()``."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_mutable(value: ast.expr) -> bool:
    """Whether an expression builds a mutable container."""
    if isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
        return True
    return _called_name(value) in MUTABLE_FACTORIES


def _bound(body: list[ast.stmt]) -> list[tuple[str, ast.expr, int]]:
    """Names bound by the assignments of one body, with their values and lines."""
    found: list[tuple[str, ast.expr, int]] = []
    for node in body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        found.extend(
            (target.id, value, node.lineno) for target in targets if isinstance(target, ast.Name)
        )
    return found


def _target_name(node: ast.expr) -> str | None:
    """The name a mutation acts on: ``X`` in ``X.add``, ``m.X[k]``, ``cls.X``."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def mutations(tree: ast.Module) -> list[tuple[str, int]]:
    """Every (name, line) a statement of ``tree`` changes in place."""
    changed: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MUTATORS
            and (name := _target_name(node.func.value)) is not None
        ):
            changed.append((name, node.lineno))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for target in targets:
                in_place = isinstance(target, ast.Subscript) or isinstance(node, ast.AugAssign)
                if in_place and (name := _target_name(target)) is not None:
                    changed.append((name, node.lineno))
    return changed


def problems(sources: dict[str, str]) -> list[str]:
    """What breaks the rule in ``sources`` (module name → source text)."""
    trees = {module: ast.parse(text) for module, text in sources.items()}
    shared: dict[str, str] = {}  # mutable module- or class-level name → where it is bound
    found: list[str] = []
    for module, tree in trees.items():
        bodies = [tree.body] + [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        for body in bodies:
            for name, value, line in _bound(body):
                if name == "__all__":
                    continue
                if _is_mutable(value):
                    shared[name] = f"{module}:{line}"
                elif body is tree.body and _called_name(value) in ASYNC_PRIMITIVES:
                    found.append(f"{module}:{line}: {name} is a module-level asyncio primitive")
        found.extend(
            f"{module}:{node.lineno}: global {', '.join(node.names)}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Global)
        )
    for module, tree in trees.items():
        # a local variable may share a name with another module's table: bare names
        # count only where the module binds or imports the shared name
        visible = {name for name, _, _ in _bound(tree.body)} | {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        for name, line in mutations(tree):
            if name in shared and (name in visible or not name.isidentifier()):
                found.append(f"{module}:{line}: changes {name} (bound at {shared[name]})")
        found.extend(
            f"{module}:{node.lineno}: changes {node.func.value.attr}"
            f" (bound at {shared[node.func.value.attr]})"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MUTATORS
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr in shared
            and node.func.value.attr not in visible
        )
    return found


def package_sources() -> dict[str, str]:
    """Every module of the integration, by path relative to the package."""
    return {
        str(path.relative_to(PACKAGE)): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_the_integration_keeps_no_module_level_mutable_state() -> None:
    """The rule of the module docstring holds for every module of the integration."""
    sources = package_sources()
    assert len(sources) > 50  # the scan sees the whole package
    assert problems(sources) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            (
                "from typing import Final\n_filed: Final[set[str]] = set()\n"
                "def f(x):\n    _filed.add(x)\n"
            ),
            "m.py:4: changes _filed (bound at m.py:2)",
        ),
        ("_seen = {}\ndef f(k):\n    _seen[k] = 1\n", "m.py:3: changes _seen (bound at m.py:1)"),
        ("_n = []\ndef f():\n    _n += [1]\n", "m.py:3: changes _n (bound at m.py:1)"),
        ("import asyncio\n_LOCK = asyncio.Lock()\n", "m.py:2: _LOCK is a module-level asyncio"),
        ("_x = 0\ndef f():\n    global _x\n    _x = 1\n", "m.py:3: global _x"),
        (
            (
                "from weakref import WeakKeyDictionary\n_C = WeakKeyDictionary()\n"
                "def f(k):\n    _C.setdefault(k, 1)\n"
            ),
            "m.py:4: changes _C (bound at m.py:2)",
        ),
        (
            (
                "class A:\n    seen = set()\n    @classmethod\n"
                "    def f(cls, x):\n        cls.seen.add(x)\n"
            ),
            "m.py:5: changes seen (bound at m.py:2)",
        ),
    ],
)
def test_the_rule_finds_shared_state(source: str, expected: str) -> None:
    """What the scan reports for each kind of shared state."""
    found = problems({"m.py": source})
    assert any(line.startswith(expected) for line in found), found


def test_the_rule_finds_a_change_from_another_module() -> None:
    """A table changed where it is imported is shared state too; reading it is not."""
    sources = {
        "a.py": "TABLE = {'x': 1}\nREAD = {'y': 2}\n",
        "b.py": "from .a import READ, TABLE\ndef f():\n    TABLE['z'] = 3\n    return READ['y']\n",
        "c.py": "from . import a\ndef g():\n    a.TABLE.update(w=4)\n",
    }
    assert problems(sources) == [
        "b.py:3: changes TABLE (bound at a.py:1)",
        "c.py:3: changes TABLE (bound at a.py:1)",
    ]


def test_read_only_tables_and_per_instance_state_pass() -> None:
    """Constant tables read, and containers made per call or per object, are fine."""
    source = (
        "UNITS = {'kb': 1}\n"
        "class Journal:\n"
        "    def __init__(self):\n"
        "        self.running = set()\n"
        "    def start(self, h):\n"
        "        self.running.add(h)\n"
        "def size(u):\n"
        "    seen = []\n"
        "    seen.append(UNITS[u])\n"
        "    return seen\n"
    )
    assert problems({"m.py": source}) == []
