"""The ``refresh_library`` action and the refresh button: every error path."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.const import CONF_KIND, DOMAIN
from custom_components.pandora_box.upstreams.jellyfin.actions import SERVICE_REFRESH_LIBRARY
from simulators import JellyfinSimulator

from ...helpers import mock_entry, setup_integration, state_of

BUTTON = "button.jellyfin_refresh_library"


async def _refresh(hass: HomeAssistant, **data: str) -> None:
    await hass.services.async_call(DOMAIN, SERVICE_REFRESH_LIBRARY, data, blocking=True)


async def _loaded(hass: HomeAssistant, sim: JellyfinSimulator, **kw: str) -> MockConfigEntry:
    entry = mock_entry(sim, title=kw.get("title", "Jellyfin"), unique_id=sim.server_id)
    await setup_integration(hass, entry)
    assert state_of(entry) is ConfigEntryState.LOADED
    return entry


async def test_no_entry(hass: HomeAssistant, jellyfin_sim: JellyfinSimulator) -> None:
    """Without a loaded Jellyfin entry the action says so, and asks nothing upstream."""
    entry = mock_entry(jellyfin_sim)
    await setup_integration(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError, match="No loaded Pandora Box entry for jellyfin"):
        await _refresh(hass)
    assert jellyfin_sim.count("/Library/Refresh") == 0


async def test_several_entries(hass: HomeAssistant, jellyfin_sim: JellyfinSimulator) -> None:
    """Two loaded Jellyfin entries: the action needs to be told which one."""
    second = JellyfinSimulator(server_id="0123456789abcdef0123456789abcdef")
    await second.start()
    try:
        first_entry = await _loaded(hass, jellyfin_sim)
        await _loaded(hass, second, title="Second")
        with pytest.raises(ServiceValidationError, match="Several Pandora Box entries"):
            await _refresh(hass)
        await _refresh(hass, config_entry_id=first_entry.entry_id)
        assert jellyfin_sim.count("/Library/Refresh", method="POST") == 1
        assert second.count("/Library/Refresh") == 0
    finally:
        await second.stop()


async def test_unknown_entry(hass: HomeAssistant, jellyfin_sim: JellyfinSimulator) -> None:
    """An id that names no entry is a validation error."""
    await _loaded(hass, jellyfin_sim)
    with pytest.raises(ServiceValidationError, match="No Pandora Box entry has the id nope"):
        await _refresh(hass, config_entry_id="nope")


async def test_wrong_kind(hass: HomeAssistant, jellyfin_sim: JellyfinSimulator) -> None:
    """An entry of another upstream is refused before any request."""
    await _loaded(hass, jellyfin_sim)
    other = MockConfigEntry(domain=DOMAIN, title="Movies DB", data={CONF_KIND: "tmdb"})
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError, match="Movies DB is not a jellyfin entry"):
        await _refresh(hass, config_entry_id=other.entry_id)
    assert jellyfin_sim.count("/Library/Refresh") == 0


async def test_not_loaded(hass: HomeAssistant, jellyfin_sim: JellyfinSimulator) -> None:
    """A Jellyfin entry that is not loaded is refused before any request."""
    await _loaded(hass, jellyfin_sim)
    idle = MockConfigEntry(domain=DOMAIN, title="Idle Jellyfin", data=mock_entry(jellyfin_sim).data)
    idle.add_to_hass(hass)
    with pytest.raises(ServiceValidationError, match="Idle Jellyfin is not loaded"):
        await _refresh(hass, config_entry_id=idle.entry_id)
    assert jellyfin_sim.count("/Library/Refresh") == 0


async def test_upstream_down(hass: HomeAssistant, jellyfin_sim: JellyfinSimulator) -> None:
    """An unreachable server is a translated error, from the action and the button."""
    await _loaded(hass, jellyfin_sim)
    jellyfin_sim.set_fault("down", path="/Library/Refresh")
    with pytest.raises(HomeAssistantError, match="Cannot reach Jellyfin"):
        await _refresh(hass)
    with pytest.raises(HomeAssistantError, match="Cannot reach Jellyfin"):
        await hass.services.async_call("button", "press", {"entity_id": BUTTON}, blocking=True)


async def test_upstream_refuses(hass: HomeAssistant, jellyfin_sim: JellyfinSimulator) -> None:
    """An unexpected answer is a translated error naming the entry."""
    await _loaded(hass, jellyfin_sim)
    jellyfin_sim.set_fault("status", status=404, path="/Library/Refresh")
    with pytest.raises(HomeAssistantError, match="Jellyfin could not do that"):
        await _refresh(hass)


async def test_revoked_key_on_action_starts_reauth(
    hass: HomeAssistant, jellyfin_sim: JellyfinSimulator
) -> None:
    """A key refused while acting is a translated error and opens the reauth flow."""
    entry = await _loaded(hass, jellyfin_sim)
    jellyfin_sim.rotate_credentials(api_key="0" * 32)
    with pytest.raises(HomeAssistantError, match="Jellyfin refused the stored credentials"):
        await _refresh(hass)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["entry_id"] for f in flows] == [entry.entry_id]
    assert flows[0]["context"]["source"] == "reauth"
