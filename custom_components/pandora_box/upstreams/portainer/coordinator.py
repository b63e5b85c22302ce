"""The Portainer coordinator: environments, stacks, every container and their stats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import override

from homeassistant.core import HomeAssistant

from ...api.portainer import PortainerClient
from ...coordinator import PandoraConfigEntry, PandoraCoordinator, entry_client
from .model import PortainerData, PortainerFetcher


class PortainerCoordinator(PandoraCoordinator[PortainerData]):
    """Polls a Portainer instance: environments, stacks, every container, stats.

    The reading (identity by name, kept containers of stopped stacks,
    bounded concurrent stats) lives in ``model.py``; this class
    only ties it to the entry.  Devices and entities follow the data in
    ``entities.py``.
    """

    interval = timedelta(seconds=30)

    def __init__(self, hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
        """Poll ``entry``'s Portainer through its client."""
        super().__init__(hass, entry)
        self.client = client = entry_client(entry, PortainerClient)
        self.fetcher = PortainerFetcher(client, entry.entry_id)
        self.device_tracker: Callable[[], None] | None = None
        """Unsubscribes the stale-device listener (``entities.async_track_devices``)."""

    @override
    async def _async_setup(self) -> None:
        """Remember the containers of existing devices (kept ones of stopped stacks)."""
        self.fetcher.seed_from_registry(self.hass)

    @override
    async def _async_fetch(self) -> PortainerData:
        """Read everything once (see ``PortainerFetcher.async_fetch``)."""
        return await self.fetcher.async_fetch()
