"""The Jellyfin coordinator: sessions, item counts, the library scan, latest items."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import ClassVar, override

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ...api.jellyfin import ScheduledTask, Session
from ...const import DOMAIN
from ...coordinator import PandoraConfigEntry, PandoraCoordinator
from .model import JellyfinData, active_sessions, async_fetch_jellyfin, scan_ended
from .push import async_start_push


class JellyfinCoordinator(PandoraCoordinator[JellyfinData]):
    """Reads a Jellyfin server: sessions, the library scan, item counts, latest items.

    While the server's WebSocket is connected (``push.py``), sessions and the
    scan arrive as the server pushes them and the coordinator polls only
    every ``library_max_age``.  Without it, it polls every 30 s, every 5 s
    while a library scan runs so its progress moves visibly.  Either way the
    item counts and latest additions, which make the server count and sort
    its whole library, are read again only when the library changed (a
    ``LibraryChanged`` push, or the scan task ending), after an outage, or
    once they are ``library_max_age`` old (Jellyfin's real-time monitor adds
    items without a scan, and tells API keys nothing of it).  The server
    version comes from the check made at setup; it is read again after an
    outage, since a server that went away may come back upgraded.
    """

    interval = timedelta(seconds=30)
    scan_interval: ClassVar[timedelta] = timedelta(seconds=5)
    """How often to poll while the library scan runs (without push)."""
    library_max_age: ClassVar[timedelta] = timedelta(minutes=15)
    """Oldest the counts and latest additions may get; the poll interval while pushed to."""

    def __init__(self, hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
        """Poll every ``interval`` until the push connects."""
        super().__init__(hass, entry)
        self.pushed = False
        """Whether the server's WebSocket is connected and pushing."""
        self._library_read: datetime | None = None
        """When the counts and latest additions were last read (``None``: read them)."""
        self._scan_end: datetime | None = None
        """The end of the last library scan the counts were read after."""

    @override
    async def _async_setup(self) -> None:
        """Start the push (``push.py``) with the first poll; unloading the entry ends it."""
        async_start_push(self.hass, self)

    @override
    async def _async_fetch(self) -> JellyfinData:
        """Read the server; the library only when it may have changed."""
        runtime = self.config_entry.runtime_data
        if not self.last_update_success:
            self._library_read = None  # what happened during the outage is unknown
            info = await runtime.client.async_get_info()
            if info.version != runtime.info.version:
                runtime.info = info
                self._set_sw_version(info.version)
        now = dt_util.utcnow()
        fresh = (
            self.data is not None
            and self._library_read is not None
            and now - self._library_read < self.library_max_age
        )
        data = await async_fetch_jellyfin(
            runtime.client,
            version=runtime.info.version,
            library=self.data.library if fresh and self.data is not None else None,
            scan_end=self._scan_end,
        )
        if not fresh or scan_ended(data.scan, self._scan_end):
            self._library_read = now
            if data.scan is not None:
                self._scan_end = data.scan.last_end
        self.note_denied(data.scan_denied)
        self._set_interval(data)
        return data

    def _set_interval(self, data: JellyfinData) -> None:
        """Poll rarely while pushed to, often while a scan runs, else every ``interval``."""
        if self.pushed:
            self.update_interval = self.library_max_age
        else:
            self.update_interval = self.scan_interval if data.scanning else self.interval

    def _set_sw_version(self, version: str | None) -> None:
        """Show a new server version on the entry's service device."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        device = registry.async_get_device_by_identifier((DOMAIN, entry_id), entry_id)
        if device is not None:
            registry.async_update_device(device.id, sw_version=version)

    # -- what push.py hands over ---------------------------------------------------------

    def set_pushed(self, pushed: bool) -> None:
        """Note that the push connected or was lost, and poll accordingly from now."""
        self.pushed = pushed
        if self.data is not None:
            self._set_interval(self.data)

    async def async_library_changed(self) -> None:
        """The library changed: read it (and everything else) again, soon."""
        self._library_read = None
        await self.async_request_refresh()

    async def async_push_sessions(self, sessions: tuple[Session, ...]) -> None:
        """Take the sessions the server pushed (stale ones left out, as a poll does)."""
        data: JellyfinData | None = self.data  # None until the first poll is done
        if data is None:
            return
        active = active_sessions(sessions, dt_util.utcnow())
        self.async_set_updated_data(replace(data, sessions=active))
        await self._refresh_if_old()

    async def async_push_scan(self, scan: ScheduledTask | None) -> None:
        """Take the scan task as pushed; its end means the library changed."""
        data: JellyfinData | None = self.data  # None until the first poll is done
        if data is None or data.scan_denied is not None:
            return  # without the right to read tasks, a pushed task list changes nothing
        self.async_set_updated_data(replace(data, scan=scan))
        if scan_ended(scan, self._scan_end):
            await self.async_library_changed()
            return
        await self._refresh_if_old()

    async def _refresh_if_old(self) -> None:
        """Read the library again when it is ``library_max_age`` old.

        Every push sets the data and so postpones the scheduled poll; this
        keeps a busy server's counts from growing older than that.
        """
        read = self._library_read
        if read is None or dt_util.utcnow() - read >= self.library_max_age:
            await self.async_library_changed()
