"""The watchlist of a TMDB entry: what the user wants to see, until it is in the library.

One list per TMDB entry, shown as its to-do entity (``todo.py``) and on its
calendars (``calendar.py``), kept in a ``Store`` per entry
(``pandora_box.watchlist.<entry_id>``) so items and their state survive
restarts.

**Resolution.**  An item's text is looked up on TMDB (``Title (1999)`` or
``Title 1999`` narrows by year).  One title whose name is the text, or a
single result, resolves it; several of the same name, or several results
none of which is named so, leave it *ambiguous*: the item says which titles
match and is not monitored until the user renames it (renaming re-resolves).
``add_to_watchlist`` with ``tmdb_id`` + ``media_type`` needs no search.

**Monitoring** (``Watchlist.async_tick``, every minute on Home Assistant's
clock):

* a film not yet released *waits* for its release date (TMDB's, in the
  entry's region), then is *searched*;
* a show monitors one season as a season pack: the season that airs next
  (``next_episode_to_air``; a season not started yet waits for its first air
  date), else its latest aired season.  No per-episode grabbing;
* searching is ``download_media`` itself (``media/download.py``, through Home
  Assistant's action registry: TMDB, the Watchmode check when *my streaming
  services* is set, Jackett ranked by the Jackett entry's preferences,
  qBittorrent).  Bounded: each item at most every ``SEARCH_EVERY`` (6 h, plus
  a stable per-item offset so items spread out), at most
  ``SEARCHES_PER_TICK`` searches a minute overall, and after an upstream
  error no search for a backoff that doubles from 5 minutes to 6 hours;
* before ``download_media`` runs, the item's *intent* (phase ``grabbing``)
  is written to the Store.  A grab interrupted there (a restart, a crash, a
  timeout) is reconciled with qBittorrent's list (``get_torrents``) on the
  next tick: a torrent of ``download_media``'s tag named after the title
  means it was added (``downloading``), none means it was not (searched
  again).  ``download_media`` refuses a torrent qBittorrent already has, so
  no item is grabbed twice;
* a picked release fires ``pandora_box_watchlist_grabbed``; progress comes
  from ``get_torrents`` each tick; ``pandora_box_media_ready`` for the
  torrent marks the item *in library* and completes it.

The item's description says its state: waiting for release, searching,
downloading 45 %, in library.  A completed item (by the user or by the
library) is no longer monitored; un-completing it resumes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
import hashlib
import re
from typing import Any, Final, Literal
import unicodedata
import uuid

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ...api.errors import ResponseError
from ...api.tmdb import MediaDetails, MediaItem, MediaType
from ...const import DOMAIN, LOGGER, Kind
from ...coordinator import PandoraConfigEntry
from ...helpers import loaded_entries
from ..cache import async_cached_details, async_cached_search

STORE_VERSION: Final = 1
EVENT_WATCHLIST_GRABBED: Final = f"{DOMAIN}_watchlist_grabbed"
"""Fired when the watchlist picked a release and qBittorrent took it."""
EVENT_MEDIA_READY: Final = f"{DOMAIN}_media_ready"
"""Post-processing's event (``media/postprocess.py``): a download is in the library."""
DOWNLOAD_TAG: Final = "pandora_box"
"""The tag ``download_media`` gives its torrents (``media/download.py``)."""

TICK: Final = timedelta(minutes=1)
SEARCH_EVERY: Final = timedelta(hours=6)
SPREAD: Final = timedelta(minutes=30)
"""Items spread over this much beyond ``SEARCH_EVERY`` (a stable offset per item)."""
SEARCHES_PER_TICK: Final = 2
"""At most this many Jackett searches a minute, over the whole list."""
BACKOFF_FIRST: Final = timedelta(minutes=5)
BACKOFF_MAX: Final = timedelta(hours=6)
INTENT_SLACK: Final = timedelta(minutes=1)
"""qBittorrent's ``added_on`` is whole seconds from its own clock: allow for both."""
MAX_CANDIDATES: Final = 3
"""How many matching titles an ambiguous item names."""

_YEAR_SUFFIX: Final = re.compile(r"^(?P<title>.+?)\s*[\(\[]?(?P<year>(?:18|19|20)\d\d)[\)\]]?$")
_WORD: Final = re.compile(r"[a-z0-9]+")


class Phase(StrEnum):
    """Where an item is, from the text the user typed to the library."""

    UNRESOLVED = "unresolved"
    """Ambiguous or not found on TMDB: not monitored until renamed."""
    WAITING = "waiting"
    """Not released yet."""
    SEARCHING = "searching"
    GRABBING = "grabbing"
    """Intent recorded, ``download_media`` running (or interrupted: reconciled)."""
    DOWNLOADING = "downloading"
    IN_LIBRARY = "in_library"
    REMOVED = "removed"
    """Its torrent left qBittorrent before it reached the library: not monitored."""


MONITORED: Final = frozenset({Phase.WAITING, Phase.SEARCHING, Phase.GRABBING, Phase.DOWNLOADING})


@dataclass(kw_only=True)
class WatchItem:
    """One item of the watchlist, as the Store keeps it (JSON-safe fields)."""

    uid: str
    summary: str
    completed: bool = False
    phase: Phase = Phase.UNRESOLVED
    note: str | None = None
    """What the last step said (ambiguity, last search), shown in the description."""
    tmdb_id: int | None = None
    media_type: MediaType | None = None
    title: str | None = None
    year: int | None = None
    release_date: str | None = None
    """Films: the release date; shows: the monitored season's first air date."""
    season: int | None = None
    next_search: str | None = None
    """ISO time of the next search (``None``: at the next tick)."""
    searches: int = 0
    torrent_hash: str | None = None
    release: str | None = None
    """Name of the picked release."""
    progress: float | None = None
    """0 to 100 while downloading."""
    path: str | None = None
    """Where post-processing filed it."""
    intent_at: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> WatchItem:
        """An item from the Store (unknown keys of a later version are dropped)."""
        known = {name: raw[name] for name in cls.__dataclass_fields__ if name in raw}
        item = cls(**known)
        item.phase = Phase(item.phase)
        return item

    def as_dict(self) -> dict[str, Any]:
        """The item as the Store keeps it."""
        data = asdict(self)
        data["phase"] = self.phase.value
        return data

    @property
    def label(self) -> str:
        """``The Matrix (1999)``; the text typed while unresolved."""
        if self.title is None:
            return self.summary
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def monitored(self) -> bool:
        """Whether the scheduler works on it."""
        return not self.completed and self.phase in MONITORED

    def response(self) -> dict[str, Any]:
        """The item in an action's response."""
        return {
            "uid": self.uid,
            "summary": self.summary,
            "state": self.phase.value,
            "description": describe(self),
            "tmdb_id": self.tmdb_id,
            "media_type": self.media_type,
            "title": self.title,
            "year": self.year,
            "release_date": self.release_date,
            "season": self.season,
        }


def describe(item: WatchItem) -> str:
    """The item's state in one or two English sentences (the to-do description)."""
    what = "" if item.season is None else f"Season {item.season} as a season pack. "
    match item.phase:
        case Phase.UNRESOLVED:
            text = item.note or "Not found on TMDB."
        case Phase.WAITING:
            when = item.release_date or "a date TMDB does not know yet"
            text = f"{what}Waiting for release on {when}."
        case Phase.SEARCHING:
            text = f"{what}Searching."
            if item.note:
                text += f" {item.note}"
            if item.next_search is not None:
                local = dt_util.as_local(dt_util.parse_datetime(item.next_search) or dt_util.now())
                text += f" Next search {local:%Y-%m-%d %H:%M}."
        case Phase.GRABBING:
            text = f"{what}Adding the best release to qBittorrent."
        case Phase.DOWNLOADING:
            text = f"Downloading {round(item.progress or 0)} %: {item.release or 'release'}."
        case Phase.IN_LIBRARY:
            text = "In library" + (f": {item.path}." if item.path else ".")
        case Phase.REMOVED:
            text = (
                f"{item.release or 'The download'} was removed from qBittorrent; "
                "rename the item to search again."
            )
    return text


def words(text: str) -> list[str]:
    """Lower-case ASCII words of ``text``, for comparing titles."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _WORD.findall(plain.replace("'", "").replace("&", " and "))


def split_year(text: str) -> tuple[str, int | None]:
    """``The Matrix (1999)`` → (``The Matrix``, 1999); a bare year stays a title."""
    match = _YEAR_SUFFIX.match(text.strip())
    if match is None or not match.group("title").strip(" ([-"):
        return text.strip(), None
    return match.group("title").strip(" ([-"), int(match.group("year"))


@dataclass(slots=True)
class Resolution:
    """What TMDB said about an item's text: one title, several, or none."""

    found: MediaItem | None = None
    candidates: list[MediaItem] = field(default_factory=list)


def pick(results: tuple[MediaItem, ...], query: str, year: int | None) -> Resolution:
    """The one title meant by ``query``, or the candidates when that is not clear."""
    wanted = words(query)
    exact = [item for item in results if words(item.title) == wanted]
    if year is not None:
        exact = [item for item in exact if item.year == year]
    if len(exact) == 1:
        return Resolution(found=exact[0])
    if exact:
        return Resolution(candidates=exact)
    if len(results) == 1:
        return Resolution(found=results[0])
    return Resolution(candidates=list(results))


def _spread(uid: str) -> timedelta:
    """A stable offset of an item within ``SPREAD``, so items do not search together."""
    digest = int(hashlib.sha256(uid.encode()).hexdigest()[:8], 16)
    return timedelta(seconds=digest % int(SPREAD.total_seconds()))


def _iso(when: datetime) -> str:
    return when.isoformat()


def _today() -> date:
    return dt_util.now().date()


def store_key(entry_id: str) -> str:
    """The Store of one entry's watchlist."""
    return f"{DOMAIN}.watchlist.{entry_id}"


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the watchlist of a removed entry."""
    await Store[dict[str, Any]](hass, STORE_VERSION, store_key(entry_id)).async_remove()


type AddOutcome = Literal["added", "already_listed"]


class Watchlist:
    """The items of one TMDB entry, their resolution and their monitoring."""

    def __init__(self, hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
        """Nothing is read until ``async_load``."""
        self.hass = hass
        self.entry = entry
        self.items: list[WatchItem] = []
        self._store = Store[dict[str, Any]](hass, STORE_VERSION, store_key(entry.entry_id))
        self._listeners: list[CALLBACK_TYPE] = []
        self._lock = asyncio.Lock()
        self._backoff: timedelta | None = None
        self._paused_until: datetime | None = None
        self._reconciled = False
        self._unsubscribe: list[CALLBACK_TYPE] = []

    # -- lifecycle -----------------------------------------------------------------------

    async def async_load(self) -> None:
        """Read the Store; an intent found there is reconciled on the first tick."""
        stored = await self._store.async_load()
        raw_items = stored.get("items", []) if isinstance(stored, dict) else []
        self.items = [WatchItem.from_dict(raw) for raw in raw_items if isinstance(raw, dict)]

    @callback
    def async_start(self) -> None:
        """Tick every minute and listen for the library; ``async_stop`` ends both."""
        self._unsubscribe.append(async_track_time_interval(self.hass, self._async_tick, TICK))
        self._unsubscribe.append(self.hass.bus.async_listen(EVENT_MEDIA_READY, self._media_ready))

    @callback
    def async_stop(self) -> None:
        """Stop ticking and listening (entry unload)."""
        while self._unsubscribe:
            self._unsubscribe.pop()()

    async def async_save(self) -> None:
        """Write the list now (intents must be on disk before the add)."""
        await self._store.async_save({"items": [item.as_dict() for item in self.items]})

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` whenever an item changes; returns the remover."""
        self._listeners.append(listener)

        def remove() -> None:
            self._listeners.remove(listener)

        return remove

    async def _async_changed(self) -> None:
        """Save and tell the entities."""
        await self.async_save()
        for listener in list(self._listeners):
            listener()

    # -- items ---------------------------------------------------------------------------

    def get(self, uid: str) -> WatchItem | None:
        """The item with ``uid``."""
        return next((item for item in self.items if item.uid == uid), None)

    def listed(self, media_type: str, tmdb_id: int) -> WatchItem | None:
        """The item of that title, if the list has it."""
        return next(
            (i for i in self.items if i.tmdb_id == tmdb_id and i.media_type == media_type),
            None,
        )

    async def async_add(
        self,
        summary: str | None = None,
        *,
        tmdb_id: int | None = None,
        media_type: MediaType | None = None,
        uid: str | None = None,
        completed: bool = False,
    ) -> tuple[AddOutcome, WatchItem]:
        """Add an item by text or by id and resolve it; a title listed already is not added.

        TMDB faults raise ``PandoraError`` (callers translate); a text TMDB
        cannot pin down is added unresolved.
        """
        item = WatchItem(uid=uid or uuid.uuid4().hex, summary=(summary or "").strip())
        item.completed = completed
        if tmdb_id is not None and media_type is not None:
            details = await self._async_details(media_type, tmdb_id)
            if details is None:
                raise ResponseError(f"TMDB has no {media_type} with id {tmdb_id}", status=404)
            await self._async_apply(item, details)
        else:
            await self._async_resolve(item)
        if item.tmdb_id is not None and item.media_type is not None:
            existing = self.listed(item.media_type, item.tmdb_id)
            if existing is not None:
                return "already_listed", existing
        self.items.append(item)
        await self._async_changed()
        return "added", item

    async def async_edit(self, uid: str, *, summary: str, completed: bool) -> None:
        """Rename (re-resolves the text) or complete/un-complete an item."""
        item = self.get(uid)
        if item is None:
            raise ValueError(uid)
        item.completed = completed
        if summary.strip() and summary.strip() != item.summary:
            item.summary = summary.strip()
            if item.phase not in (Phase.GRABBING, Phase.DOWNLOADING, Phase.IN_LIBRARY):
                for name in ("tmdb_id", "media_type", "title", "year", "release_date", "season"):
                    setattr(item, name, None)
                item.note, item.torrent_hash, item.release = None, None, None
                await self._async_resolve(item)
        await self._async_changed()

    async def async_delete(self, uids: list[str]) -> None:
        """Remove items (a download already running is left alone)."""
        self.items = [item for item in self.items if item.uid not in uids]
        await self._async_changed()

    async def async_move(self, uid: str, previous_uid: str | None) -> None:
        """Put ``uid`` after ``previous_uid`` (first when ``None``)."""
        item = self.get(uid)
        if item is None or (previous_uid is not None and self.get(previous_uid) is None):
            raise ValueError(previous_uid if item is not None else uid)
        self.items.remove(item)
        index = 0 if previous_uid is None else self.items.index(self.get(previous_uid)) + 1  # type: ignore[arg-type]
        self.items.insert(index, item)
        await self._async_changed()

    # -- resolution ----------------------------------------------------------------------

    async def _async_details(self, media_type: MediaType, tmdb_id: int) -> MediaDetails | None:
        try:
            return await async_cached_details(self.entry, media_type, tmdb_id)
        except ResponseError as err:
            if err.status == 404:
                return None
            raise

    async def _async_resolve(self, item: WatchItem) -> None:
        """Look the item's text up on TMDB; unresolved with a note when it is not clear."""
        query, year = split_year(item.summary)
        if not words(query):
            item.phase, item.note = Phase.UNRESOLVED, "Type the title of a film or show."
            return
        page = await async_cached_search(self.entry, query, media_type="multi", year=year)
        found = pick(page.results, query, year)
        if found.found is None and year is not None:
            # "Blade Runner 2049": the number was part of the title
            whole = item.summary.strip()
            page = await async_cached_search(self.entry, whole, media_type="multi")
            if (retry := pick(page.results, whole, None)).found is not None:
                found = retry
        if found.found is None:
            if not found.candidates:
                item.phase = Phase.UNRESOLVED
                item.note = (
                    f"Nothing on TMDB matches “{item.summary}”; rename the item to try again."
                )
                return
            names = ", ".join(
                f"{c.title} ({c.year or '?'}, {'film' if c.media_type == 'movie' else 'show'})"
                for c in found.candidates[:MAX_CANDIDATES]
            )
            more = len(found.candidates) - MAX_CANDIDATES
            if more > 0:
                names += f" and {more} more"
            example = found.candidates[0]
            item.phase = Phase.UNRESOLVED
            item.note = (
                f"Several titles match “{item.summary}”: {names}. Not monitored until you "
                f"rename the item to one of them, e.g. “{example.title} ({example.year})”."
            )
            return
        details = await self._async_details(found.found.media_type, found.found.tmdb_id)
        if details is None:
            item.phase, item.note = Phase.UNRESOLVED, f"TMDB lost “{item.summary}”."
            return
        await self._async_apply(item, details)

    async def _async_apply(self, item: WatchItem, details: MediaDetails) -> None:
        """Take the title TMDB resolved, and decide what to wait for."""
        item.tmdb_id, item.media_type = details.tmdb_id, details.media_type
        item.title, item.year = details.title, details.year
        item.summary = item.label
        item.note = None
        if details.media_type == "movie":
            item.release_date = details.release_date or None
            item.season = None
        else:
            nxt, last = details.next_episode, details.last_episode
            if nxt is not None and (last is None or nxt.season > last.season):
                item.season, item.release_date = nxt.season, nxt.air_date
            elif nxt is not None:
                item.season, item.release_date = nxt.season, None
            else:
                item.season = last.season if last is not None else details.number_of_seasons
                item.release_date = None
        released = item.release_date is None or date.fromisoformat(item.release_date) <= _today()
        if details.media_type == "movie" and item.release_date is None:
            released = False  # a film without any date is not out
        item.phase = Phase.SEARCHING if released else Phase.WAITING
        item.next_search = None

    # -- monitoring ----------------------------------------------------------------------

    async def _async_tick(self, now: datetime) -> None:
        """One round of the scheduler (``TICK``); rounds never overlap."""
        if self._lock.locked():
            return
        async with self._lock:
            try:
                await self.async_run_once(now)
            except Exception:  # noqa: BLE001 - the schedule must survive any one round
                LOGGER.exception("Watchlist round of %s failed", self.entry.title)

    async def async_run_once(self, now: datetime) -> None:
        """Reconcile intents, follow downloads, start searches that are due."""
        changed = False
        torrents = await self._async_torrents() if self._needs_torrents() else None
        if torrents is not None:
            changed |= self._reconcile(torrents, now)
            changed |= self._follow(torrents)
        for item in self.items:
            if (
                item.phase is Phase.WAITING
                and not item.completed
                and item.release_date is not None
                and date.fromisoformat(item.release_date) <= now.date()
            ):
                item.phase, item.next_search = Phase.SEARCHING, None
                changed = True
        if changed:
            await self._async_changed()
        if self._paused_until is not None and now < self._paused_until:
            return
        due = [
            item
            for item in self.items
            if item.monitored
            and item.phase is Phase.SEARCHING
            and (
                item.next_search is None or (dt_util.parse_datetime(item.next_search) or now) <= now
            )
        ]
        due.sort(key=lambda item: item.next_search or "")
        for item in due[:SEARCHES_PER_TICK]:
            if not await self._async_grab(item, now):
                break  # an upstream fault: back off, search nothing more this round

    def _needs_torrents(self) -> bool:
        return any(
            item.phase in (Phase.GRABBING, Phase.DOWNLOADING) and not item.completed
            for item in self.items
        )

    async def _async_torrents(self) -> list[dict[str, Any]] | None:
        """The torrents of qBittorrent (``get_torrents``), ``None`` when it cannot say."""
        entries = loaded_entries(self.hass, Kind.QBITTORRENT)
        if len(entries) != 1:
            return None
        try:
            response = await self.hass.services.async_call(
                DOMAIN,
                "get_torrents",
                {"config_entry_id": entries[0].entry_id},
                blocking=True,
                return_response=True,
            )
        except HomeAssistantError as err:
            LOGGER.debug("Watchlist of %s cannot read qBittorrent: %s", self.entry.title, err)
            return None
        rows = response.get("torrents") if isinstance(response, dict) else None
        return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else None

    def _matches(self, item: WatchItem, torrent: Mapping[str, Any]) -> bool:
        """Whether a torrent is this item's.

        Its hash, else one added since the grab began and named after the
        title (and year, or season).
        """
        if item.torrent_hash is not None:
            return str(torrent.get("hash", "")).lower() == item.torrent_hash.lower()
        added = dt_util.parse_datetime(str(torrent.get("added_on") or ""))
        began = dt_util.parse_datetime(item.intent_at or "")
        if added is None or began is None or added < began - INTENT_SLACK:
            return False
        name = words(str(torrent.get("name", "")))
        title = words(item.title or "")
        if not title or name[: len(title)] != title:
            return False
        rest = name[len(title) :]
        if item.media_type == "movie":
            return item.year is None or str(item.year) in rest[:3]
        return item.season is None or bool(
            re.search(rf"\bs0*{item.season}\b|\bseason {item.season}\b", " ".join(rest))
        )

    def _reconcile(self, torrents: list[dict[str, Any]], now: datetime) -> bool:
        """Intents found on start: added if qBittorrent lists the torrent, else search again."""
        changed = False
        for item in self.items:
            if item.phase is not Phase.GRABBING:
                continue
            found = next((t for t in torrents if self._matches(item, t)), None)
            if found is not None:
                item.phase = Phase.DOWNLOADING
                item.torrent_hash = str(found.get("hash")) or None
                item.release = item.release or str(found.get("name"))
                item.progress = float(found.get("progress") or 0)
            else:
                item.phase, item.next_search = Phase.SEARCHING, _iso(now)
                item.note = "The last grab was interrupted before qBittorrent had it."
                item.intent_at = None
            changed = True
        return changed

    def _follow(self, torrents: list[dict[str, Any]]) -> bool:
        """Progress of the downloads; a torrent that left qBittorrent ends its item."""
        changed = False
        for item in self.items:
            if item.phase is not Phase.DOWNLOADING or item.completed:
                continue
            found = next((t for t in torrents if self._matches(item, t)), None)
            if found is None:
                item.phase, item.progress = Phase.REMOVED, None
                changed = True
                continue
            progress = float(found.get("progress") or 0)
            if progress != item.progress:
                item.progress = progress
                changed = True
        return changed

    def _later(self, item: WatchItem, now: datetime) -> str:
        return _iso(now + SEARCH_EVERY + _spread(item.uid))

    async def _async_grab(self, item: WatchItem, now: datetime) -> bool:
        """One search of ``download_media`` for ``item``; ``False`` after an upstream fault."""
        item.phase, item.intent_at, item.searches = Phase.GRABBING, _iso(now), item.searches + 1
        await self._async_changed()  # the intent is on disk before anything is added
        data: dict[str, Any] = {
            "config_entry_id": [self.entry.entry_id],
            "tmdb_id": item.tmdb_id,
            "media_type": item.media_type,
        }
        if item.season is not None:
            data["season"] = item.season
        try:
            response = await self.hass.services.async_call(
                DOMAIN, "download_media", data, blocking=True, return_response=True
            )
        except ServiceValidationError as err:
            # no Jackett entry, several qBittorrent entries…: say so, try again later
            item.phase, item.intent_at = Phase.SEARCHING, None
            item.note, item.next_search = str(err), self._later(item, now)
            await self._async_changed()
            return True
        except HomeAssistantError as err:
            self._backoff = min(BACKOFF_MAX, (self._backoff or BACKOFF_FIRST / 2) * 2)
            self._paused_until = now + self._backoff
            item.phase, item.intent_at = Phase.SEARCHING, None
            item.note = f"The last search failed: {err}"
            item.next_search = _iso(self._paused_until)
            LOGGER.debug("Watchlist search for %s failed: %s", item.label, err)
            await self._async_changed()
            return False
        self._backoff = self._paused_until = None
        answer: dict[str, Any] = dict(response or {})
        reason = answer.get("reason")
        release = answer.get("release") if isinstance(answer.get("release"), dict) else None
        if reason in ("added", "already_downloading"):
            item.phase, item.note, item.progress = Phase.DOWNLOADING, None, 0.0
            item.torrent_hash = answer.get("hash") or (release or {}).get("info_hash")
            item.release = (release or {}).get("title")
            await self._async_changed()
            if reason == "added":
                self.hass.bus.async_fire(
                    EVENT_WATCHLIST_GRABBED,
                    {
                        "entry_id": self.entry.entry_id,
                        "uid": item.uid,
                        "tmdb_id": item.tmdb_id,
                        "media_type": item.media_type,
                        "title": item.title,
                        "year": item.year,
                        "season": item.season,
                        "release": item.release,
                        "hash": item.torrent_hash,
                        "category": answer.get("category"),
                    },
                )
            return True
        if reason == "no_match":
            item.phase, item.note = Phase.UNRESOLVED, answer.get("message")
        else:
            item.phase, item.note = Phase.SEARCHING, answer.get("message")
            item.next_search = self._later(item, now)
        await self._async_changed()
        return True

    @callback
    def _media_ready(self, event: Event[Mapping[str, Any]]) -> None:
        """Post-processing filed a download: the item it belongs to is in the library."""
        torrent_hash = str(event.data.get("hash", "")).lower()
        for item in self.items:
            if (
                item.phase is Phase.DOWNLOADING
                and (item.torrent_hash or "").lower() == torrent_hash
            ):
                item.phase, item.completed, item.progress = Phase.IN_LIBRARY, True, 100.0
                item.path = event.data.get("path")
                self.hass.async_create_task(self._async_changed())


def watchlist_of(entry: PandoraConfigEntry) -> Watchlist:
    """The watchlist of a loaded TMDB entry (its coordinator keeps it)."""
    watchlist = getattr(entry.runtime_data.coordinator, "watchlist", None)
    if not isinstance(watchlist, Watchlist):  # pragma: no cover - callers resolve the kind
        raise TypeError(f"{entry.title} has no watchlist")
    return watchlist
