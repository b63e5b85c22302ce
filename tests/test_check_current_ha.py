"""scripts/check_current_ha.py against a small hand-made wheel (no download)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
import sys
from types import ModuleType
import zipfile

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
    assert "homeassistant.core.Nope does not exist" in out


BRANDS_CONST = (
    "from typing import Final\n"
    "ALLOWED_IMAGES: Final = frozenset({'icon.png', 'logo.png', 'dark_logo@2x.png'})\n"
    "OTHER = {'stray.png'}\n"
)


def test_brand_against_the_brands_integration(script: ModuleType, tmp_path: Path) -> None:
    """With brands in the wheel, brand/ files must be names it serves, icon.png included."""
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
        "brand/icon.png is missing (every other image falls back to it)",
    ]
    (package / "brand" / "stray.png").rename(package / "brand" / "icon.png")
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
