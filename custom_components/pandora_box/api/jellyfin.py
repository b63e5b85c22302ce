"""Jellyfin (10.9 to 10.11) client: server identity, library, sessions, scans.

What it does: checks an API key (``async_get_info``), reads the library's item
counts, the active sessions with what they play, the scheduled tasks (the
library scan among them), the latest movies and episodes, and the libraries
(virtual folders); it can start a library scan.

Library decision (see ``shared/upstreams.md``): our own client on
:class:`HttpClient`.  ``jellyfin-apiclient-python`` is synchronous (threads)
and ``aiojellyfin`` has had no release since 2025-01.

Decisions verified in Jellyfin's source (jellyfin/jellyfin, tags v10.9.11,
v10.10.7, v10.11.11):

* **Authorization header.**  ``AuthorizationContext`` reads the standard
  ``Authorization`` header with the ``MediaBrowser`` scheme and comma-separated
  ``Key="value"`` pairs whose values are URL-decoded.  For an API key only
  ``Token`` is needed: the server then sets ``Client`` to the key's name and
  ``Device``/``DeviceId``/``Version`` to its own, and stores nothing about the
  caller.  We still send the full form the Jellyfin team recommends for every
  client (``Client``, ``Device``, ``DeviceId``, ``Version``, ``Token``, values
  URL-encoded), so that the server's logs name us and a user access token pasted
  in place of an API key also works.  ``DeviceId`` is a digest of the base URL
  (stable, no secret in it).  The legacy ways (``X-Emby-Token``,
  ``X-MediaBrowser-Token``, ``X-Emby-Authorization``, the ``api_key`` query)
  are still on by default in 10.10 and 10.11 but can be switched off in 10.11
  (``EnableLegacyAuthorization``) and are off in 12.0: we never use them, and
  the key never goes into a URL.
* **Validating the key.**  ``GET /System/Info/Public`` is anonymous and tells
  Jellyfin apart from other servers (``ProductName`` "Jellyfin Server", a
  32-hex ``Id``); ``GET /System/Info`` then needs a valid token (401 when it is
  wrong).  Before the startup wizard is finished ``/System/Info`` lets anyone
  in, and no API key can exist yet, so such a server is refused as a
  ``ResponseError`` ("finish the setup wizard").
* **Latest items without a user id.**  ``GET /Items`` takes ``userId`` only
  for user tokens: with an API key ``ItemsController`` skips the "userId is
  required" check and searches every library (10.9.0 through 10.11), so no
  ``/Users`` lookup is needed.  ``DateCreated`` is only in the answer when
  ``Fields=DateCreated`` is asked for (``DtoService.AttachBasicFields``).
  Images (``/Items/{id}/Images/Primary``) are served without authentication,
  so ``image_url`` carries no key.
* **Sessions.**  With an API key ``GET /Sessions`` lists every user's sessions
  (``SessionManager.GetSessions`` treats API keys as admin).  Positions and
  run times are in ticks of 100 ns.
* **Library scan.**  ``POST /Library/Refresh`` answers 204 at once; it queues
  the ``RefreshLibrary`` scheduled task (cancelling a running one), whose state
  and progress ``GET /ScheduledTasks`` reports.  Both need an admin (API keys
  are), else 403.
* **Not allowed.**  ``[Authorize(Policy = Policies.RequiresElevation)]`` guards
  ``ScheduledTasksController`` and ``LibraryController.RefreshLibrary``;
  ``LibraryStructureController`` (``/Library/VirtualFolders``) is
  ``FirstTimeSetupOrElevated`` (v10.11.11).  A token of a user who is not an
  administrator passes authentication and gets ASP.NET's forbid: **403** with
  an empty body.  That is ``PermissionDeniedError`` (administrator rights
  missing), never invalid auth: only 401 means a bad key.  ``/Sessions`` is
  only ``[Authorize]`` (a user sees their own sessions), not a 403.
* Dates are ISO 8601 with seven fractional digits; ``DateTime.MinValue``
  (year 1) means "never" and becomes ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import hashlib
import re
from typing import Any, ClassVar
from urllib.parse import quote

import aiohttp
from yarl import URL

from ._http import (
    DEFAULT_TIMEOUT,
    HttpClient,
    HttpResponse,
    Image,
    as_dict,
    as_list,
    opt_float,
    opt_int,
    opt_str,
)
from .errors import PermissionDeniedError
from .models import UpstreamInfo

CLIENT_NAME = "Pandora Box"
"""What Jellyfin's logs and dashboard call us (for user tokens; API keys show their name)."""

CLIENT_VERSION = "0.1.0"
"""Our version as sent in the Authorization header (the integration's manifest version)."""

DEVICE_NAME = "Home Assistant"
"""The device we run on, as sent in the Authorization header."""

TICKS_PER_SECOND = 10_000_000
"""Jellyfin counts time in ticks of 100 ns."""

LIBRARY_SCAN_TASK_KEY = "RefreshLibrary"
"""The ``Key`` of the "Scan Media Library" scheduled task."""

DEFAULT_ACTIVE_WITHIN_SECONDS = 960
"""Sessions seen within this many seconds count as active (Jellyfin's dashboard uses 960)."""

LATEST_ITEM_TYPES = ("Movie", "Episode")

_IMAGE_PATH = re.compile(r"/Items/([0-9a-fA-F]{32}|[0-9a-fA-F-]{36})/Images/Primary")
_IMAGE_TAG = re.compile(r"[0-9a-fA-F]{1,64}")
IMAGE_MAX_WIDTH = "400"
"""Posters are fetched scaled down to this width (``maxWidth`` of ``ImageController``)."""
_SERVER_ID = re.compile(r"^[0-9a-fA-F]{32}$|^[0-9a-fA-F-]{36}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemCounts:
    """How many items of each kind the server's libraries hold (``/Items/Counts``)."""

    movies: int
    series: int
    episodes: int
    songs: int
    albums: int
    artists: int
    music_videos: int
    box_sets: int
    books: int
    trailers: int
    programs: int
    items: int


@dataclass(frozen=True, slots=True, kw_only=True)
class NowPlaying:
    """What a session is playing; times in seconds, ``None`` when unknown."""

    item_id: str | None
    name: str
    type: str | None
    series_name: str | None
    runtime_s: float | None
    position_s: float | None
    paused: bool

    @property
    def progress(self) -> float | None:
        """Position as a percentage of the run time (0 to 100), if both are known."""
        if self.runtime_s is None or self.position_s is None or self.runtime_s <= 0:
            return None
        return max(0.0, min(100.0, self.position_s / self.runtime_s * 100))


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """One client connected to the server (``/Sessions``)."""

    id: str
    user_name: str | None
    client: str | None
    device_name: str | None
    device_id: str | None
    application_version: str | None
    last_activity: datetime | None
    now_playing: NowPlaying | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledTask:
    """One scheduled task (``/ScheduledTasks``); ``progress`` is 0 to 100 while running."""

    id: str | None
    key: str
    name: str
    category: str | None
    state: str
    progress: float | None
    last_result_status: str | None
    last_start: datetime | None
    last_end: datetime | None

    @property
    def running(self) -> bool:
        """Whether the task runs (or is being cancelled) now."""
        return self.state in ("Running", "Cancelling")


@dataclass(frozen=True, slots=True, kw_only=True)
class LatestItem:
    """A recently added movie or episode; ``image_url`` needs no key."""

    id: str
    name: str
    type: str | None
    series_name: str | None
    season: int | None
    episode: int | None
    year: int | None
    date_created: datetime | None
    image_url: str | None
    runtime_s: float | None = None
    rating: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualFolder:
    """One library as configured on the server (``/Library/VirtualFolders``)."""

    name: str
    locations: tuple[str, ...]
    collection_type: str | None
    item_id: str | None


def authorization_header(token: str, *, device_id: str) -> str:
    """Return the ``MediaBrowser`` Authorization value for ``token``.

    Values are URL-encoded and quoted, as the server URL-decodes each one.
    """
    parts = {
        "Client": CLIENT_NAME,
        "Device": DEVICE_NAME,
        "DeviceId": device_id,
        "Version": CLIENT_VERSION,
        "Token": token,
    }
    return "MediaBrowser " + ", ".join(f'{k}="{quote(v, safe="")}"' for k, v in parts.items())


def ticks_to_seconds(value: Any) -> float | None:
    """Convert Jellyfin ticks (100 ns) to seconds; ``None`` when missing or not a number."""
    ticks = opt_int(value)
    return None if ticks is None else ticks / TICKS_PER_SECOND


def parse_date(value: Any) -> datetime | None:
    """Parse a Jellyfin date (UTC when no zone is given); ``None`` for missing or year 1."""
    text = opt_str(value)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.year <= 1:
        return None  # DateTime.MinValue: "never"
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


class JellyfinClient(HttpClient):
    """Async client of one Jellyfin server, authenticated with an API key."""

    service: ClassVar[str] = "Jellyfin"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        api_key: str,
        verify_ssl: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session, base URL and key; nothing is sent yet."""
        super().__init__(session, url, verify_ssl=verify_ssl, timeout=timeout)
        device_id = hashlib.sha256(str(self.base_url).encode()).hexdigest()[:32]
        self._headers = {
            "Authorization": authorization_header(api_key, device_id=device_id),
            "Accept": "application/json",
        }

    async def _get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET ``path`` with the key and return the parsed JSON body."""
        resp = await self._authorized("GET", path, params=params)
        return resp.json()

    async def _authorized(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None
    ) -> HttpResponse:
        """Send a request with the key; 401 is a bad key, 403 a missing administrator right."""
        resp = await self._request(
            method,
            path,
            params=params,
            headers=self._headers,
            auth_statuses=(401,),
            allow_statuses=(403,),
        )
        if resp.status == 403:
            raise PermissionDeniedError(
                f"Jellyfin at {self.origin} refused {path} to this key's user (HTTP 403); "
                "use an API key (Dashboard > API Keys) or an administrator's token",
                right="administrator rights in Jellyfin",
            )
        return resp

    # -- identity -----------------------------------------------------------------------

    async def async_get_info(self) -> UpstreamInfo:
        """Identify the server and check the key.

        ``/System/Info/Public`` (anonymous) must look like Jellyfin's, then
        ``/System/Info`` must accept the key.
        """
        resp = await self._request(
            "GET",
            "/System/Info/Public",
            headers={"Accept": "application/json"},
            auth_statuses=(401,),  # anonymous: a 403 here is no verdict on the key
        )
        public = as_dict(resp.json(), self, "public system information")
        server_id = public.get("Id")
        product = public.get("ProductName")
        version = opt_str(public.get("Version"))
        if (
            not isinstance(server_id, str)
            or not _SERVER_ID.match(server_id)
            or not isinstance(product, str)
            or "jellyfin" not in product.lower()
            or version is None
        ):
            raise self.bad_answer("an answer that is not a Jellyfin server's (check the URL)")
        if public.get("StartupWizardCompleted") is False:
            raise self.bad_answer(
                "that its setup wizard is not finished; finish it and create an API key"
            )
        full = as_dict(await self._get_json("/System/Info"), self, "system information")
        name = opt_str(full.get("ServerName")) or opt_str(public.get("ServerName")) or "Jellyfin"
        return UpstreamInfo(
            unique_id=server_id.replace("-", "").lower(),
            name=name,
            version=opt_str(full.get("Version")) or version,
        )

    # -- library ------------------------------------------------------------------------

    async def async_item_counts(self) -> ItemCounts:
        """Return how many movies, series, episodes, songs… the libraries hold."""
        data = as_dict(await self._get_json("/Items/Counts"), self, "item counts")
        if "MovieCount" not in data and "EpisodeCount" not in data:
            raise self.bad_answer("item counts without any count")

        def count(key: str) -> int:
            return opt_int(data.get(key)) or 0

        return ItemCounts(
            movies=count("MovieCount"),
            series=count("SeriesCount"),
            episodes=count("EpisodeCount"),
            songs=count("SongCount"),
            albums=count("AlbumCount"),
            artists=count("ArtistCount"),
            music_videos=count("MusicVideoCount"),
            box_sets=count("BoxSetCount"),
            books=count("BookCount"),
            trailers=count("TrailerCount"),
            programs=count("ProgramCount"),
            items=count("ItemCount"),
        )

    async def async_latest_items(self, limit: int = 10) -> list[LatestItem]:
        """Return the ``limit`` movies and episodes added last, newest first."""
        params = {
            "SortBy": "DateCreated",
            "SortOrder": "Descending",
            "Recursive": "true",
            "IncludeItemTypes": ",".join(LATEST_ITEM_TYPES),
            "Limit": str(max(1, limit)),
            "Fields": "DateCreated",
            "EnableTotalRecordCount": "false",
        }
        data = as_dict(await self._get_json("/Items", params), self, "an item list")
        raw = as_list(data.get("Items"), self, "an item list")
        items: list[LatestItem] = []
        for entry in raw:
            item = as_dict(entry, self, "an item")
            item_id = opt_str(item.get("Id"))
            name = opt_str(item.get("Name"))
            if item_id is None or name is None:
                raise self.bad_answer("an item without an id or name")
            items.append(
                LatestItem(
                    id=item_id,
                    name=name,
                    type=opt_str(item.get("Type")),
                    series_name=opt_str(item.get("SeriesName")),
                    season=opt_int(item.get("ParentIndexNumber")),
                    episode=opt_int(item.get("IndexNumber")),
                    year=opt_int(item.get("ProductionYear")),
                    date_created=parse_date(item.get("DateCreated")),
                    image_url=self._image_url(item),
                    runtime_s=ticks_to_seconds(item.get("RunTimeTicks")),
                    rating=opt_float(item.get("CommunityRating")),
                )
            )
        return items

    def _image_url(self, item: Mapping[str, Any]) -> str | None:
        """Return the item's primary image URL, or its series' for an episode without one."""
        tags = item.get("ImageTags")
        tag = opt_str(tags.get("Primary")) if isinstance(tags, dict) else None
        owner = opt_str(item.get("Id"))
        if tag is None:
            tag = opt_str(item.get("SeriesPrimaryImageTag"))
            owner = opt_str(item.get("SeriesId"))
        if tag is None or owner is None:
            return None
        url = self._url(f"/Items/{quote(owner, safe='')}/Images/Primary", encoded=True)
        return str(url.with_query({"tag": tag}))

    async def async_image(self, url: str) -> Image:
        """Fetch a primary image by the URL this client gave it (``LatestItem.image_url``).

        Only this server's ``/Items/{id}/Images/Primary`` with at most a
        ``tag`` is accepted (``ValueError`` otherwise); the request is built
        anew with the key, scaled to ``IMAGE_MAX_WIDTH``.
        """
        asked = URL(url)
        base_path = self.base_url.path.rstrip("/")
        match = _IMAGE_PATH.fullmatch(asked.path.removeprefix(base_path))
        tag = asked.query.get("tag")
        if (
            asked.scheme != self.base_url.scheme
            or asked.host != self.base_url.host
            or asked.port != self.base_url.port
            or not asked.path.startswith(f"{base_path}/")
            or match is None
            or not set(asked.query) <= {"tag"}
            or (tag is not None and _IMAGE_TAG.fullmatch(tag) is None)
            or asked.fragment
        ):
            raise ValueError("not a primary image of this Jellyfin server")
        query = {"maxWidth": IMAGE_MAX_WIDTH} | ({"tag": tag} if tag else {})
        target = self._url(f"/Items/{match.group(1)}/Images/Primary").with_query(query)
        auth = {"Authorization": self._headers["Authorization"]}  # no JSON Accept for a file
        return await self._get_image(target, headers=auth)

    async def async_virtual_folders(self) -> list[VirtualFolder]:
        """Return the libraries configured on the server."""
        raw = as_list(await self._get_json("/Library/VirtualFolders"), self, "a library list")
        folders: list[VirtualFolder] = []
        for entry in raw:
            folder = as_dict(entry, self, "a library")
            name = opt_str(folder.get("Name"))
            if name is None:
                raise self.bad_answer("a library without a name")
            locations = folder.get("Locations")
            folders.append(
                VirtualFolder(
                    name=name,
                    locations=tuple(str(p) for p in locations)
                    if isinstance(locations, list)
                    else (),
                    collection_type=opt_str(folder.get("CollectionType")),
                    item_id=opt_str(folder.get("ItemId")),
                )
            )
        return folders

    async def async_refresh_library(self) -> None:
        """Start a scan of every library (Jellyfin answers 204 at once)."""
        await self._authorized("POST", "/Library/Refresh")

    # -- sessions and tasks ---------------------------------------------------------------

    async def async_sessions(
        self, active_within_seconds: int = DEFAULT_ACTIVE_WITHIN_SECONDS
    ) -> list[Session]:
        """Return the sessions active within the last ``active_within_seconds``."""
        raw = as_list(
            await self._get_json(
                "/Sessions", {"activeWithinSeconds": str(max(1, active_within_seconds))}
            ),
            self,
            "a session list",
        )
        sessions: list[Session] = []
        for entry in raw:
            data = as_dict(entry, self, "a session")
            session_id = opt_str(data.get("Id"))
            if session_id is None:
                raise self.bad_answer("a session without an id")
            sessions.append(
                Session(
                    id=session_id,
                    user_name=opt_str(data.get("UserName")),
                    client=opt_str(data.get("Client")),
                    device_name=opt_str(data.get("DeviceName")),
                    device_id=opt_str(data.get("DeviceId")),
                    application_version=opt_str(data.get("ApplicationVersion")),
                    last_activity=parse_date(data.get("LastActivityDate")),
                    now_playing=self._now_playing(data),
                )
            )
        return sessions

    def _now_playing(self, session: Mapping[str, Any]) -> NowPlaying | None:
        """Parse ``NowPlayingItem`` and ``PlayState`` of a session, if it plays."""
        item = session.get("NowPlayingItem")
        if not isinstance(item, dict):
            return None
        state = session.get("PlayState")
        play_state: Mapping[str, Any] = state if isinstance(state, dict) else {}
        return NowPlaying(
            item_id=opt_str(item.get("Id")),
            name=opt_str(item.get("Name")) or "",
            type=opt_str(item.get("Type")),
            series_name=opt_str(item.get("SeriesName")),
            runtime_s=ticks_to_seconds(item.get("RunTimeTicks")),
            position_s=ticks_to_seconds(play_state.get("PositionTicks")),
            paused=play_state.get("IsPaused") is True,
        )

    async def async_scheduled_tasks(self) -> list[ScheduledTask]:
        """Return every scheduled task with its state and last result."""
        raw = as_list(await self._get_json("/ScheduledTasks"), self, "a task list")
        tasks: list[ScheduledTask] = []
        for entry in raw:
            data = as_dict(entry, self, "a task")
            key = opt_str(data.get("Key"))
            state = opt_str(data.get("State"))
            if key is None or state is None:
                raise self.bad_answer("a task without a key or state")
            last = data.get("LastExecutionResult")
            result: Mapping[str, Any] = last if isinstance(last, dict) else {}
            tasks.append(
                ScheduledTask(
                    id=opt_str(data.get("Id")),
                    key=key,
                    name=opt_str(data.get("Name")) or key,
                    category=opt_str(data.get("Category")),
                    state=state,
                    progress=opt_float(data.get("CurrentProgressPercentage")),
                    last_result_status=opt_str(result.get("Status")),
                    last_start=parse_date(result.get("StartTimeUtc")),
                    last_end=parse_date(result.get("EndTimeUtc")),
                )
            )
        return tasks

    async def async_library_scan_task(self) -> ScheduledTask | None:
        """Return the library scan task ("RefreshLibrary"), if the server has it."""
        return next(
            (t for t in await self.async_scheduled_tasks() if t.key == LIBRARY_SCAN_TASK_KEY),
            None,
        )
