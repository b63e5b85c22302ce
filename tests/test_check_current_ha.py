"""scripts/check_current_ha.py: which release it picks, and the checks on a hand-made wheel.

Nothing here reaches an index: the release choice runs on made-up index metadata,
the wheel is written by the test, and pip download is replaced where it is called.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
import platform
import subprocess
import sys
from types import ModuleType
from typing import Any
import zipfile

from packaging.version import Version
import pytest

SCRIPT = Path(__file__).parent.parent / "scripts" / "check_current_ha.py"

WHEEL_FILES = {
    "homeassistant/__init__.py": "",
    "homeassistant/core.py": (
        "from .core_config import Config\n"
        "class HomeAssistant: ...\n"
        "def callback(func): return func\n"
    ),
    "homeassistant/core_config.py": (
        "from .helpers.deprecation import deprecated_class\n"
        "@deprecated_class('x')\n"
        "class Config: ...\n"
    ),
    "homeassistant/const.py": (
        "from .helpers.deprecation import DeprecatedConstant\n"
        "CONF_URL = 'url'\n"
        "_DEPRECATED_CONF_OLD = DeprecatedConstant('old', 'CONF_URL', '2026.1')\n"
        "LEGACY = DeprecatedConstant('legacy', 'CONF_URL', '2026.1')\n"
        "def __getattr__(name): ...\n"
    ),
    "homeassistant/helpers/__init__.py": "",
    "homeassistant/helpers/deprecation.py": "def deprecated_class(r): ...\n",
    "homeassistant/helpers/config_validation.py": (
        "import voluptuous as vol\nstring = str\nif True:\n    boolean = bool\n"
    ),
    # Python 3.14 syntax (PEP 758), as Home Assistant 2026.3 and later write it
    "homeassistant/helpers/newer.py": (
        "try:\n    pass\nexcept KeyError, ValueError:\n    pass\nNEW = 1\n"
    ),
    "homeassistant-2099.1.0.dist-info/METADATA": "Name: homeassistant\nVersion: 2099.1.0\n",
}


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_current_ha", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_current_ha"] = module
    spec.loader.exec_module(module)
    return module


def _wheel(tmp_path: Path) -> Path:
    path = tmp_path / "homeassistant-2099.1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in WHEEL_FILES.items():
            archive.writestr(name, text)
    return path


def _run(script: ModuleType, tmp_path: Path, source: str) -> list[str]:
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "x.py").write_text(source, encoding="utf-8")
    with zipfile.ZipFile(_wheel(tmp_path)) as archive:
        wheel = script.Wheel(archive)
        problems: list[str] = script.check(script.collect_uses(package, wheel), wheel)
    return [p.split(": ", 1)[1] for p in problems]


def test_clean_imports(script: ModuleType, tmp_path: Path) -> None:
    source = (
        "from homeassistant.core import HomeAssistant, callback\n"
        "from homeassistant.const import CONF_URL\n"
        "from homeassistant.helpers import config_validation as cv\n"
        "import homeassistant.helpers.config_validation as cv2\n"
        "from homeassistant.helpers.newer import NEW\n"
        "X = (cv.string, cv.boolean, cv2.string)\n"
    )
    assert _run(script, tmp_path, source) == []


def test_problems(script: ModuleType, tmp_path: Path) -> None:
    source = (
        "from homeassistant.core import Config, Missing\n"
        "from homeassistant.const import CONF_OLD, LEGACY\n"
        "from homeassistant.gone import thing\n"
        "from homeassistant.helpers import config_validation as cv\n"
        "X = cv.no_such_validator\n"
    )
    assert sorted(_run(script, tmp_path, source)) == sorted(
        [
            "homeassistant.core.Config is deprecated (decorated @deprecated_class)",
            "homeassistant.core.Missing does not exist",
            (
                "homeassistant.const.CONF_OLD is deprecated "
                "(_DEPRECATED_CONF_OLD (check_if_deprecated_constant))"
            ),
            "homeassistant.const.LEGACY is deprecated (assigned DeprecatedConstant(...))",
            "module homeassistant.gone does not exist",
            "homeassistant.helpers.config_validation.no_such_validator does not exist",
        ]
    )


def test_version_and_main(
    script: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wheel = _wheel(tmp_path)
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "x.py").write_text("from homeassistant.core import Nope\n", encoding="utf-8")
    monkeypatch.setattr(
        sys, "argv", ["check_current_ha.py", "--wheel", str(wheel), "--source", str(package)]
    )
    assert script.main() == 1
    out = capsys.readouterr().out
    assert "against homeassistant 2099.1.0" in out
    assert "homeassistant 2099.1.0: given with --wheel" in out
    assert "homeassistant.core.Nope does not exist" in out


BRANDS_CONST = (
    "from typing import Final\n"
    "ALLOWED_IMAGES: Final = frozenset({'icon.png', 'logo.png', 'dark_logo@2x.png'})\n"
    "OTHER = {'stray.png'}\n"
)


def test_brand_against_the_brands_integration(script: ModuleType, tmp_path: Path) -> None:
    """With brands in the wheel, brand/ holds exactly the names it serves."""
    path = tmp_path / "homeassistant-2099.1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in WHEEL_FILES.items():
            archive.writestr(name, text)
        archive.writestr("homeassistant/components/__init__.py", "")
        archive.writestr("homeassistant/components/brands/__init__.py", "")
        archive.writestr("homeassistant/components/brands/const.py", BRANDS_CONST)
    package = tmp_path / "pkg"
    (package / "brand").mkdir(parents=True)
    (package / "brand" / "logo.png").write_bytes(b"")
    (package / "brand" / "stray.png").write_bytes(b"")
    with zipfile.ZipFile(path) as archive:
        summary, problems = script.check_brand(package, script.Wheel(archive))
    assert summary == "brand images: 2 file(s) checked against brands.ALLOWED_IMAGES"
    assert [p.split(":")[0] for p in problems] == [
        "brand/stray.png",
        "brand/dark_logo@2x.png is missing (the brands integration serves it)",
        "brand/icon.png is missing (the brands integration serves it)",
    ]
    (package / "brand" / "stray.png").rename(package / "brand" / "icon.png")
    (package / "brand" / "dark_logo@2x.png").write_bytes(b"")
    with zipfile.ZipFile(path) as archive:
        assert script.check_brand(package, script.Wheel(archive))[1] == []


def test_brand_before_the_brands_integration(script: ModuleType, tmp_path: Path) -> None:
    """An older release says it cannot check, and finds no problem."""
    package = tmp_path / "pkg"
    (package / "brand").mkdir(parents=True)
    (package / "brand" / "icon.png").write_bytes(b"")
    with zipfile.ZipFile(_wheel(tmp_path)) as archive:
        summary, problems = script.check_brand(package, script.Wheel(archive))
    assert "predates the brands integration" in summary
    assert problems == []


# -- the quality scale against the wheel's core integrations ---------------------------------


def _scale_wheel(tmp_path: Path, *keysets: list[str]) -> Path:
    path = tmp_path / "homeassistant-2099.1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for number, keys in enumerate(keysets):
            text = "rules:\n" + "".join(f"  {key}: done\n" for key in keys)
            archive.writestr(f"homeassistant/components/c{number}/quality_scale.yaml", text)
    return path


def test_quality_scale_against_core_files(script: ModuleType, tmp_path: Path) -> None:
    """Where every core file lists the same rules, ours must be exactly those."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "quality_scale.yaml").write_text(
        "rules:\n  brands: done\n  docs-gone: done\n", encoding="utf-8"
    )
    path = _scale_wheel(tmp_path, ["brands", "docs-new"], ["brands", "docs-new"])
    with zipfile.ZipFile(path) as archive:
        summary, problems = script.check_quality_scale(package, archive)
    assert summary == "quality scale: 2 rules; each of the 2 core files lists 2"
    assert problems == [
        "quality_scale.yaml: docs-gone is not a rule",
        "quality_scale.yaml: docs-new is missing",
    ]


def test_quality_scale_before_every_rule_was_required(script: ModuleType, tmp_path: Path) -> None:
    """Core files that differ (before 2026.8): only keys no core file knows are problems."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "quality_scale.yaml").write_text(
        "rules:\n  brands: done\n  docs-new: done\n", encoding="utf-8"
    )
    with zipfile.ZipFile(_scale_wheel(tmp_path, ["brands"], ["brands", "other"])) as archive:
        summary, problems = script.check_quality_scale(package, archive)
    assert summary == "quality scale: 2 rules; 2 known to 2 core files"
    assert problems == ["quality_scale.yaml: docs-new is not a rule here"]


# -- which release: made-up index metadata ---------------------------------------------------


def _file(
    name: str, requires: str | None = ">=3.14.2", yanked: bool | str = False
) -> dict[str, Any]:
    return {"filename": name, "requires-python": requires, "yanked": yanked}


INDEX_FILES = [
    _file("homeassistant-2026.12.0b1-py3-none-any.whl"),  # a pre-release
    _file("homeassistant-2026.11.1-py3-none-any.whl", yanked="broken"),
    _file("homeassistant-2026.11.0.tar.gz"),  # not a wheel
    _file("homeassistant-2026.11.0-py3-none-any.whl"),
    _file("homeassistant-2026.2.3-py3-none-any.whl", ">=3.13.2"),
    _file("homeassistant-2025.4.4-py3-none-any.whl", ">=3.13.0"),
    _file("homeassistant-0.7.0-py3-none-any.whl", None),
    _file("homeassistant_stubs-2026.11.0-py3-none-any.whl"),  # another project
]


def _releases(script: ModuleType) -> list[Any]:
    releases: list[Any] = script.releases_from_files(INDEX_FILES)
    return releases


def _python(script: ModuleType, version: str) -> Any:
    return script.Interpreter((f"/usr/bin/python{version}",), Version(version))


def test_releases_are_final_unyanked_wheels_newest_first(script: ModuleType) -> None:
    releases = _releases(script)
    assert [str(r.version) for r in releases] == ["2026.11.0", "2026.2.3", "2025.4.4", "0.7.0"]
    assert [r.requires_python for r in releases] == [">=3.14.2", ">=3.13.2", ">=3.13.0", None]


def test_requires_python_is_read_with_the_full_version(script: ModuleType) -> None:
    """A padded 3.14 is 3.14.0, which >=3.14.2 refuses: that is why we pass full versions."""
    newest = _releases(script)[0]
    assert not newest.admits(Version("3.14"))
    assert not newest.admits(Version("3.14.1"))
    assert newest.admits(Version("3.14.2"))
    assert newest.admits(Version("3.14.10"))
    assert newest.admits(Version("3.15.0a1"))  # as pip: pre-release interpreters count
    assert _releases(script)[-1].admits(Version("2.7.18"))  # no Requires-Python at all


def test_newest_release_with_the_newest_interpreter_that_admits_it(script: ModuleType) -> None:
    found = [_python(script, v) for v in ("3.13.0", "3.14.10", "3.11.7")]
    choice = script.choose(_releases(script), found, pinned=False)
    assert str(choice.release.version) == "2026.11.0"
    assert choice.python == found[1]
    assert choice.pip_args() == ["--python-version", "3.14.10"]
    assert choice.reason == (
        "the newest release; its Requires-Python >=3.14.2 admits "
        "Python 3.14.10 (/usr/bin/python3.14.10)"
    )


def test_newest_release_when_no_interpreter_here_admits_it(script: ModuleType) -> None:
    """Still the newest: pip is told to ignore Requires-Python, never a made-up version."""
    found = [_python(script, v) for v in ("3.14.0", "3.13.0")]
    choice = script.choose(_releases(script), found, pinned=False)
    assert str(choice.release.version) == "2026.11.0"
    assert choice.python is None
    assert choice.pip_args() == ["--ignore-requires-python"]
    assert "no Python here admits its Requires-Python >=3.14.2 (found: 3.13.0, 3.14.0)" in (
        choice.reason
    )


def test_given_interpreter_gets_the_newest_release_it_admits(script: ModuleType) -> None:
    python = _python(script, "3.14.0")
    choice = script.choose(_releases(script), [python], pinned=True)
    assert str(choice.release.version) == "2026.2.3"
    assert choice.pip_args() == ["--python-version", "3.14.0"]
    assert choice.reason == (
        "the newest release whose Requires-Python >=3.13.2 admits Python 3.14.0 "
        "(/usr/bin/python3.14.0); 1 newer release(s) do not, the newest 2026.11.0 "
        "(Requires-Python >=3.14.2)"
    )
    only_new = _releases(script)[:1]
    with pytest.raises(SystemExit, match=r"no homeassistant release admits Python 3\.14\.0"):
        script.choose(only_new, [python], pinned=True)
    with pytest.raises(SystemExit, match="lists no homeassistant release"):
        script.choose([], [python], pinned=True)


def test_pep_503_pages_give_the_same_metadata(script: ModuleType, tmp_path: Path) -> None:
    """A file:// index (PEP 503 HTML): data-requires-python unescaped, data-yanked skipped."""
    page = tmp_path / "simple" / "homeassistant" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        "<!DOCTYPE html><html><body>\n"
        '<a href="../../files/homeassistant-2026.11.0-py3-none-any.whl#sha256=00" '
        'data-requires-python="&gt;=3.14.2">homeassistant-2026.11.0-py3-none-any.whl</a>\n'
        '<a href="../../files/homeassistant-2026.11.1-py3-none-any.whl" data-yanked="">x</a>\n'
        '<a href="homeassistant-2026.2.3-py3-none-any.whl">homeassistant-2026.2.3</a>\n'
        "</body></html>\n",
        encoding="utf-8",
    )
    files = script.read_index((tmp_path / "simple").as_uri())
    releases = script.releases_from_files(files)
    assert [(str(r.version), r.requires_python) for r in releases] == [
        ("2026.11.0", ">=3.14.2"),
        ("2026.2.3", None),
    ]
    assert script.read_index((tmp_path / "elsewhere").as_uri()) is None


def test_indexes_come_from_pip_config(script: ModuleType) -> None:
    """The environment's index-url wins over the global one; extra indexes follow."""
    config = script.parse_pip_config(
        "global.index-url='https://global.example/simple'\n"
        ":env:.index-url='https://env.example/simple'\n"
        "global.extra-index-url='file:///opt/a/simple file:///opt/b/simple'\n"
        "global.cert='/etc/ssl/certs/ca-certificates.crt'\n"
    )
    assert script.index_urls(config) == [
        "https://env.example/simple",
        "file:///opt/a/simple",
        "file:///opt/b/simple",
    ]
    assert config["cert"] == "/etc/ssl/certs/ca-certificates.crt"
    download = script.parse_pip_config(
        "global.index-url='https://global.example/simple'\n"
        "download.index-url='https://download.example/simple'\n"
        "install.index-url='https://install.example/simple'\n"
    )
    assert script.index_urls(download) == ["https://download.example/simple"]
    assert script.index_urls({}) == ["https://pypi.org/simple"]


def test_this_machine_pip_config_and_interpreters(script: ModuleType) -> None:
    """What runs today, offline: pip's own config reads, interpreters report full versions."""
    urls = script.index_urls(script.pip_config())
    assert urls
    assert urls[0].startswith(("https://", "http://", "file://"))
    this = script.probe([sys.executable])
    assert this is not None
    assert this.version == Version(platform.python_version())
    assert len(this.pip_version().split(".")) == 3
    assert script.probe(["/nonexistent/python3"]) is None
    assert (sys.executable,) in script.candidate_commands()


def test_download_passes_the_real_version_or_ignores(
    script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip download gets the pinned release and the interpreter's full version."""
    commands: list[list[str]] = []

    def fake_run(command: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        commands.append(command)
        target = Path(command[command.index("-d") + 1])
        version = next(a for a in command if a.startswith("homeassistant==")).split("==")[1]
        (target / f"homeassistant-{version}-py3-none-any.whl").write_bytes(b"")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(script.subprocess, "run", fake_run)
    releases = _releases(script)
    cache = tmp_path / "cache"
    with_python = script.Choice(releases[0], _python(script, "3.14.10"), "why")
    assert script.download_wheel(with_python, cache).name == (
        "homeassistant-2026.11.0-py3-none-any.whl"
    )
    assert commands[-1][-4:] == ["3.14.10", "homeassistant==2026.11.0", "-d", str(cache)]
    assert "--python-version" in commands[-1]
    script.download_wheel(with_python, cache)  # cached: pip is not asked again
    assert len(commands) == 1
    older = script.Choice(releases[1], None, "why")
    assert script.download_wheel(older, cache).name == "homeassistant-2026.2.3-py3-none-any.whl"
    assert "--ignore-requires-python" in commands[-1]
    assert "--python-version" not in commands[-1]
    assert [p.name for p in cache.iterdir()] == ["homeassistant-2026.2.3-py3-none-any.whl"]
