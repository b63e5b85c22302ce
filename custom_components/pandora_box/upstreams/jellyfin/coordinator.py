"""The Jellyfin coordinator: sessions, item counts, the library scan, latest items."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar, override

from homeassistant.helpers import device_registry as dr

from ...const import DOMAIN
from ...coordinator import PandoraCoordinator
from .model import JellyfinData, async_fetch_jellyfin


class JellyfinCoordinator(PandoraCoordinator[JellyfinData]):
    """Polls a Jellyfin server: sessions, item counts, the library scan, latest items.

    Every 30 s, and every 5 s while a library scan runs so its progress
    moves visibly.  The server version comes from the check made at setup;
    it is read again after an outage, since a server that went away may
    come back upgraded (the device's software version follows).
    """

    interval = timedelta(seconds=30)
    scan_interval: ClassVar[timedelta] = timedelta(seconds=5)
    """How often to poll while the library scan runs."""

    @override
    async def _async_fetch(self) -> JellyfinData:
        """Read the server; poll faster while a library scan runs."""
        runtime = self.config_entry.runtime_data
        if not self.last_update_success:
            info = await runtime.client.async_get_info()
            if info.version != runtime.info.version:
                runtime.info = info
                self._set_sw_version(info.version)
        data = await async_fetch_jellyfin(runtime.client, version=runtime.info.version)
        self.note_denied(data.scan_denied)
        self.update_interval = self.scan_interval if data.scanning else self.interval
        return data

    def _set_sw_version(self, version: str | None) -> None:
        """Show a new server version on the entry's service device."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        device = registry.async_get_device_by_identifier((DOMAIN, entry_id), entry_id)
        if device is not None:
            registry.async_update_device(device.id, sw_version=version)
