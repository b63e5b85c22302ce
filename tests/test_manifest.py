"""The packaging promises: manifest.json for hassfest, hacs.json for HACS."""

from __future__ import annotations

import json
from pathlib import Path
import re
import tomllib
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
from packaging.requirements import Requirement

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / "pandora_box"

REQUIRED_KEYS = {
    "domain",
    "name",
    "version",
    "documentation",
    "issue_tracker",
    "codeowners",
    "config_flow",
    "iot_class",
    "integration_type",
    "requirements",
    "loggers",
}


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_manifest_is_complete_and_ordered_as_hassfest_wants() -> None:
    """hassfest wants domain, name, then the other keys sorted; all the listed keys exist."""
    manifest = _json(COMPONENT / "manifest.json")
    assert manifest.keys() >= REQUIRED_KEYS
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == COMPONENT.name
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "local_polling"
    assert manifest["integration_type"] == "hub"
    assert AwesomeVersion(manifest["version"]).valid
    assert all(re.fullmatch(r"@[\w-]+", owner) for owner in manifest["codeowners"])
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")


def test_requirements_admit_core_pin_and_match_the_test_environment() -> None:
    """pyportainer's range admits core's pin (1.0.50); tests install the same range."""
    manifest = _json(COMPONENT / "manifest.json")
    requirements = {Requirement(line).name: Requirement(line) for line in manifest["requirements"]}
    assert requirements["pyportainer"].specifier.contains("1.0.50")
    assert not requirements["pyportainer"].specifier.contains("2.0.0")
    test_lines = (ROOT / "requirements" / "common.txt").read_text(encoding="utf-8").splitlines()
    pinned = [Requirement(line) for line in test_lines if line.startswith("pyportainer")]
    assert [req.specifier for req in pinned] == [requirements["pyportainer"].specifier]
    assert set(manifest["loggers"]) >= {"pyportainer"}
    # release names are parsed by our own typed parser: no untyped library at run time
    assert set(requirements) == {"pyportainer"}


def test_hacs_names_the_minimum_home_assistant_we_test_on() -> None:
    """hacs.json's minimum is the release the minimum leg runs, and no leg runs older."""
    hacs = _json(ROOT / "hacs.json")
    assert hacs["name"] == _json(COMPONENT / "manifest.json")["name"]
    minimum = AwesomeVersion(hacs["homeassistant"])
    assert minimum.valid
    assert minimum <= AwesomeVersion(ha_version)
    leg = (ROOT / "requirements" / "minimum.txt").read_text(encoding="utf-8")
    assert f"Home Assistant we support (hacs.json, README):\n# {minimum}," in leg
    assert f"{minimum}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_license_file_is_the_mit_license_pyproject_declares() -> None:
    """HACS's license check wants a LICENSE file; it is the MIT text pyproject.toml names."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert re.search(r"^Copyright \(c\) 20\d\d Pandora Box developers$", text, re.MULTILINE)
    assert "WITHOUT WARRANTY OF ANY KIND" in text
