"""Entry setup and unload for every kind, against live simulators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest

from custom_components.pandora_box import async_remove_config_entry_device
from custom_components.pandora_box.api.qbittorrent import QBittorrentClient
from custom_components.pandora_box.const import DOMAIN
from simulators import Simulator

from .helpers import (
    KINDS,
    mock_entry,
    new_simulator,
    secret_field,
    setup_integration,
    state_of,
)

ALL_KINDS = pytest.mark.parametrize("sim", KINDS, indirect=True)


@ALL_KINDS
async def test_setup_and_unload(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, sim: Simulator
) -> None:
    """An entry loads with its client in runtime data and one service device, then unloads."""
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    assert state_of(entry) is ConfigEntryState.LOADED
    runtime = entry.runtime_data
    assert runtime.kind == sim.kind
    assert runtime.info.unique_id
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert device.sw_version == runtime.info.version
    assert device.name == entry.title
    if sim.kind in ("tmdb", "watchmode"):
        assert device.configuration_url is None
    else:
        assert device.configuration_url == sim.url

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(entry) is ConfigEntryState.NOT_LOADED


@ALL_KINDS
async def test_unreachable_at_startup_retries(hass: HomeAssistant, sim: Simulator) -> None:
    """An upstream that is down at startup makes the entry retry, then load once it is back."""
    entry = mock_entry(sim)
    await sim.stop()
    await setup_integration(hass, entry)
    assert state_of(entry) is ConfigEntryState.SETUP_RETRY
    assert "Cannot reach" in str(entry.reason)
    await sim.start()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(entry) is ConfigEntryState.LOADED


@ALL_KINDS
async def test_malformed_answer_at_startup_retries(hass: HomeAssistant, sim: Simulator) -> None:
    """A broken answer at startup is a retry, not a crash."""
    entry = mock_entry(sim)
    sim.set_fault("malformed")
    await setup_integration(hass, entry)
    assert state_of(entry) is ConfigEntryState.SETUP_RETRY


@ALL_KINDS
async def test_bad_credentials_start_reauth(hass: HomeAssistant, sim: Simulator) -> None:
    """Refused credentials fail setup and open a reauth flow for the entry."""
    revoked: dict[str, Any] = {secret_field(sim.kind): "revoked"}
    entry = mock_entry(sim, **revoked)
    await setup_integration(hass, entry)
    assert state_of(entry) is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == "reauth"
    assert flows[0]["context"]["entry_id"] == entry.entry_id


@pytest.mark.parametrize("sim", ["watchmode", "portainer", "jellyfin"], indirect=True)
async def test_check_refused_at_startup_retries_with_an_issue(
    hass: HomeAssistant, sim: Simulator
) -> None:
    """Good credentials without the right for the setup check: retry, an issue, no reauth."""
    routes = {
        "watchmode": r"(/v1)?/status/",
        "portainer": r"/api/endpoints$",
        "jellyfin": r"/System/Info$",
    }
    entry = mock_entry(sim)
    issue_id = f"permission_denied_{entry.entry_id}"
    sim.deny(routes[sim.kind])
    await setup_integration(hass, entry)
    assert state_of(entry) is ConfigEntryState.SETUP_RETRY
    assert "does not allow that: it needs" in str(entry.reason)
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    sim.allow()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(entry) is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("sim", ["portainer"], indirect=True)
async def test_first_poll_refused_retries_and_keeps_its_issue(
    hass: HomeAssistant, sim: Simulator
) -> None:
    """A first poll refused as a whole: setup retries, the issue stays until it works."""
    entry = mock_entry(sim)
    issue_id = f"permission_denied_{entry.entry_id}"
    sim.deny(r"/api/stacks$")
    await setup_integration(hass, entry)
    assert state_of(entry) is ConfigEntryState.SETUP_RETRY
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["right"] == "Portainer administrator rights"
    sim.allow()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(entry) is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_removed_entry_takes_its_permission_issue(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """An entry removed while it retries a refused setup leaves no issue behind."""
    sim = new_simulator("watchmode", tmp_path)
    await sim.start()
    try:
        entry = mock_entry(sim)
        sim.deny(r"(/v1)?/status/")
        await setup_integration(hass, entry)
        issue_id = f"permission_denied_{entry.entry_id}"
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    finally:
        await sim.stop()


@pytest.mark.parametrize("sim", ["qbittorrent"], indirect=True)
async def test_qbittorrent_session_is_closed_on_unload(hass: HomeAssistant, sim: Simulator) -> None:
    """qBittorrent's own cookie session is released when its entry unloads."""
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    client = entry.runtime_data.client
    assert isinstance(client, QBittorrentClient)
    session = client._session
    assert not session.closed
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert session.closed


@pytest.mark.parametrize("sim", ["qbittorrent"], indirect=True)
async def test_qbittorrent_sessions_are_separate(hass: HomeAssistant, sim: Simulator) -> None:
    """qBittorrent never uses Home Assistant's shared session (its jar drops IP cookies)."""
    from homeassistant.helpers.aiohttp_client import async_get_clientsession

    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    client = entry.runtime_data.client
    assert isinstance(client, QBittorrentClient)
    assert client._session is not async_get_clientsession(hass)


@pytest.mark.parametrize("sim", ["jackett"], indirect=True)
async def test_kind_without_child_devices_keeps_its_device_and_stores_nothing(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, sim: Simulator
) -> None:
    """A kind without child devices never lets its service device go; removal is clean."""
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None
    assert not await async_remove_config_entry_device(hass, entry, device)

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.config_entries.async_get_entry(entry.entry_id) is None
