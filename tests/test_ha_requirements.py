"""scripts/ha_requirements.py: what a test venv needs, as the installed release pins it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ha_requirements.py"
MANIFEST = ROOT / "custom_components" / "pandora_box" / "manifest.json"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ha_requirements", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _installed_manifest(domain: str) -> dict[str, object]:
    import homeassistant.components

    base = Path(homeassistant.components.__file__).parent
    data: dict[str, object] = json.loads((base / domain / "manifest.json").read_text("utf-8"))
    return data


def test_frontend_pin_and_our_requirements(script: ModuleType) -> None:
    """frontend's own pin (as this release has it) and our manifest's requirements."""
    found: list[str] = script.requirements(["frontend"], [MANIFEST])
    frontend = _installed_manifest("frontend")["requirements"]
    assert isinstance(frontend, list)
    assert set(frontend) <= set(found)
    ours = json.loads(MANIFEST.read_text("utf-8"))["requirements"]
    assert set(ours) <= set(found)
    assert found == sorted(found, key=str.lower)


def test_dependencies_and_after_dependencies_are_followed(script: ModuleType) -> None:
    """tts needs ffmpeg's package (a dependency); analytics needs hassio's (an after-dependency)."""
    ffmpeg = _installed_manifest("ffmpeg")["requirements"]
    hassio = _installed_manifest("hassio")["requirements"]
    assert isinstance(ffmpeg, list)
    assert isinstance(hassio, list)
    assert set(ffmpeg) <= set(script.requirements(["tts"], []))
    assert set(hassio) <= set(script.requirements(["analytics"], []))
    assert not set(hassio) & set(script.requirements(["tts"], []))
