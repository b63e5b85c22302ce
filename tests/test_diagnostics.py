"""Diagnostics of every kind against the simulators: snapshot, and no secret anywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.diagnostics import REDACTED
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import paths, props
from syrupy.types import PropertyName, PropertyPath

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.diagnostics import (
    as_jsonable,
    async_get_config_entry_diagnostics,
    redact_url,
    scrub,
)
from simulators import Simulator

from .helpers import KINDS, entry_data, new_simulator, setup_integration

SECRET_KEYS = ("password", "api_key", "token", "access_token")

_TIMESTAMPS = props("created_at", "modified_at")
# keyed simulators make a fresh key per run, and TMDB/Watchmode ids are digests of it
_UPSTREAM_ID = paths("upstream.unique_id")


def _UNSTABLE(prop: PropertyName, path: PropertyPath) -> bool:  # noqa: N802 - a filter
    return bool(_TIMESTAMPS(prop=prop, path=path) or _UPSTREAM_ID(prop=prop, path=path))


def _normalise(value: Any, sim: Simulator) -> Any:
    """The dump with the simulator's random port replaced, so snapshots are stable."""
    text = json.dumps(value).replace(sim.url, "http://simulator")
    text = text.replace(f"{sim.host}:{sim.port}", "simulator")
    return json.loads(text)


async def _loaded(hass: HomeAssistant, sim: Simulator) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"{sim.kind} test",
        entry_id=f"01JDIAG{sim.kind.upper()}",
        data=entry_data(sim),
        options={"token": "options-secret-token"} if sim.kind == "tmdb" else {},
        unique_id=f"{sim.kind}:test",
    )
    await setup_integration(hass, entry)
    return entry


def _secrets(entry: MockConfigEntry) -> list[str]:
    values = [
        value
        for source in (entry.data, entry.options)
        for key, value in source.items()
        if key in SECRET_KEYS and isinstance(value, str)
    ]
    assert values, "every kind has a secret"
    return values


@pytest.mark.parametrize("kind", KINDS)
async def test_entry_diagnostics(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
    snapshot: SnapshotAssertion,
    kind: str,
) -> None:
    """Each kind dumps its entry, upstream, health and data; no configured secret is left.

    The dump is taken directly (Home Assistant's HTTP auth does not survive a
    frozen clock); ``test_diagnostics_over_http`` covers the registered route.
    """
    freezer.move_to("2026-11-01T12:00:00+00:00")
    sim = new_simulator(kind, tmp_path)
    await sim.start()
    try:
        entry = await _loaded(hass, sim)
        dump = json.loads(json.dumps(await async_get_config_entry_diagnostics(hass, entry)))
        text = json.dumps(dump)
        for secret in _secrets(entry):
            assert secret not in text
        assert dump["kind"] == kind
        assert dump["health"]["connected"] is True
        data = dump["entry"]["data"]
        for key in SECRET_KEYS:
            if key in entry.data:
                assert data[key] == REDACTED
        if "username" in entry.data:
            assert data["username"] == REDACTED
        assert _normalise(dump, sim) == snapshot(exclude=_UNSTABLE)
    finally:
        await sim.stop()


@pytest.mark.parametrize("kind", KINDS)
async def test_diagnostics_over_http(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, tmp_path: Path, kind: str
) -> None:
    """The diagnostics route serves each kind's dump, without its secrets."""
    sim = new_simulator(kind, tmp_path)
    await sim.start()
    try:
        entry = await _loaded(hass, sim)
        dump = await get_diagnostics_for_config_entry(hass, hass_client, entry)
        text = json.dumps(dump)
        for secret in _secrets(entry):
            assert secret not in text
        assert dump["upstream"]["unique_id"]
    finally:
        await sim.stop()


@pytest.mark.parametrize("kind", ["qbittorrent", "portainer"])
async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
    tmp_path: Path,
    kind: str,
) -> None:
    """Every device of an entry dumps its entities' states, without secrets."""
    sim = new_simulator(kind, tmp_path)
    await sim.start()
    try:
        entry = await _loaded(hass, sim)
        devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        assert devices
        for device in devices:
            dump = await get_diagnostics_for_device(hass, hass_client, entry, device)
            text = json.dumps(dump)
            for secret in _secrets(entry):
                assert secret not in text
            assert dump["device"]["name"] == device.name
        service = device_registry.async_get_device_by_identifier(
            (DOMAIN, entry.entry_id), entry.entry_id
        )
        assert service is not None
        dump = await get_diagnostics_for_device(hass, hass_client, entry, service)
        entities = {e["unique_id"]: e for e in dump["entities"]}
        connectivity = entities[f"{entry.entry_id}_connectivity"]
        assert connectivity["state"] == "on"
    finally:
        await sim.stop()


def test_urls_lose_user_info_and_secret_query_values() -> None:
    """User-info and key-like query parameters are redacted wherever a URL occurs."""
    text = "see http://bob:hunter2@nas.local:8080/api?apikey=K3Y&page=2 and magnet:?xt=1"
    result = scrub({"message": text, "nested": [{"url": "https://a:b@x.example/"}]}, set())
    dumped = json.dumps(result)
    for leaked in ("bob", "hunter2", "K3Y", "a:b@"):
        assert leaked not in dumped
    assert "page=2" in dumped
    assert "magnet:?xt=1" in dumped
    assert redact_url("http://plain.example/path") == "http://plain.example/path"


def test_configured_secrets_are_redacted_inside_any_text() -> None:
    """A configured secret is replaced even inside an error message."""
    result = scrub({"error": "401 for key s3cr3t-value", "cookie": "SID=1"}, {"s3cr3t-value"})
    assert result == {"error": f"401 for key {REDACTED}", "cookie": REDACTED}


def test_jsonable_caps_long_collections() -> None:
    """Long lists and mappings are cut, saying how much was left out."""
    result = as_jsonable({"items": list(range(150)), "set": {3, 1, 2}})
    assert len(result["items"]) == 101
    assert result["items"][-1] == "… 50 more"
    assert result["set"] == [1, 2, 3]
