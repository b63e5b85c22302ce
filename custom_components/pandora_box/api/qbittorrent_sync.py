"""Merge qBittorrent's ``sync/maindata`` diffs into one state, and say what changed.

qBittorrent's WebUI polls ``sync/maindata?rid=N`` and merges each answer into
what it holds (``src/webui/www/private/scripts/client.js``): a
``full_update`` replaces everything; otherwise each entry of ``torrents``
updates the named fields of that torrent (a new hash arrives with all its
fields), ``torrents_removed`` drops hashes, ``categories`` updates or adds
categories the same way, ``categories_removed`` drops them, ``tags`` adds and
``tags_removed`` drops tags, and ``server_state`` updates only the keys it
carries.  :class:`SyncState` does exactly that (trackers are not kept: nothing
here needs them) and reports what changed as :class:`SyncChanges`.

Cost: :meth:`SyncState.apply` touches only the hashes a diff names (plus
every hash on a ``full_update``); typed :class:`Torrent` objects are rebuilt
lazily, only for hashes that changed since the last :meth:`SyncState.torrents`
call, and the per-state counts (:meth:`SyncState.counts`) are kept up to date
incrementally, so a steady-state poll costs O(changed torrents), not O(all).

When is a torrent *completed*?  Each hash carries a ``complete`` flag:

* it becomes ``True`` when the merged ``progress`` is ``>= 1`` (qBittorrent
  sends exactly 1 when every wanted piece is there; ``completion_on`` and the
  state follow, but ``completion_on`` is not cleared when a recheck finds
  data missing, and upload states also mean "seeding a partial selection");
* it becomes ``False`` when ``progress < 1``;
* it is *held* (neither set nor cleared) while the torrent is in a state
  where ``progress`` does not tell the truth: ``checkingDL``, ``checkingUP``,
  ``checkingResumeData`` (qBittorrent reports progress from 0 again while it
  checks, e.g. for every torrent at its own start), ``moving``, ``error``,
  ``missingFiles`` and ``unknown``.  A new hash first seen in such a state
  starts as not complete.

A hash is reported in :attr:`SyncChanges.completed` when its flag goes from
``False`` to ``True``, and also when a hash new to this state arrives complete
(added and finished between two polls: a short download must not be missed;
a torrent added with its data already there counts as completed too).  A
recheck of a complete torrent that finds everything therefore reports
nothing, and one that finds data missing reports completed again once the
data is downloaded again: each report is a real transition.

Known torrents survive a restart through :meth:`SyncState.seed`: seed the
minimal records :meth:`SyncState.known_record` produced before the stop, and
the first (full) answer afterwards reports the torrents added, completed and
removed in between.  No Home Assistant import here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from .qbittorrent import (
    ERROR_STATES,
    PAUSED_STATES as _NORMALISED_PAUSED_STATES,
    STATE_ALIASES,
    MainDataDiff,
    ServerState,
    Torrent,
)

KNOWN_FIELDS: Final = ("name", "category", "save_path", "size", "progress")
"""The raw fields :meth:`SyncState.known_record` keeps of each torrent (for a Store)."""

HOLD_STATES: Final = frozenset(
    {"checkingDL", "checkingUP", "checkingResumeData", "moving", "error", "missingFiles", "unknown"}
)
"""States in which ``progress`` is not trusted: the complete flag is held."""

DOWNLOADING_STATES: Final = frozenset(
    {
        "downloading",
        "forcedDL",
        "metaDL",
        "forcedMetaDL",
        "stalledDL",
        "queuedDL",
        "checkingDL",
        "allocating",
    }
)
"""Not paused and still fetching data (qBittorrent's "downloading" minus paused ones)."""

SEEDING_STATES: Final = frozenset({"uploading", "stalledUP", "forcedUP", "queuedUP", "checkingUP"})
"""Not paused and complete."""

PAUSED_STATES: Final = _NORMALISED_PAUSED_STATES.union(STATE_ALIASES)
"""Paused on 4.x, stopped on 5.x: the same thing (raw states, before normalising)."""

ERRORED_STATES: Final = ERROR_STATES

BUSY_STATES: Final = frozenset(
    {
        "downloading",
        "forcedDL",
        "metaDL",
        "forcedMetaDL",
        "stalledDL",
        "allocating",
        "checkingDL",
        "checkingUP",
        "checkingResumeData",
        "moving",
    }
)
"""States that deserve fast polling: data moves or may move any moment."""

_NO_FIELDS: Final[Mapping[str, Any]] = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class TorrentCounts:
    """How many torrents are in each bucket (a torrent can be in several)."""

    total: int = 0
    downloading: int = 0
    """Not paused, not complete: in :data:`DOWNLOADING_STATES`."""
    seeding: int = 0
    """Not paused, complete: in :data:`SEEDING_STATES`."""
    paused: int = 0
    """``paused*`` (4.x) or ``stopped*`` (5.x)."""
    errored: int = 0
    """``error`` or ``missingFiles``."""
    active: int = 0
    """Moving data right now: download or upload speed above 0 (qBittorrent's "active")."""
    busy: int = 0
    """In :data:`BUSY_STATES` (the coordinator polls fast while this is above 0)."""


_BUCKETS: Final = ("downloading", "seeding", "paused", "errored", "active", "busy")


def buckets(fields: Mapping[str, Any]) -> tuple[bool, ...]:
    """Which of the count buckets (order of ``_BUCKETS``) raw torrent fields fall in."""
    state = fields.get("state")
    return (
        state in DOWNLOADING_STATES,
        state in SEEDING_STATES,
        state in PAUSED_STATES,
        state in ERRORED_STATES,
        bool(fields.get("dlspeed") or fields.get("upspeed")),
        state in BUSY_STATES,
    )


def _progress_complete(fields: Mapping[str, Any], previous: bool) -> bool:
    """The complete flag of raw fields, given the flag before (see the module docstring)."""
    if fields.get("state") in HOLD_STATES:
        return previous
    progress = fields.get("progress")
    if isinstance(progress, int | float) and not isinstance(progress, bool):
        return progress >= 1
    return previous


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncChanges:
    """What one :meth:`SyncState.apply` changed.

    ``added``, ``completed`` and ``changed`` hold hashes in the order the
    answer listed them; ``removed`` maps each removed hash to its last known
    raw fields.  ``changed`` holds hashes that were known before and whose
    fields changed (added and removed ones are not in it).  A new hash that
    arrives complete is in both ``added`` and ``completed``.
    """

    full_update: bool = False
    added: tuple[str, ...] = ()
    removed: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    completed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    categories_changed: bool = False
    tags_changed: bool = False
    server_changed: bool = False

    @property
    def torrents_changed(self) -> bool:
        """Whether any torrent was added, removed or changed."""
        return bool(self.added or self.removed or self.changed)


class SyncState:
    """The merged ``sync/maindata`` of one qBittorrent, as its WebUI keeps it.

    Call :meth:`apply` with each answer of ``async_sync_maindata(state.rid)``.
    Raw torrent fields are kept per hash (lower-case hashes, as qBittorrent
    sends them); read them with :meth:`fields`, typed with :meth:`torrents`.
    """

    __slots__ = (
        "_buckets",
        "_categories",
        "_complete",
        "_counts",
        "_dirty",
        "_server",
        "_server_typed",
        "_tags",
        "_torrents",
        "_typed",
        "rid",
    )

    def __init__(self) -> None:
        """Start empty with ``rid`` 0 (the next answer is a full one)."""
        self._reset()

    def _reset(self) -> None:
        """Forget everything; ``rid`` 0."""
        self.rid = 0
        self._torrents: dict[str, dict[str, Any]] = {}
        self._categories: dict[str, dict[str, Any]] = {}
        self._tags: dict[str, None] = {}  # an ordered set
        self._server: dict[str, Any] = {}
        self._complete: dict[str, bool] = {}
        self._buckets: dict[str, tuple[bool, ...]] = {}
        self._counts = [0] * len(_BUCKETS)
        self._typed: dict[str, Torrent] = {}
        self._dirty: set[str] = set()
        self._server_typed: ServerState | None = None

    # -- restart -----------------------------------------------------------------------

    def seed(self, known: Mapping[str, Mapping[str, Any]]) -> None:
        """Start from torrents known before a restart (records of :meth:`known_record`).

        ``rid`` stays 0, so the next answer is a full one and :meth:`apply`
        reports what was added, completed and removed meanwhile.
        """
        self._reset()
        for torrent_hash, record in known.items():
            fields = {k: v for k, v in record.items() if k in KNOWN_FIELDS}
            self._insert(torrent_hash, fields, complete=bool(record.get("complete")))

    def known_record(self, torrent_hash: str) -> dict[str, Any]:
        """The minimal record of a torrent to keep across restarts (JSON-safe)."""
        fields = self._torrents[torrent_hash]
        record: dict[str, Any] = {k: fields[k] for k in KNOWN_FIELDS if k in fields}
        record["complete"] = self._complete[torrent_hash]
        return record

    def known_records(self) -> dict[str, dict[str, Any]]:
        """:meth:`known_record` of every torrent."""
        return {torrent_hash: self.known_record(torrent_hash) for torrent_hash in self._torrents}

    # -- merging -----------------------------------------------------------------------

    def apply(self, diff: MainDataDiff) -> SyncChanges:
        """Merge one ``sync/maindata`` answer and report what changed."""
        self.rid = diff.rid
        if diff.full_update:
            return self._apply_full(diff)
        removed: dict[str, Mapping[str, Any]] = {}
        for torrent_hash in diff.torrents_removed:
            gone = self._drop(torrent_hash)
            if gone is not None:
                removed[torrent_hash] = gone
        added, completed, changed = self._merge_torrents(diff.torrents, replace=False)
        categories_changed = False
        for name, cat_delta in diff.categories.items():
            self._categories.setdefault(name, {}).update(cat_delta)
            categories_changed = True
        for name in diff.categories_removed:
            categories_changed |= self._categories.pop(name, None) is not None
        tags_changed = False
        for tag in diff.tags:
            if tag not in self._tags:
                self._tags[tag] = None
                tags_changed = True
        for tag in diff.tags_removed:
            if tag in self._tags:
                del self._tags[tag]
                tags_changed = True
        server_changed = False
        if diff.server_state:
            self._server.update(diff.server_state)
            self._server_typed = None
            server_changed = True
        return SyncChanges(
            added=tuple(added),
            removed=removed,
            completed=tuple(completed),
            changed=tuple(changed),
            categories_changed=categories_changed,
            tags_changed=tags_changed,
            server_changed=server_changed,
        )

    def _merge_torrents(
        self, torrents: Mapping[str, Mapping[str, Any]], *, replace: bool
    ) -> tuple[list[str], list[str], list[str]]:
        """Merge the ``torrents`` of an answer; return the added, completed and changed hashes.

        A new hash is inserted with all its fields.  A known one is updated with
        the fields sent (an empty delta changes nothing) or, with ``replace`` (a
        full answer carries every field), replaced when they differ.
        """
        added: list[str] = []
        completed: list[str] = []
        changed: list[str] = []
        for torrent_hash, fields in torrents.items():
            current = self._torrents.get(torrent_hash)
            if current is None:
                added.append(torrent_hash)
                if self._insert(torrent_hash, dict(fields), complete=False):
                    completed.append(torrent_hash)
                continue
            if replace:
                if current == fields:
                    continue
                # a full answer carries every field: replace, do not merge
                current.clear()
            elif not fields:
                continue
            current.update(fields)
            changed.append(torrent_hash)
            if self._refresh(torrent_hash, current):
                completed.append(torrent_hash)
        return added, completed, changed

    def _apply_full(self, diff: MainDataDiff) -> SyncChanges:
        """Replace everything with a full answer; compare with what was there."""
        old = self._torrents
        removed = {h: fields for h, fields in old.items() if h not in diff.torrents}
        for torrent_hash in removed:
            self._drop(torrent_hash)
        added, completed, changed = self._merge_torrents(diff.torrents, replace=True)
        new_categories = {name: dict(cat) for name, cat in diff.categories.items()}
        new_tags = dict.fromkeys(diff.tags)
        new_server = dict(diff.server_state)
        categories_changed = new_categories != self._categories
        tags_changed = list(new_tags) != list(self._tags)
        server_changed = new_server != self._server
        self._categories, self._tags, self._server = new_categories, new_tags, new_server
        self._server_typed = None
        return SyncChanges(
            full_update=True,
            added=tuple(added),
            removed=removed,
            completed=tuple(completed),
            changed=tuple(changed),
            categories_changed=categories_changed,
            tags_changed=tags_changed,
            server_changed=server_changed,
        )

    def _insert(self, torrent_hash: str, fields: dict[str, Any], *, complete: bool) -> bool:
        """Add a torrent; return whether it arrives complete (flag from ``complete``)."""
        self._torrents[torrent_hash] = fields
        flag = _progress_complete(fields, complete)
        self._complete[torrent_hash] = flag
        new = buckets(fields)
        self._buckets[torrent_hash] = new
        counts = self._counts
        for i, inside in enumerate(new):
            if inside:
                counts[i] += 1
        self._dirty.add(torrent_hash)
        return flag

    def _refresh(self, torrent_hash: str, fields: Mapping[str, Any]) -> bool:
        """Recompute flag, buckets and typed object of a changed torrent; True: completed."""
        was = self._complete[torrent_hash]
        flag = _progress_complete(fields, was)
        self._complete[torrent_hash] = flag
        old = self._buckets[torrent_hash]
        new = buckets(fields)
        if new != old:
            self._buckets[torrent_hash] = new
            counts = self._counts
            for i in range(len(new)):
                counts[i] += new[i] - old[i]
        self._dirty.add(torrent_hash)
        return flag and not was

    def _drop(self, torrent_hash: str) -> dict[str, Any] | None:
        """Forget a torrent; return its last fields (``None`` when it was not known)."""
        fields = self._torrents.pop(torrent_hash, None)
        if fields is None:
            return None
        del self._complete[torrent_hash]
        counts = self._counts
        for i, inside in enumerate(self._buckets.pop(torrent_hash)):
            if inside:
                counts[i] -= 1
        self._typed.pop(torrent_hash, None)
        self._dirty.discard(torrent_hash)
        return fields

    # -- reading -----------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of torrents."""
        return len(self._torrents)

    def __contains__(self, torrent_hash: object) -> bool:
        """Whether a torrent with this hash is known."""
        return torrent_hash in self._torrents

    def hashes(self) -> Iterable[str]:
        """Hashes of every torrent, in the order they arrived."""
        return self._torrents.keys()

    def fields(self, torrent_hash: str) -> Mapping[str, Any]:
        """Merged raw fields of one torrent (a read-only view; empty when unknown)."""
        fields = self._torrents.get(torrent_hash)
        return _NO_FIELDS if fields is None else MappingProxyType(fields)

    def is_complete(self, torrent_hash: str) -> bool:
        """The complete flag of a torrent (see the module docstring)."""
        return self._complete.get(torrent_hash, False)

    def torrent(self, torrent_hash: str) -> Torrent | None:
        """The typed torrent with this hash, or ``None``."""
        if torrent_hash not in self._torrents:
            return None
        return self.torrents()[torrent_hash]

    def torrents(self) -> Mapping[str, Torrent]:
        """Every torrent, typed, by hash: a read-only view kept up to date by :meth:`apply`.

        Only torrents that changed since the last call are parsed again.
        """
        if self._dirty:
            typed, fields = self._typed, self._torrents
            for torrent_hash in self._dirty:
                typed[torrent_hash] = Torrent.from_api(torrent_hash, fields[torrent_hash])
            self._dirty.clear()
        return MappingProxyType(self._typed)

    def counts(self) -> TorrentCounts:
        """How many torrents are in each bucket (kept incrementally)."""
        return TorrentCounts(
            total=len(self._torrents), **dict(zip(_BUCKETS, self._counts, strict=True))
        )

    def server(self) -> ServerState:
        """The merged server state, typed."""
        if self._server_typed is None:
            self._server_typed = ServerState.from_api(self._server)
        return self._server_typed

    @property
    def server_fields(self) -> Mapping[str, Any]:
        """The merged raw server state (read-only view)."""
        return MappingProxyType(self._server)

    @property
    def categories(self) -> Mapping[str, Mapping[str, Any]]:
        """Raw categories by name (``name``, ``savePath``), read-only view."""
        return MappingProxyType(self._categories)

    @property
    def tags(self) -> tuple[str, ...]:
        """Tags, in the order they arrived."""
        return tuple(self._tags)

    def raw(self) -> dict[str, Any]:
        """A deep-enough copy of the merged state, shaped like a full answer (for tests)."""
        return {
            "torrents": {h: dict(f) for h, f in self._torrents.items()},
            "categories": {n: dict(c) for n, c in self._categories.items()},
            "tags": sorted(self._tags),
            "server_state": dict(self._server),
        }
