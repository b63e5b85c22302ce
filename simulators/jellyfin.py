"""A Jellyfin 10.10 server as Pandora Box sees it: identity, library, sessions, scans.

Routes (PascalCase JSON, as Jellyfin sends by default; ``null`` members are
left out, as Jellyfin's serializer does):

* ``GET /System/Info/Public`` (anonymous) and ``GET /System/Info``;
* ``GET /Items/Counts``, ``GET /Items`` (sorting, paging, type filter,
  ``Fields``, ``ParentId``, ``SearchTerm``, ``Ids``), ``GET|HEAD
  /Items/{id}/Images/{type}`` (anonymous, a tiny PNG);
* ``GET /Sessions?activeWithinSeconds=N``; remote control of sessions
  (``POST /Sessions/{id}/Playing[/{command}]``, ``/Sessions/{id}/Command[/{name}]``)
  in ``jellyfin_control.py``;
* ``POST /Library/Refresh`` (204), ``GET /ScheduledTasks``,
  ``GET /Library/VirtualFolders``;
* the library tree for the media browser: ``/Items?ParentId=`` walks libraries →
  movies, series → seasons → episodes, artists → albums → tracks (seasons and
  artists derived from the files, as Jellyfin's resolvers do), with paging
  (``StartIndex``, ``Limit``, ``TotalRecordCount``), ``IncludeItemTypes``,
  ``Recursive`` and ``SearchTerm``; ``GET /UserViews``; ``GET|HEAD
  /Videos/{id}/stream`` (anonymous, as in Jellyfin) and ``GET|HEAD
  /Audio/{id}/universal`` (authorized), both answering ranges with 206.

Auth follows ``AuthorizationContext`` of 10.10/10.11: the ``Authorization``
header with the ``MediaBrowser`` scheme and a ``Token`` value (values are
URL-decoded), the ``ApiKey`` query parameter, and, while
``legacy_authorization`` is on (the default before 12.0, which turns it off),
the ``X-Emby-Authorization`` header, the ``Emby`` scheme, the ``X-Emby-Token``
and ``X-MediaBrowser-Token`` headers and the ``api_key`` query parameter.  A
missing or unknown token on a protected route is a 401 with an empty body.
Before the startup wizard is finished ``/System/Info`` lets anyone in, as
Jellyfin's ``FirstTimeSetupOrIgnoreParentalControl`` policy does.
Every parsed Authorization header is kept in ``authorizations`` (token
masked) so tests can check what a client sent.

A token of a user who is not an administrator: ``deny()`` (``POST
/_sim/denied``) refuses the admin-only routes with **403 and an empty body**
(ASP.NET's forbid), after the token check: ``ScheduledTasksController`` and
``LibraryController.RefreshLibrary`` carry ``[Authorize(Policy =
Policies.RequiresElevation)]``, ``LibraryStructureController`` (virtual
folders) ``FirstTimeSetupOrElevated`` (jellyfin v10.11.11,
``Jellyfin.Api/Controllers/ScheduledTasksController.cs`` L17,
``LibraryController.cs`` L332, ``LibraryStructureController.cs`` L30).
``/Sessions`` is plain ``[Authorize]`` (``SessionController.cs`` L53) and stays
open.

State and time: the simulator has its own clock, moved by ``advance(seconds)``
(and by wall time too when ``realtime`` is on, as in ``for_demo``).  Playing
sessions advance their position with it; a library scan started by ``POST
/Library/Refresh`` (or ``start_scan()``) runs the ``RefreshLibrary`` task for
``scan_seconds``, then goes Idle with a ``Completed`` result, and the items
added meanwhile (``add_item``) appear in the library and its counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import hashlib
from pathlib import Path
import re
import struct
import time
from typing import Any, ClassVar, Self
from urllib.parse import unquote_plus
import uuid
import zlib

from aiohttp import web

from .base import Handler, Simulator
from .catalogue import TITLES, Title
from .jellyfin_control import WEB_COMMANDS, SessionControl
from .jellyfin_socket import LIBRARY_UPDATE_SECONDS, SOCKET_LOST_TIMEOUT, SimSocket, SocketHub

_GUID = re.compile(r"^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
"""A GUID as ASP.NET binds one (\"N\" or \"D\" format); anything else is a 400."""

STREAM_BYTES = 256 * 1024
"""Size of every item's file as the stream routes send it."""

DEFAULT_API_KEY = "667236c17f4142b83cf8a9b8f80e6f7a"
DEFAULT_SERVER_ID = "34e11bdda875e8ba7f54c8fca99a60c9"
TICKS = 10_000_000  # ticks (100 ns) per second

# BaseItemKind values IncludeItemTypes accepts (a subset; others give 400 as an unknown enum).
ITEM_KINDS = frozenset(
    {
        "AggregateFolder", "Audio", "AudioBook", "BasePluginFolder", "Book", "BoxSet",
        "Channel", "ChannelFolderItem", "CollectionFolder", "Episode", "Folder", "Genre",
        "ManualPlaylistsFolder", "Movie", "LiveTvChannel", "LiveTvProgram", "MusicAlbum",
        "MusicArtist", "MusicGenre", "MusicVideo", "Person", "Photo", "PhotoAlbum",
        "Playlist", "PlaylistsFolder", "Program", "Recording", "Season", "Series", "Studio",
        "Trailer", "TvChannel", "TvProgram", "UserRootFolder", "UserView", "Video", "Year",
    }
)  # fmt: skip
MEDIA_TYPES = {"Movie": "Video", "Episode": "Video", "MusicVideo": "Video", "Audio": "Audio"}
MEDIA_TYPES |= {"Book": "Book"}


def _png() -> bytes:
    """A 1x1 PNG, the image every item with a primary image gets."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x20\x30\x40"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def guid(text: str) -> str:
    """A Jellyfin-style id ("N" format GUID): the MD5 of ``text``, as Jellyfin derives ids."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def jf_date(value: datetime) -> str:
    """Format a UTC datetime the way Jellyfin does (seven fractional digits, ``Z``)."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0Z"


def parse_authorization(header: str, *, allow_emby: bool) -> dict[str, str] | None:
    """Parse a ``MediaBrowser k="v", …`` header the way ``AuthorizationContext`` does."""
    scheme, sep, rest = header.partition(" ")
    if not sep:
        return None
    valid = {"mediabrowser", "emby"} if allow_emby else {"mediabrowser"}
    if scheme.lower() not in valid:
        return None
    result: dict[str, str] = {}
    escaped = False
    start = 0
    key = ""
    for i, char in enumerate(rest):
        if char in '",':
            escaped = (not escaped) == (char == '"')
            if char == "," and not escaped:
                if start < i:
                    result[key] = unquote_plus(rest[start:i].strip().strip('"'))
                    key = ""
                start = i + 1
        elif not escaped and char == "=":
            key = rest[start:i].strip()
            start = i + 1
    if start < len(rest):
        result[key] = unquote_plus(rest[start:].strip().strip('"'))
    return result


@dataclass(slots=True, kw_only=True)
class SimItem:
    """One library item (movie, series, episode, album, song, book…)."""

    id: str
    name: str
    type: str
    library: str
    path: str
    date_created: datetime
    year: int | None = None
    runtime_s: float | None = None
    overview: str | None = None
    series_id: str | None = None
    series_name: str | None = None
    season: int | None = None
    episode: int | None = None
    album: str | None = None
    provider_ids: dict[str, str] = field(default_factory=dict)
    has_image: bool = True
    rating: float | None = None

    @property
    def image_tag(self) -> str | None:
        """The primary image's cache tag, if the item has an image."""
        return guid(f"image:{self.path}") if self.has_image else None


@dataclass(slots=True, kw_only=True)
class SimSession:
    """One connected client; positions and activity are on the simulator's clock (seconds)."""

    id: str
    user_name: str | None
    client: str
    device_name: str
    device_id: str
    application_version: str = "10.10.7"
    remote_end_point: str = "192.168.1.20"
    item_id: str | None = None
    position_s: float = 0.0
    paused: bool = False
    since: float = 0.0
    last_activity: float = 0.0
    supports_media_control: bool = True
    """The client has a control channel (``SupportsRemoteControl``; jellyfin_control.py)."""
    playable_media_types: tuple[str, ...] = ("Audio", "Video")
    supported_commands: tuple[str, ...] = WEB_COMMANDS
    volume: int = 100
    muted: bool = False
    queue: list[str] = field(default_factory=list)
    queue_index: int = 0


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A scheduled task as Jellyfin registers it."""

    key: str
    name: str
    category: str
    description: str
    type_name: str
    interval_hours: float | None = None
    daily_hour: int | None = None


TASKS: tuple[TaskSpec, ...] = (
    TaskSpec("AudioNormalization", "Audio Normalization", "Library",
             "Scans files for audio normalization data.",
             "Jellyfin.Server.Implementations.ScheduledTasks.Tasks.AudioNormalizationTask",
             interval_hours=24),
    TaskSpec("CleanActivityLog", "Clean Activity Log", "Maintenance",
             "Deletes activity log entries older than the configured age.",
             "Emby.Server.Implementations.ScheduledTasks.Tasks.CleanActivityLogTask"),
    TaskSpec("DeleteCacheFiles", "Clean Cache Directory", "Maintenance",
             "Deletes cache files no longer needed by the system.",
             "Emby.Server.Implementations.ScheduledTasks.Tasks.DeleteCacheFileTask",
             interval_hours=24),
    TaskSpec("CleanLogFiles", "Clean Log Directory", "Maintenance",
             "Deletes log files that are more than 3 days old.",
             "Emby.Server.Implementations.ScheduledTasks.Tasks.DeleteLogFileTask",
             interval_hours=24),
    TaskSpec("DeleteTranscodeFiles", "Clean Transcode Directory", "Maintenance",
             "Deletes transcode files more than one day old.",
             "Emby.Server.Implementations.ScheduledTasks.Tasks.DeleteTranscodeFileTask",
             interval_hours=24),
    TaskSpec("RefreshChapterImages", "Extract Chapter Images", "Library",
             "Creates thumbnails for videos that have chapters.",
             "Emby.Server.Implementations.ScheduledTasks.Tasks.ChapterImagesTask",
             daily_hour=2),
    TaskSpec("RefreshTrickplayImages", "Generate Trickplay Images", "Library",
             "Creates trickplay previews for videos in enabled libraries.",
             "Jellyfin.Server.Implementations.Trickplay.RefreshTrickplayImagesTask",
             daily_hour=3),
    TaskSpec("OptimizeDatabaseTask", "Optimize database", "Maintenance",
             "Compacts database and truncates free space.",
             "Emby.Server.Implementations.ScheduledTasks.Tasks.OptimizeDatabaseTask",
             interval_hours=24),
    TaskSpec("RefreshPeople", "Refresh People", "Library",
             "Updates metadata for actors and directors in your media library.",
             "Emby.Server.Implementations.ScheduledTasks.Tasks.PeopleValidationTask",
             interval_hours=168),
    TaskSpec("RefreshLibrary", "Scan Media Library", "Library",
             "Scans your media library for new files and refreshes metadata.",
             "Emby.Server.Implementations.ScheduledTasks.Tasks.RefreshMediaLibraryTask",
             interval_hours=12),
    TaskSpec("PluginUpdates", "Update Plugins", "Application",
             "Downloads and installs updates for plugins that are configured to update "
             "automatically.",
             "Emby.Server.Implementations.ScheduledTasks.Tasks.PluginUpdateTask",
             interval_hours=24),
)  # fmt: skip
SCAN_KEY = "RefreshLibrary"

LIBRARIES: tuple[tuple[str, str, str], ...] = (
    ("Movies", "/media/movies", "movies"),
    ("Shows", "/media/shows", "tvshows"),
    ("Music", "/media/music", "music"),
    ("Books", "/media/books", "books"),
)
LIBRARY_OF_KIND = {
    "Movie": "Movies",
    "Series": "Shows",
    "Season": "Shows",
    "Episode": "Shows",
    "MusicAlbum": "Music",
    "Audio": "Music",
    "MusicVideo": "Music",
    "Book": "Books",
    "BoxSet": "Movies",
}
SOUNDTRACK = (
    "Half Remembered Dream", "We Built Our Own World", "Dream Is Collapsing",
    "Radical Notion", "Old Souls", "Time",
)  # fmt: skip


class JellyfinSimulator(SessionControl, Simulator):
    """Jellyfin server: API-key auth, library, sessions, scheduled tasks and scans."""

    kind: ClassVar[str] = "jellyfin"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)
    restricted: ClassVar[tuple[str, ...]] = (
        r"/ScheduledTasks",
        r"/Library/Refresh$",
        r"/Library/VirtualFolders",
    )

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        server_id: str = DEFAULT_SERVER_ID,
        server_name: str = "Pandora Jellyfin",
        version: str = "10.10.7",
        product_name: str = "Jellyfin Server",
        legacy_authorization: bool | None = None,
        startup_wizard_completed: bool = True,
        scan_seconds: float = 30.0,
        realtime: bool = False,
        token_user: str | None = None,
        socket_lost_timeout: float = SOCKET_LOST_TIMEOUT,
        library_update_seconds: float = LIBRARY_UPDATE_SECONDS,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.server_id = server_id
        self.server_name = server_name
        self.version = version
        self.product_name = product_name
        if legacy_authorization is None:
            # On by default through 10.11 (EnableLegacyAuthorization); 12.0 turns it off.
            major = version.split(".", 1)[0]
            legacy_authorization = not (major.isdigit() and int(major) >= 12)
        self.legacy_authorization = legacy_authorization
        self.startup_wizard_completed = startup_wizard_completed
        self.token_user = token_user
        """The user whose access token ``api_key`` is (``None``: a real API key, no user)."""
        self.library_update_seconds = library_update_seconds
        major = version.split(".", 1)[0]
        self.hub = SocketHub(
            self.elapsed,
            lost_timeout=socket_lost_timeout,
            close_lost=major.isdigit() and int(major) >= 12,
        )
        """The open ``/socket`` connections (``jellyfin_socket.py``)."""
        self.scan_seconds = scan_seconds
        self.realtime = realtime
        self.authorizations: list[dict[str, str]] = []
        """Every parsed Authorization header received, ``Token`` masked as ``***``."""
        self._advanced = 0.0
        self._mono0 = time.monotonic()
        self._wall0 = datetime.now(UTC).replace(microsecond=0)
        self.items: list[SimItem] = []
        self.pending: list[SimItem] = []
        """Items on disk that the next library scan will add."""
        self._scan_started: float | None = None
        self._scan_pending_cut = 0
        self._results: dict[str, dict[str, Any]] = {}
        self._seed_library()
        self._seed_tasks()
        self.sessions: list[SimSession] = []
        self.messages: list[dict[str, Any]] = []
        """Every remote-control message a client received (jellyfin_control.py)."""
        self._seed_sessions()

    @classmethod
    def for_demo(cls, *, root: Path, secret: str) -> Self:
        """A demo server whose clock follows wall time (positions and scans move).

        Its server id is random too, so two demo runs are two servers.
        """
        return cls(api_key=secret, server_id=uuid.uuid4().hex, realtime=True)

    # -- clock --------------------------------------------------------------------------

    def elapsed(self) -> float:
        """Seconds on the simulator's clock since it was created."""
        wall = time.monotonic() - self._mono0 if self.realtime else 0.0
        return self._advanced + wall

    def now(self) -> datetime:
        """The simulator's current time (UTC)."""
        return self._at(self.elapsed())

    def _at(self, elapsed: float) -> datetime:
        return self._wall0 + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        """Move the clock on: playing sessions move, a running scan progresses or ends.

        Subscribed sockets hear of it as Jellyfin's would: playback progress
        and scan progress (unforced), a scan's end (forced), a library change
        once ``library_update_seconds`` passed without another.
        """
        self._advanced += seconds
        scanning = self._scan_started is not None
        self._update()
        if any(s.item_id is not None and not s.paused for s in self.sessions):
            self.push_sessions(force=False)  # PlaybackProgress
        if scanning and self._scan_started is not None:
            self.push_tasks(force=False)  # TaskProgress

    # -- library ------------------------------------------------------------------------

    def _new_item(
        self, *, name: str, type_: str, path: str, created: datetime, **kw: Any
    ) -> SimItem:
        return SimItem(
            id=guid(f"{type_}:{path}"),
            name=name,
            type=type_,
            library=LIBRARY_OF_KIND.get(type_, "Movies"),
            path=path,
            date_created=created,
            **kw,
        )

    def _movie(self, title: Title, created: datetime) -> SimItem:
        folder = f"{title.title} ({title.year})"
        return self._new_item(
            name=title.title,
            type_="Movie",
            path=f"/media/movies/{folder}/{folder}.mkv",
            created=created,
            year=title.year,
            runtime_s=title.runtime * 60.0 if title.runtime else None,
            overview=title.overview,
            rating=title.rating or None,
            provider_ids={"Tmdb": str(title.tmdb_id), "Imdb": title.imdb_id},
        )

    def _series(
        self, name: str, year: int | None, created: datetime, title: Title | None
    ) -> SimItem:
        return self._new_item(
            name=name,
            type_="Series",
            path=f"/media/shows/{name}",
            created=created,
            year=year,
            overview=title.overview if title else None,
            rating=(title.rating or None) if title else None,
            provider_ids={"Tmdb": str(title.tmdb_id), "Imdb": title.imdb_id} if title else {},
        )

    def _episode(
        self, series: SimItem, season: int, number: int, created: datetime, name: str | None
    ) -> SimItem:
        runtime = next((t.runtime for t in TITLES if t.title == series.name), None)
        return self._new_item(
            name=name or f"Episode {number}",
            type_="Episode",
            path=f"{series.path}/Season {season:02d}/{series.name} S{season:02d}E{number:02d}.mkv",
            created=created,
            year=series.year,
            runtime_s=runtime * 60.0 if runtime else None,
            series_id=series.id,
            series_name=series.name,
            season=season,
            episode=number,
            has_image=False,  # episodes fall back to the series' poster
        )

    def _seed_library(self) -> None:
        """Fill the library from the shared catalogue (released titles only)."""
        created = self._wall0 - timedelta(days=60)
        step = timedelta(days=3)
        for title in TITLES:
            if title.upcoming:
                continue
            created += step
            if title.media_type == "movie":
                self.items.append(self._movie(title, created))
                continue
            series = self._series(title.title, title.year, created, title)
            self.items.append(series)
            for number in (1, 2, 3):
                created += timedelta(hours=1)
                self.items.append(self._episode(series, 1, number, created, None))
        album = "Inception (Music from the Motion Picture)"
        created += step
        self.items.append(
            self._new_item(
                name=album,
                type_="MusicAlbum",
                path=f"/media/music/Hans Zimmer/{album}",
                created=created,
                year=2010,
            )
        )
        for number, song in enumerate(SOUNDTRACK, start=1):
            self.items.append(
                self._new_item(
                    name=song,
                    type_="Audio",
                    path=f"/media/music/Hans Zimmer/{album}/{number:02d} {song}.flac",
                    created=created,
                    year=2010,
                    runtime_s=240.0,
                    album=album,
                    episode=number,
                    has_image=False,
                )
            )
        created += step
        for name, year in (("The Count of Monte Cristo", 1844), ("Dune", 1965)):
            self.items.append(
                self._new_item(
                    name=name,
                    type_="Book",
                    path=f"/media/books/{name}.epub",
                    created=created,
                    year=year,
                )
            )

    def visible(self) -> list[SimItem]:
        """The items the library shows now (after applying the clock)."""
        self._update()
        return list(self.items)

    def find(self, item: str) -> SimItem:
        """Return a visible item by id or by name (``KeyError`` if none)."""
        for candidate in self.items:
            if item in (candidate.id, candidate.name):
                return candidate
        raise KeyError(item)

    def counts(self) -> dict[str, int]:
        """``/Items/Counts`` as Jellyfin 10.10 fills it (Artist/Program/Trailer/Item stay 0)."""
        self._update()

        def count(kind: str) -> int:
            return sum(1 for i in self.items if i.type == kind)

        return {
            "MovieCount": count("Movie"),
            "SeriesCount": count("Series"),
            "EpisodeCount": count("Episode"),
            "ArtistCount": 0,
            "ProgramCount": 0,
            "TrailerCount": 0,
            "SongCount": count("Audio"),
            "AlbumCount": count("MusicAlbum"),
            "MusicVideoCount": count("MusicVideo"),
            "BoxSetCount": count("BoxSet"),
            "BookCount": count("Book"),
            "ItemCount": 0,
        }

    def add_item(
        self,
        name: str,
        type: str = "Movie",  # noqa: A002 - Jellyfin's own word for the item kind
        *,
        year: int | None = None,
        series_name: str | None = None,
        season: int = 1,
        episode: int | None = None,
        runtime_minutes: int | None = None,
        wait_for_scan: bool = False,
    ) -> str:
        """Put an item in the library and return its id.

        A movie named like a catalogue title takes its year, run time and ids.
        An episode needs ``series_name`` (the series is created when missing).
        While a scan runs, or with ``wait_for_scan``, the item waits in
        ``pending`` until a scan completes; otherwise it shows at once (as
        with Jellyfin's real-time monitor).
        """
        if type not in ITEM_KINDS:
            raise ValueError(f"unknown item type {type!r}")
        self._update()
        created = self.now()
        title = next((t for t in TITLES if t.title == name), None)
        new: list[SimItem] = []
        if type == "Movie" and title is not None and title.media_type == "movie":
            item = self._movie(title, created)
            if year is not None:
                item.year = year
        elif type == "Episode":
            if not series_name:
                raise ValueError("an episode needs series_name")
            series = next(
                (i for i in [*self.items, *self.pending]
                 if i.type == "Series" and i.name == series_name),
                None,
            )  # fmt: skip
            if series is None:
                show = next((t for t in TITLES if t.title == series_name), None)
                series = self._series(series_name, show.year if show else year, created, show)
                new.append(series)
            number = episode or 1 + sum(
                1 for i in [*self.items, *self.pending, *new]
                if i.series_id == series.id and i.season == season
            )  # fmt: skip
            item = self._episode(series, season, number, created, name)
        else:
            library = LIBRARY_OF_KIND.get(type, "Movies")
            root = next(path for lib, path, _ in LIBRARIES if lib == library)
            label = f"{name} ({year})" if year else name
            extension = {"Movie": ".mkv", "MusicVideo": ".mkv", "Audio": ".flac", "Book": ".epub"}
            item = self._new_item(
                name=name,
                type_=type,
                path=f"{root}/{label}/{label}{extension.get(type, '')}",
                created=created,
                year=year,
            )
        if runtime_minutes is not None:
            item.runtime_s = runtime_minutes * 60.0
        new.append(item)
        if wait_for_scan or self.scanning:
            self.pending.extend(new)
        else:
            self.items.extend(new)
            self.hub.library_changed(added=[i.id for i in new])  # the real-time monitor
        return item.id

    def remove_item(self, item: str) -> None:
        """Delete an item (by id or name) from the library at once."""
        found = self.find(item)
        gone = [i.id for i in self.items if found.id in (i.id, i.series_id)]
        self.items = [i for i in self.items if found.id not in (i.id, i.series_id)]
        self.hub.library_changed(removed=gone)

    # -- library scan ---------------------------------------------------------------------

    @property
    def scanning(self) -> bool:
        """Whether the library scan task runs now."""
        self._update_scan()
        return self._scan_started is not None

    def scan_progress(self) -> float | None:
        """Progress of the running scan in percent, or ``None`` when idle."""
        self._update_scan()
        if self._scan_started is None:
            return None
        if self.scan_seconds <= 0:
            return 100.0
        return min(100.0, (self.elapsed() - self._scan_started) / self.scan_seconds * 100)

    def start_scan(self) -> None:
        """Queue a library scan, as ``POST /Library/Refresh`` does.

        A running scan is cancelled first (``CancelIfRunningAndQueue``): its
        result is ``Cancelled`` and a new run starts from 0 %.
        """
        self._update_scan()
        now = self.elapsed()
        if self._scan_started is not None:
            self._results[SCAN_KEY] = self._result(SCAN_KEY, self._scan_started, now, "Cancelled")
        self._scan_started = now
        self._update_scan()
        self.push_tasks(force=True)  # TaskExecuting

    def _update(self) -> None:
        self._update_scan()
        self._update_sessions()
        self.hub.flush_library(self.library_update_seconds)

    def _update_scan(self) -> None:
        started = self._scan_started
        if started is None or self.elapsed() - started < self.scan_seconds:
            return
        end = started + max(0.0, self.scan_seconds)
        self._scan_started = None
        self._results[SCAN_KEY] = self._result(SCAN_KEY, started, end, "Completed")
        for item in self.pending:
            item.date_created = self._at(end)
        self.items.extend(self.pending)
        self.hub.library_changed(added=[i.id for i in self.pending])
        self.pending = []
        self.push_tasks(force=True)  # TaskCompleted

    def _result(self, key: str, start: float, end: float, status: str) -> dict[str, Any]:
        spec = next(t for t in TASKS if t.key == key)
        return {
            "StartTimeUtc": jf_date(self._at(start)),
            "EndTimeUtc": jf_date(self._at(end)),
            "Status": status,
            "Name": spec.name,
            "Key": key,
            "Id": guid(spec.type_name),
        }

    def _seed_tasks(self) -> None:
        for n, spec in enumerate(TASKS):
            if spec.key == "PluginUpdates":
                continue  # never ran yet: no LastExecutionResult
            start = -3600.0 * (n + 2)
            duration = 40.0 if spec.key == SCAN_KEY else 2.5
            self._results[spec.key] = self._result(spec.key, start, start + duration, "Completed")

    def tasks(self) -> list[dict[str, Any]]:
        """``/ScheduledTasks`` as Jellyfin answers it, sorted by name."""
        self._update()
        answer = []
        for spec in sorted(TASKS, key=lambda t: t.name):
            running = spec.key == SCAN_KEY and self._scan_started is not None
            task: dict[str, Any] = {
                "Name": spec.name,
                "State": "Running" if running else "Idle",
            }
            if running:
                task["CurrentProgressPercentage"] = self.scan_progress()
            task["Id"] = guid(spec.type_name)
            if spec.key in self._results:
                task["LastExecutionResult"] = self._results[spec.key]
            if spec.interval_hours is not None:
                trigger = {
                    "Type": "IntervalTrigger",
                    "IntervalTicks": int(spec.interval_hours * 3600 * TICKS),
                }
            elif spec.daily_hour is not None:
                trigger = {"Type": "DailyTrigger", "TimeOfDayTicks": spec.daily_hour * 3600 * TICKS}
            else:
                trigger = {"Type": "StartupTrigger"}
            task |= {
                "Triggers": [trigger],
                "Description": spec.description,
                "Category": spec.category,
                "IsHidden": False,
                "Key": spec.key,
            }
            answer.append(task)
        return answer

    # -- sessions -------------------------------------------------------------------------

    def _seed_sessions(self) -> None:
        matrix = self.find("The Matrix")
        self.sessions = [
            SimSession(
                id=guid("session:alice"),
                user_name="alice",
                client="Jellyfin Web",
                device_name="Firefox",
                device_id="TW96aWxsYS81LjAgKFgxMTsgTGludXggeDg2XzY0KQ11",
                item_id=matrix.id,
                position_s=1200.0,
            ),
            SimSession(
                id=guid("session:bob"),
                user_name="bob",
                client="Jellyfin Android",
                device_name="Pixel 8",
                device_id="c0ffee00c0ffee01",
                application_version="2.6.2",
                remote_end_point="192.168.1.21",
                last_activity=-60.0,
            ),
            SimSession(
                id=guid("session:carol"),
                user_name="carol",
                client="Kodi",
                device_name="Living room",
                device_id="kodi-living-room",
                application_version="0.7.13",
                remote_end_point="192.168.1.22",
                last_activity=-7200.0,  # outside the dashboard's 960 s window
            ),
        ]

    def set_sessions(self, sessions: Iterable[SimSession]) -> None:
        """Replace every session (an empty list: nobody connected); sockets hear at once."""
        own = [s for s in self.sessions if s.id in {k.session_id for k in self.hub.sockets}]
        self.sessions = [*list(sessions), *own]
        self.push_sessions(force=True)  # SessionStarted / SessionEnded

    def session(self, session_id: str) -> SimSession:
        """Return a session by id, or by user name (``KeyError`` if none)."""
        for candidate in self.sessions:
            if session_id in (candidate.id, candidate.user_name):
                return candidate
        raise KeyError(session_id)

    def play(
        self, session_id: str, item: str, *, position_s: float = 0.0, paused: bool = False
    ) -> None:
        """Make a session (id or user name) play ``item`` (id or name) from ``position_s``."""
        target = self.session(session_id)
        target.item_id = self.find(item).id
        target.queue, target.queue_index = [target.item_id], 0
        target.position_s = position_s
        target.paused = paused
        target.since = target.last_activity = self.elapsed()
        self.push_sessions(force=True)  # PlaybackStart

    def pause(self, session_id: str, paused: bool = True) -> None:
        """Pause or resume a session's playback."""
        target = self.session(session_id)
        target.position_s = self._position(target) or 0.0
        target.paused = paused
        target.since = target.last_activity = self.elapsed()
        self.push_sessions(force=True)  # a progress report the user caused (not automated)

    def stop_playback(self, session_id: str) -> None:
        """Stop a session's playback; the session stays connected."""
        target = self.session(session_id)
        target.item_id = None
        target.position_s = 0.0
        target.paused = False
        target.last_activity = self.elapsed()
        self.push_sessions(force=True)  # PlaybackStopped

    def _position(self, sess: SimSession) -> float | None:
        if sess.item_id is None:
            return None
        position = sess.position_s
        if not sess.paused:
            position += self.elapsed() - sess.since
        item = next((i for i in self.items if i.id == sess.item_id), None)
        if item is not None and item.runtime_s is not None:
            position = min(position, item.runtime_s)
        return position

    def _update_sessions(self) -> None:
        now = self.elapsed()
        for sess in self.sessions:
            if sess.item_id is not None:
                sess.last_activity = now  # players report progress every few seconds

    # -- the WebSocket (simulators/jellyfin_socket.py) -------------------------------------

    def push_sessions(self, *, force: bool) -> None:
        """Send ``Sessions`` (every session, no activity window) to subscribed sockets."""
        self.hub.push("Sessions", lambda: list(map(self._session_dto, self.sessions)), force=force)

    def push_tasks(self, *, force: bool) -> None:
        """Send ``ScheduledTasksInfo`` (the ``/ScheduledTasks`` list) to subscribed sockets."""
        self.hub.push("ScheduledTasksInfo", self.tasks, force=force)

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        """``/socket``: Jellyfin's WebSocket (``WebSocketManager.WebSocketRequestHandler``)."""
        ws = web.WebSocketResponse(autoping=True)
        if not ws.can_prepare(request).ok:
            return web.Response(status=404)  # not a WebSocket request: no such route
        if self._token(request) != self.api_key:
            # SecurityException ("Token is required" / "Invalid token.") → 403
            return web.Response(status=403, text="Error processing request.")
        auth = parse_authorization(request.headers.get("Authorization", ""), allow_emby=False)
        parts = auth or {}
        own = SimSession(
            id=guid(f"socket:{uuid.uuid4()}"),
            user_name=self.token_user,
            client=(parts.get("Client") if self.token_user else None) or "Home Assistant",
            device_name=parts.get("Device") or self.server_name,
            device_id=parts.get("DeviceId") or self.server_id,
            application_version=parts.get("Version") or self.version,
            remote_end_point=request.remote or "127.0.0.1",
            last_activity=self.elapsed(),
        )
        await ws.prepare(request)
        self.sessions.append(own)
        try:
            await self.hub.serve(request, SimSocket(ws, own.id, self.token_user))
        finally:
            self.sessions = [s for s in self.sessions if s.id != own.id]
            self.push_sessions(force=True)  # SessionEnded
        return ws

    def set_fault(self, mode: str, **kwargs: Any) -> None:
        """Inject a fault; one that takes ``/socket`` down closes the open sockets too."""
        super().set_fault(mode, **kwargs)
        if self.fault is not None and self.fault.applies_to("/socket"):
            self.hub.drop_all()

    def drop_sockets(self) -> None:
        """Close every open ``/socket`` (a restart, a proxy timing out), HTTP stays up."""
        self.hub.drop_all()

    async def stop(self) -> None:
        """Close the sockets, then stop serving."""
        self.hub.drop_all()
        await super().stop()

    # -- JSON shapes ----------------------------------------------------------------------

    def _item_dto(self, item: SimItem, fields: set[str]) -> dict[str, Any]:
        dto: dict[str, Any] = {"Name": item.name, "ServerId": self.server_id, "Id": item.id}
        if "datecreated" in fields:
            dto["DateCreated"] = jf_date(item.date_created)
        if item.type in ("Movie", "Episode"):
            dto |= {"HasSubtitles": True, "Container": "mkv"}
        if "path" in fields:
            dto["Path"] = item.path
        if "overview" in fields and item.overview:
            dto["Overview"] = item.overview
        if "providerids" in fields:
            dto["ProviderIds"] = item.provider_ids
        if item.year is not None:
            dto["PremiereDate"] = f"{item.year}-01-01T00:00:00.0000000Z"
            dto["ProductionYear"] = item.year
        if item.rating is not None:
            dto["CommunityRating"] = item.rating
        if item.runtime_s is not None:
            dto["RunTimeTicks"] = int(item.runtime_s * TICKS)
        if item.episode is not None:
            dto["IndexNumber"] = item.episode
        if item.season is not None:
            dto["ParentIndexNumber"] = item.season
        dto["IsFolder"] = item.type in ("Series", "Season", "MusicAlbum", "BoxSet")
        dto["Type"] = item.type
        if item.series_id is not None:
            dto |= {
                "SeriesName": item.series_name,
                "SeriesId": item.series_id,
                "SeasonId": guid(f"season:{item.series_id}:{item.season}"),
                "SeasonName": f"Season {item.season}",
            }
            series = next((i for i in self.items if i.id == item.series_id), None)
            if series is not None and series.image_tag is not None:
                dto["SeriesPrimaryImageTag"] = series.image_tag
        if item.album is not None:
            dto |= {
                "Album": item.album,
                "AlbumId": guid(f"MusicAlbum:{item.path.rsplit('/', 1)[0]}"),
            }
        if item.type in ("Movie", "Episode", "MusicVideo"):
            dto |= {"VideoType": "VideoFile"}
        tags = {"Primary": item.image_tag} if item.image_tag else {}
        dto |= {"ImageTags": tags, "BackdropImageTags": [], "LocationType": "FileSystem"}
        if item.type in MEDIA_TYPES:
            dto["MediaType"] = MEDIA_TYPES[item.type]
        else:
            dto["MediaType"] = "Unknown"
        return dto

    def _session_dto(self, sess: SimSession) -> dict[str, Any]:
        position = self._position(sess)
        item = next((i for i in self.items if i.id == sess.item_id), None)
        play_state: dict[str, Any] = {"CanSeek": False, "IsPaused": False, "IsMuted": sess.muted}
        if item is not None and position is not None:
            play_state = {
                "PositionTicks": int(position * TICKS),
                "CanSeek": True,
                "IsPaused": sess.paused,
                "IsMuted": sess.muted,
                "VolumeLevel": sess.volume,
                "AudioStreamIndex": 1,
                "SubtitleStreamIndex": -1,
                "MediaSourceId": item.id,
                "PlayMethod": "DirectPlay",
            }
        play_state |= {"RepeatMode": "RepeatNone", "PlaybackOrder": "Default"}
        commands = list(sess.supported_commands)
        media_types = list(sess.playable_media_types)
        control = sess.supports_media_control
        dto: dict[str, Any] = {
            "PlayState": play_state,
            "AdditionalUsers": [],
            "Capabilities": {
                "PlayableMediaTypes": media_types,
                "SupportedCommands": commands,
                "SupportsMediaControl": control,
                "SupportsPersistentIdentifier": False,
            },
            "RemoteEndPoint": sess.remote_end_point,
            "PlayableMediaTypes": media_types,
            "Id": sess.id,
            "UserId": guid(f"user:{sess.user_name}") if sess.user_name else "0" * 32,
        }
        if sess.user_name is not None:
            dto["UserName"] = sess.user_name
        dto |= {
            "Client": sess.client,
            "LastActivityDate": jf_date(self._at(sess.last_activity)),
            # a playing client checks in every few seconds: its position is as of now
            "LastPlaybackCheckIn": jf_date(self._at(self.elapsed() if item else -86400.0)),
            "DeviceName": sess.device_name,
        }
        if item is not None:
            dto["NowPlayingItem"] = self._item_dto(item, set())
        dto |= {
            "DeviceId": sess.device_id,
            "ApplicationVersion": sess.application_version,
            "IsActive": True,
            "SupportsMediaControl": control,
            "SupportsRemoteControl": control,
            "NowPlayingQueue": [
                {"Id": i, "PlaylistItemId": f"playlistItem{n}"} for n, i in enumerate(sess.queue)
            ],
            "NowPlayingQueueFullItems": [],
            "HasCustomDeviceName": False,
            "ServerId": self.server_id,
            "SupportedCommands": commands,
        }
        return dto

    def _public_info(self, request: web.Request) -> dict[str, Any]:
        return {
            "LocalAddress": str(request.url.origin()),
            "ServerName": self.server_name,
            "Version": self.version,
            "ProductName": self.product_name,
            "OperatingSystem": "",
            "Id": self.server_id,
            "StartupWizardCompleted": self.startup_wizard_completed,
        }

    # -- auth -------------------------------------------------------------------------------

    def _token(self, request: web.Request) -> str | None:
        """Find the token where ``AuthorizationContext`` looks, in its order."""
        legacy = self.legacy_authorization
        header = request.headers.get("Authorization", "")
        if not header and legacy:
            header = request.headers.get("X-Emby-Authorization", "")
        parts = parse_authorization(header, allow_emby=legacy) if header else None
        if parts is not None:
            self.authorizations.append(
                {k: ("***" if k == "Token" else v) for k, v in parts.items()}
            )
        token = parts.get("Token") if parts else None
        if legacy and not token:
            token = request.headers.get("X-Emby-Token")
        if legacy and not token:
            token = request.headers.get("X-MediaBrowser-Token")
        if not token:
            token = request.query.get("ApiKey")
        if legacy and not token:
            token = request.query.get("api_key")
        return token or None

    def _protected(self, handler: Handler, *, first_time_setup: bool = False) -> Handler:
        """Wrap ``handler`` so that it needs a valid token (401 otherwise)."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            token = self._token(request)
            open_for_setup = first_time_setup and not self.startup_wizard_completed
            if token != self.api_key and not open_for_setup:
                return web.Response(status=401)
            if (refused := self.refusal(request)) is not None:
                return refused
            return await handler(request)

        return guarded

    # -- routes -----------------------------------------------------------------------------

    def setup_routes(self, app: web.Application) -> None:
        guard = self._protected
        app.router.add_get("/System/Info/Public", self._system_info_public)
        app.router.add_get("/System/Info", guard(self._system_info, first_time_setup=True))
        app.router.add_get("/Items/Counts", guard(self._item_counts))
        app.router.add_get("/Items", guard(self._items))
        app.router.add_get("/Items/{item_id}/Images/{image_type}", self._image)
        app.router.add_get("/Sessions", guard(self._sessions))
        app.router.add_post("/Library/Refresh", guard(self._refresh))
        app.router.add_get("/ScheduledTasks", guard(self._tasks))
        app.router.add_get("/Library/VirtualFolders", guard(self._virtual_folders))
        app.router.add_get("/socket", self._socket)
        self._setup_library_routes(app)
        self._setup_control_routes(app)

    def _authorization(self, request: web.Request) -> dict[str, str]:
        header = request.headers.get("Authorization", "")
        return parse_authorization(header, allow_emby=self.legacy_authorization) or {}

    def _new_session(self, **kw: Any) -> SimSession:
        return SimSession(**kw)

    async def _system_info_public(self, request: web.Request) -> web.Response:
        return web.json_response(self._public_info(request))

    async def _system_info(self, request: web.Request) -> web.Response:
        info = self._public_info(request)
        del info["StartupWizardCompleted"]
        info |= {
            "OperatingSystemDisplayName": "",
            "HasPendingRestart": False,
            "IsShuttingDown": False,
            "SupportsLibraryMonitor": True,
            "WebSocketPortNumber": self.port,
            "CompletedInstallations": [],
            "CanSelfRestart": True,
            "CanLaunchWebBrowser": False,
            "ProgramDataPath": "/config",
            "WebPath": "/jellyfin/jellyfin-web",
            "ItemsByNamePath": "/config/metadata",
            "CachePath": "/cache",
            "LogPath": "/config/log",
            "InternalMetadataPath": "/config/metadata",
            "TranscodingTempPath": "/config/transcodes",
            "CastReceiverApplications": [
                {"Id": "F007D354", "Name": "Stable"},
                {"Id": "6F511C87", "Name": "Unstable"},
            ],
            "HasUpdateAvailable": False,
            "EncoderLocation": "System",
            "SystemArchitecture": "X64",
        }
        return web.json_response(info)

    async def _item_counts(self, request: web.Request) -> web.Response:
        return web.json_response(self.counts())

    @staticmethod
    def _bad_request(name: str, value: str) -> web.Response:
        """ASP.NET's validation problem for a query value that does not bind."""
        return web.json_response(
            {
                "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                "title": "One or more validation errors occurred.",
                "status": 400,
                "errors": {name: [f"The value '{value}' is not valid."]},
                "traceId": "00-" + guid(value)[:32] + "-" + guid(name)[:16] + "-00",
            },
            status=400,
            content_type="application/problem+json",
        )

    async def _items(self, request: web.Request) -> web.Response:
        query = {k.lower(): v for k, v in request.query.items()}

        def csv(name: str) -> list[str]:
            return [v.strip() for v in query.get(name, "").split(",") if v.strip()]

        include = csv("includeitemtypes")
        for kind in include:
            if kind not in ITEM_KINDS:
                return self._bad_request("includeItemTypes", kind)
        try:
            start = int(query.get("startindex", "0"))
            limit = int(query["limit"]) if "limit" in query else None
        except ValueError:
            return self._bad_request("limit", query.get("limit", ""))
        recursive = query.get("recursive", "false").lower() == "true"
        fields = {f.lower() for f in csv("fields")}
        items = self.tree()
        parent = query.get("parentid")
        ids = set(csv("ids"))
        if ids:
            items = [i for i in items if i.id in ids]
            if views := self._views_among(ids):
                return web.json_response(
                    {"Items": views, "TotalRecordCount": len(views), "StartIndex": 0}
                )
        elif parent:
            if _GUID.fullmatch(parent) is None:
                return self._bad_request("parentId", parent)
            items = self.descendants(parent.replace("-", "").lower(), recursive=recursive)
        elif not recursive:
            views = [self._view_dto(name, ctype) for name, _, ctype in LIBRARIES]
            return web.json_response(
                {"Items": views, "TotalRecordCount": len(views), "StartIndex": 0}
            )
        if include:
            items = [i for i in items if i.type in include]
        if term := query.get("searchterm", "").lower():
            items = [i for i in items if term in i.name.lower()]
        items = self._sorted(items, csv("sortby"), csv("sortorder"))
        total = len(items)
        page = items[start : start + limit if limit is not None else None]
        if query.get("enabletotalrecordcount", "true").lower() == "false":
            total = len(page)
        body = {
            "Items": [self._tree_dto(i, fields) for i in page],
            "TotalRecordCount": total,
            "StartIndex": start,
        }
        return web.json_response(body)

    @staticmethod
    def _sorted(items: list[SimItem], sort_by: list[str], sort_order: list[str]) -> list[SimItem]:
        keys = {
            "datecreated": lambda i: i.date_created.timestamp(),
            "productionyear": lambda i: i.year or 0,
            "premieredate": lambda i: i.year or 0,
            "runtime": lambda i: i.runtime_s or 0.0,
            "communityrating": lambda i: i.rating or 0.0,
            "sortname": lambda i: i.name.lower(),
            "indexnumber": lambda i: i.episode or 0,
            "parentindexnumber": lambda i: i.season or 0,
        }
        descending = bool(sort_order) and sort_order[0].lower() == "descending"
        ordered = sorted(items, key=lambda i: (i.series_name or i.name).lower())
        for name in reversed(sort_by or ["SortName"]):
            key = keys.get(name.lower())
            if key is not None:
                ordered.sort(key=key)
        if descending:
            ordered.reverse()
        return ordered

    def _view_dto(self, name: str, collection_type: str) -> dict[str, Any]:
        return {
            "Name": name,
            "ServerId": self.server_id,
            "Id": guid(f"folder:{name}"),
            "IsFolder": True,
            "Type": "CollectionFolder",
            "CollectionType": collection_type,
            "ImageTags": {},
            "BackdropImageTags": [],
            "LocationType": "FileSystem",
            "MediaType": "Unknown",
        }

    async def _image(self, request: web.Request) -> web.Response:
        item_id = request.match_info["item_id"].replace("-", "").lower()
        found = next((i for i in self.tree() if i.id == item_id), None)
        if found is None or request.match_info["image_type"] != "Primary" or not found.has_image:
            return web.Response(status=404)
        return web.Response(body=PNG, content_type="image/png")

    async def _sessions(self, request: web.Request) -> web.Response:
        self._update()
        query = {k.lower(): v for k, v in request.query.items()}
        sessions = list(self.sessions)
        if "activewithinseconds" in query:
            try:
                window = int(query["activewithinseconds"])
            except ValueError:
                return self._bad_request("activeWithinSeconds", query["activewithinseconds"])
            oldest = self.elapsed() - window
            sessions = [s for s in sessions if s.last_activity >= oldest]
        if device := query.get("deviceid"):
            sessions = [s for s in sessions if s.device_id.lower() == device.lower()]
        return web.json_response([self._session_dto(s) for s in sessions])

    async def _refresh(self, request: web.Request) -> web.Response:
        self.start_scan()
        return web.Response(status=204)

    async def _tasks(self, request: web.Request) -> web.Response:
        return web.json_response(self.tasks())

    async def _virtual_folders(self, request: web.Request) -> web.Response:
        progress = self.scan_progress()
        folders = []
        for name, path, ctype in LIBRARIES:
            folder: dict[str, Any] = {
                "Name": name,
                "Locations": [path],
                "CollectionType": ctype,
                "LibraryOptions": {
                    "Enabled": True,
                    "EnableRealtimeMonitor": True,
                    "EnablePhotos": True,
                    "EnableInternetProviders": True,
                    "SaveLocalMetadata": False,
                    "PathInfos": [{"Path": path}],
                    "PreferredMetadataLanguage": "en",
                    "MetadataCountryCode": "US",
                },
                "ItemId": guid(f"folder:{name}"),
            }
            if progress is not None:
                folder["RefreshProgress"] = progress
            folder["RefreshStatus"] = "Active" if progress is not None else "Idle"
            folders.append(folder)
        return web.json_response(folders)

    # -- the library tree and streams (media browser) ----------------------------------------
    # What Pandora Box's media source and the players' browse walk: ``/Items`` by
    # ``ParentId`` (libraries → movies; series → seasons → episodes; artists → albums →
    # tracks), ``/UserViews``, images, and the two stream routes.  Checked against
    # jellyfin/jellyfin v10.10.7, v10.11.11 and v12.0-rc5 (line numbers of v10.11.11).

    def tree(self) -> list[SimItem]:
        """Every visible item plus the folders Jellyfin derives from the files: seasons, artists.

        Jellyfin's resolvers make a ``Season`` of every season folder of a
        series and a ``MusicArtist`` of a music folder holding album folders
        (``SeasonResolver``, ``MusicArtistResolver``); they are not counted by
        ``/Items/Counts`` as seasons, here and there alike.
        """
        items = self.visible()
        derived: dict[str, SimItem] = {}
        for item in items:
            if item.type == "Episode" and item.series_id is not None and item.season is not None:
                season_id = guid(f"season:{item.series_id}:{item.season}")
                derived.setdefault(
                    season_id,
                    SimItem(
                        id=season_id,
                        name=f"Season {item.season}",
                        type="Season",
                        library=item.library,
                        path=item.path.rsplit("/", 1)[0],
                        date_created=item.date_created,
                        year=item.year,
                        series_id=item.series_id,
                        series_name=item.series_name,
                        episode=item.season,  # a season's IndexNumber is its number
                        has_image=False,  # falls back to the series' poster
                    ),
                )
            elif item.type == "MusicAlbum":
                artist_path = item.path.rsplit("/", 1)[0]
                artist_id = guid(f"MusicArtist:{artist_path}")
                derived.setdefault(
                    artist_id,
                    SimItem(
                        id=artist_id,
                        name=artist_path.rsplit("/", 1)[1],
                        type="MusicArtist",
                        library=item.library,
                        path=artist_path,
                        date_created=item.date_created,
                    ),
                )
        return [*items, *derived.values()]

    def ancestors(self, item: SimItem) -> list[str]:
        """Ids of the folders holding ``item``, nearest first, its library last."""
        library = guid(f"folder:{item.library}")
        folder = item.path.rsplit("/", 1)[0]
        if item.type == "Season" and item.series_id is not None:
            return [item.series_id, library]
        if item.type == "Episode" and item.series_id is not None:
            return [guid(f"season:{item.series_id}:{item.season}"), item.series_id, library]
        if item.type == "MusicAlbum":
            return [guid(f"MusicArtist:{folder}"), library]
        if item.type == "Audio":
            artist = folder.rsplit("/", 1)[0]
            return [guid(f"MusicAlbum:{folder}"), guid(f"MusicArtist:{artist}"), library]
        return [library]

    def descendants(self, parent_id: str, *, recursive: bool) -> list[SimItem]:
        """The children of ``parent_id`` (every level below it with ``recursive``).

        ``ItemsController.GetItems`` (L280-L322): the parent's children, or with
        ``Recursive`` its whole subtree; an unknown parent has none.
        """
        found = []
        for item in self.tree():
            chain = self.ancestors(item)
            if (parent_id in chain) if recursive else chain[0] == parent_id:
                found.append(item)
        return found

    def _views_among(self, ids: set[str]) -> list[dict[str, Any]]:
        """The libraries (``CollectionFolder``) whose ids are in ``ids``."""
        wanted = {i.replace("-", "").lower() for i in ids}
        return [
            self._view_dto(name, ctype)
            for name, _, ctype in LIBRARIES
            if guid(f"folder:{name}") in wanted
        ]

    def _tree_dto(self, item: SimItem, fields: set[str]) -> dict[str, Any]:
        """``_item_dto`` with what the tree adds: ``ParentId``, seasons' and tracks' shape."""
        dto = self._item_dto(item, fields)
        dto["ParentId"] = self.ancestors(item)[0]
        if item.type == "Season":
            for key in ("SeasonId", "SeasonName", "ParentIndexNumber"):
                dto.pop(key, None)
        if item.type in ("MusicArtist", "MusicAlbum"):
            dto["IsFolder"] = True
        if item.type == "Audio":
            dto["Container"] = item.path.rsplit(".", 1)[-1]
            dto["AlbumArtist"] = item.path.rsplit("/", 3)[-3]
            album_id = self.ancestors(item)[0]
            album = next((i for i in self.items if i.id == album_id), None)
            if album is not None and album.image_tag is not None:
                dto["AlbumPrimaryImageTag"] = album.image_tag
        return dto

    def stream_content(self, item_id: str) -> bytes:
        """The bytes of an item's file: ``STREAM_BYTES`` of a digest stream of its id."""
        return hashlib.shake_256(item_id.encode()).digest(STREAM_BYTES)

    def _setup_library_routes(self, app: web.Application) -> None:
        guard = self._protected
        app.router.add_get("/UserViews", guard(self._user_views))
        # GET also answers HEAD in aiohttp, as [HttpHead] does in Jellyfin
        app.router.add_get("/Videos/{item_id}/stream", self._video_stream)
        app.router.add_get("/Audio/{item_id}/universal", guard(self._universal_audio))

    def _stream_item(self, request: web.Request) -> SimItem | web.Response:
        """The item of a stream route, or the answer for a bad or unknown id."""
        raw = request.match_info["item_id"]
        if _GUID.fullmatch(raw) is None:
            return self._bad_request("itemId", raw)
        item_id = raw.replace("-", "").lower()
        found = next((i for i in self.visible() if i.id == item_id), None)
        return web.Response(status=404) if found is None else found

    async def _user_views(self, request: web.Request) -> web.Response:
        """``GET /UserViews`` (``UserViewsController.cs`` L64): the libraries of one user.

        ``userId`` falls back to the token's user (``RequestHelpers.GetUserId``);
        an API key has none, so without ``userId`` no user is found and
        ``ResourceNotFoundException`` answers 404.  Users are those of the sessions.
        """
        query = {k.lower(): v for k, v in request.query.items()}
        user_id = query.get("userid", "")
        if user_id and _GUID.fullmatch(user_id) is None:
            return self._bad_request("userId", user_id)
        users = {guid(f"user:{s.user_name}") for s in self.sessions if s.user_name}
        if user_id.replace("-", "").lower() not in users:
            return web.Response(status=404)
        views = [self._view_dto(name, ctype) for name, _, ctype in LIBRARIES]
        return web.json_response({"Items": views, "TotalRecordCount": len(views), "StartIndex": 0})

    async def _video_stream(self, request: web.Request) -> web.StreamResponse:
        """``GET|HEAD /Videos/{itemId}/stream`` (``VideosController.cs`` L312-L316).

        The route carries no ``[Authorize]`` (nor does ``BaseJellyfinApiController``)
        in 10.10.7, 10.11.11 and 12.0-rc5: Jellyfin serves it to anyone who knows the
        item id, so this one does too.  ``static=true`` sends the file as it is
        (``FileStreamResponseHelpers.GetStaticFileResult``, a ``PhysicalFileResult``
        with ``EnableRangeProcessing``: ranges answer 206); this simulator does not
        transcode, so a request without it is refused (400).
        """
        found = self._stream_item(request)
        if isinstance(found, web.Response):
            return found
        if found.type not in ("Movie", "Episode", "MusicVideo", "Video"):
            return web.Response(status=404)
        if request.query.get("static", "").lower() != "true":
            return web.Response(status=400, text="The simulator only streams static=true")
        return self._file_answer(request, self.stream_content(found.id), "video/x-matroska")

    async def _universal_audio(self, request: web.Request) -> web.StreamResponse:
        """``GET|HEAD /Audio/{itemId}/universal`` (``UniversalAudioController.cs`` L92-L94).

        ``[Authorize]``: the token must be valid (``ApiKey`` query works everywhere;
        ``api_key`` only while legacy authorization is on).  A track whose
        container is among ``container`` is sent as it is (direct play, ranges
        answer 206); otherwise it is "transcoded" to ``transcodingContainer``
        (default mp3) — the same bytes here, with that type.
        """
        found = self._stream_item(request)
        if isinstance(found, web.Response):
            return found
        if found.type != "Audio":
            return web.Response(status=404)
        query = {k.lower(): v for k, v in request.query.items()}
        containers = {c.strip().lower() for c in query.get("container", "").split(",")}
        container = found.path.rsplit(".", 1)[-1].lower()
        if container in containers:
            content_type = f"audio/{container}"
        else:
            target = query.get("transcodingcontainer", "mp3").lower()
            content_type = "audio/mpeg" if target == "mp3" else f"audio/{target}"
        return self._file_answer(request, self.stream_content(found.id), content_type)

    @staticmethod
    def _file_answer(request: web.Request, content: bytes, content_type: str) -> web.Response:
        """A file as ASP.NET's range processing sends it: 200, or 206/416 for a range."""
        headers = {"Accept-Ranges": "bytes"}
        size = len(content)
        if "Range" not in request.headers:
            return web.Response(body=content, content_type=content_type, headers=headers)
        try:
            wanted = request.http_range
        except ValueError:
            wanted = slice(size, None)
        start, stop = wanted.start, wanted.stop
        if start is None:
            start = 0
        elif start < 0:
            start = max(0, size + start)
        stop = size if stop is None else min(stop, size)
        if start >= size or start >= stop:
            headers["Content-Range"] = f"bytes */{size}"
            return web.Response(status=416, headers=headers)
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
        return web.Response(
            status=206, body=content[start:stop], content_type=content_type, headers=headers
        )
