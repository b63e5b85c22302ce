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
* **Remote control** (``SessionController.cs``, v10.10.7 and v10.11.11 alike):
  ``POST /Sessions/{id}/Playing/{command}`` (L162: a ``PlaystateCommand``,
  ``seekPositionTicks`` for ``Seek``), ``POST /Sessions/{id}/Playing`` (L119:
  ``playCommand`` PlayNow/PlayNext/PlayLast, comma-separated ``itemIds``,
  folders expand to their files), ``POST /Sessions/{id}/Command/{command}``
  (L219: a ``GeneralCommandType`` without arguments) and ``POST
  /Sessions/{id}/Command`` (L247: a ``GeneralCommand`` body with
  ``Arguments``, e.g. ``SetVolume``).  Each is plain ``[Authorize]`` and
  answers 204; an unknown session is ``ResourceNotFoundException`` (404), an
  unknown command name fails model binding (400).  The server checks nothing
  about what the client can do: a session lists that itself
  (``SupportedCommands``, ``PlayableMediaTypes``, ``SupportsRemoteControl``),
  and a client ignores what it cannot do, so callers check first.
* Dates are ISO 8601 with seven fractional digits; ``DateTime.MinValue``
  (year 1) means "never" and becomes ``None``.
* **The library tree** (media browser): ``GET /Items`` without ``ParentId``
  and not recursive lists the user root folder's children, the libraries, also
  for an API key (``ItemsController.GetItems``, v10.11.11 L280-L310), whereas
  ``/UserViews`` needs a user id an API key does not have (404).  Children come
  from ``ParentId`` (+ ``IncludeItemTypes``, ``Recursive``), a page at a time
  (``StartIndex``, ``Limit``; ``TotalRecordCount`` says how many there are).
* **Stream URLs carry the key as ``ApiKey``**, the only query name
  ``AuthorizationContext`` still reads when ``EnableLegacyAuthorization`` is
  off (default off in 12.0, ``20260531160000_DisableLegacyAuthorization.cs``;
  ``api_key`` is legacy, ``AuthorizationContext.cs`` L103-L111).  Video:
  ``/Videos/{id}/stream?static=true`` (the file as it is, ranges answered;
  that route has no ``[Authorize]``, the key is sent all the same so a
  server that guards it still plays).  Audio: ``/Audio/{id}/universal``
  (``[Authorize]``), direct play for common containers, else mp3.  These
  URLs are handed to media players and must never be logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
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
    transport_error,
)
from .errors import CannotConnectError, InvalidAuthError, PermissionDeniedError, ResponseError
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
POSTER_WIDTH = 400
"""Dashboard posters are fetched scaled down to this width (``maxWidth``)."""

MAX_PAGE = 500
"""Most items asked for in one ``/Items`` page."""

AUDIO_CONTAINERS = "opus,mp3,aac,m4a,m4b,flac,webma,webm,wav,ogg"
"""Containers a player of the universal audio stream takes as they are (direct play)."""

MAX_STREAMING_BITRATE = "140000000"
"""Bit rate ceiling of the universal audio stream (what Jellyfin's own clients ask)."""

BROWSE_FIELDS = "Path,Overview,DateCreated"
"""Extra fields asked for with library items (``Path`` gives the file's type)."""

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
    """What a session is playing; times in seconds, ``None`` when unknown.

    ``season``/``episode`` are an episode's numbers (``track`` a song's);
    ``image_id``/``image_tag`` name the primary image to show (the item's,
    else its series' or album's).
    """

    item_id: str | None
    name: str
    type: str | None
    series_name: str | None
    runtime_s: float | None
    position_s: float | None
    paused: bool
    media_type: str | None = None
    season: int | None = None
    episode: int | None = None
    album: str | None = None
    album_artist: str | None = None
    artist: str | None = None
    image_id: str | None = None
    image_tag: str | None = None

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
    supports_remote_control: bool = False
    """Whether commands reach the client (``SessionInfo.SupportsRemoteControl``)."""
    is_active: bool = False
    playable_media_types: tuple[str, ...] = ()
    """What the client can play (``Video``, ``Audio``…); empty: nothing."""
    supported_commands: tuple[str, ...] = ()
    """The ``GeneralCommandType`` names the client carries out."""
    can_seek: bool = False
    volume_level: int | None = None
    """The client's volume, 0 to 100, if it reports one."""
    is_muted: bool = False
    last_playback_check_in: datetime | None = None
    """When the client last reported its position."""


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


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryItem:
    """One item of the library tree: a library, folder, series, season, album or a file.

    ``type`` is Jellyfin's ``BaseItemKind`` (``CollectionFolder``, ``Movie``,
    ``Series``, ``Season``, ``Episode``, ``MusicArtist``, ``MusicAlbum``,
    ``Audio`` …); ``media_type`` is ``Video``, ``Audio``, ``Book``… for
    playable items.  ``image_id``/``image_tag`` name the primary image to show
    (the item's own, else its series' or album's), if any.
    """

    id: str
    name: str
    type: str
    is_folder: bool
    collection_type: str | None = None
    media_type: str | None = None
    container: str | None = None
    path: str | None = None
    index: int | None = None
    parent_index: int | None = None
    series_name: str | None = None
    album: str | None = None
    year: int | None = None
    runtime_s: float | None = None
    overview: str | None = None
    image_id: str | None = None
    image_tag: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemPage:
    """One page of ``/Items``: its items, where it starts and how many there are in all."""

    items: tuple[LibraryItem, ...]
    start: int
    total: int


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


def library_scan_task(tasks: Sequence[ScheduledTask]) -> ScheduledTask | None:
    """The library scan ("RefreshLibrary") among ``tasks``, if there."""
    return next((t for t in tasks if t.key == LIBRARY_SCAN_TASK_KEY), None)


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


def primary_image(item: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(item id, tag)`` of the primary image to show for a ``BaseItemDto``, if any.

    The item's own, else its series' (an episode) or its album's (a song).
    """
    tags = item.get("ImageTags")
    image_id = opt_str(item.get("Id"))
    image_tag = opt_str(tags.get("Primary")) if isinstance(tags, dict) else None
    if image_tag is None and (tag := opt_str(item.get("SeriesPrimaryImageTag"))):
        image_id, image_tag = opt_str(item.get("SeriesId")), tag
    if image_tag is None and (tag := opt_str(item.get("AlbumPrimaryImageTag"))):
        image_id, image_tag = opt_str(item.get("AlbumId")), tag
    if image_tag is None or image_id is None:
        return None, None
    return image_id, image_tag


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
        self._api_key = api_key
        self._device_id = device_id
        self._secrets = (api_key,)
        self._headers = {
            "Authorization": authorization_header(api_key, device_id=device_id),
            "Accept": "application/json",
        }

    async def _get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET ``path`` with the key and return the parsed JSON body."""
        resp = await self._authorized("GET", path, params=params)
        return resp.json()

    async def _authorized(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        encoded_path: bool = False,
    ) -> HttpResponse:
        """Send a request with the key; 401 is a bad key, 403 a missing administrator right."""
        resp = await self._request(
            method,
            path,
            params=params,
            headers=self._headers,
            json=json,
            encoded_path=encoded_path,
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
        owner, tag = primary_image(item)
        if owner is None or tag is None:
            return None
        url = self._url(f"/Items/{quote(owner, safe='')}/Images/Primary", encoded=True)
        return str(url.with_query({"tag": tag}))

    async def async_poster(self, url: str) -> Image:
        """Fetch a primary image by the URL this client gave it (``LatestItem.image_url``).

        Only this server's ``/Items/{id}/Images/Primary`` with at most a
        ``tag`` is accepted (``ValueError`` otherwise); the request is then
        built anew by ``async_image``, scaled to ``POSTER_WIDTH``.
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
        return await self.async_image(match.group(1), tag=tag, max_width=POSTER_WIDTH)

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
        """Return the sessions active within the last ``active_within_seconds`` (not ours)."""
        return self.parse_sessions(
            await self._get_json(
                "/Sessions", {"activeWithinSeconds": str(max(1, active_within_seconds))}
            )
        )

    def parse_sessions(self, raw_sessions: Any) -> list[Session]:
        """Parse a list of ``SessionInfoDto`` (``/Sessions``, or the socket's ``Sessions``).

        Our own session is left out: the socket we hold is one (Jellyfin's
        ``SessionWebSocketListener`` logs one per connection, under the
        ``DeviceId`` we send), and it plays nothing.
        """
        sessions: list[Session] = []
        for entry in as_list(raw_sessions, self, "a session list"):
            data = as_dict(entry, self, "a session")
            session_id = opt_str(data.get("Id"))
            if session_id is None:
                raise self.bad_answer("a session without an id")
            device_id = opt_str(data.get("DeviceId"))
            if device_id == self._device_id:
                continue
            sessions.append(
                Session(
                    id=session_id,
                    user_name=opt_str(data.get("UserName")),
                    client=opt_str(data.get("Client")),
                    device_name=opt_str(data.get("DeviceName")),
                    device_id=device_id,
                    application_version=opt_str(data.get("ApplicationVersion")),
                    last_activity=parse_date(data.get("LastActivityDate")),
                    now_playing=self._now_playing(data),
                    **self._controls(data),
                )
            )
        return sessions

    @staticmethod
    def _controls(session: Mapping[str, Any]) -> dict[str, Any]:
        """What a session says about remote control: capabilities and play state.

        ``PlayableMediaTypes`` and ``SupportedCommands`` are read at the top
        level (``SessionInfoDto``) and, failing that, from ``Capabilities``.
        """
        caps = session.get("Capabilities")
        capabilities: Mapping[str, Any] = caps if isinstance(caps, dict) else {}
        state = session.get("PlayState")
        play_state: Mapping[str, Any] = state if isinstance(state, dict) else {}

        def names(key: str) -> tuple[str, ...]:
            value = session.get(key)
            if not isinstance(value, list):
                value = capabilities.get(key)
            return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

        return {
            "supports_remote_control": session.get("SupportsRemoteControl") is True,
            "is_active": session.get("IsActive") is True,
            "playable_media_types": names("PlayableMediaTypes"),
            "supported_commands": names("SupportedCommands"),
            "can_seek": play_state.get("CanSeek") is True,
            "volume_level": opt_int(play_state.get("VolumeLevel")),
            "is_muted": play_state.get("IsMuted") is True,
            "last_playback_check_in": parse_date(session.get("LastPlaybackCheckIn")),
        }

    def _now_playing(self, session: Mapping[str, Any]) -> NowPlaying | None:
        """Parse ``NowPlayingItem`` and ``PlayState`` of a session, if it plays."""
        item = session.get("NowPlayingItem")
        if not isinstance(item, dict):
            return None
        state = session.get("PlayState")
        play_state: Mapping[str, Any] = state if isinstance(state, dict) else {}
        artists = item.get("Artists")
        image_id, image_tag = primary_image(item)
        return NowPlaying(
            item_id=opt_str(item.get("Id")),
            name=opt_str(item.get("Name")) or "",
            type=opt_str(item.get("Type")),
            series_name=opt_str(item.get("SeriesName")),
            runtime_s=ticks_to_seconds(item.get("RunTimeTicks")),
            position_s=ticks_to_seconds(play_state.get("PositionTicks")),
            paused=play_state.get("IsPaused") is True,
            media_type=opt_str(item.get("MediaType")),
            season=opt_int(item.get("ParentIndexNumber")),
            episode=opt_int(item.get("IndexNumber")),
            album=opt_str(item.get("Album")),
            album_artist=opt_str(item.get("AlbumArtist")),
            artist=opt_str(artists[0]) if isinstance(artists, list) and artists else None,
            image_id=image_id,
            image_tag=image_tag,
        )

    # -- remote control -----------------------------------------------------------------

    def _session_path(self, session_id: str, *rest: str) -> str:
        """``/Sessions/{id}/…`` with every part percent-encoded."""
        return "/".join(("/Sessions", *(quote(part, safe="") for part in (session_id, *rest))))

    async def async_playstate(
        self, session_id: str, command: str, *, seek_ticks: int | None = None
    ) -> None:
        """Send a ``PlaystateCommand`` (Pause, Unpause, Stop, Seek, NextTrack…) to a session."""
        params = {} if seek_ticks is None else {"seekPositionTicks": str(max(0, seek_ticks))}
        path = self._session_path(session_id, "Playing", command)
        await self._authorized("POST", path, params=params, encoded_path=True)

    async def async_play(
        self, session_id: str, item_ids: Sequence[str], *, command: str = "PlayNow"
    ) -> None:
        """Tell a session to play items (``PlayNow``) or queue them (``PlayNext``, ``PlayLast``)."""
        params = {"playCommand": command, "itemIds": ",".join(item_ids)}
        path = self._session_path(session_id, "Playing")
        await self._authorized("POST", path, params=params, encoded_path=True)

    async def async_command(
        self, session_id: str, command: str, arguments: Mapping[str, str] | None = None
    ) -> None:
        """Send a ``GeneralCommandType`` (MoveUp, Back, SetVolume…), with its arguments if any."""
        if arguments:
            body = {"Name": command, "Arguments": dict(arguments)}
            path = self._session_path(session_id, "Command")
            await self._authorized("POST", path, json=body, encoded_path=True)
        else:
            path = self._session_path(session_id, "Command", command)
            await self._authorized("POST", path, encoded_path=True)

    async def async_scheduled_tasks(self) -> list[ScheduledTask]:
        """Return every scheduled task with its state and last result."""
        return self.parse_tasks(await self._get_json("/ScheduledTasks"))

    def parse_tasks(self, raw_tasks: Any) -> list[ScheduledTask]:
        """Parse a list of ``TaskInfo`` (``/ScheduledTasks``, or the socket's task list)."""
        tasks: list[ScheduledTask] = []
        for entry in as_list(raw_tasks, self, "a task list"):
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
        return library_scan_task(await self.async_scheduled_tasks())

    # -- the WebSocket ----------------------------------------------------------------------

    async def async_open_socket(self) -> aiohttp.ClientWebSocketResponse:
        """Open Jellyfin's WebSocket, ``/socket``, with the key in the Authorization header.

        ``WebSocketManager.WebSocketRequestHandler`` authenticates the upgrade
        as any request (``AuthService``); a missing or unknown token is a
        ``SecurityException``, which ``ExceptionMiddleware`` answers with 403:
        here that is ``InvalidAuthError`` (the next poll's 401 starts reauth).
        The protocol on the open socket is ``jellyfin_socket.py``'s.
        """
        try:
            async with asyncio.timeout(self._timeout_s):
                return await self._session.ws_connect(
                    self._url("/socket"),
                    headers={"Authorization": self._headers["Authorization"]},
                    ssl=self._ssl,
                    timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=self._timeout_s),
                    max_msg_size=self._max_bytes,
                    autoping=True,
                )
        except aiohttp.WSServerHandshakeError as err:
            if err.status in (401, 403):
                raise InvalidAuthError(
                    f"{self.service} at {self.origin} refused the key on its WebSocket "
                    f"(HTTP {err.status})"
                ) from err
            raise ResponseError(
                f"{self.service} at {self.origin} refused a WebSocket (HTTP {err.status}); "
                "a reverse proxy in front of it may not pass WebSocket upgrades",
                status=err.status,
            ) from err
        except TimeoutError as err:
            raise CannotConnectError(
                f"{self.service} at {self.origin} did not open its WebSocket within "
                f"{self._timeout_s:g} s"
            ) from err
        except aiohttp.ClientError as err:
            raise transport_error(self.service, self.origin, err) from err

    # -- the library tree (media browser) ----------------------------------------------------

    async def async_views(self) -> list[LibraryItem]:
        """Return the libraries (the root folder's children), in the server's order."""
        page = await self._item_page({})
        return list(page.items)

    async def async_children(
        self,
        parent_id: str,
        *,
        item_types: Sequence[str] = (),
        recursive: bool = False,
        start: int = 0,
        limit: int = MAX_PAGE,
        sort_by: str = "SortName",
    ) -> ItemPage:
        """Return one page of the children of ``parent_id`` (its subtree with ``recursive``)."""
        params = {
            "ParentId": parent_id,
            "Recursive": "true" if recursive else "false",
            "StartIndex": str(max(0, start)),
            "Limit": str(max(1, min(limit, MAX_PAGE))),
            "SortBy": sort_by,
            "SortOrder": "Ascending",
            "Fields": BROWSE_FIELDS,
        }
        if item_types:
            params["IncludeItemTypes"] = ",".join(item_types)
        return await self._item_page(params)

    async def async_search(
        self,
        term: str,
        *,
        item_types: Sequence[str],
        limit: int = 50,
        parent_id: str | None = None,
    ) -> ItemPage:
        """Return items whose name matches ``term`` in every library (or below ``parent_id``)."""
        params = {
            "SearchTerm": term,
            "Recursive": "true",
            "IncludeItemTypes": ",".join(item_types),
            "Limit": str(max(1, min(limit, MAX_PAGE))),
            "Fields": BROWSE_FIELDS,
        }
        if parent_id is not None:
            params["ParentId"] = parent_id
        return await self._item_page(params)

    async def async_get_item(self, item_id: str) -> LibraryItem | None:
        """Return one item by id, or ``None`` when the server has no such item."""
        page = await self._item_page({"Ids": item_id, "Fields": BROWSE_FIELDS})
        return next((item for item in page.items if item.id == item_id), None)

    async def _item_page(self, params: Mapping[str, str]) -> ItemPage:
        """``GET /Items`` with ``params``, parsed into typed items."""
        data = as_dict(await self._get_json("/Items", params), self, "an item list")
        raw = as_list(data.get("Items"), self, "an item list")
        items = tuple(self._library_item(as_dict(entry, self, "an item")) for entry in raw)
        total = opt_int(data.get("TotalRecordCount"))
        start = opt_int(data.get("StartIndex")) or 0
        return ItemPage(items=items, start=start, total=len(items) if total is None else total)

    def _library_item(self, item: Mapping[str, Any]) -> LibraryItem:
        """Parse one ``BaseItemDto`` of the tree."""
        item_id = opt_str(item.get("Id"))
        name = opt_str(item.get("Name"))
        kind = opt_str(item.get("Type"))
        if item_id is None or name is None or kind is None:
            raise self.bad_answer("an item without an id, name or type")
        image_id, image_tag = primary_image(item)
        return LibraryItem(
            id=item_id,
            name=name,
            type=kind,
            is_folder=item.get("IsFolder") is True,
            collection_type=opt_str(item.get("CollectionType")),
            media_type=opt_str(item.get("MediaType")),
            container=opt_str(item.get("Container")),
            path=opt_str(item.get("Path")),
            index=opt_int(item.get("IndexNumber")),
            parent_index=opt_int(item.get("ParentIndexNumber")),
            series_name=opt_str(item.get("SeriesName")),
            album=opt_str(item.get("Album")),
            year=opt_int(item.get("ProductionYear")),
            runtime_s=ticks_to_seconds(item.get("RunTimeTicks")),
            overview=opt_str(item.get("Overview")),
            image_id=image_id,
            image_tag=image_tag,
        )

    async def async_image(self, item_id: str, *, tag: str | None, max_width: int) -> Image:
        """Return the primary image of ``item_id`` scaled to at most ``max_width`` pixels."""
        params = {"maxWidth": str(max(1, max_width)), "quality": "90"}
        if tag:
            params["tag"] = tag
        resp = await self._request(
            "GET",
            f"/Items/{quote(item_id, safe='')}/Images/Primary",
            params=params,
            headers={"Accept": "image/*"},
            auth_statuses=(401,),
            allow_statuses=(404,),
        )
        if resp.status == 404 or not resp.content_type.startswith("image/"):
            raise ResponseError(
                f"{self.service} at {self.origin} has no image for this item", status=404
            )
        return Image(content=resp.body, content_type=resp.content_type)

    def video_stream_url(self, item_id: str) -> str:
        """The URL that streams the video file of ``item_id`` as it is (key included: never log)."""
        url = self._url(f"/Videos/{quote(item_id, safe='')}/stream", encoded=True)
        return str(url.with_query({"static": "true", "ApiKey": self._api_key}))

    def audio_stream_url(self, item_id: str) -> str:
        """The URL of the universal audio stream of ``item_id`` (key included: never log)."""
        url = self._url(f"/Audio/{quote(item_id, safe='')}/universal", encoded=True)
        return str(
            url.with_query(
                {
                    "Container": AUDIO_CONTAINERS,
                    "TranscodingContainer": "mp3",
                    "TranscodingProtocol": "http",
                    "AudioCodec": "mp3",
                    "MaxStreamingBitrate": MAX_STREAMING_BITRATE,
                    "DeviceId": self._device_id,
                    "ApiKey": self._api_key,
                }
            )
        )
