"""Check the integration against the newest Home Assistant release on PyPI, statically.

Tests run on the Home Assistant that pytest-homeassistant-custom-component
pins; users run the newest one.  This script finds that release, downloads its
wheel (kept in ``.venv-newest/current-ha`` so a rerun downloads nothing while the
release is the same), reads it with ``zipfile`` and ``ast`` (nothing of it is
imported or run) and checks the integration against it.

Which release: the newest final (not pre-release), not yanked ``homeassistant``
with a wheel on the package index pip is configured with (``index-url`` and
every ``extra-index-url`` of ``pip config list``; PEP 691 JSON, or a PEP 503
page's ``data-requires-python``), chosen by its ``Requires-Python`` for the
interpreter that will run it:

* ``--python CMD`` names that interpreter (a command, such as a Python inside
  a chroot): the newest release whose ``Requires-Python`` admits its full
  version, and the newer ones it does not admit are named;
* otherwise the newest release, and of the interpreters found here (this one,
  ``$PYTHON``, ``python3`` and ``python3.N`` on ``PATH``, pyenv's) the newest
  that its ``Requires-Python`` admits.  When none does, pip is told
  ``--ignore-requires-python`` (the wheel is only read, never run).

pip gets that interpreter's real full version (``--python-version 3.14.10``),
never a padded one: pip reads ``3.14`` as 3.14.0, and every release from
2026.3 on requires 3.14.2.  The script prints the release and why.

It checks every ``homeassistant.*`` import of ``custom_components/pandora_box``:

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
``brands`` integration (Home Assistant 2026.3.0 and later serve a custom
integration's own icon and logo from there): the files must be exactly the
names in its ``ALLOWED_IMAGES``.  A wheel older than that integration is said
so in the output.  And it compares the rules of our ``quality_scale.yaml``
with those that the core integrations' ``quality_scale.yaml`` files of the
wheel list (hassfest requires every rule in them since 2026.8).

It prints the version it compared against and every problem, and exits 1
when there is one (2 when no wheel could be had at all).

    python scripts/check_current_ha.py [--python CMD] [--wheel path/to.whl]
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
import json
import os
from pathlib import Path
import shlex
import shutil
import ssl
import subprocess
import sys
from typing import Any
import urllib.error
import urllib.parse
import urllib.request
import zipfile

from homeassistant.util.yaml import parse_yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "custom_components" / "pandora_box"
CACHE = ROOT / ".venv-newest" / "current-ha"
PROJECT = "homeassistant"
DEFAULT_INDEX = "https://pypi.org/simple"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
INDEX_TIMEOUT = 60
PYTHON_PROBE = "import platform; print(platform.python_version())"

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


@dataclass(frozen=True, slots=True)
class Release:
    """One release on the index: its version and its wheel's ``Requires-Python``."""

    version: Version
    requires_python: str | None

    def admits(self, python: Version) -> bool:
        """Whether ``python`` (a full version) may install it, as pip decides."""
        if not self.requires_python:
            return True
        try:
            specifier = SpecifierSet(self.requires_python)
        except InvalidSpecifier:
            return False
        return specifier.contains(python, prereleases=True)

    def needs(self) -> str:
        """Its ``Requires-Python`` for a message."""
        return f"Requires-Python {self.requires_python or '(none)'}"


@dataclass(frozen=True, slots=True)
class Interpreter:
    """A Python that runs here: the command that starts it and its full version."""

    command: tuple[str, ...]
    version: Version

    def label(self) -> str:
        """``Python 3.14.10 (/usr/bin/python3.14)``."""
        return f"Python {self.version} ({shlex.join(self.command)})"

    def pip_version(self) -> str:
        """The version for pip's ``--python-version``: the interpreter's own three numbers.

        ``platform.python_version()`` always gives three (``3.14.10``, ``3.15.0a1``);
        a pre-release's tag is left out, as pip takes numbers only.
        """
        return ".".join(str(part) for part in self.version.release[:3])


@dataclass(frozen=True, slots=True)
class Choice:
    """The release to compare against, the interpreter pip is told about, and why."""

    release: Release
    python: Interpreter | None  # None: no interpreter here admits it
    reason: str

    def pip_args(self) -> list[str]:
        """What pip download gets besides the requirement."""
        if self.python is None:
            return ["--ignore-requires-python"]
        return ["--python-version", self.python.pip_version()]


def releases_from_files(files: Iterable[Mapping[str, Any]]) -> list[Release]:
    """Final, not yanked releases that have a wheel, newest first (PEP 691 ``files``)."""
    found: dict[Version, Release] = {}
    for entry in files:
        filename = str(entry.get("filename", ""))
        if not filename.endswith(".whl") or entry.get("yanked"):
            continue
        try:
            name, version, _build, _tags = parse_wheel_filename(filename)
        except InvalidWheelFilename, InvalidVersion:
            continue
        if name != PROJECT or version.is_prerelease:
            continue
        requires = entry.get("requires-python")
        found.setdefault(version, Release(version, str(requires) if requires else None))
    return sorted(found.values(), key=lambda release: release.version, reverse=True)


class _SimpleHTML(HTMLParser):
    """The files of a PEP 503 project page, in PEP 691's shape."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        values = dict(attrs)
        href = values.get("href") or ""
        filename = urllib.parse.unquote(urllib.parse.urlsplit(href).path.rsplit("/", 1)[-1])
        self.files.append(
            {
                "filename": filename,
                "requires-python": values.get("data-requires-python"),
                "yanked": "data-yanked" in values,
            }
        )


def files_from_html(text: str) -> list[dict[str, Any]]:
    """The files of a PEP 503 page (``data-requires-python`` is HTML-unescaped)."""
    parser = _SimpleHTML()
    parser.feed(text)
    return parser.files


def pip_config(python: str = sys.executable) -> dict[str, str]:
    """``pip config list`` as {key: value}; the environment's values win, as in pip."""
    result = subprocess.run(
        [python, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        check=False,
        timeout=INDEX_TIMEOUT,
    )
    return parse_pip_config(result.stdout)


def parse_pip_config(text: str) -> dict[str, str]:
    """{``index-url``: ..., ``extra-index-url``: ..., ``cert``: ...} from ``pip config list``.

    As for ``pip download``: ``PIP_*`` variables first, then ``[download]``, then ``[global]``.
    """
    rank = {":env:": 0, "download": 1, "global": 2}
    best: dict[str, tuple[int, str]] = {}
    for line in text.splitlines():
        key, sep, raw = line.partition("=")
        if not sep:
            continue
        section, _, option = key.rpartition(".")
        value = raw.strip().strip("'\"")
        if section not in rank:
            continue
        order = rank[section]
        if option not in best or order < best[option][0]:
            best[option] = (order, value)
    return {option: value for option, (_order, value) in best.items()}


def index_urls(config: Mapping[str, str]) -> list[str]:
    """The index pip uses first, then its extra indexes."""
    main = config.get("index-url") or DEFAULT_INDEX
    return [main, *config.get("extra-index-url", "").split()]


def read_index(url: str, cert: str | None = None) -> list[dict[str, Any]] | None:
    """The ``homeassistant`` files of one simple index, or ``None`` when it has none."""
    page = f"{url.rstrip('/')}/{PROJECT}/"
    parts = urllib.parse.urlsplit(page)
    if parts.scheme == "file":
        folder = Path(urllib.request.url2pathname(parts.path))
        index = folder / "index.html"
        return files_from_html(index.read_text(encoding="utf-8")) if index.is_file() else None
    if parts.scheme not in ("http", "https"):
        return None
    accept = {"Accept": f"{SIMPLE_JSON}, text/html;q=0.1"}
    request = urllib.request.Request(page, headers=accept)  # noqa: S310 (http or https)
    context = ssl.create_default_context(cafile=cert) if cert else None
    try:
        with urllib.request.urlopen(request, timeout=INDEX_TIMEOUT, context=context) as answer:  # noqa: S310
            body = answer.read().decode()
            kind = answer.headers.get_content_type()
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise
    if kind == SIMPLE_JSON:
        files: list[dict[str, Any]] = json.loads(body)["files"]
        return files
    return files_from_html(body)


def index_releases(config: Mapping[str, str]) -> tuple[list[Release], list[str]]:
    """Every index's releases, merged (the first index that has a version wins), and notes."""
    merged: dict[Version, Release] = {}
    notes: list[str] = []
    for url in index_urls(config):
        try:
            files = read_index(url, config.get("cert"))
        except (OSError, ValueError) as err:
            notes.append(f"{url}: not read ({err})")
            continue
        if files is None:
            notes.append(f"{url}: no {PROJECT}")
            continue
        releases = releases_from_files(files)
        notes.append(f"{url}: {len(releases)} release(s) with a wheel")
        for release in releases:
            merged.setdefault(release.version, release)
    return sorted(merged.values(), key=lambda r: r.version, reverse=True), notes


def probe(command: Sequence[str]) -> Interpreter | None:
    """The interpreter ``command`` starts, with its full version, or ``None``."""
    try:
        result = subprocess.run(
            [*command, "-c", PYTHON_PROBE],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        version = Version(result.stdout.strip()) if result.returncode == 0 else None
    except OSError, subprocess.TimeoutExpired, InvalidVersion:
        return None
    return None if version is None else Interpreter(tuple(command), version)


def candidate_commands() -> list[tuple[str, ...]]:
    """Pythons to look at: this one, ``$PYTHON``, ``PATH``'s, pyenv's (each once)."""
    commands: list[tuple[str, ...]] = [(sys.executable,)]
    if os.environ.get("PYTHON"):
        commands.append(tuple(shlex.split(os.environ["PYTHON"])))
    names = ("python3", *(f"python3.{minor}" for minor in range(13, 21)))
    commands.extend((found,) for name in names if (found := shutil.which(name)))
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    commands.extend((str(p),) for p in sorted(pyenv.glob("*/bin/python3")))
    unique: dict[str, tuple[str, ...]] = {}
    for command in commands:
        key = str(Path(command[0]).resolve()) if len(command) == 1 else shlex.join(command)
        unique.setdefault(key, command)
    return list(unique.values())


def choose(
    releases: Sequence[Release], interpreters: Sequence[Interpreter], *, pinned: bool
) -> Choice:
    """The release to compare against (see the module docstring), and why."""
    if not releases:
        raise SystemExit("check_current_ha: the index lists no homeassistant release with a wheel")
    newest = releases[0]
    if pinned:
        (python,) = interpreters
        release = next((r for r in releases if r.admits(python.version)), None)
        if release is None:
            raise SystemExit(f"check_current_ha: no homeassistant release admits {python.label()}")
        reason = f"the newest release whose {release.needs()} admits {python.label()}"
        if release is not newest:
            newer = [r for r in releases if r.version > release.version]
            reason += (
                f"; {len(newer)} newer release(s) do not, the newest {newest.version} "
                f"({newest.needs()})"
            )
        return Choice(release, python, reason)
    able = [i for i in interpreters if newest.admits(i.version)]
    if able:
        python = max(able, key=lambda i: i.version)
        return Choice(
            newest, python, f"the newest release; its {newest.needs()} admits {python.label()}"
        )
    found = (
        ", ".join(str(i.version) for i in sorted(interpreters, key=lambda i: i.version)) or "none"
    )
    return Choice(
        newest,
        None,
        f"the newest release; no Python here admits its {newest.needs()} (found: {found}), "
        "so pip is told --ignore-requires-python (the wheel is only read); "
        "give --python CMD to choose for an interpreter",
    )


def download_wheel(choice: Choice, cache: Path) -> Path:
    """The chosen release's wheel in ``cache`` (downloaded unless it is there already)."""
    cache.mkdir(parents=True, exist_ok=True)
    version = choice.release.version

    def cached() -> list[Path]:
        return [
            p for p in cache.glob(f"{PROJECT}-*.whl") if parse_wheel_filename(p.name)[1] == version
        ]

    if not cached():
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "--quiet",
            "--only-binary=:all:",
            *choice.pip_args(),
            f"{PROJECT}=={version}",
            "-d",
            str(cache),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not cached():
            print(result.stderr.strip(), file=sys.stderr)
            raise SystemExit(f"check_current_ha: could not download homeassistant {version}")
    for old in cache.glob(f"{PROJECT}-*.whl"):  # keep only this release
        if parse_wheel_filename(old.name)[1] != version:
            old.unlink()
    return cached()[0]


def newest_cached(cache: Path) -> Path | None:
    """The newest wheel already in ``cache`` (for when the index cannot be read)."""
    wheels = sorted(cache.glob(f"{PROJECT}-*.whl"), key=lambda p: parse_wheel_filename(p.name)[1])
    return wheels[-1] if wheels else None


def resolve_wheel(args: argparse.Namespace) -> tuple[Path, str]:
    """The wheel to check and the sentence that says why it is that one."""
    if args.wheel is not None:
        return args.wheel, "given with --wheel"
    config = pip_config()
    releases, notes = index_releases(config)
    for note in notes:
        print(f"check_current_ha: index {note}")
    if not releases:
        if (wheel := newest_cached(args.cache)) is None:
            raise SystemExit("check_current_ha: no index answered and no wheel is cached")
        return wheel, "no index answered: the newest wheel cached earlier"
    if args.python:
        interpreter = probe(shlex.split(args.python))
        if interpreter is None:
            raise SystemExit(f"check_current_ha: --python {args.python!r} does not run")
        choice = choose(releases, [interpreter], pinned=True)
    else:
        found: dict[Version, Interpreter] = {}
        for command in candidate_commands():
            if (interpreter := probe(command)) is not None:
                found.setdefault(interpreter.version, interpreter)
        choice = choose(releases, list(found.values()), pinned=False)
    return download_wheel(choice, args.cache), choice.reason


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
            "integration (Home Assistant 2026.3.0), so they are checked by tests/test_brand.py only"
        )
        return summary, []
    allowed = wheel.strings_in(BRANDS_CONST, "ALLOWED_IMAGES")
    problems = [
        f"brand/{name}: not an image the brands integration serves ({', '.join(sorted(allowed))})"
        for name in names
        if name not in allowed
    ]
    problems.extend(
        f"brand/{name} is missing (the brands integration serves it)"
        for name in sorted(allowed - set(names))
    )
    return f"brand images: {len(names)} file(s) checked against brands.ALLOWED_IMAGES", problems


def check_quality_scale(source: Path, archive: zipfile.ZipFile) -> tuple[str, list[str]]:
    """Our ``quality_scale.yaml`` rules against those the wheel's core integrations list."""

    def rules(text: str) -> frozenset[str]:
        data = parse_yaml(text)
        listed = data.get("rules") if isinstance(data, dict) else None
        return frozenset(listed) if isinstance(listed, dict) else frozenset()

    core = [
        rules(archive.read(name).decode())
        for name in archive.namelist()
        if name.startswith("homeassistant/components/") and name.endswith("/quality_scale.yaml")
    ]
    if not core:
        return "quality scale: this release ships no quality_scale.yaml to compare with", []
    ours = rules((source / "quality_scale.yaml").read_text(encoding="utf-8"))
    if len(set(core)) != 1:  # before 2026.8 core files could leave rules out
        known = frozenset().union(*core)
        problems = [
            f"quality_scale.yaml: {rule} is not a rule here" for rule in sorted(ours - known)
        ]
        summary = f"quality scale: {len(ours)} rules; {len(known)} known to {len(core)} core files"
        return summary, problems
    (listed,) = set(core)
    problems = [f"quality_scale.yaml: {rule} is not a rule" for rule in sorted(ours - listed)]
    problems += [f"quality_scale.yaml: {rule} is missing" for rule in sorted(listed - ours)]
    summary = (
        f"quality scale: {len(ours)} rules; each of the {len(core)} core files lists {len(listed)}"
    )
    return summary, problems


def main() -> int:
    """Choose the release, download (or reuse) its wheel, check, print the outcome."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python",
        metavar="CMD",
        help="the interpreter that will run Home Assistant (a command, e.g. 'python3.14')",
    )
    parser.add_argument(
        "--wheel", type=Path, help="check against this wheel (no index, no download)"
    )
    parser.add_argument("--cache", type=Path, default=CACHE, help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, default=SOURCE, help=argparse.SUPPRESS)
    args = parser.parse_args()
    path, reason = resolve_wheel(args)
    with zipfile.ZipFile(path) as archive:
        version = wheel_version(archive, path)
        wheel = Wheel(archive)
        uses = collect_uses(args.source, wheel)
        problems = check(uses, wheel)
        brand_summary, brand_problems = check_brand(args.source, wheel)
        scale_summary, scale_problems = check_quality_scale(args.source, archive)
        problems += brand_problems + scale_problems
    names = len({(u.module, u.name) for u in uses})
    print(f"check_current_ha: homeassistant {version}: {reason}")
    print(
        f"check_current_ha: compared {names} Home Assistant imports and names "
        f"against homeassistant {version}"
    )
    print(f"check_current_ha: {brand_summary}")
    print(f"check_current_ha: {scale_summary}")
    for problem in problems:
        print(f"  {problem}")
    if problems:
        print(f"check_current_ha: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check_current_ha: all present, nothing deprecated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
