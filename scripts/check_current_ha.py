"""Check the integration against the newest Home Assistant release on PyPI, statically.

Tests run on the Home Assistant that pytest-homeassistant-custom-component
pins; users run the newest one.  This script downloads the newest
``homeassistant`` wheel for Python 3.14 (``pip download --no-deps
--python-version 3.14 --only-binary=:all:``; kept in ``.venv/current-ha`` so a
rerun only asks PyPI whether there is a newer one), reads it with ``zipfile``
and ``ast`` (nothing of it is imported or run) and checks every
``homeassistant.*`` import of ``custom_components/pandora_box``:

* the module exists in the wheel;
* every imported name exists there (defined, assigned, imported or a
  submodule), and every attribute we read from an imported module
  (``cv.string``, ``dr.async_get``) exists in that module;
* none of them is deprecated: a ``_DEPRECATED_<name>`` constant (served by
  ``check_if_deprecated_constant``), an assignment of ``DeprecatedConstant``,
  ``DeprecatedConstantEnum``, ``DeprecatedAlias`` or ``DeferredDeprecatedAlias``,
  or a def/class decorated with ``deprecated_class``, ``deprecated_function``
  or ``deprecated_substitute``.  Re-exports are followed to where a name is
  defined.

It also checks ``custom_components/pandora_box/brand/`` against the wheel's
``brands`` integration (Home Assistant 2026.3 and later serve a custom
integration's own icon and logo from there): every file must be one of the
names in its ``ALLOWED_IMAGES``, and ``icon.png`` must be there.  A wheel
older than that integration is said so in the output.

It prints the version it compared against and every problem, and exits 1
when there is one (2 when no wheel could be had at all).

    python scripts/check_current_ha.py [--wheel path/to.whl]
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
import subprocess
import sys
import zipfile

from packaging.utils import parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "custom_components" / "pandora_box"
CACHE = ROOT / ".venv" / "current-ha"
PYTHON_VERSION = "3.14"

DEPRECATED_FACTORIES = frozenset(
    {"DeprecatedConstant", "DeprecatedConstantEnum", "DeprecatedAlias", "DeferredDeprecatedAlias"}
)
DEPRECATED_DECORATORS = frozenset(
    {"deprecated_class", "deprecated_function", "deprecated_substitute"}
)
MAX_REEXPORT_HOPS = 8
BRANDS_CONST = "homeassistant.components.brands.const"


@dataclass(frozen=True, slots=True)
class Use:
    """One thing the integration takes from Home Assistant."""

    module: str
    name: str | None  # None: the module itself
    where: str  # file:line

    def label(self) -> str:
        """``module.name`` (or the module)."""
        return self.module if self.name is None else f"{self.module}.{self.name}"


@dataclass(slots=True)
class ModuleInfo:
    """What a module of the wheel defines, read from its AST."""

    names: set[str] = field(default_factory=set)
    """Every top-level name bound (defs, classes, assignments, imports)."""
    reexports: dict[str, tuple[str, str]] = field(default_factory=dict)
    """name → (module, name) for ``from x import name`` bindings."""
    deprecated: dict[str, str] = field(default_factory=dict)
    """name → how it is marked deprecated."""
    has_getattr: bool = False


# -- the wheel ------------------------------------------------------------------------


def download_wheel(cache: Path) -> Path:
    """The newest ``homeassistant`` wheel for Python 3.14, downloaded into ``cache``.

    pip skips the download when that wheel is already there.  When pip fails
    (PyPI unreachable) the newest cached wheel is used, with a warning.
    """
    cache.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--quiet",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
        "homeassistant",
        "-d",
        str(cache),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(
        cache.glob("homeassistant-*.whl"), key=lambda p: parse_wheel_filename(p.name)[1]
    )
    if result.returncode != 0:
        if not wheels:
            print(result.stderr.strip(), file=sys.stderr)
            raise SystemExit("check_current_ha: could not download homeassistant from PyPI")
        print(
            f"check_current_ha: warning: pip download failed; using cached {wheels[-1].name}",
            file=sys.stderr,
        )
    for old in wheels[:-1]:  # keep only the newest
        old.unlink()
    return wheels[-1]


def wheel_version(wheel: zipfile.ZipFile, path: Path) -> Version:
    """The release the wheel is of (its file name, checked against METADATA)."""
    version = parse_wheel_filename(path.name)[1]
    for name in wheel.namelist():
        if name.endswith(".dist-info/METADATA"):
            for line in wheel.read(name).decode().splitlines():
                if line.startswith("Version:"):
                    return Version(line.split(":", 1)[1].strip())
    return version


class Wheel:
    """The modules of a ``homeassistant`` wheel, parsed on demand."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        """Index the wheel's Python files by module name."""
        self._archive = archive
        self._files: dict[str, str] = {}
        for name in archive.namelist():
            if not name.startswith("homeassistant/") or not name.endswith(".py"):
                continue
            module = name.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
            self._files[module] = name
        self._parsed: dict[str, ModuleInfo] = {}

    def has_module(self, module: str) -> bool:
        """Whether ``module`` is a module or package of the wheel."""
        return module in self._files

    def info(self, module: str) -> ModuleInfo:
        """The names, re-exports and deprecations of ``module``."""
        if module not in self._parsed:
            source = self._archive.read(self._files[module]).decode()
            is_package = self._files[module].endswith("__init__.py")
            package = module if is_package else module.rpartition(".")[0]
            self._parsed[module] = parse_module(ast.parse(source), package)
        return self._parsed[module]

    def resolve(self, module: str, name: str) -> tuple[str, str] | None:
        """Where ``module.name`` comes from: ``(module, name)``, or ``None`` when absent.

        A submodule counts as present.  Re-exports are followed (a bounded number of
        hops) so that a deprecation where the name is defined is found.
        """
        for _ in range(MAX_REEXPORT_HOPS):
            if not self.has_module(module):
                return None
            info = self.info(module)
            if name in info.deprecated or name not in info.reexports:
                if name in info.names or name in info.deprecated:
                    return module, name
                if self.has_module(f"{module}.{name}"):
                    return module, name
                return None
            source = info.reexports[name]
            if not self.has_module(source[0]):
                return module, name  # from the standard library or a dependency
            module, name = source
        return module, name

    def strings_in(self, module: str, name: str) -> set[str]:
        """Every string literal in the value assigned to ``module.name`` (a set, a list...)."""
        source = self._archive.read(self._files[module]).decode()
        found: set[str] = set()
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.update(
                    n.value
                    for n in ast.walk(value)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                )
        return found

    def deprecation(self, module: str, name: str) -> str | None:
        """How ``module.name`` is marked deprecated (after re-exports), else ``None``."""
        resolved = self.resolve(module, name)
        if resolved is None:
            return None
        return self.info(resolved[0]).deprecated.get(resolved[1])


def _call_name(node: ast.expr) -> str | None:
    """``f`` for ``f(...)``, ``m.f(...)``, ``f`` and ``m.f`` (a decorator or factory)."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _absolute(package: str, node: ast.ImportFrom) -> str:
    """The absolute module of a (possibly relative) ``from`` import."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def parse_module(tree: ast.Module, package: str) -> ModuleInfo:
    """Read the top-level bindings and deprecation markers of one module."""
    info = ModuleInfo()

    def bind_targets(targets: list[ast.expr], value: ast.expr | None) -> None:
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    info.names.add(node.id)
                    factory = _call_name(value) if isinstance(value, ast.Call) else None
                    if factory in DEPRECATED_FACTORIES:
                        info.deprecated[node.id] = f"assigned {factory}(...)"

    for stmt in _top_level(tree.body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            info.names.add(stmt.name)
            if stmt.name == "__getattr__":
                info.has_getattr = True
            for decorator in stmt.decorator_list:
                if (marker := _call_name(decorator)) in DEPRECATED_DECORATORS:
                    info.deprecated[stmt.name] = f"decorated @{marker}"
        elif isinstance(stmt, ast.Assign):
            bind_targets(stmt.targets, stmt.value)
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
            bind_targets([stmt.target], stmt.value)
        elif isinstance(stmt, ast.TypeAlias):
            bind_targets([stmt.name], None)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                info.names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(stmt, ast.ImportFrom):
            source = _absolute(package, stmt)
            for alias in stmt.names:
                bound = alias.asname or alias.name
                info.names.add(bound)
                info.reexports[bound] = (source, alias.name)
    for name in list(info.names):
        if name.startswith("_DEPRECATED_"):
            info.deprecated[name.removeprefix("_DEPRECATED_")] = (
                f"{name} (check_if_deprecated_constant)"
            )
    return info


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements at module level, including those under ``if``/``try`` (not defs' bodies)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _top_level(stmt.body)
            yield from _top_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for part in (stmt.body, stmt.orelse, stmt.finalbody):
                yield from _top_level(part)
            for handler in stmt.handlers:
                yield from _top_level(handler.body)


# -- the integration ------------------------------------------------------------------


def collect_uses(source: Path, wheel: Wheel) -> list[Use]:
    """Every ``homeassistant`` module, name and module attribute the integration uses."""
    uses: list[Use] = []
    for path in sorted(source.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = path.relative_to(source.parent.parent)
        aliases: dict[str, str] = {}  # local name → homeassistant module
        for node in ast.walk(tree):
            where = f"{rel}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "homeassistant":
                        uses.append(Use(alias.name, None, where))
                        if alias.asname:
                            aliases[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                if node.module.split(".")[0] != "homeassistant":
                    continue
                uses.append(Use(node.module, None, where))
                for alias in node.names:
                    uses.append(Use(node.module, alias.name, where))
                    submodule = f"{node.module}.{alias.name}"
                    if wheel.has_module(submodule):
                        aliases[alias.asname or alias.name] = submodule
        uses.extend(
            Use(aliases[node.value.id], node.attr, f"{rel}:{node.lineno}")
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        )
    return uses


def check(uses: list[Use], wheel: Wheel) -> list[str]:
    """The problems: missing modules and names, deprecated names (one line each)."""
    problems: list[str] = []
    seen: set[tuple[str, str | None]] = set()
    reported: set[tuple[str, str | None]] = set()
    for use in uses:
        key = (use.module, use.name)
        if key in seen:
            continue
        seen.add(key)
        if not wheel.has_module(use.module):
            if (use.module, None) not in reported:
                reported.add((use.module, None))
                problems.append(f"{use.where}: module {use.module} does not exist")
            continue
        if use.name is None:
            continue
        if wheel.resolve(use.module, use.name) is None:
            if wheel.info(use.module).has_getattr:
                problems.append(
                    f"{use.where}: {use.label()} is only served by a module __getattr__"
                )
            else:
                problems.append(f"{use.where}: {use.label()} does not exist")
            continue
        if marker := wheel.deprecation(use.module, use.name):
            problems.append(f"{use.where}: {use.label()} is deprecated ({marker})")
    return problems


def check_brand(source: Path, wheel: Wheel) -> tuple[str, list[str]]:
    """The ``brand/`` images against the wheel's brands integration: a summary, problems."""
    names = sorted(p.name for p in (source / "brand").glob("*") if p.is_file())
    if not wheel.has_module(BRANDS_CONST):
        summary = (
            f"brand images: {len(names)} file(s); this release predates the brands "
            "integration (Home Assistant 2026.3), so they are checked by tests/test_brand.py only"
        )
        return summary, []
    allowed = wheel.strings_in(BRANDS_CONST, "ALLOWED_IMAGES")
    problems = [
        f"brand/{name}: not an image the brands integration serves ({', '.join(sorted(allowed))})"
        for name in names
        if name not in allowed
    ]
    if "icon.png" not in names:
        problems.append("brand/icon.png is missing (every other image falls back to it)")
    return f"brand images: {len(names)} file(s) checked against brands.ALLOWED_IMAGES", problems


def main() -> int:
    """Download (or reuse) the wheel, check, print the outcome."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="check against this wheel (no download)")
    parser.add_argument("--source", type=Path, default=SOURCE, help=argparse.SUPPRESS)
    args = parser.parse_args()
    path: Path = args.wheel or download_wheel(CACHE)
    with zipfile.ZipFile(path) as archive:
        version = wheel_version(archive, path)
        wheel = Wheel(archive)
        uses = collect_uses(args.source, wheel)
        problems = check(uses, wheel)
        brand_summary, brand_problems = check_brand(args.source, wheel)
        problems += brand_problems
    names = len({(u.module, u.name) for u in uses})
    print(
        f"check_current_ha: compared {names} Home Assistant imports and names "
        f"against homeassistant {version} (newest on PyPI for Python {PYTHON_VERSION})"
    )
    print(f"check_current_ha: {brand_summary}")
    for problem in problems:
        print(f"  {problem}")
    if problems:
        print(f"check_current_ha: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check_current_ha: all present, nothing deprecated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
