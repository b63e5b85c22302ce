"""The qBittorrent coordinator: ``sync/maindata`` diffs, adaptive interval, torrent events."""

from __future__ import annotations

from typing import override

from homeassistant.core import HomeAssistant

from ...api.qbittorrent import QBittorrentClient, SpeedLimits
from ...coordinator import PandoraConfigEntry, PandoraCoordinator, entry_client
from .tracker import (
    FAST_INTERVAL,
    SLOW_INTERVAL,
    QBittorrentData,
    TorrentOptions,
    TorrentTracker,
    busy,
    most_recent,
)

AFTER_CHANGE_FAST_S = 15.0
"""Seconds of fast polling after an action, so its effect shows within one fast poll."""
LIMITS_MAX_AGE_S = 300.0
"""Seconds after which the speed limits are read from the preferences again.

``sync/maindata`` reports only the pair of limits in force (global, or the
alternative ones while they are on), and every poll takes those from it; the
other pair changes only when someone edits the WebUI's options, so reading
``app/preferences`` (some 200 keys) every few minutes is enough.
"""


class QBittorrentCoordinator(PandoraCoordinator[QBittorrentData]):
    """Polls one qBittorrent with ``sync/maindata`` diffs; fires the torrent events.

    The first poll reads everything (``rid`` 0); every later one asks only
    for what changed and merges it (``api/qbittorrent_sync.py``).  Events and
    the Store of known torrents: ``tracker.TorrentTracker``.  Polls every
    5 s while something downloads or checks, every 60 s when idle.  An
    expired session logs in again inside the client; a refused login is
    ``ConfigEntryAuthFailed`` (base class).
    """

    interval = FAST_INTERVAL

    def __init__(self, hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
        """Poll ``entry``'s qBittorrent through its client."""
        super().__init__(hass, entry)
        self.client = entry_client(entry, QBittorrentClient)
        self.tracker = TorrentTracker(hass, entry.entry_id)
        self.options = TorrentOptions.from_options(entry.options)
        self._fast_until = 0.0
        self._limits: SpeedLimits | None = None
        self._limits_read_at = 0.0

    def keep_fast_after_change(self) -> None:
        """Poll fast for a while after an action changed something.

        qBittorrent applies a pause or resume to the state it reports only at
        its next internal refresh (every 1.5 s, measured on 4.5.2), so the
        refresh right after the action may still see the old state; without
        this an idle qBittorrent would show it a whole slow interval late.
        """
        self._fast_until = self.hass.loop.time() + AFTER_CHANGE_FAST_S

    async def async_read_limits(self) -> SpeedLimits:
        """Read the four speed limits from the preferences now (after a change, when stale)."""
        self._limits = await self.client.async_speed_limits()
        self._limits_read_at = self.hass.loop.time()
        return self._limits

    @override
    async def _async_setup(self) -> None:
        """Load the torrents known before the last stop."""
        await self.tracker.async_load()

    @override
    async def _async_fetch(self) -> QBittorrentData:
        """Merge the next diff, fire its events, pick the next interval."""
        sync = self.tracker.sync
        changes = sync.apply(await self.client.async_sync_maindata(sync.rid))
        self.tracker.process(changes)
        counts, server = sync.counts(), sync.server()
        fast = busy(counts, server) or self.hass.loop.time() < self._fast_until
        self.update_interval = FAST_INTERVAL if fast else SLOW_INTERVAL
        limits = self._limits
        if limits is None or self.hass.loop.time() - self._limits_read_at > LIMITS_MAX_AGE_S:
            limits = await self.async_read_limits()
        options = self.options
        return QBittorrentData(
            server=server,
            counts=counts,
            torrents=dict(sync.torrents()),
            recent=most_recent(sync, options.torrent_count) if options.torrent_entities else (),
            limits=limits.with_active(server),
        )

    @override
    async def async_shutdown(self) -> None:
        """Stop polling and write the known torrents (an unload or a stop)."""
        await super().async_shutdown()
        await self.tracker.async_flush()
