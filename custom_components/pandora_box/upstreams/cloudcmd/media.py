"""The CloudCmd media disk in Home Assistant's media browser: browse and play.

Used by the media source (``media_source.py``, through ``Upstream.media``):

* an entry's root is its root folder; a folder lists its folders, then its
  video, audio and image files (by extension, ``MEDIA_TYPES``), each group
  sorted by name, case-insensitively; other files, names starting with a dot
  and names the file actions would refuse (``paths.py``) are left out, at
  most ``MAX_CHILDREN`` of them (the rest counted in ``not_shown``);
* ids are ``<entry_id>/<path relative to the root>`` (``media/browse.py``);
  every path, from an id or from a URL, goes through ``paths.confine`` (the
  file actions' rules: no ``..``, no encoded or control characters, no
  backslash, nothing outside the root) before any request;
* playing resolves to ``/api/pandora_box/cloudcmd/<entry>/file/<path>``,
  signed with ``async_sign_path`` (so a media player can fetch it without a
  token), served by :class:`CloudCmdFileView` behind Home Assistant's
  authentication: it reads the file from CloudCmd with the entry's
  credentials, which never leave Home Assistant;
* CloudCmd 18.8.11 ignores ``Range`` (measured: ``200`` with the whole file,
  though it sends ``Accept-Ranges: bytes``), so the view answers ranges
  itself (``206`` with ``Content-Range``, ``416`` past the end): it streams
  the file from CloudCmd, drops the bytes before the range and stops after
  it.  Nothing is held beyond one chunk; seeking far into a large file
  costs reading the skipped part from CloudCmd;
* images small enough get themselves as thumbnail (the frontend fetches it
  with its token).

The core ``media_source`` local source (2026.11) was the model for classes
and MIME types; the range handling and confinement are ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from http import HTTPStatus
import re
from typing import Final, Literal
from urllib.parse import quote

from aiohttp import hdrs, web
from homeassistant.components.http import HomeAssistantView
from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.media_player import BrowseError, MediaClass, SearchMediaQuery
from homeassistant.components.media_source import BrowseMediaSource, PlayMedia
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import KEY_HASS

from ...api.cloudcmd import CloudCmdClient, FileEntry, FileStream, IsAFolderError, NotFoundError
from ...api.errors import InvalidAuthError, PandoraError
from ...const import DOMAIN, LOGGER, Kind
from ...coordinator import PandoraConfigEntry, entry_client
from ...media.browse import (
    identifier,
    kind_of,
    media_entry,
    media_error,
    media_errors,
    not_playable,
)
from .actions import folder_entries
from .paths import (
    PathRejectedError,
    basename,
    check_name,
    child,
    confine,
    is_root,
    parent,
    relative,
)

MAX_CHILDREN: Final = 2000
"""Most children one folder shows (Home Assistant's browser has no paging)."""

THUMBNAIL_MAX_BYTES: Final = 4 * 1024 * 1024
"""Largest image (as CloudCmd lists it) shown as its own thumbnail."""

PLAY_EXPIRY: Final = timedelta(hours=24)
"""How long a resolved URL plays (Home Assistant's own ``CONTENT_AUTH_EXPIRY_TIME``)."""

FILE_URL: Final = f"/api/{DOMAIN}/cloudcmd/{{entry_id}}/file/{{path:.+}}"

MEDIA_TYPES: Final[dict[str, str]] = {
    # video
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mkv": "video/matroska",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".avi": "video/x-msvideo",
    ".wmv": "video/x-ms-wmv",
    ".mpg": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".ts": "video/mp2t",
    ".m2ts": "video/mp2t",
    ".ogv": "video/ogg",
    ".3gp": "video/3gpp",
    ".flv": "video/x-flv",
    # audio
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".m4b": "audio/mp4",
    ".aac": "audio/aac",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/opus",
    ".wav": "audio/wav",
    ".wma": "audio/x-ms-wma",
    ".aiff": "audio/aiff",
    ".aif": "audio/aiff",
    ".mka": "audio/matroska",
    # images (no SVG: it can carry script)
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".avif": "image/avif",
    ".heic": "image/heic",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
"""The files the media browser shows and the view serves, by extension (lower case)."""

MEDIA_CLASSES: Final[dict[str, MediaClass]] = {
    "video": MediaClass.VIDEO,
    "audio": MediaClass.MUSIC,
    "image": MediaClass.IMAGE,
}

UNSATISFIABLE: Final = "unsatisfiable"
_RANGE = re.compile(r"(\d{0,19})-(\d{0,19})")

type ByteRange = tuple[int, int] | Literal["unsatisfiable"] | None
"""``(first, last)`` byte of a range, ``UNSATISFIABLE``, or ``None``: the whole file."""

_SAFE_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
    hdrs.CACHE_CONTROL: "private, no-cache",
}


def media_type(name: str) -> str | None:
    """The MIME type of a media file named ``name``, ``None`` for anything else."""
    dot = name.rfind(".")
    return MEDIA_TYPES.get(name[dot:].lower()) if dot > 0 else None


def file_url(entry_id: str, rest: str) -> str:
    """The view's (unsigned) URL of the file ``rest`` of the entry ``entry_id``."""
    return FILE_URL.replace("{entry_id}", entry_id).replace("{path:.+}", quote(rest, safe="/"))


def signed_url(hass: HomeAssistant, entry_id: str, rest: str) -> str:
    """The view's URL of ``rest``, signed for ``PLAY_EXPIRY`` (its path percent-encoded).

    ``async_sign_path`` signs the decoded path and returns it decoded (spaces
    and all); the path is encoded again for players that take URLs
    literally, which changes nothing the signature covers.
    """
    signed = async_sign_path(hass, file_url(entry_id, rest), PLAY_EXPIRY)
    path, _, query = signed.partition("?")
    return f"{quote(path, safe='/')}?{query}"


def byte_range(header: str | None, size: int) -> ByteRange:
    """The one byte range ``header`` (a ``Range`` value) asks of ``size`` bytes (RFC 9110 14).

    ``None`` (send the whole file) when there is no header, another unit,
    several ranges or a malformed one: RFC 9110 lets a server ignore them.
    ``UNSATISFIABLE`` when the range starts at or after the end (416).
    """
    if not header:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    match = _RANGE.fullmatch(spec.strip())
    if match is None:  # several ranges, or not digits
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return max(size - suffix, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        return UNSATISFIABLE
    return start, min(int(last), size - 1) if last else size - 1


def _confined(client: CloudCmdClient, rest: str, *, resolving: bool = False) -> str:
    """The CloudCmd path of ``rest`` (the root for ``""``); a translated error if refused."""
    if not rest:
        return client.root
    try:
        return confine(client.root, rest)
    except PathRejectedError as err:
        raise media_error(err.key, err.placeholders, resolving=resolving) from err


def _shown(entry: FileEntry) -> bool:
    """Whether a listing entry appears in the browser."""
    if entry.name.startswith("."):
        return False
    try:
        check_name(entry.name)
    except PathRejectedError:
        return False  # it could be neither opened nor played
    return entry.is_dir or media_type(entry.name) is not None


class CloudCmdMedia:
    """The CloudCmd kind's media library (``Upstream.media``)."""

    searchable = False

    def __init__(self) -> None:
        """Hold the view its files play through."""
        self.views: tuple[HomeAssistantView, ...] = (CloudCmdFileView(),)

    @staticmethod
    def folder(
        entry: PandoraConfigEntry,
        client: CloudCmdClient,
        path: str,
        children: Sequence[BrowseMediaSource] | None = None,
        not_shown: int = 0,
    ) -> BrowseMediaSource:
        """The node of the folder ``path`` (the root: the entry's title)."""
        rest = relative(client.root, path)
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=identifier(entry.entry_id, rest),
            media_class=MediaClass.DIRECTORY,
            media_content_type=kind_of(entry) if not rest else "directory",
            title=basename(path) if rest else entry.title,
            can_play=False,
            can_expand=True,
            children=children,
            not_shown=not_shown,
        )

    @staticmethod
    def file(
        entry: PandoraConfigEntry, client: CloudCmdClient, path: str, item: FileEntry
    ) -> BrowseMediaSource:
        """The node of the media file ``item`` at ``path``."""
        rest = relative(client.root, path)
        mime = media_type(item.name) or ""
        media_class = MEDIA_CLASSES[mime.partition("/")[0]]
        small = item.size_bytes is not None and item.size_bytes <= THUMBNAIL_MAX_BYTES
        thumbnail = file_url(entry.entry_id, rest) if media_class is MediaClass.IMAGE else None
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=identifier(entry.entry_id, rest),
            media_class=media_class,
            media_content_type=mime,
            title=item.name,
            can_play=True,
            can_expand=False,
            thumbnail=thumbnail if small else None,
        )

    async def async_browse(
        self, hass: HomeAssistant, entry: PandoraConfigEntry, rest: str
    ) -> BrowseMediaSource:
        """The folder ``rest`` (the root when empty) with its children, or the file ``rest``."""
        client = entry_client(entry, CloudCmdClient)
        path = _confined(client, rest)
        async with media_errors(hass, entry):
            if not is_root(client.root, path):
                item = await _lookup(entry, client, path)
                if not item.is_dir:
                    if media_type(item.name) is None:
                        raise media_error("media_not_media_file", {"item": path})
                    return self.file(entry, client, path, item)
            try:
                listing = await client.async_list(path)
            except NotFoundError as err:
                raise media_error("folder_not_found", {"title": entry.title, "path": path}) from err
        shown = sorted(
            (item for item in listing.entries if _shown(item)),
            key=lambda item: (not item.is_dir, item.name.casefold(), item.name),
        )
        children = [
            self.folder(entry, client, child(path, item.name))
            if item.is_dir
            else self.file(entry, client, child(path, item.name), item)
            for item in shown[:MAX_CHILDREN]
        ]
        return self.folder(entry, client, path, children, len(shown) - len(children))

    async def async_search(
        self, hass: HomeAssistant, entry: PandoraConfigEntry, rest: str, query: SearchMediaQuery
    ) -> list[BrowseMediaSource]:
        """Not offered (``searchable`` is false): CloudCmd cannot search."""
        return []

    async def async_resolve(
        self, hass: HomeAssistant, entry: PandoraConfigEntry, rest: str
    ) -> PlayMedia:
        """The signed URL of the view that streams the media file ``rest``, and its type."""
        client = entry_client(entry, CloudCmdClient)
        path = _confined(client, rest, resolving=True)
        mime = media_type(basename(path))
        if is_root(client.root, path):
            raise not_playable(entry.title)
        if mime is None:
            raise not_playable(basename(path))
        async with media_errors(hass, entry, resolving=True):
            item = await _lookup(entry, client, path, resolving=True)
        if item.is_dir:
            raise not_playable(item.name)
        return PlayMedia(signed_url(hass, entry.entry_id, relative(client.root, path)), mime)


async def _lookup(
    entry: PandoraConfigEntry, client: CloudCmdClient, path: str, *, resolving: bool = False
) -> FileEntry:
    """The listing entry of ``path`` (not the root), from its folder's listing.

    Never by reading ``path`` itself: a file's bytes would come back.
    """
    entries = await folder_entries(client, parent(path))
    item = None if entries is None else entries.get(basename(path))
    if item is None:
        raise media_error(
            "file_not_found", {"title": entry.title, "path": path}, resolving=resolving
        )
    return item


class CloudCmdFileView(HomeAssistantView):
    """A media file of a CloudCmd entry, read from CloudCmd behind Home Assistant's auth.

    ``/api/pandora_box/cloudcmd/<entry_id>/file/<path below the root>``
    (``GET`` and ``HEAD``; a signed URL or a token).  The entry must be a
    loaded CloudCmd entry, the path pass ``paths.confine`` and name a media
    file (``MEDIA_TYPES``), else 404 without asking CloudCmd.  ``Range``
    gets ``206``/``416`` (one range; several, or one after ``If-Range``,
    get the whole file, as RFC 9110 allows).  CloudCmd failing: 502 (and a
    reauth when it refuses the credentials).
    """

    url = FILE_URL
    name = f"api:{DOMAIN}:cloudcmd:file"
    requires_auth = True

    async def get(self, request: web.Request, entry_id: str, path: str) -> web.StreamResponse:
        """Stream the file, or the range asked for."""
        return await self._serve(request, entry_id, path, head=False)

    async def head(self, request: web.Request, entry_id: str, path: str) -> web.StreamResponse:
        """The headers ``GET`` would send."""
        return await self._serve(request, entry_id, path, head=True)

    @staticmethod
    def _target(
        hass: HomeAssistant, entry_id: str, path: str
    ) -> tuple[PandoraConfigEntry, CloudCmdClient, str, str] | None:
        """The entry, its client, the CloudCmd path and the MIME type; ``None``: 404."""
        try:
            entry = media_entry(hass, entry_id)
        except BrowseError:
            return None
        if kind_of(entry) != Kind.CLOUDCMD:
            return None
        client = entry_client(entry, CloudCmdClient)
        try:
            cloud_path = confine(client.root, path)
        except PathRejectedError:
            return None
        mime = media_type(basename(cloud_path))
        if mime is None or is_root(client.root, cloud_path):
            return None
        return entry, client, cloud_path, mime

    async def _serve(
        self, request: web.Request, entry_id: str, path: str, *, head: bool
    ) -> web.StreamResponse:
        """Answer ``GET``/``HEAD`` of one file."""
        hass = request.app[KEY_HASS]
        target = self._target(hass, entry_id, path)
        if target is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        entry, client, cloud_path, mime = target
        wanted = None if hdrs.IF_RANGE in request.headers else request.headers.get(hdrs.RANGE)
        try:
            async with client.async_open_file(cloud_path, head=head) as stream:
                return await _send(request, stream, mime, wanted, head=head)
        except NotFoundError, IsAFolderError:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        except InvalidAuthError as err:
            LOGGER.warning("%s: %s", entry.title, err)
            entry.async_start_reauth(hass)
            return web.Response(status=HTTPStatus.BAD_GATEWAY)
        except PandoraError as err:
            LOGGER.debug("%s: cannot stream %s: %s", entry.title, cloud_path, err)
            return web.Response(status=HTTPStatus.BAD_GATEWAY)


async def _send(
    request: web.Request, stream: FileStream, mime: str, wanted: str | None, *, head: bool
) -> web.StreamResponse:
    """Send ``stream`` (or the range ``wanted`` of it) as ``mime``."""
    size = stream.size
    span = byte_range(wanted, size) if size is not None else None
    if span == UNSATISFIABLE:
        return web.Response(
            status=HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
            headers={**_SAFE_HEADERS, hdrs.CONTENT_RANGE: f"bytes */{size}"},
        )
    headers = {
        **_SAFE_HEADERS,
        hdrs.CONTENT_TYPE: mime,
        hdrs.ACCEPT_RANGES: "bytes" if size is not None else "none",
    }
    start, length = 0, size
    if isinstance(span, tuple):
        start, end = span
        length = end - start + 1
        headers[hdrs.CONTENT_RANGE] = f"bytes {start}-{end}/{size}"
    response = web.StreamResponse(
        status=HTTPStatus.PARTIAL_CONTENT if isinstance(span, tuple) else HTTPStatus.OK,
        headers=headers,
    )
    if length is not None:
        response.content_length = length
    await response.prepare(request)
    if head:
        return response
    try:
        async for chunk in stream.chunks(start, length):
            await response.write(chunk)
    except ConnectionResetError:
        return response  # the player went away (it seeks by opening another request)
    except PandoraError as err:
        # the headers are out: break the connection so the player sees a broken transfer
        LOGGER.debug("CloudCmd stopped sending a file: %s", err)
        if request.transport is not None:
            request.transport.abort()
        return response
    await response.write_eof()
    return response


MEDIA: Final = CloudCmdMedia()
"""The one instance ``Upstream.media`` holds (it keeps no state)."""
