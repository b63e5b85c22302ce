"""The Jellyfin library in Home Assistant's media browser: browse, search, resolve.

Used by the media source (``media_source.py``, through ``Upstream.media``)
and by the Jellyfin media players (browse, ``SEARCH_MEDIA``, play_media), so
both show the same tree with the same ids (``media/browse.py``):

* an entry's root lists its libraries (movies, shows, music, home videos,
  music videos, mixed; books and the like cannot play and are left out);
* movies → films; shows → seasons → episodes; music → artists → albums →
  tracks (albums straight away when the library has no artist folders);
  other folders (box sets, home video folders) list their children;
* a folder holds at most ``MAX_CHILDREN`` children, read a page of
  ``MAX_PAGE`` at a time; the rest is counted in ``not_shown``;
* thumbnails are ``/api/pandora_box/jellyfin/<entry>/image/<item>/<tag>``, a
  Home Assistant view behind its authentication (the frontend fetches it with
  its token) that reads the image from Jellyfin: the browser needs no route
  to Jellyfin and never sees the key;
* playing resolves to Jellyfin's own stream URL with the key as ``ApiKey``
  (``api/jellyfin.py``: the only query name Jellyfin 12 still accepts), so
  any media player (Cast, a speaker) fetches the file from Jellyfin directly;
* search asks Jellyfin (``SearchTerm``, every library or below a node),
  filtered by the media classes asked for.

The core ``jellyfin`` integration's ``media_source.py`` (2026.11) was the
model for the tree; the paging, the image view and the key handling are ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
import mimetypes
import re
from typing import Final

from aiohttp import web
from homeassistant.components.http import HomeAssistantView
from homeassistant.components.media_player import BrowseError, MediaClass, SearchMediaQuery
from homeassistant.components.media_source import BrowseMediaSource, PlayMedia
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import KEY_HASS

from ...api.errors import PandoraError, ResponseError
from ...api.jellyfin import MAX_PAGE, JellyfinClient, LibraryItem
from ...const import DOMAIN, Kind
from ...coordinator import PandoraConfigEntry, entry_client
from ...media.browse import (
    identifier,
    kind_of,
    media_entry,
    media_error,
    media_errors,
    not_playable,
)

MAX_CHILDREN: Final = 2000
"""Most children one node shows (Home Assistant's browser has no paging)."""

MAX_IMAGE_WIDTH: Final = 600
"""Widest thumbnail asked of Jellyfin, in pixels."""

SEARCH_LIMIT: Final = 50
"""Most search results."""

IMAGE_URL: Final = f"/api/{DOMAIN}/jellyfin/{{entry_id}}/image/{{item_id}}/{{tag}}"

_ID = re.compile(r"^[0-9a-fA-F]{32}$")
_TAG = re.compile(r"^[0-9A-Za-z]{1,64}$")

PLAYABLE_MEDIA_TYPES: Final = frozenset({"Video", "Audio"})
SUPPORTED_COLLECTIONS: Final = frozenset(
    {"movies", "tvshows", "music", "homevideos", "musicvideos", None}
)
"""Collection types shown (``None``: a mixed library)."""

ITEM_CLASSES: Final[dict[str, MediaClass]] = {
    "CollectionFolder": MediaClass.DIRECTORY,
    "Folder": MediaClass.DIRECTORY,
    "BoxSet": MediaClass.DIRECTORY,
    "Movie": MediaClass.MOVIE,
    "Series": MediaClass.TV_SHOW,
    "Season": MediaClass.SEASON,
    "Episode": MediaClass.EPISODE,
    "MusicArtist": MediaClass.ARTIST,
    "MusicAlbum": MediaClass.ALBUM,
    "Audio": MediaClass.TRACK,
    "MusicVideo": MediaClass.VIDEO,
    "Video": MediaClass.VIDEO,
}

SEARCH_TYPES: Final[dict[MediaClass, tuple[str, ...]]] = {
    MediaClass.MOVIE: ("Movie",),
    MediaClass.TV_SHOW: ("Series",),
    MediaClass.SEASON: ("Season",),
    MediaClass.EPISODE: ("Episode",),
    MediaClass.ARTIST: ("MusicArtist",),
    MediaClass.ALBUM: ("MusicAlbum",),
    MediaClass.TRACK: ("Audio",),
    MediaClass.MUSIC: ("Audio",),
    MediaClass.VIDEO: ("Movie", "Episode", "MusicVideo", "Video"),
}
DEFAULT_SEARCH_TYPES: Final = ("Movie", "Series", "Episode", "MusicArtist", "MusicAlbum", "Audio")

# what a node lists: (IncludeItemTypes, Recursive, SortBy, class of the children)
type Listing = tuple[tuple[str, ...], bool, str, MediaClass | None]
_BY_NAME = "SortName"
_BY_NUMBER = "ParentIndexNumber,IndexNumber,SortName"
COLLECTION_LISTINGS: Final[dict[str | None, Listing]] = {
    "movies": (("Movie",), True, _BY_NAME, MediaClass.MOVIE),
    "tvshows": (("Series",), True, _BY_NAME, MediaClass.TV_SHOW),
    "music": (("MusicArtist",), True, _BY_NAME, MediaClass.ARTIST),
}
ITEM_LISTINGS: Final[dict[str, Listing]] = {
    "Series": (("Season",), False, _BY_NUMBER, MediaClass.SEASON),
    "Season": (("Episode",), False, _BY_NUMBER, MediaClass.EPISODE),
    "MusicArtist": (("MusicAlbum",), True, _BY_NAME, MediaClass.ALBUM),
    "MusicAlbum": (("Audio",), True, _BY_NUMBER, MediaClass.TRACK),
}
_FOLDERS: Listing = ((), False, _BY_NAME, None)


def image_url(entry_id: str, item: LibraryItem) -> str | None:
    """The Home Assistant URL of ``item``'s thumbnail, if it has one."""
    if item.image_id is None or item.image_tag is None:
        return None
    return IMAGE_URL.format(entry_id=entry_id, item_id=item.image_id, tag=item.image_tag)


def mime_type(item: LibraryItem) -> str:
    """The MIME type a player is told for ``item``'s stream."""
    guessed = mimetypes.guess_type(item.path or "")[0] if item.path else None
    if item.media_type == "Audio":
        # universal audio sends direct-play containers as they are, others as mp3
        return guessed if guessed and guessed.startswith("audio/") else "audio/mpeg"
    if guessed and guessed.startswith("video/"):
        return guessed
    return f"video/{item.container}" if item.container else "video/mp4"


def playable(item: LibraryItem) -> bool:
    """Whether ``item`` is a file a media player can play."""
    return not item.is_folder and item.media_type in PLAYABLE_MEDIA_TYPES


def title_of(item: LibraryItem) -> str:
    """What the browser shows for ``item`` (numbered episodes and tracks)."""
    if item.type == "Episode" and item.index is not None:
        return f"{item.index}. {item.name}"
    if item.type == "Audio" and item.index is not None:
        return f"{item.index:02d}. {item.name}"
    if item.type == "Movie" and item.year is not None:
        return f"{item.name} ({item.year})"
    return item.name


class JellyfinLibrary:
    """The Jellyfin kind's media library (``Upstream.media``)."""

    searchable = True

    def __init__(self) -> None:
        """Hold the views its nodes link to."""
        self.views: tuple[HomeAssistantView, ...] = (JellyfinImageView(),)

    def node(
        self,
        entry: PandoraConfigEntry,
        item: LibraryItem,
        *,
        children: Sequence[BrowseMediaSource] | None = None,
        children_class: MediaClass | None = None,
        not_shown: int = 0,
    ) -> BrowseMediaSource:
        """The browser node of ``item`` in ``entry``."""
        can_play = playable(item)
        media_class = ITEM_CLASSES.get(item.type, MediaClass.DIRECTORY)
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=identifier(entry.entry_id, item.id),
            media_class=media_class,
            media_content_type=mime_type(item) if can_play else item.type.lower(),
            title=title_of(item),
            can_play=can_play,
            can_expand=item.is_folder,
            children=children,
            children_media_class=children_class,
            thumbnail=image_url(entry.entry_id, item),
            not_shown=not_shown,
            can_search=item.is_folder,
        )

    def root(
        self, entry: PandoraConfigEntry, children: Sequence[BrowseMediaSource]
    ) -> BrowseMediaSource:
        """The node of the entry itself: its libraries."""
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=identifier(entry.entry_id),
            media_class=MediaClass.APP,
            media_content_type="jellyfin",
            title=entry.title,
            can_play=False,
            can_expand=True,
            children=children,
            children_media_class=MediaClass.DIRECTORY,
            can_search=True,
        )

    async def async_browse(
        self, hass: HomeAssistant, entry: PandoraConfigEntry, rest: str
    ) -> BrowseMediaSource:
        """The entry's libraries (``rest`` empty), or the item ``rest`` with its children."""
        client = entry_client(entry, JellyfinClient)
        async with media_errors(hass, entry):
            if not rest:
                views = await client.async_views()
                shown = [v for v in views if v.collection_type in SUPPORTED_COLLECTIONS]
                return self.root(entry, [self.node(entry, v) for v in shown])
            item = await self._item(client, rest)
            if not item.is_folder:
                return self.node(entry, item)
            listing = self._listing(item)
            children, total = await self._children(client, item.id, listing)
            if not children and item.collection_type == "music":
                # a library without artist folders: its albums
                listing = (("MusicAlbum",), True, _BY_NAME, MediaClass.ALBUM)
                children, total = await self._children(client, item.id, listing)
        return self.node(
            entry,
            item,
            children=[self.node(entry, child) for child in children],
            children_class=listing[3],
            not_shown=total - len(children),
        )

    @staticmethod
    def _listing(item: LibraryItem) -> Listing:
        """What the folder ``item`` lists."""
        if item.type == "CollectionFolder" and item.collection_type in COLLECTION_LISTINGS:
            return COLLECTION_LISTINGS[item.collection_type]
        return ITEM_LISTINGS.get(item.type, _FOLDERS)

    @staticmethod
    async def _item(client: JellyfinClient, rest: str, *, resolving: bool = False) -> LibraryItem:
        """The item ``rest`` names; a translated error for a bad or unknown id."""
        item = await client.async_get_item(rest) if _ID.fullmatch(rest) else None
        if item is None:
            raise media_error("media_item_not_found", {"item": rest[:80]}, resolving=resolving)
        return item

    @staticmethod
    async def _children(
        client: JellyfinClient, parent_id: str, listing: Listing
    ) -> tuple[list[LibraryItem], int]:
        """Up to ``MAX_CHILDREN`` children of ``parent_id`` and how many there are in all."""
        types, recursive, sort_by, _ = listing
        items: list[LibraryItem] = []
        total = 0
        while len(items) < MAX_CHILDREN:
            page = await client.async_children(
                parent_id,
                item_types=types,
                recursive=recursive,
                start=len(items),
                limit=min(MAX_PAGE, MAX_CHILDREN - len(items)),
                sort_by=sort_by,
            )
            items.extend(page.items)
            total = max(page.total, len(items))
            if not page.items or len(items) >= total:
                break
        return items, total

    async def async_search(
        self, hass: HomeAssistant, entry: PandoraConfigEntry, rest: str, query: SearchMediaQuery
    ) -> list[BrowseMediaSource]:
        """Items whose name matches, of the classes asked for, below ``rest`` if given."""
        term = query.search_query.strip()
        if not term:
            return []
        wanted = query.media_filter_classes or []
        types = tuple(dict.fromkeys(t for c in wanted for t in SEARCH_TYPES.get(c, ())))
        if wanted and not types:
            return []  # only classes the library has none of
        client = entry_client(entry, JellyfinClient)
        async with media_errors(hass, entry):
            page = await client.async_search(
                term,
                item_types=types or DEFAULT_SEARCH_TYPES,
                limit=SEARCH_LIMIT,
                parent_id=rest if _ID.fullmatch(rest) else None,
            )
        return [self.node(entry, item) for item in page.items]

    async def async_resolve(
        self, hass: HomeAssistant, entry: PandoraConfigEntry, rest: str
    ) -> PlayMedia:
        """Jellyfin's stream URL of the item ``rest`` (key as ``ApiKey``) and its type."""
        client = entry_client(entry, JellyfinClient)
        async with media_errors(hass, entry, resolving=True):
            item = await self._item(client, rest, resolving=True)
        return PlayMedia(stream_url(client, item), mime_type(item))


def stream_url(client: JellyfinClient, item: LibraryItem) -> str:
    """The URL a player streams ``item`` from; ``Unresolvable`` when it cannot play."""
    if not playable(item):
        raise not_playable(item.name)
    if item.media_type == "Audio":
        return client.audio_stream_url(item.id)
    return client.video_stream_url(item.id)


class JellyfinImageView(HomeAssistantView):
    """Thumbnails of the library, read from Jellyfin behind Home Assistant's authentication.

    ``/api/pandora_box/jellyfin/<entry_id>/image/<item_id>/<tag>``: the entry
    must be a loaded Jellyfin entry, the item a 32-hex id and the tag
    alphanumeric (Jellyfin's cache tags), else 404 without asking Jellyfin.
    The tag addresses one version of the image, so it may be cached.
    """

    url = IMAGE_URL
    name = f"api:{DOMAIN}:jellyfin:image"
    requires_auth = True

    async def get(
        self, request: web.Request, entry_id: str, item_id: str, tag: str
    ) -> web.StreamResponse:
        """Answer the image, or 404 when there is no such entry, item or image."""
        hass = request.app[KEY_HASS]
        if not _ID.fullmatch(item_id) or not _TAG.fullmatch(tag):
            return web.Response(status=HTTPStatus.NOT_FOUND)
        try:
            entry = media_entry(hass, entry_id)
        except BrowseError:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        if kind_of(entry) != Kind.JELLYFIN:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        client = entry_client(entry, JellyfinClient)
        try:
            image = await client.async_image(item_id, tag=tag, max_width=MAX_IMAGE_WIDTH)
        except ResponseError as err:
            missing = err.status == HTTPStatus.NOT_FOUND
            return web.Response(status=HTTPStatus.NOT_FOUND if missing else HTTPStatus.BAD_GATEWAY)
        except PandoraError:
            return web.Response(status=HTTPStatus.BAD_GATEWAY)
        return web.Response(
            body=image.content,
            content_type=image.content_type,
            headers={"Cache-Control": "private, max-age=86400"},
        )


LIBRARY: Final = JellyfinLibrary()
"""The one instance ``Upstream.media`` holds (it keeps no state)."""
