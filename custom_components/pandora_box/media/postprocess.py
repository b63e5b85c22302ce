"""Post-processing of finished downloads: into the library, Jellyfin told, event fired.

When qBittorrent reports a torrent complete (``pandora_box_torrent_completed``)
and the torrent's category maps to a library folder (options of the
qBittorrent entry), its content is moved with CloudCmd from the download
folder into that library folder, qBittorrent is pointed at the library folder
so the torrent seeds on from there, every loaded Jellyfin is asked to scan its
libraries, and ``pandora_box_media_ready`` fires with the title and the final
path.

Rules:

* Paths: qBittorrent reports where *it* saves (``/downloads/movies``); CloudCmd
  sees the same disk under its own names.  The ``download_path`` option (as
  qBittorrent writes it) is replaced by ``cloudcmd_download_path`` (as
  CloudCmd writes it) at the start of a save path; without them the save path
  is taken as a CloudCmd path.  Every path is confined with ``upstreams/cloudcmd/paths.py`` to the
  CloudCmd entry's root before any request.
* Nothing is ever deleted and nothing is overwritten: a name that already
  exists in the library folder stops the move.  Any failure leaves the torrent
  and its files where they are and raises a fixable, persistent repair issue
  (one per torrent, ``postprocess_<entry>_<hash>``) saying what failed.  It is
  retried on the next completion event of the same qBittorrent entry, or from
  the repair's fix flow (``repairs.py``).
* Relocation, after the move (``api/qbittorrent.py`` has the measured
  facts): the library folder in qBittorrent's names is the reverse of the
  save-path mapping (``cloudcmd_download_path`` replaced by ``download_path``;
  without a mapping the names are the same, as in ``docs/docker-compose.yml``
  where everything is ``/media``).  A folder the mapping does not cover, a
  torrent qBittorrent no longer has, or one qBittorrent already keeps
  somewhere else than the download or library folder is left alone (logged
  at debug level).  Otherwise ``torrents/setLocation`` points it at the
  folder, where its files already are, so qBittorrent moves, copies and
  deletes nothing; once the state is no longer ``moving`` a torrent that
  does not read complete (a paused one reads ``pausedDL`` at 0) is
  rechecked: it ends seeding, or ``pausedUP`` if it was paused.  The torrent
  is not paused: a running one seeds on without a gap, and a recheck during
  the move would hang it.  A failure keeps the move and raises the
  ``postprocess_qbittorrent_failed`` issue.
* Durable (``journal.py``): a job is recorded in the qBittorrent entry's
  journal before its first step, and each step (move, relocation, Jellyfin
  refresh, event) when it is done.  A retry, a restart or a reload goes on
  with the first step not done: when Home Assistant has started, when a
  qBittorrent entry is loaded, on the entry's next completion and from the
  repair.  ``pandora_box_media_ready`` fires once per torrent, ever: a
  completion reported again for an announced torrent (a paused torrent can
  read incomplete for a moment after its move and is then reported from the
  library folder) does nothing, after any number of restarts.
* Every step can run twice (a crash can come between a step and its record).
  A move finds the content in the library folder and does nothing; the
  relocation is skipped when the torrent is already there and complete or
  checking.  A save path that is the library folder itself means the content
  is in place.
* A torrent whose category maps to no folder is left alone (no issue).

This module reads the options (``LibraryOptions``); the qBittorrent options
flow writes them (``upstreams/qbittorrent/options.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.start import async_at_started

from ..api.cloudcmd import CloudCmdClient
from ..api.errors import PandoraError
from ..api.jellyfin import JellyfinClient
from ..api.qbittorrent import QBittorrentClient, Torrent
from ..const import DOMAIN, LOGGER, Kind
from ..coordinator import PandoraConfigEntry
from ..helpers import loaded_entries
from ..upstreams.cloudcmd import (
    PathRejectedError,
    check_name,
    child,
    confine,
    folder_entries,
    same_folder,
    split,
)
from ..upstreams.qbittorrent import (
    ATTR_ENTRY_ID,
    ATTR_HASH,
    EVENT_TORRENT_COMPLETED,
    LibraryOptions,
    QBittorrentCoordinator,
)
from .journal import (
    STEP_ANNOUNCED,
    STEP_MOVED,
    STEP_REFRESHED,
    STEP_RELOCATED,
    JobRecord,
    Journal,
    JournalClosedError,
    async_journal,
)

EVENT_MEDIA_READY: Final = f"{DOMAIN}_media_ready"
"""Fired when a finished download sits in its library folder and Jellyfin was told."""

ISSUE_PREFIX: Final = "postprocess_"

ATTR_NAME: Final = "name"
ATTR_TITLE: Final = "title"
ATTR_CATEGORY: Final = "category"
ATTR_SAVE_PATH: Final = "save_path"
ATTR_PATH: Final = "path"
ATTR_FOLDER: Final = "folder"

# translation keys of the repair issues (strings.json ``issues``)
ISSUE_NO_CLOUDCMD: Final = "postprocess_no_cloudcmd"
ISSUE_PATH_REFUSED: Final = "postprocess_path_refused"
ISSUE_SOURCE_MISSING: Final = "postprocess_source_missing"
ISSUE_DESTINATION_EXISTS: Final = "postprocess_destination_exists"
ISSUE_CLOUDCMD_FAILED: Final = "postprocess_cloudcmd_failed"
ISSUE_JELLYFIN_FAILED: Final = "postprocess_jellyfin_failed"
ISSUE_QBITTORRENT_FAILED: Final = "postprocess_qbittorrent_failed"

RESUME_KINDS: Final = frozenset({Kind.QBITTORRENT, Kind.CLOUDCMD, Kind.JELLYFIN})
"""Kinds whose entry, once loaded, lets pending jobs go on."""

MOVE_WAIT: Final = 60.0
"""Seconds to wait for qBittorrent to finish a relocation (measured: about 1 s)."""
MOVE_POLL: Final = 0.25
"""Seconds between reads while qBittorrent reports ``moving``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One finished torrent to file away (the data of its completion event)."""

    entry_id: str
    hash: str
    name: str
    category: str | None
    save_path: str | None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Job | None:
        """Read an event's or an issue's data; ``None`` when something is missing."""
        entry_id, torrent_hash, name = (
            data.get(ATTR_ENTRY_ID),
            data.get(ATTR_HASH),
            data.get("name"),
        )
        if not (
            isinstance(entry_id, str) and isinstance(torrent_hash, str) and isinstance(name, str)
        ):
            return None
        category, save_path = data.get(ATTR_CATEGORY), data.get(ATTR_SAVE_PATH)
        return cls(
            entry_id=entry_id,
            hash=torrent_hash,
            name=name,
            category=category if isinstance(category, str) and category else None,
            save_path=save_path if isinstance(save_path, str) and save_path else None,
        )

    def as_data(self) -> dict[str, str | int | float | None]:
        """What the repair issue keeps to retry."""
        return {
            ATTR_ENTRY_ID: self.entry_id,
            ATTR_HASH: self.hash,
            ATTR_NAME: self.name,
            ATTR_CATEGORY: self.category,
            ATTR_SAVE_PATH: self.save_path,
        }

    @property
    def issue_id(self) -> str:
        """The id of this torrent's repair issue."""
        return f"{ISSUE_PREFIX}{self.entry_id}_{self.hash}"


class PostprocessError(Exception):
    """A step failed; ``key`` is the issue's translation key, ``placeholders`` its values."""

    def __init__(self, key: str, **placeholders: str) -> None:
        """Keep the translation key and placeholders."""
        super().__init__(key)
        self.key = key
        self.placeholders = placeholders


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """How one attempt ended: ``done`` (filed and announced), ``skipped`` or failed."""

    status: str
    """``done``, ``skipped`` (no library folder for the category, announced before, or
    running already), ``failed`` (an issue says why) or ``interrupted`` (the entry
    unloaded; its reloaded journal resumes the job) or ``deferred`` (recorded while
    its entry is being set up; resumed once it is loaded)."""
    path: str | None = None
    issue_key: str | None = None


def _content_name(hass: HomeAssistant, job: Job) -> str:
    """The file or folder the torrent wrote into its save path.

    qBittorrent's ``content_path`` names it when known (a single-file torrent
    may be renamed); otherwise the torrent's name is the top entry.
    """
    entry = hass.config_entries.async_get_entry(job.entry_id)
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        return job.name
    coordinator = entry.runtime_data.coordinator
    if isinstance(coordinator, QBittorrentCoordinator) and job.save_path:
        torrent = coordinator.tracker.sync.torrents().get(job.hash)
        content = torrent.content_path if torrent is not None else None
        if content:
            save, parts = split(job.save_path), split(content)
            if len(parts) > len(save) and parts[: len(save)] == save:
                return parts[len(save)]
    return job.name


def _pick_cloudcmd(
    hass: HomeAssistant, source: str, destination: str
) -> tuple[CloudCmdClient, str, str]:
    """The CloudCmd client whose root holds both folders, with both confined."""
    clients = [e.runtime_data.client for e in loaded_entries(hass, Kind.CLOUDCMD)]
    cloudcmd = [c for c in clients if isinstance(c, CloudCmdClient)]
    if not cloudcmd:
        raise PostprocessError(ISSUE_NO_CLOUDCMD, source=source, destination=destination)
    refused: PathRejectedError | None = None
    for client in cloudcmd:
        try:
            return (
                client,
                confine(client.root, source, field="save_path"),
                confine(client.root, destination, field="library_folder"),
            )
        except PathRejectedError as err:
            refused = refused or err
    assert refused is not None
    raise PostprocessError(ISSUE_PATH_REFUSED, path=refused.value, field=refused.field)


async def _async_move(client: CloudCmdClient, source: str, destination: str, name: str) -> bool:
    """Move ``name`` from ``source`` into ``destination``; False: it was already there."""
    where = {"source": source, "destination": destination, "name": name}
    try:
        if source == destination:
            present: Collection[str] = ()  # the torrent lives in the library already (relocated)
        else:
            present = await folder_entries(client, source) or {}
        there = await folder_entries(client, destination) or {}
        if name not in present:
            if name in there:
                return False  # moved by an earlier attempt (a later step failed)
            raise PostprocessError(ISSUE_SOURCE_MISSING, **where)
        if name in there:
            raise PostprocessError(ISSUE_DESTINATION_EXISTS, **where)
        await client.async_move(source, destination, [name])
    except PandoraError as err:
        raise PostprocessError(ISSUE_CLOUDCMD_FAILED, error=err.message, **where) from err
    except ValueError as err:  # the client's last guard (same folder, into itself)
        raise PostprocessError(ISSUE_CLOUDCMD_FAILED, error=str(err), **where) from err
    return True


async def _async_torrent(client: QBittorrentClient, torrent_hash: str) -> Torrent | None:
    """The torrent as ``torrents/info`` reports it now (``None``: qBittorrent lacks it)."""
    torrents = await client.async_torrents(hashes=[torrent_hash])
    return next((t for t in torrents if t.hash == torrent_hash), None)


def _kept_in(torrent: Torrent, folder: str) -> bool:
    """Whether qBittorrent keeps the torrent in ``folder`` (segment-wise)."""
    return torrent.save_path is not None and same_folder(torrent.save_path, folder)


def _settled(torrent: Torrent, location: str) -> bool:
    """Whether ``torrent`` seeds (or is being checked) from ``location``: nothing left to do."""
    if not _kept_in(torrent, location) or torrent.state == "moving":
        return False
    if torrent.state.startswith("checking"):
        return True  # a recheck runs already
    return torrent.complete and not torrent.errored


async def async_relocate(
    client: QBittorrentClient, torrent_hash: str, source: str | None, location: str
) -> Torrent | None:
    """Point a torrent whose files were moved from ``source`` to ``location`` at them.

    Both folders in qBittorrent's names; returns the torrent as read after
    the last step, ``None`` when there was nothing to do (see the module
    docstring for the rules and ``api/qbittorrent.py`` for the measured
    sequence: ``setLocation``, wait while ``moving``, ``recheck`` unless it
    reads complete).  Raises the client's errors, and ``TimeoutError`` when
    the move takes longer than :data:`MOVE_WAIT`.
    """
    torrent = await _async_torrent(client, torrent_hash)
    if torrent is None:
        LOGGER.debug("Torrent %s is no longer in qBittorrent: not relocated", torrent_hash)
        return None
    if _settled(torrent, location):
        return None
    if not _kept_in(torrent, location):
        if source is None or not _kept_in(torrent, source):
            # its files are not where we took them from: qBittorrent would move them
            LOGGER.debug(
                "Torrent %s is kept in %s, not %s: not relocated",
                torrent_hash,
                torrent.save_path,
                source,
            )
            return None
        await client.async_set_location([torrent_hash], location)
    deadline = asyncio.get_running_loop().time() + MOVE_WAIT
    while True:
        current = await _async_torrent(client, torrent_hash)
        if current is None:
            return None
        if current.state != "moving":
            break
        if asyncio.get_running_loop().time() >= deadline:
            raise TimeoutError(f"qBittorrent still moves the torrent after {MOVE_WAIT:.0f} s")
        await asyncio.sleep(MOVE_POLL)
    if not _settled(current, location):
        # after a move a paused torrent reads pausedDL at 0 until checked; never
        # recheck while moving (measured: it hangs in checkingUP)
        await client.async_recheck([torrent_hash])
    return current


async def _async_relocate_job(
    hass: HomeAssistant, job: Job, options: LibraryOptions, destination: str
) -> None:
    """Relocate the job's torrent to the library folder (in qBittorrent's names).

    Raises ``PostprocessError`` with :data:`ISSUE_QBITTORRENT_FAILED`.
    """
    location = options.qbittorrent_path(destination)
    if location is None:
        LOGGER.debug(
            "%s has no name in qBittorrent (download_path mapping): %s not relocated",
            destination,
            job.name,
        )
        return
    where = {"destination": destination, "location": location}
    entry = hass.config_entries.async_get_entry(job.entry_id)
    client = (
        entry.runtime_data.client
        if entry is not None and entry.state is ConfigEntryState.LOADED
        else None
    )
    if not isinstance(client, QBittorrentClient):
        raise PostprocessError(
            ISSUE_QBITTORRENT_FAILED, error="the qBittorrent entry is not loaded", **where
        )
    try:
        await async_relocate(client, job.hash, job.save_path, location)
    except PandoraError as err:
        raise PostprocessError(ISSUE_QBITTORRENT_FAILED, error=err.message, **where) from err
    except TimeoutError as err:
        raise PostprocessError(ISSUE_QBITTORRENT_FAILED, error=str(err), **where) from err


async def _async_refresh_jellyfin(hass: HomeAssistant) -> None:
    """Ask every loaded Jellyfin to scan its libraries (none loaded: nothing to do)."""
    for entry in loaded_entries(hass, Kind.JELLYFIN):
        client = entry.runtime_data.client
        if not isinstance(client, JellyfinClient):  # pragma: no cover - kind checked
            continue
        try:
            await client.async_refresh_library()
        except PandoraError as err:
            raise PostprocessError(
                ISSUE_JELLYFIN_FAILED, title=entry.title, error=err.message
            ) from err
        if entry.runtime_data.coordinator is not None:
            await entry.runtime_data.coordinator.async_request_refresh()


def _not_loaded(job: Job, options: LibraryOptions, folder: str) -> PostprocessError:
    """The failure of a job whose qBittorrent entry is not loaded (nothing can be read)."""
    return PostprocessError(
        ISSUE_QBITTORRENT_FAILED,
        error="the qBittorrent entry is not loaded",
        destination=folder,
        location=options.qbittorrent_path(folder) or folder,
    )


async def async_process(hass: HomeAssistant, job: Job) -> Outcome:
    """File one finished torrent away, resuming at its first step not done.

    The steps and what the journal (``journal.py``) records of them: the
    move (``moved``), the relocation (``relocated``), the Jellyfin refresh
    (``refreshed``) and the event (``announced``).  A failing step raises a
    repair issue and leaves the job pending in the journal.
    """
    entry = hass.config_entries.async_get_entry(job.entry_id)
    options = LibraryOptions.from_options(entry.options if entry is not None else {})
    folder = options.folders.get(job.category or "")
    loaded = entry is not None and entry.state is ConfigEntryState.LOADED
    if entry is None or folder is None or job.save_path is None:
        ir.async_delete_issue(hass, DOMAIN, job.issue_id)
        if entry is not None and loaded:
            await (await async_journal(entry, hass)).async_forget(job.hash)
        return Outcome(status="skipped")
    if not loaded:
        if entry.state is ConfigEntryState.SETUP_IN_PROGRESS and hasattr(entry, "runtime_data"):
            # reported by the entry's first poll (completed while Home Assistant was
            # stopped): recorded now, done once the entry is loaded and Home Assistant runs
            journal = await async_journal(entry, hass)
            if journal.get(job.hash) is None:
                await journal.async_begin(job.hash, job.name, job.category, job.save_path)
            return Outcome(status="deferred")
        return _failed(hass, job, _not_loaded(job, options, folder))
    journal = await async_journal(entry, hass)
    record = journal.get(job.hash)
    if record is not None and record.done(STEP_ANNOUNCED):
        ir.async_delete_issue(hass, DOMAIN, job.issue_id)
        return Outcome(status="skipped", path=record.path)  # announced before, ever
    if job.hash in journal.running:
        return Outcome(status="skipped")
    journal.running.add(job.hash)
    try:
        if record is None:
            record = await journal.async_begin(job.hash, job.name, job.category, job.save_path)
        # the first report's save path is where the files were (a later one may be the library)
        job = _job_of(journal, record)
        return await _async_steps(hass, job, journal, record, options, folder)
    except PostprocessError as err:
        return _failed(hass, job, err)
    except JournalClosedError:
        LOGGER.debug("%s: its entry unloaded; the reloaded entry resumes the job", job.name)
        return Outcome(status="interrupted")
    finally:
        journal.running.discard(job.hash)


async def _async_steps(
    hass: HomeAssistant,
    job: Job,
    journal: Journal,
    record: JobRecord,
    options: LibraryOptions,
    folder: str,
) -> Outcome:
    """Do the steps the journal does not record as done, recording each."""
    if record.done(STEP_MOVED) and record.content and record.destination:
        name, destination = record.content, record.destination
    else:
        journal.ensure_open()
        name = _content_name(hass, job)
        assert job.save_path is not None  # checked by the caller
        try:
            check_name(name, field="name")
            client, source, destination = _pick_cloudcmd(
                hass, options.map_save_path(job.save_path), folder
            )
        except PathRejectedError as err:
            raise PostprocessError(ISSUE_PATH_REFUSED, path=err.value, field=err.field) from err
        await _async_move(client, source, destination, name)
        await journal.async_done(record, STEP_MOVED, content=name, destination=destination)
    if not record.done(STEP_RELOCATED):
        journal.ensure_open()
        await _async_relocate_job(hass, job, options, destination)
        await journal.async_done(record, STEP_RELOCATED)
    if not record.done(STEP_REFRESHED):
        journal.ensure_open()
        await _async_refresh_jellyfin(hass)
        await journal.async_done(record, STEP_REFRESHED)
    path = child(destination, name)
    journal.ensure_open()
    ir.async_delete_issue(hass, DOMAIN, job.issue_id)
    # fired and recorded in one go (no await between): once, even across restarts
    hass.bus.async_fire(
        EVENT_MEDIA_READY,
        {
            ATTR_ENTRY_ID: job.entry_id,
            ATTR_HASH: job.hash,
            ATTR_TITLE: job.name,
            ATTR_CATEGORY: job.category,
            ATTR_FOLDER: destination,
            ATTR_PATH: path,
        },
    )
    await journal.async_done(record, STEP_ANNOUNCED, path=path)
    return Outcome(status="done", path=path)


def _job_of(journal: Journal, record: JobRecord) -> Job:
    """The job a journal record stands for."""
    return Job(
        entry_id=journal.entry_id,
        hash=record.hash,
        name=record.name,
        category=record.category,
        save_path=record.save_path,
    )


def _failed(hass: HomeAssistant, job: Job, err: PostprocessError) -> Outcome:
    """Raise (or update) the torrent's repair issue: nothing is dropped silently."""
    LOGGER.warning("Could not file %s away (%s): %s", job.name, err.key, err.placeholders)
    ir.async_create_issue(
        hass,
        DOMAIN,
        job.issue_id,
        is_fixable=True,
        is_persistent=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key=err.key,
        translation_placeholders={"name": job.name, **err.placeholders},
        data=job.as_data(),
    )
    return Outcome(status="failed", issue_key=err.key)


def pending_jobs(hass: HomeAssistant, entry_id: str | None = None) -> list[Job]:
    """Jobs with an open repair issue (of one qBittorrent entry, or all)."""
    jobs: list[Job] = []
    for (domain, issue_id), issue in ir.async_get(hass).issues.items():
        if domain != DOMAIN or not issue_id.startswith(ISSUE_PREFIX) or not issue.data:
            continue
        job = Job.from_data(issue.data)
        if job is not None and (entry_id is None or job.entry_id == entry_id):
            jobs.append(job)
    return jobs


async def async_resume(hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
    """Go on with every job of a loaded qBittorrent entry that is not announced yet.

    Journal records first (a restart in the middle of a job), then open
    issues the journal does not know (raised before the journal existed).
    """
    if entry.state is not ConfigEntryState.LOADED:
        return
    journal = await async_journal(entry, hass)
    jobs = [_job_of(journal, record) for record in journal.pending()]
    known = {job.hash for job in jobs}
    jobs += [job for job in pending_jobs(hass, entry.entry_id) if job.hash not in known]
    for job in jobs:
        if job.hash not in journal.running:
            await async_process(hass, job)


async def async_handle_completed(hass: HomeAssistant, data: Mapping[str, Any]) -> None:
    """Process a completed torrent, then retry the entry's earlier failures."""
    job = Job.from_data(data)
    if job is None:
        return
    await async_process(hass, job)
    entry = hass.config_entries.async_get_entry(job.entry_id)
    if entry is not None:
        await async_resume(hass, entry)


@callback
def async_setup_postprocess(hass: HomeAssistant) -> None:
    """Listen for completed torrents and resume journals (once, from ``async_setup``).

    Journals resume when Home Assistant has started (every entry had its
    chance to load: CloudCmd and Jellyfin are there if they can be) and,
    after that, whenever a qBittorrent, CloudCmd or Jellyfin entry is loaded
    (a reload, a late setup, an upstream that is back: what a job waits for).
    """

    async def completed(event: Event[dict[str, Any]]) -> None:
        """File the finished torrent away."""
        await async_handle_completed(hass, event.data)

    async def resume_all(_hass: HomeAssistant | None = None) -> None:
        """Resume every loaded qBittorrent entry's journal."""
        for entry in loaded_entries(hass, Kind.QBITTORRENT):
            await async_resume(hass, entry)

    @callback
    def entry_changed(change: ConfigEntryChange, entry: ConfigEntry[Any]) -> None:
        """An entry a job needs was loaded while Home Assistant runs: resume the jobs."""
        if (
            change is ConfigEntryChange.UPDATED
            and entry.domain == DOMAIN
            and entry.state is ConfigEntryState.LOADED
            and hass.is_running
            and entry.runtime_data.kind in RESUME_KINDS
        ):
            hass.async_create_task(resume_all(), f"{DOMAIN} resume post-processing")

    hass.bus.async_listen(EVENT_TORRENT_COMPLETED, completed)
    async_at_started(hass, resume_all)
    async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed)


__all__ = [
    "EVENT_MEDIA_READY",
    "Job",
    "Outcome",
    "async_handle_completed",
    "async_process",
    "async_relocate",
    "async_resume",
    "async_setup_postprocess",
    "pending_jobs",
]
