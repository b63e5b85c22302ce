"""quality_scale.yaml: core's rule list and value forms, and every ``done`` claim backed.

The rule list is vendored in ``tests/data/quality_scale_rules.yaml`` (taken from core's
hassfest of the release it names).  hassfest skips the quality scale of custom
integrations, so these tests hold our file to what it asks of core's: every rule
listed, no other key, each value in one of its forms.  For the rules hassfest checks
in code (``script/hassfest/quality_scale_validation/``) a ``done`` here is checked the
same way, from our source; some checks go further where the rule's text asks more.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import io
import json
from pathlib import Path
import re
import tokenize
import tomllib
from typing import Any

from awesomeversion import AwesomeVersion
import homeassistant
from homeassistant.const import Platform, __version__ as ha_version
from homeassistant.util.yaml import load_yaml_dict
import pytest

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / "pandora_box"
QUALITY_SCALE = COMPONENT / "quality_scale.yaml"
CORE_RULES = Path(__file__).parent / "data" / "quality_scale_rules.yaml"
# From this release on hassfest requires every rule in a quality_scale.yaml (core PR #175777).
ALL_RULES_REQUIRED_SINCE = AwesomeVersion("2026.8.0")
STATUSES = ("done", "todo", "exempt")
TYPED_ENTRY = re.compile(r"^[A-Za-z]+ConfigEntry$")
SETUP_ERRORS = {"ConfigEntryNotReady", "ConfigEntryAuthFailed", "ConfigEntryError"}


def _core_rules() -> dict[str, list[str]]:
    tiers = load_yaml_dict(str(CORE_RULES))["rules"]
    assert isinstance(tiers, dict)
    return {str(tier): [str(rule) for rule in rules] for tier, rules in tiers.items()}


def _ours() -> dict[str, Any]:
    rules = load_yaml_dict(str(QUALITY_SCALE))["rules"]
    assert isinstance(rules, dict)
    return rules


def _status(rule: str, value: Any) -> str:
    """The status of one rule's value, asserting it has one of the forms hassfest takes."""
    if isinstance(value, str):
        assert value in ("done", "todo"), f"{rule}: a bare status is done or todo, not {value!r}"
        return value
    assert isinstance(value, dict), f"{rule}: {value!r}"
    assert value.get("status") in STATUSES, f"{rule}: status {value.get('status')!r}"
    assert set(value) <= {"status", "comment"}, (
        f"{rule}: unknown keys {set(value) - {'status', 'comment'}}"
    )
    if "comment" in value or value["status"] == "exempt":
        assert isinstance(value.get("comment"), str), f"{rule}: the comment is a string"
    return str(value["status"])


def _done() -> set[str]:
    return {rule for rule, value in _ours().items() if _status(rule, value) == "done"}


def _module(name: str) -> ast.Module:
    return ast.parse((COMPONENT / f"{name}.py").read_text(encoding="utf-8"))


def _top_async(module: ast.Module, name: str) -> ast.AsyncFunctionDef | None:
    return next(
        (n for n in module.body if isinstance(n, ast.AsyncFunctionDef) and n.name == name), None
    )


def _calls(node: ast.AST) -> Iterator[str]:
    """The attribute names of every ``x.name(...)`` call under ``node``."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            yield call.func.attr


def _raised(path: Path) -> Iterator[str]:
    """The names of the exceptions ``raise``d in the file (``raise E(...)``, ``raise m.E``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name):
                yield exc.id
            elif isinstance(exc, ast.Attribute):
                yield exc.attr


def _platform_modules() -> list[str]:
    return [p.value for p in Platform if (COMPONENT / f"{p.value}.py").is_file()]


# -- the file against core's schema --------------------------------------------------


def test_vendored_list_is_core_s_fifty_four_rules() -> None:
    """The vendored list names its release and each rule once, four tiers."""
    assert load_yaml_dict(str(CORE_RULES))["core_release"] == "2026.11.0"
    tiers = _core_rules()
    assert list(tiers) == ["bronze", "silver", "gold", "platinum"]
    names = [rule for rules in tiers.values() for rule in rules]
    assert len(names) == len(set(names)) == 54
    assert {"docs-triggers", "docs-conditions"} <= set(tiers["bronze"])


def test_vendored_list_matches_the_home_assistant_under_test() -> None:
    """Core's own quality_scale.yaml files list core's rules: compare them with ours.

    From 2026.8 every core file lists every rule, so each must list exactly the vendored
    ones; a newer release that adds or drops a rule fails here until this list follows.
    Older releases list fewer (2026.6 and before knew 52): none may be missing from ours.
    """
    vendored = {rule for rules in _core_rules().values() for rule in rules}
    components = Path(homeassistant.__file__).parent / "components"
    files = sorted(components.glob("*/quality_scale.yaml"))
    assert files, f"Home Assistant {ha_version} ships no quality_scale.yaml"
    keysets = {path.parent.name: set(load_yaml_dict(str(path))["rules"]) for path in files}
    if AwesomeVersion(ha_version) >= ALL_RULES_REQUIRED_SINCE:
        differ = {name: keys ^ vendored for name, keys in keysets.items() if keys != vendored}
        assert not differ, differ
    else:
        known = set().union(*keysets.values())
        assert known <= vendored, known - vendored


def test_file_passes_core_schema() -> None:
    """Every rule of core's list is there, nothing else, each value in a form hassfest takes."""
    rules = _ours()
    vendored = [rule for tier in _core_rules().values() for rule in tier]
    assert set(rules) == set(vendored), {
        "missing": sorted(set(vendored) - set(rules)),
        "not rules": sorted(set(rules) - set(vendored)),
    }
    for rule, value in rules.items():
        _status(rule, value)


def test_every_rule_is_done_or_explained() -> None:
    """exempt says why and todo says what is missing (hassfest asks the first only)."""
    for rule, value in _ours().items():
        if _status(rule, value) != "done":
            assert len(value.get("comment", "")) > 20, f"{rule} needs a reason"


def test_health_rules_are_done() -> None:
    """Diagnostics, repairs and the translated entities and icons are marked done."""
    assert {"diagnostics", "repair-issues", "entity-translations", "icon-translations"} <= _done()


# -- each done claim, checked from the source -------------------------------------------


def test_config_flow_and_its_steps() -> None:
    """config-flow, reauthentication-flow, reconfiguration-flow, unique-config-entry."""
    done = _done()
    manifest = json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))
    flow = _module("config_flow")
    steps = {n.name for n in ast.walk(flow) if isinstance(n, ast.AsyncFunctionDef)}
    if "config-flow" in done:
        assert manifest["config_flow"] is True
    if "reauthentication-flow" in done:
        assert "async_step_reauth" in steps
    if "reconfiguration-flow" in done:
        assert "async_step_reconfigure" in steps
    if "unique-config-entry" in done and not manifest.get("single_config_entry"):
        called = set(_calls(flow))
        assert (
            "_async_abort_entries_match" in called
            or {
                "async_set_unique_id",
                "_abort_if_unique_id_configured",
            }
            <= called
        )


def test_setup_unload_and_runtime_data() -> None:
    """runtime-data, test-before-setup, config-entry-unloading, action-setup."""
    done = _done()
    init = _module("__init__")
    setup = _top_async(init, "async_setup_entry")
    assert setup is not None
    entry = setup.args.args[1].arg
    if "runtime-data" in done:
        assert any(
            isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name)
            and n.value.id == entry
            and n.attr == "runtime_data"
            and isinstance(n.ctx, ast.Store)
            for n in ast.walk(setup)
        ), "async_setup_entry does not set entry.runtime_data"
    if "test-before-setup" in done:
        raised = {name for path in COMPONENT.rglob("*.py") for name in _raised(path)}
        assert "async_config_entry_first_refresh" in _calls(setup) or raised & SETUP_ERRORS
    if "config-entry-unloading" in done:
        assert _top_async(init, "async_unload_entry") is not None
    if "action-setup" in done:
        for name in ["__init__", *_platform_modules()]:
            function = _top_async(_module(name), "async_setup_entry")
            registers = {"async_register_entity_service", "async_register", "register"}
            assert function is None or not registers & set(_calls(function)), name


def test_entry_is_typed_wherever_core_looks() -> None:
    """The typed entry alias (``PandoraConfigEntry``) in every signature hassfest reads.

    hassfest asks this once strict-typing is done; we ask it always: the entry
    hooks of __init__, diagnostics and each platform, and the options flow.
    """
    positions = {
        "__init__": (
            "async_migrate_entry",
            "async_remove_config_entry_device",
            "async_remove_entry",
            "async_setup_entry",
            "async_unload_entry",
        ),
        "diagnostics": ("async_get_config_entry_diagnostics", "async_get_device_diagnostics"),
        **dict.fromkeys(_platform_modules(), ("async_setup_entry",)),
    }
    checked = []
    for name, functions in positions.items():
        module = _module(name)
        for function in functions:
            if (node := _top_async(module, function)) is None:
                continue
            annotation = node.args.args[1].annotation
            assert isinstance(annotation, ast.Name), f"{name}.{function}"
            assert TYPED_ENTRY.match(annotation.id), f"{name}.{function}: {annotation.id}"
            checked.append(f"{name}.{function}")
    options = [
        node
        for cls in _module("config_flow").body
        if isinstance(cls, ast.ClassDef)
        for node in cls.body
        if isinstance(node, ast.FunctionDef) and node.name == "async_get_options_flow"
    ]
    assert len(options) == 1
    annotation = options[0].args.args[0].annotation
    assert isinstance(annotation, ast.Name)
    assert TYPED_ENTRY.match(annotation.id), annotation.id
    assert "__init__.async_setup_entry" in checked


def test_platforms_set_parallel_updates() -> None:
    """parallel-updates: a plain module-level ``PARALLEL_UPDATES = n`` in every platform."""
    if "parallel-updates" not in _done():
        pytest.skip("parallel-updates is not claimed")
    for name in _platform_modules():
        assigned = {
            target.id
            for node in _module(name).body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        assert "PARALLEL_UPDATES" in assigned, name


def test_diagnostics_brands_and_typing() -> None:
    """diagnostics, brands and strict-typing, when claimed."""
    done = _done()
    if "diagnostics" in done:
        names = {n.name for n in _module("diagnostics").body if isinstance(n, ast.AsyncFunctionDef)}
        assert names & {"async_get_config_entry_diagnostics", "async_get_device_diagnostics"}
    if "brands" in done:
        assert (COMPONENT / "brand" / "icon.png").is_file()
    if "strict-typing" in done:
        mypy = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
        assert mypy["strict"] is True
        assert "custom_components" in mypy["files"]
        for path in COMPONENT.rglob("*.py"):
            for token in tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline):
                if token.type == tokenize.COMMENT and "type: ignore" in token.string:
                    assert not token.line.lstrip().startswith(("import ", "from ")), (
                        f"{path.name}:{token.start[0]} silences an untyped import"
                    )


def test_trigger_and_condition_docs_match_what_we_provide() -> None:
    """docs-triggers / docs-conditions are done only where we provide triggers / conditions.

    Those rules are about triggers and conditions an integration registers
    (device_trigger.py, trigger.py with triggers.yaml, and the condition twins);
    bus events and event entities are neither, so ours are exempt.
    """
    rules = _ours()
    provided = {
        "docs-triggers": ("device_trigger.py", "trigger.py", "triggers.yaml"),
        "docs-conditions": ("device_condition.py", "condition.py", "conditions.yaml"),
    }
    for rule, files in provided.items():
        has = any((COMPONENT / name).exists() for name in files)
        assert (_status(rule, rules[rule]) == "done") == has, rule
