"""Runtime data of a Pandora Box config entry and the coordinators that poll upstreams.

Each entry is one upstream.  Its client and, for kinds that poll, its
coordinator live in ``entry.runtime_data``; nothing is kept in ``hass.data``.

``PandoraCoordinator`` is the one base every kind's coordinator subclasses: it
owns the mapping of client errors to what Home Assistant expects of a
coordinator (``ConfigEntryAuthFailed`` starts reauth; ``UpdateFailed`` makes
the entities unavailable until a later poll succeeds, logged once by the
base class).  Subclasses implement ``_async_fetch`` and return a typed
dataclass.  The polling interval is fixed per kind, never a user option.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api.errors import CannotConnectError, InvalidAuthError, ResponseError
from .api.models import UpstreamInfo
from .api.portainer import PortainerClient
from .api.qbittorrent import QBittorrentClient
from .clients import PandoraClient, entry_client
from .const import DOMAIN, LOGGER, Kind
from .health import HealthMonitor
from .jellyfin import JellyfinData, async_fetch_jellyfin
from .media_cache import TMDBData, async_fetch_tmdb_dashboard
from .portainer_model import PortainerData, PortainerFetcher
from .qbittorrent import (
    FAST_INTERVAL,
    SLOW_INTERVAL,
    QBittorrentData,
    TorrentOptions,
    TorrentTracker,
    busy,
    most_recent,
)


@dataclass(kw_only=True, slots=True)
class PandoraRuntimeData:
    """What a loaded entry holds: kind, client, what the upstream reported, coordinator."""

    kind: Kind
    client: PandoraClient
    info: UpstreamInfo
    coordinator: PandoraCoordinator[Any] | None = None
    health: HealthMonitor | None = None
    """Connectivity and repair issues (``health.py``), started by the binary sensor platform."""


type PandoraConfigEntry = ConfigEntry[PandoraRuntimeData]


class PandoraCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """Base coordinator: one upstream, a fixed interval, one error mapping."""

    config_entry: PandoraConfigEntry
    interval: ClassVar[timedelta]
    """How often the kind polls (a subclass may adapt ``update_interval`` later)."""

    def __init__(self, hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
        """Poll ``entry``'s upstream every ``interval``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=self.interval,
        )

    @override
    async def _async_update_data(self) -> DataT:
        """Fetch through ``_async_fetch``, mapping client errors for Home Assistant."""
        try:
            return await self._async_fetch()
        except InvalidAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
                translation_placeholders={"title": self.config_entry.title, "error": err.message},
            ) from err
        except (CannotConnectError, ResponseError) as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"title": self.config_entry.title, "error": err.message},
            ) from err

    async def _async_fetch(self) -> DataT:
        """Read the upstream and return the new data (subclasses implement this)."""
        raise NotImplementedError


def coordinator_of[CoordinatorT: PandoraCoordinator[Any]](
    entry: PandoraConfigEntry, cls: type[CoordinatorT]
) -> CoordinatorT:
    """The coordinator of a loaded entry, as the type its kind has (callers know the kind)."""
    coordinator = entry.runtime_data.coordinator
    if not isinstance(coordinator, cls):  # pragma: no cover - callers know the kind
        raise TypeError(f"{entry.title} has no {cls.__name__}")
    return coordinator


# -- per-kind coordinators ----------------------------------------------------------
# Each kind that polls adds its coordinator class below, constructed as
# ``Cls(hass, entry)``, and registers it in COORDINATORS at the end of the file.

# -- qBittorrent (issue 5) --


AFTER_CHANGE_FAST_S = 15.0
"""Seconds of fast polling after an action, so its effect shows within one fast poll."""


class QBittorrentCoordinator(PandoraCoordinator[QBittorrentData]):
    """Polls one qBittorrent with ``sync/maindata`` diffs; fires the torrent events.

    The first poll reads everything (``rid`` 0); every later one asks only
    for what changed and merges it (``api/qbittorrent_sync.py``).  Events and
    the Store of known torrents: ``qbittorrent.TorrentTracker``.  Polls every
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

    def keep_fast_after_change(self) -> None:
        """Poll fast for a while after an action changed something.

        qBittorrent applies a pause or resume to the state it reports only at
        its next internal refresh (every 1.5 s, measured on 4.5.2), so the
        refresh right after the action may still see the old state; without
        this an idle qBittorrent would show it a whole slow interval late.
        """
        self._fast_until = self.hass.loop.time() + AFTER_CHANGE_FAST_S

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
        options = self.options
        return QBittorrentData(
            server=server,
            counts=counts,
            torrents=dict(sync.torrents()),
            recent=most_recent(sync, options.torrent_count) if options.torrent_entities else (),
        )

    @override
    async def async_shutdown(self) -> None:
        """Stop polling and write the known torrents (an unload or a stop)."""
        await super().async_shutdown()
        await self.tracker.async_flush()


# -- Portainer (issue 7) --


class PortainerCoordinator(PandoraCoordinator[PortainerData]):
    """Polls a Portainer instance: environments, stacks, every container, stats.

    The reading (identity by name, kept containers of stopped stacks,
    bounded concurrent stats) lives in ``portainer_model.py``; this class
    only ties it to the entry.  Devices and entities follow the data in
    ``portainer.py``.
    """

    interval = timedelta(seconds=30)

    def __init__(self, hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
        """Poll ``entry``'s Portainer through its client."""
        super().__init__(hass, entry)
        self.client = client = entry_client(entry, PortainerClient)
        self.fetcher = PortainerFetcher(client, entry.entry_id)
        self.device_tracker: Callable[[], None] | None = None
        """Unsubscribes the stale-device listener (``portainer.async_track_devices``)."""

    @override
    async def _async_setup(self) -> None:
        """Remember the containers of existing devices (kept ones of stopped stacks)."""
        self.fetcher.seed_from_registry(self.hass)

    @override
    async def _async_fetch(self) -> PortainerData:
        """Read everything once (see ``PortainerFetcher.async_fetch``)."""
        return await self.fetcher.async_fetch()


# -- Jellyfin (issue 7) --


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
        self.update_interval = self.scan_interval if data.scanning else self.interval
        return data

    def _set_sw_version(self, version: str | None) -> None:
        """Show a new server version on the entry's service device."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        device = registry.async_get_device_by_identifier((DOMAIN, entry_id), entry_id)
        if device is not None:
            registry.async_update_device(device.id, sw_version=version)


# -- TMDB (issue 8) --


class TMDBCoordinator(PandoraCoordinator[TMDBData]):
    """Reads the TMDB lists behind the dashboard sensors, hourly.

    Trending films and shows (of the day) and upcoming films, through the
    entry's answer cache (``media_cache.py``), so an action asking for the
    same list within the cache lifetime costs no request.  Watchmode has no
    coordinator: its quota is too small to poll.
    """

    interval = timedelta(hours=1)

    @override
    async def _async_fetch(self) -> TMDBData:
        """Read the three lists."""
        return await async_fetch_tmdb_dashboard(self.config_entry)


COORDINATORS: dict[Kind, type[PandoraCoordinator[Any]]] = {
    Kind.QBITTORRENT: QBittorrentCoordinator,
    Kind.PORTAINER: PortainerCoordinator,
    Kind.JELLYFIN: JellyfinCoordinator,
    Kind.TMDB: TMDBCoordinator,
}
"""The coordinator class of each kind that polls; kinds absent here do not poll."""
