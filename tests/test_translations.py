"""Translations: strings.json is English, German covers every key, code uses known keys."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import EntityDescription
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest

from custom_components.pandora_box import health, llm as pandora_llm
from custom_components.pandora_box.const import DOMAIN, Kind
from custom_components.pandora_box.media import postprocess

COMPONENT = Path(__file__).parent.parent / "custom_components" / "pandora_box"


NEEDS_NEWER_HA: frozenset[str] = (
    frozenset()
    if pandora_llm.TOOLS_SUPPORTED
    else frozenset({"custom_components.pandora_box.assist.tools"})
)
"""Modules this Home Assistant cannot import (the LLM tools need 2026.10); their source is read."""


def _modules() -> dict[str, Path]:
    """Every module of the integration outside ``api/`` (no strings there), by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted(COMPONENT.rglob("*.py")):
        parts = path.relative_to(COMPONENT).with_suffix("").parts
        if parts[0] == "api":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(("custom_components.pandora_box", *parts))] = path
    return found


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
    source = "\n".join(p.read_text(encoding="utf-8") for p in _modules().values())
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
    # a form error is the config flow's, or the options flow's in a module that has one
    for path in _modules().values():
        text = path.read_text(encoding="utf-8")
        known = set(strings["config"]["error"])
        if "OptionsFlow" in text:
            known |= set(strings["options"]["error"])
        for key in set(re.findall(r'errors\[CONF_\w+\] = "(\w+)"', text)):
            assert key in known, (path.name, key)


# -- every key used in code exists, in English and German ------------------------------

LANGUAGES = ("strings.json", "translations/en.json", "translations/de.json")
PLATFORMS = {
    "BinarySensorEntityDescription": "binary_sensor",
    "ButtonEntityDescription": "button",
    "EventEntityDescription": "event",
    "NumberEntityDescription": "number",
    "SensorEntityDescription": "sensor",
    "SwitchEntityDescription": "switch",
}
EXCEPTIONS = {
    "HomeAssistantError",
    "ServiceValidationError",
    "UpdateFailed",
    "ConfigEntryAuthFailed",
    "ConfigEntryNotReady",
    "ConfigEntryError",
    "Unresolvable",
}


def _node(tree: dict[str, Any], *path: str) -> Any:
    node: Any = tree
    for part in path:
        assert isinstance(node, dict), ".".join(path)
        assert part in node, ".".join(path)
        node = node[part]
    return node


def _descriptions() -> list[tuple[str, EntityDescription, str]]:
    """Every entity description defined anywhere in the package: (module, description, platform)."""
    found: list[tuple[str, EntityDescription, str]] = []

    def visit(module: str, value: Any) -> None:
        if isinstance(value, EntityDescription):
            platform = next(
                (
                    name
                    for base, name in PLATFORMS.items()
                    if any(cls.__name__ == base for cls in type(value).__mro__)
                ),
                None,
            )
            assert platform is not None, (module, value.key)
            found.append((module, value, platform))
        elif isinstance(value, tuple | list | frozenset | set):
            for item in value:
                visit(module, item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(module, item)

    for name in _modules():
        if name in NEEDS_NEWER_HA:
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            visit(name, value)
    return found


def test_every_entity_description_is_named_in_every_language_and_has_an_icon() -> None:
    """An entity's translation_key names it in en and de; icons.json gives it an icon."""
    descriptions = _descriptions()
    assert descriptions
    icons = _load("icons.json")
    for language in LANGUAGES:
        strings = _load(language)
        for module, description, platform in descriptions:
            key = description.translation_key
            assert key is not None, f"{module}: {description.key} has no translation_key"
            assert _node(strings, "entity", platform, key, "name"), (language, key)
            if description.device_class is None:
                assert key in icons["entity"].get(platform, {}), f"icons.json: {platform}.{key}"


def test_icons_and_entity_strings_name_the_same_entities() -> None:
    """icons.json has no entity the strings do not know (a typo would show no icon)."""
    icons = _load("icons.json")["entity"]
    for language in LANGUAGES:
        entities = _load(language)["entity"]
        for platform, keys in icons.items():
            assert set(keys) <= set(entities.get(platform, {})), (language, platform)


def test_states_of_enum_sensors_are_translated() -> None:
    """Every option of an enum sensor has a state name."""
    for language in LANGUAGES:
        strings = _load(language)
        for _module, description, platform in _descriptions():
            options = getattr(description, "options", None)
            if platform != "sensor" or not options:
                continue
            states = _node(strings, "entity", "sensor", str(description.translation_key), "state")
            assert set(options) <= set(states), (language, description.key)


def _services_yaml() -> dict[str, Any]:
    return dict(load_yaml_dict(str(COMPONENT / "services.yaml")))


def test_services_yaml_strings_and_icons_agree() -> None:
    """Every action and field in services.yaml is named and described in en and de, with an icon."""
    services = _services_yaml()
    icons = _load("icons.json")
    assert set(icons.get("services", {})) == set(services)
    for language in LANGUAGES:
        strings = _load(language)
        assert set(strings["services"]) == set(services), language
        for service, spec in services.items():
            assert _node(strings, "services", service, "name")
            assert _node(strings, "services", service, "description")
            fields = dict((spec or {}).get("fields", {}))
            # collapsed sections hold fields of their own
            for section in [f for f in fields.values() if "fields" in (f or {})]:
                fields.update(section["fields"])
            for field, field_spec in fields.items():
                node = _node(strings, "services", service, "fields", field)
                assert node.get("name"), (language, service, field)
                assert node.get("description"), (language, service, field)
                select = ((field_spec or {}).get("selector") or {}).get("select") or {}
                if key := select.get("translation_key"):
                    options = {
                        o if isinstance(o, str) else o["value"] for o in select.get("options", [])
                    }
                    assert options <= set(_node(strings, "selector", key, "options")), (
                        language,
                        key,
                    )


async def test_registered_actions_are_the_documented_ones(hass: HomeAssistant) -> None:
    """What async_setup registers is exactly what services.yaml describes."""
    assert await async_setup_component(hass, DOMAIN, {})
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    assert registered == set(_services_yaml())


def test_issues_have_title_and_description() -> None:
    """Each repair issue has a title, and a description or a fix flow, in every language."""
    for language in LANGUAGES:
        for key, issue in _load(language)["issues"].items():
            assert issue.get("title"), (language, key)
            assert issue.get("description") or issue.get("fix_flow"), (language, key)


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _patterns(value: ast.expr) -> list[str] | None:
    """Regexes a translation_key expression can match; ``None`` if not static."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [re.escape(value.value)]
    if isinstance(value, ast.IfExp):
        body, orelse = _patterns(value.body), _patterns(value.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(value, ast.JoinedStr):
        return [
            "".join(
                re.escape(str(part.value)) if isinstance(part, ast.Constant) else r"\w+"
                for part in value.values
            )
        ]
    return None


def test_translation_keys_in_code_exist() -> None:
    """Every translation_key= in code names an exception, an issue or an entity that exists.

    Literal and f-string keys are checked where they are written.  A key passed
    through a helper's parameter (``def _error(key, ...)``) is checked at every
    call of that helper with a literal.
    """
    strings = _load("strings.json")
    namespaces = {
        "exception": set(strings["exceptions"]),
        "issue": set(strings["issues"]),
        "entity": {key for platform in strings["entity"].values() for key in platform},
    }
    checked = 0
    unresolved: list[str] = []
    helpers: dict[str, tuple[str, int]] = {}  # helper name → (namespace, parameter index)
    modules = _modules()
    trees = {
        str(path.relative_to(COMPONENT)): ast.parse(path.read_text("utf-8"))
        for path in modules.values()
    }
    module_names = {str(path.relative_to(COMPONENT)): name for name, path in modules.items()}

    def namespace_of(call: ast.Call) -> str:
        name = _call_name(call)
        if name in EXCEPTIONS or name.endswith(("Error", "Failed", "NotReady")):
            return "exception"
        if name == "async_create_issue":
            return "issue"
        return "entity"

    def check(namespace: str, patterns: list[str], where: str) -> None:
        nonlocal checked
        for pattern in patterns:
            assert any(re.fullmatch(pattern, key) for key in namespaces[namespace]), (
                f"{where}: {pattern} not in strings.json {namespace}s"
            )
            checked += 1

    for file, tree in trees.items():
        for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            params = [a.arg for a in func.args.args + func.args.kwonlyargs]
            for call in [n for n in ast.walk(func) if isinstance(n, ast.Call)]:
                for keyword in call.keywords:
                    if keyword.arg != "translation_key" or not isinstance(keyword.value, ast.Name):
                        continue
                    if keyword.value.id in params:
                        helpers[func.name] = (namespace_of(call), params.index(keyword.value.id))
        for call in [n for n in ast.walk(tree) if isinstance(n, ast.Call)]:
            for keyword in call.keywords:
                if keyword.arg != "translation_key":
                    continue
                patterns = _patterns(keyword.value)
                if isinstance(keyword.value, ast.Name) and module_names[file] not in NEEDS_NEWER_HA:
                    # a module constant is checked here (on the newest leg for all
                    # modules); a helper's parameter below
                    module = importlib.import_module(module_names[file])
                    constant = vars(module).get(keyword.value.id)
                    if isinstance(constant, str):
                        patterns = [re.escape(constant)]
                if patterns is not None:
                    check(namespace_of(call), patterns, f"{file}:{call.lineno}")
                elif not isinstance(keyword.value, ast.Name):
                    unresolved.append(f"{file}:{call.lineno}")
    for file, tree in trees.items():
        for call in [n for n in ast.walk(tree) if isinstance(n, ast.Call)]:
            if (helper := helpers.get(_call_name(call))) is None:
                continue
            namespace, index = helper
            if index < len(call.args) and (patterns := _patterns(call.args[index])) is not None:
                check(namespace, patterns, f"{file}:{call.lineno}")
    assert checked > 50
    # keys carried on an error object (postprocess: PostprocessError.key) are checked
    # by the issue-key test below; nothing else may escape the static check
    assert all(where.startswith("media/postprocess.py") for where in unresolved), unresolved


def test_issue_keys_raised_in_code_exist() -> None:
    """The issue keys of health and post-processing (``ISSUE_*`` constants) exist."""
    issues = set(_load("strings.json")["issues"])
    keys = {
        value
        for module in (health, postprocess)
        for name, value in vars(module).items()
        if name.startswith("ISSUE_") and name != "ISSUE_PREFIX" and isinstance(value, str)
    }
    assert {health.ISSUE_UNREACHABLE, health.ISSUE_UNSUPPORTED_VERSION} < keys
    assert keys <= issues


def test_system_health_keys_are_translated() -> None:
    """The fixed system health keys are named in every language."""
    for language in LANGUAGES:
        assert _node(_load(language), "system_health", "info", "loaded_entries")
