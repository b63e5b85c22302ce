"""The Portainer coordinator: environments, stacks, every container and their stats.

Disk usage (Docker's ``/system/df``) walks every layer, container and volume
on the host and can take minutes on a big or slow one, so it is not part of
the poll: it is read every ``DISK_INTERVAL`` in a background task, and the
data is updated when it is in (Home Assistant core reads it on its own
30-minute coordinator for the same reason).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final, override

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...api.portainer import PortainerClient
from ...coordinator import PandoraConfigEntry, PandoraCoordinator, entry_client
from .model import PortainerData, PortainerFetcher

DISK_INTERVAL: Final = timedelta(minutes=30)
"""How often ``/system/df`` is read."""


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
        self._disk_read_at: datetime | None = None
        self._disk_task: asyncio.Task[None] | None = None
        self.device_tracker: Callable[[], None] | None = None
        """Unsubscribes the stale-device listener (``entities.async_track_devices``)."""

    @override
    async def _async_setup(self) -> None:
        """Remember the containers of existing devices (kept ones of stopped stacks)."""
        self.fetcher.seed_from_registry(self.hass)

    @override
    async def _async_fetch(self) -> PortainerData:
        """Read everything once (see ``PortainerFetcher.async_fetch``); start a disk read if due."""
        data = await self.fetcher.async_fetch()
        now = dt_util.utcnow()
        due = self._disk_read_at is None or now - self._disk_read_at >= DISK_INTERVAL
        if due and (self._disk_task is None or self._disk_task.done()):
            self._disk_read_at = now
            reachable = [e.endpoint.id for e in data.endpoints.values() if e.reachable]
            self._disk_task = self.config_entry.async_create_background_task(
                self.hass, self._async_read_disk(reachable), f"{self.name} disk usage"
            )
        return data

    def request_disk_read(self) -> None:
        """Read disk usage again after the next poll (a prune changed it)."""
        self._disk_read_at = None

    async def _async_read_disk(self, endpoint_ids: list[int]) -> None:
        """Read disk usage, then show it (and the volumes it lists) without another poll."""
        await self.fetcher.async_read_disk(endpoint_ids)
        if self.data is not None and self.last_update_success:
            self.async_set_updated_data(self.fetcher.with_disk(self.data))
