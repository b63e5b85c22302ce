"""Translations: strings.json is English, German covers every key, code uses known keys."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.pandora_box.const import Kind

COMPONENT = Path(__file__).parent.parent / "custom_components" / "pandora_box"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((COMPONENT / name).read_text(encoding="utf-8"))
    return data


def _keys(tree: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        keys |= _keys(value, path) if isinstance(value, dict) else {path}
    return keys


def _placeholders(tree: dict[str, Any]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for path in _keys(tree):
        node: Any = tree
        for part in path.split("."):
            node = node[part]
        result[path] = set(re.findall(r"\{(\w+)\}", node))
    return result


def test_english_is_strings_json() -> None:
    assert _load("translations/en.json") == _load("strings.json")


@pytest.mark.parametrize("language", ["de"])
def test_language_is_complete(language: str) -> None:
    english = _load("strings.json")
    other = _load(f"translations/{language}.json")
    assert _keys(other) == _keys(english)
    # every placeholder survives translation, or the UI shows a raw {name}
    assert _placeholders(other) == _placeholders(english)


def test_code_uses_known_keys() -> None:
    strings = _load("strings.json")
    steps = strings["config"]["step"]
    assert set(steps["user"]["menu_options"]) == {k.value for k in Kind}
    for kind in Kind:
        assert kind.value in steps
    source = "\n".join(p.read_text(encoding="utf-8") for p in COMPONENT.glob("*.py"))
    # translation_key names an exception or an entity (of some platform)
    entity_keys = {key for platform in strings.get("entity", {}).values() for key in platform}
    for key in set(re.findall(r'translation_key="(\w+)"', source)):
        assert key in strings["exceptions"] or key in entity_keys, key
    for key in set(re.findall(r'"base": "(\w+)"', source)) | set(
        re.findall(r'CONF_\w+: "(\w+)"', source)
    ):
        assert key in strings["config"]["error"], key
    for key in set(re.findall(r'reason="(\w+)"', source)):
        assert key in strings["config"]["abort"], key
    for key in set(re.findall(r'errors\[CONF_\w+\] = "(\w+)"', source)):
        assert key in strings["config"]["error"], key
