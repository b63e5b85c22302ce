"""The Jellyfin action: ``refresh_library`` (also what the refresh button presses)."""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant, ServiceCall, callback
import probatio as vol

from ...api.jellyfin import JellyfinClient
from ...const import DOMAIN, Kind
from ...coordinator import PandoraConfigEntry, entry_client
from ...helpers import EntryResolver, upstream_errors

SERVICE_REFRESH_LIBRARY: Final = "refresh_library"


async def async_refresh_library(hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
    """Start a library scan on the entry's Jellyfin server and show it at once.

    The coordinator refreshes right after (not debounced), so the scan
    binary sensor turns on and polling speeds up while the scan runs.
    """
    client = entry_client(entry, JellyfinClient)
    async with upstream_errors(hass, entry):
        await client.async_refresh_library()
    if entry.runtime_data.coordinator is not None:
        await entry.runtime_data.coordinator.async_refresh()


@callback
def async_register_jellyfin_actions(
    hass: HomeAssistant, base_schema: vol.Schema, get_entry: EntryResolver
) -> None:
    """Register the Jellyfin actions (``services.py`` passes its schema and resolver)."""

    async def refresh_library(call: ServiceCall) -> None:
        """Scan the libraries of the Jellyfin entry the call names (or the only one)."""
        await async_refresh_library(hass, get_entry(hass, call, Kind.JELLYFIN))

    hass.services.async_register(
        DOMAIN, SERVICE_REFRESH_LIBRARY, refresh_library, schema=base_schema
    )
