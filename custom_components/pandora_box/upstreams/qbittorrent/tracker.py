"""qBittorrent's state between polls: coordinator data, events that are never lost.

The coordinator (``coordinator.py``, ``QBittorrentCoordinator``) polls
``sync/maindata`` with a ``rid`` and merges the diffs in a
:class:`~...api.qbittorrent_sync.SyncState`; this module holds what it keeps:

* :class:`TorrentTracker` owns the ``SyncState`` and a ``Store`` of the known
  torrents of one entry (hash, name, category, save path, size, complete
  flag).  It fires ``pandora_box_torrent_added``, ``…_completed`` and
  ``…_removed`` once per real transition (see the completion rule in
  ``api/qbittorrent_sync.py``).  The first successful poll after a fresh
  install fires nothing (existing torrents are not news); after a restart
  the stored torrents seed the state, so whatever was added, completed or
  removed while Home Assistant was stopped fires once on the first poll.
  A magnet without metadata yet has no size (qBittorrent lists it with
  ``size`` 0 in ``metaDL``): while it fetches, its *added* waits until a
  poll shows its size, at most :data:`METADATA_WAIT`, so the event and the
  logbook say how big it is; removed before, it fires *added* and *removed*
  in turn.  A magnet added stopped fetches nothing and fires at once.
* the polling interval: :data:`FAST_INTERVAL` while anything downloads or
  checks (or data comes in), :data:`SLOW_INTERVAL` when idle; fixed by the
  integration, never a user option.
* the options of a qBittorrent entry (per-torrent entities, how many);
* the torrent shape of ``MISSION.md`` and the ``get_torrents`` filters (the
  actions themselves are in ``actions.py``).

``coordinator.py`` imports this module, so it imports nothing of the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import heapq
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from ...api.qbittorrent import ServerState, SpeedLimits, Torrent
from ...api.qbittorrent_sync import (
    DOWNLOADING_STATES,
    SEEDING_STATES,
    SyncChanges,
    SyncState,
    TorrentCounts,
)
from ...const import DOMAIN

FAST_INTERVAL: Final = timedelta(seconds=5)
"""Polling while a torrent downloads, checks or moves data in."""
SLOW_INTERVAL: Final = timedelta(seconds=60)
"""Polling when nothing downloads: a diff poll is cheap, but idle is idle."""

EVENT_TORRENT_ADDED: Final = f"{DOMAIN}_torrent_added"
EVENT_TORRENT_COMPLETED: Final = f"{DOMAIN}_torrent_completed"
EVENT_TORRENT_REMOVED: Final = f"{DOMAIN}_torrent_removed"
EVENT_TYPES: Final = ("torrent_added", "torrent_completed", "torrent_removed")
"""Event types of the event entity (the bus events without the domain prefix)."""
BUS_EVENTS: Final = (EVENT_TORRENT_ADDED, EVENT_TORRENT_COMPLETED, EVENT_TORRENT_REMOVED)

METADATA_STATES: Final = frozenset({"metaDL", "forcedMetaDL"})
"""States of a magnet that fetches its metadata (a stopped one fetches nothing: no wait)."""
METADATA_WAIT: Final = 60.0
"""Seconds an *added* event waits for a magnet's metadata (its size) before it fires anyway."""

ATTR_ENTRY_ID: Final = "entry_id"
ATTR_HASH: Final = "hash"

CONF_TORRENT_ENTITIES: Final = "torrent_entities"
CONF_TORRENT_COUNT: Final = "torrent_count"
DEFAULT_TORRENT_COUNT: Final = 10
MAX_TORRENT_COUNT: Final = 50

STORE_VERSION: Final = 1
SAVE_DELAY: Final = 1.0
"""Seconds before known torrents are written after a change (one write per burst)."""

FILTERS: Final = ("all", "downloading", "seeding", "completed", "paused", "active", "errored")


@dataclass(frozen=True, slots=True, kw_only=True)
class TorrentOptions:
    """The options of a qBittorrent entry."""

    torrent_entities: bool = False
    torrent_count: int = DEFAULT_TORRENT_COUNT

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TorrentOptions:
        """Read the entry's options (defaults for what is missing)."""
        count = int(options.get(CONF_TORRENT_COUNT, DEFAULT_TORRENT_COUNT))
        return cls(
            torrent_entities=bool(options.get(CONF_TORRENT_ENTITIES, False)),
            torrent_count=min(max(count, 1), MAX_TORRENT_COUNT),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class QBittorrentData:
    """What one poll of qBittorrent yields."""

    server: ServerState
    counts: TorrentCounts
    torrents: Mapping[str, Torrent]
    """Every torrent by hash."""
    recent: tuple[str, ...] = ()
    """The most recently active torrents that get their own entities (option), newest first."""
    limits: SpeedLimits = field(default_factory=SpeedLimits)
    """The global and alternative speed limits (the pair in force as of this poll)."""


def busy(counts: TorrentCounts, server: ServerState) -> bool:
    """Whether to poll fast: something downloads or checks, or data comes in."""
    return counts.busy > 0 or bool(server.dl_info_speed)


def most_recent(sync: SyncState, count: int) -> tuple[str, ...]:
    """Hashes of the ``count`` most recently active torrents (``last_activity``, then added)."""

    def key(torrent_hash: str) -> tuple[int, int, str]:
        fields = sync.fields(torrent_hash)
        last, added = fields.get("last_activity"), fields.get("added_on")
        return (
            last if isinstance(last, int) else 0,
            added if isinstance(added, int) else 0,
            torrent_hash,
        )

    return tuple(heapq.nlargest(count, sync.hashes(), key=key))


def event_data(entry_id: str, torrent: Torrent) -> dict[str, Any]:
    """The data of a torrent event (``MISSION.md``)."""
    return {
        ATTR_ENTRY_ID: entry_id,
        ATTR_HASH: torrent.hash,
        "name": torrent.name,
        "category": torrent.category,
        "save_path": torrent.save_path,
        "size": torrent.size,
    }


def _fetching(torrent: Torrent) -> bool:
    """Whether qBittorrent is still fetching the torrent's metadata (so its size is unknown)."""
    return not torrent.size and torrent.state in METADATA_STATES


class TorrentTracker:
    """The merged state of one entry's qBittorrent, its Store of known torrents, its events."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare an empty state; :meth:`async_load` reads what is known."""
        self.hass = hass
        self.entry_id = entry_id
        self.sync = SyncState()
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, store_key(entry_id), private=True
        )
        self._fresh = True  # nothing stored: the first poll is the baseline
        self._synced = False  # a poll succeeded since loading
        self._sizeless: dict[str, float] = {}
        """Added torrents whose *added* waits for their size: hash → when first seen."""

    async def async_load(self) -> None:
        """Seed the state with the torrents known before Home Assistant stopped."""
        stored = await self._store.async_load()
        if stored is None:
            return
        torrents = stored.get("torrents")
        self.sync.seed(torrents if isinstance(torrents, dict) else {})
        self._fresh = False

    def process(self, changes: SyncChanges) -> None:
        """Fire the events of one merged answer and keep the Store up to date."""
        self._synced = True
        if self._fresh:
            self._fresh = False
            self._save()
            return
        fire = self.hass.bus.async_fire
        torrents = self.sync.torrents()
        now = self.hass.loop.time()
        self._sizeless.update((h, now) for h in changes.added if _fetching(torrents[h]))
        for torrent_hash in changes.added:
            if torrent_hash not in self._sizeless:
                fire(EVENT_TORRENT_ADDED, event_data(self.entry_id, torrents[torrent_hash]))
        for torrent_hash, seen in list(self._sizeless.items()):
            torrent = torrents.get(torrent_hash)
            if torrent is None:
                continue  # removed: announced below, before its removal
            if not _fetching(torrent) or now - seen >= METADATA_WAIT:
                del self._sizeless[torrent_hash]
                fire(EVENT_TORRENT_ADDED, event_data(self.entry_id, torrent))
        for torrent_hash in changes.completed:
            fire(EVENT_TORRENT_COMPLETED, event_data(self.entry_id, torrents[torrent_hash]))
        for torrent_hash, fields in changes.removed.items():
            gone = Torrent.from_api(torrent_hash, fields)
            if self._sizeless.pop(torrent_hash, None) is not None:
                fire(EVENT_TORRENT_ADDED, event_data(self.entry_id, gone))
            fire(EVENT_TORRENT_REMOVED, event_data(self.entry_id, gone))
        if changes.added or changes.completed or changes.removed or changes.full_update:
            self._save()

    def _records(self) -> dict[str, Any]:
        return {"torrents": self.sync.known_records()}

    def _save(self) -> None:
        self._store.async_delay_save(self._records, SAVE_DELAY)

    async def async_flush(self) -> None:
        """Write the known torrents now (on unload); nothing before a first poll."""
        if self._synced:
            await self._store.async_save(self._records())


def store_key(entry_id: str) -> str:
    """The Store key of an entry's known torrents."""
    return f"{DOMAIN}.qbittorrent.{entry_id}"


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the known torrents of a removed entry."""
    await Store[dict[str, Any]](hass, STORE_VERSION, store_key(entry_id)).async_remove()


# -- actions ------------------------------------------------------------------------------


def torrent_response(torrent: Torrent) -> dict[str, Any]:
    """A torrent in the shape of ``MISSION.md``: progress 0 to 100, times as ISO 8601."""
    return {
        "hash": torrent.hash,
        "name": torrent.name,
        "state": torrent.state,
        "progress": round(torrent.progress * 100, 1),
        "size": torrent.size,
        "download_speed": torrent.dlspeed,
        "upload_speed": torrent.upspeed,
        "eta": torrent.eta,
        "category": torrent.category,
        "save_path": torrent.save_path,
        "added_on": _iso(torrent.added_on),
        "completed_on": _iso(torrent.completion_on),
    }


def _iso(timestamp: int | None) -> str | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC).isoformat()


def matches(torrent: Torrent, wanted: str) -> bool:
    """Whether a torrent passes a ``get_torrents`` filter (the sensors count the same way)."""
    match wanted:
        case "downloading":
            return torrent.raw_state in DOWNLOADING_STATES
        case "seeding":
            return torrent.raw_state in SEEDING_STATES
        case "completed":
            return torrent.complete
        case "paused":
            return torrent.paused
        case "active":
            return bool(torrent.dlspeed or torrent.upspeed)
        case "errored":
            return torrent.errored
    return True
