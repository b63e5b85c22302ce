"""The journal of post-processing: one ``Store`` per qBittorrent entry, nothing lost, nothing twice.

``postprocess.py`` files a finished torrent away in four steps; this module
remembers, on disk, which of them are done, so a restart at any point goes
on with the first step not done and ``pandora_box_media_ready`` fires once
per torrent, ever.

The Store (``.storage/pandora_box.postprocess.<entry_id>``, private) holds,
version :data:`STORE_VERSION` (minor 1)::

    {"jobs": {"<hash>": {
        "name": "Big.Buck.Bunny…",        # the torrent as its completion reported it
        "category": "movies",
        "save_path": "/downloads/movies",  # qBittorrent's names, the first report's
        "recorded": "2026-12-03T17:00:00+00:00",
        "steps": {"moved": "<iso>", "relocated": "<iso>",
                  "refreshed": "<iso>", "announced": "<iso>"},  # done steps only
        "content": "Big.Buck.Bunny…",      # set with "moved": what was moved,
        "destination": "/library/Movies",  # into which folder (CloudCmd's names)
        "path": "/library/Movies/Big…"     # set with "announced"
    }}}

Rules:

* A job is recorded (and written) before its first step; each step is
  written as soon as it is done, before the next one starts (``async_save``,
  never a delayed write: a crash loses at most the step that was running,
  and every step can run twice).  The completion's own record, the
  tracker's Store of known torrents, is written a second later
  (``tracker.SAVE_DELAY``), so a completion is never recorded without its
  job.
* ``announced`` is the last step: the record stays (a few hundred bytes per
  torrent) so a completion reported again, after any number of restarts,
  announces nothing.  A torrent whose category no longer maps to a library
  folder is forgotten (logged).
* The journal lives in the entry's runtime data (made on first use); the
  entry's unload closes it: a job still running stops before its next step
  without writing, and the journal the reloaded entry reads resumes it.
  Removing the entry removes the Store (``async_remove_journal``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..coordinator import PandoraConfigEntry

STORE_VERSION: Final = 1

STEP_MOVED: Final = "moved"
"""The content is in the library folder (CloudCmd)."""
STEP_RELOCATED: Final = "relocated"
"""qBittorrent seeds it from there (or has nothing to relocate)."""
STEP_REFRESHED: Final = "refreshed"
"""Every loaded Jellyfin was asked to scan."""
STEP_ANNOUNCED: Final = "announced"
"""``pandora_box_media_ready`` fired."""
STEPS: Final = (STEP_MOVED, STEP_RELOCATED, STEP_REFRESHED, STEP_ANNOUNCED)


class JournalClosedError(Exception):
    """The entry unloaded: the job stops here, its reloaded journal resumes it."""


@dataclass(slots=True, kw_only=True)
class JobRecord:
    """One torrent's job as the journal keeps it."""

    hash: str
    name: str
    category: str | None
    save_path: str | None
    recorded: str
    steps: dict[str, str] = field(default_factory=dict)
    content: str | None = None
    destination: str | None = None
    path: str | None = None

    def done(self, step: str) -> bool:
        """Whether ``step`` is recorded as done."""
        return step in self.steps

    @property
    def next_step(self) -> str | None:
        """The first step not done (``None``: announced, nothing left)."""
        return next((step for step in STEPS if step not in self.steps), None)

    def as_dict(self) -> dict[str, Any]:
        """The record as stored."""
        return {
            "name": self.name,
            "category": self.category,
            "save_path": self.save_path,
            "recorded": self.recorded,
            "steps": dict(self.steps),
            "content": self.content,
            "destination": self.destination,
            "path": self.path,
        }

    @classmethod
    def from_dict(cls, torrent_hash: str, data: Any) -> JobRecord | None:
        """Read a stored record; ``None`` for one that is not a record (logged)."""
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return None

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value else None

        steps = data.get("steps")
        return cls(
            hash=torrent_hash,
            name=data["name"],
            category=text("category"),
            save_path=text("save_path"),
            recorded=text("recorded") or "",
            steps={
                step: str(when)
                for step, when in (steps.items() if isinstance(steps, dict) else ())
                if step in STEPS
            },
            content=text("content"),
            destination=text("destination"),
            path=text("path"),
        )


class Journal:
    """The post-processing jobs of one qBittorrent entry, kept in a Store."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """An empty journal; :meth:`async_load` reads the Store."""
        self.entry_id = entry_id
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, store_key(entry_id), private=True
        )
        self._jobs: dict[str, JobRecord] = {}
        self._loaded = False
        self._load_lock = asyncio.Lock()
        self.running: set[str] = set()
        """Hashes of jobs being worked on now (a retry never runs next to itself)."""
        self.closed = False

    async def async_load(self) -> None:
        """Read the Store once (later calls return at once)."""
        async with self._load_lock:
            if self._loaded:
                return
            stored = await self._store.async_load()
            jobs = stored.get("jobs") if isinstance(stored, dict) else None
            for torrent_hash, data in jobs.items() if isinstance(jobs, dict) else ():
                record = JobRecord.from_dict(torrent_hash, data)
                if record is None:
                    LOGGER.warning("Ignoring a malformed post-processing record %s", torrent_hash)
                    continue
                self._jobs[torrent_hash] = record
            self._loaded = True

    def get(self, torrent_hash: str) -> JobRecord | None:
        """The record of a torrent (``None``: never a job)."""
        return self._jobs.get(torrent_hash)

    def pending(self) -> list[JobRecord]:
        """Records not announced yet, oldest first."""
        return sorted(
            (r for r in self._jobs.values() if not r.done(STEP_ANNOUNCED)),
            key=lambda r: r.recorded,
        )

    def ensure_open(self) -> None:
        """Raise :class:`JournalClosedError` once the entry unloaded."""
        if self.closed:
            raise JournalClosedError(self.entry_id)

    async def async_begin(
        self, torrent_hash: str, name: str, category: str | None, save_path: str | None
    ) -> JobRecord:
        """Record a new job and write it, before its first step."""
        self.ensure_open()
        record = JobRecord(
            hash=torrent_hash,
            name=name,
            category=category,
            save_path=save_path,
            recorded=dt_util.utcnow().isoformat(),
        )
        self._jobs[torrent_hash] = record
        await self._async_write()
        return record

    async def async_done(self, record: JobRecord, step: str, **values: str | None) -> None:
        """Record ``step`` (and what it found out) as done and write it now."""
        self.ensure_open()
        for key, value in values.items():
            setattr(record, key, value)
        record.steps[step] = dt_util.utcnow().isoformat()
        await self._async_write()

    async def async_forget(self, torrent_hash: str) -> None:
        """Drop a job that is no job any more (its category maps to no folder now)."""
        if self.closed or self._jobs.pop(torrent_hash, None) is None:
            return
        LOGGER.info("Post-processing of %s dropped: no library folder now", torrent_hash)
        await self._async_write()

    def close(self) -> None:
        """The entry unloads: write nothing more (a reloaded journal takes over)."""
        self.closed = True

    async def _async_write(self) -> None:
        await self._store.async_save({"jobs": {h: r.as_dict() for h, r in self._jobs.items()}})


async def async_journal(entry: PandoraConfigEntry, hass: HomeAssistant) -> Journal:
    """The loaded journal of a loaded qBittorrent entry (made and read on first use)."""
    runtime = entry.runtime_data
    journal = runtime.journal
    if not isinstance(journal, Journal):
        journal = runtime.journal = Journal(hass, entry.entry_id)
        entry.async_on_unload(journal.close)
    await journal.async_load()
    return journal


def store_key(entry_id: str) -> str:
    """The Store key of an entry's journal."""
    return f"{DOMAIN}.postprocess.{entry_id}"


async def async_remove_journal(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the journal of a removed entry (nothing there: nothing to do)."""
    await Store[dict[str, Any]](hass, STORE_VERSION, store_key(entry_id)).async_remove()
