"""Jellyfin as Pandora Box shows it: what one poll reads and how entities present it.

``async_fetch_jellyfin`` reads the active sessions and the library-scan task,
and the library counts and latest additions when the library may have
changed; ``JellyfinCoordinator`` (coordinator.py) calls it and keeps the
result, ``push.py`` replaces parts of it with what the server's WebSocket
pushes.  The rest are pure functions
that turn that snapshot into entity states and attributes, kept here so the
platform files stay declarative.

Latest additions are shaped for upcoming-media-card (custom-cards, 2024+),
which reads a sensor whose state is the number of items and whose ``data``
attribute is a list: element 0 holds the card's line templates, every later
element one item with ``title``, ``episode``, ``number``, ``airdate`` (items
without one are skipped by the card), ``release``, ``runtime`` (minutes),
``rating``, ``genres``, ``studio``, ``poster``, ``fanart`` and ``flag``.  We
add ``year``, ``type`` and ``id`` for other cards and templates.  Poster URLs
are Jellyfin's anonymous image route (``/Items/{id}/Images/Primary?tag=…``):
they never carry the API key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from ...api import PandoraClient
from ...api.errors import InvalidAuthError, PermissionDeniedError
from ...api.jellyfin import (
    DEFAULT_ACTIVE_WITHIN_SECONDS,
    ItemCounts,
    JellyfinClient,
    LatestItem,
    ScheduledTask,
    Session,
)

LATEST_LIMIT: Final = 10
"""How many recently added movies and episodes the latest-items sensor lists."""

UPCOMING_MEDIA_CARD_DEFAULTS: Final[dict[str, str]] = {
    "title_default": "$title",
    "line1_default": "$episode",
    "line2_default": "$number",
    "line3_default": "$release",
    "line4_default": "$date",
    "icon": "mdi:movie-open-plus",
}
"""Element 0 of the ``data`` attribute: the card's default line templates."""

_NEVER: Final = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class JellyfinData:
    """One poll of a Jellyfin server."""

    version: str | None
    counts: ItemCounts
    sessions: tuple[Session, ...]
    scan: ScheduledTask | None
    latest: tuple[LatestItem, ...]
    scan_denied: PermissionDeniedError | None = None
    """Why the scan task could not be read (a user without administrator rights), if so."""

    @property
    def scan_known(self) -> bool:
        """Whether the scan task could be read (the scan entities are unavailable if not)."""
        return self.scan_denied is None

    @property
    def playing(self) -> tuple[Session, ...]:
        """The sessions that play something now."""
        return tuple(s for s in self.sessions if s.now_playing is not None)

    @property
    def library(self) -> LibrarySnapshot:
        """What the library held when last read."""
        return LibrarySnapshot(counts=self.counts, latest=self.latest)

    @property
    def players(self) -> dict[str, Session]:
        """The sessions Home Assistant can control, by client device id (stable).

        A client with several sessions shows its most recently active one.
        """
        found: dict[str, Session] = {}
        for session in self.sessions:
            if not session.supports_remote_control or not session.device_id:
                continue
            known = found.get(session.device_id)
            if known is None or (session.last_activity or _NEVER) > (known.last_activity or _NEVER):
                found[session.device_id] = session
        return found

    @property
    def scanning(self) -> bool:
        """Whether the library scan runs now."""
        return self.scan is not None and self.scan.running


@dataclass(frozen=True, slots=True, kw_only=True)
class LibrarySnapshot:
    """What the library held when last read: counts and latest additions."""

    counts: ItemCounts
    latest: tuple[LatestItem, ...]


def active_sessions(
    sessions: Sequence[Session], now: datetime, within_s: int = DEFAULT_ACTIVE_WITHIN_SECONDS
) -> tuple[Session, ...]:
    """The sessions active within ``within_s`` of ``now``, as ``/Sessions?activeWithinSeconds``.

    The socket's ``Sessions`` lists every session the server holds, stale
    ones too; this keeps what a poll would show.
    """
    oldest = now - timedelta(seconds=within_s)
    return tuple(s for s in sessions if s.last_activity is None or s.last_activity >= oldest)


def _raise_first(results: Sequence[object]) -> None:
    """Raise the first error among ``results``, a refused key before any other."""
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise next((e for e in errors if isinstance(e, InvalidAuthError)), errors[0])


async def async_fetch_jellyfin(
    client: PandoraClient,
    *,
    version: str | None,
    library: LibrarySnapshot | None = None,
    scan_end: datetime | None = None,
) -> JellyfinData:
    """Read the sessions and the scan task, and the library when it may have changed.

    ``library`` is what the last read of the library found (``None``: read
    it); it is read again anyway when the library scan ended after
    ``scan_end``, the end of the scan the last read saw.  The counts and the
    latest additions are what makes a large server sort and count its whole
    library, so they are not read on every poll.  Reads of one phase run
    concurrently and all finish before an error is raised (no request is left
    running unobserved); a refused key wins over other errors so that the
    reauth flow starts rather than a plain outage.  A token without
    administrator rights cannot read the scheduled tasks: that part alone is
    left out (``scan_denied``), the rest of the poll stands.
    """
    if not isinstance(client, JellyfinClient):
        raise TypeError(f"not a Jellyfin client: {type(client).__name__}")
    sessions, scan = await asyncio.gather(
        client.async_sessions(), client.async_library_scan_task(), return_exceptions=True
    )
    scan_denied: PermissionDeniedError | None = None
    if isinstance(scan, PermissionDeniedError):
        scan_denied, scan = scan, None
    _raise_first((sessions, scan))
    assert isinstance(sessions, list)
    assert scan is None or isinstance(scan, ScheduledTask)
    if library is None or scan_ended(scan, scan_end):
        counts, latest = await asyncio.gather(
            client.async_item_counts(), client.async_latest_items(LATEST_LIMIT),
            return_exceptions=True,
        )  # fmt: skip
        _raise_first((counts, latest))
        assert isinstance(counts, ItemCounts)
        assert isinstance(latest, list)
        library = LibrarySnapshot(counts=counts, latest=tuple(latest))
    return JellyfinData(
        version=version,
        counts=library.counts,
        sessions=tuple(sessions),
        scan=scan,
        latest=library.latest,
        scan_denied=scan_denied,
    )


def scan_ended(scan: ScheduledTask | None, seen_end: datetime | None) -> bool:
    """Whether the library scan ended since the one that ended at ``seen_end``."""
    return (
        scan is not None
        and not scan.running
        and scan.last_end is not None
        and (seen_end is None or scan.last_end > seen_end)
    )


# -- presentation -------------------------------------------------------------------


def scan_progress(data: JellyfinData) -> float:
    """Progress of the library scan in percent (0 while none runs)."""
    if data.scan is None or not data.scan.running:
        return 0.0
    return round(data.scan.progress or 0.0, 1)


def scan_attributes(data: JellyfinData) -> dict[str, Any]:
    """How the last library scan ended, for the scan-running binary sensor."""
    scan = data.scan
    if scan is None:
        return {}
    return {
        "last_result": scan.last_result_status,
        "last_started": scan.last_start.isoformat() if scan.last_start else None,
        "last_finished": scan.last_end.isoformat() if scan.last_end else None,
    }


def active_users(data: JellyfinData) -> list[str]:
    """The distinct user names of the active sessions, sorted."""
    return sorted({s.user_name for s in data.sessions if s.user_name})


def now_playing_attributes(data: JellyfinData) -> dict[str, Any]:
    """Who plays what, how far in, on which client (one entry per playing session)."""
    playing: list[dict[str, Any]] = []
    for session in data.playing:
        item = session.now_playing
        assert item is not None
        progress = item.progress
        playing.append(
            {
                "user": session.user_name,
                "client": session.client,
                "device": session.device_name,
                "title": item.name,
                "series": item.series_name,
                "type": item.type,
                "progress": None if progress is None else round(progress, 1),
                "position": None if item.position_s is None else round(item.position_s),
                "runtime": None if item.runtime_s is None else round(item.runtime_s),
                "paused": item.paused,
            }
        )
    return {"sessions": playing}


def _card_item(item: LatestItem) -> dict[str, Any]:
    """One recently added item as upcoming-media-card expects it."""
    is_episode = item.type == "Episode"
    number = None
    if is_episode and item.season is not None and item.episode is not None:
        number = f"S{item.season:02d}E{item.episode:02d}"
    return {
        "id": item.id,
        "type": item.type,
        "title": item.series_name if is_episode and item.series_name else item.name,
        "episode": item.name if is_episode else None,
        "number": number,
        "year": item.year,
        "release": str(item.year) if item.year is not None else None,
        "airdate": item.date_created.isoformat() if item.date_created else None,
        "runtime": None if item.runtime_s is None else round(item.runtime_s / 60),
        "rating": None if item.rating is None else round(item.rating, 1),
        "genres": None,
        "studio": None,
        "poster": item.image_url,
        "fanart": None,  # no backdrop read: the card then shows the poster
        "flag": False,
    }


def latest_attributes(data: JellyfinData) -> dict[str, Any]:
    """The ``data`` list of upcoming-media-card: templates first, then the items."""
    return {"data": [dict(UPCOMING_MEDIA_CARD_DEFAULTS), *map(_card_item, data.latest)]}
