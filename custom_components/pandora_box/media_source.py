"""Pandora Box in Home Assistant's media browser: the Jellyfin library and the media disk.

One media source for the integration (Home Assistant loads this platform as
``media_source``); its root lists every loaded entry whose kind has a media
library (``Upstream.media``: Jellyfin's ``upstreams/jellyfin/library.py``,
CloudCmd's ``upstreams/cloudcmd/media.py``).  Ids are
``media-source://pandora_box/<entry_id>/<rest>`` (``media/browse.py``): the
entry id picks the entry and its kind, ``<rest>`` is the kind's.

Search (``async_search_media``) goes to the entry's kind where it can search
(Jellyfin); the source root cannot be searched as a whole, as Home Assistant
does not search the aggregate root either.  Media-source search exists on
every release we support (2026.9 and later; it came in 2025.7).
"""

from __future__ import annotations

from typing import override

from homeassistant.components.media_player import (
    MediaClass,
    SearchMedia,
    SearchMediaQuery,
)
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
)
from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .coordinator import PandoraConfigEntry
from .media.browse import (
    MediaLibrary,
    kind_of,
    media_entry,
    media_error,
    not_playable,
    split_identifier,
)
from .upstreams import upstream_of


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """The integration's media source."""
    return PandoraMediaSource(hass)


class PandoraMediaSource(MediaSource):
    """Every Jellyfin library and CloudCmd media disk of the loaded entries."""

    name = "Pandora Box"

    def __init__(self, hass: HomeAssistant) -> None:
        """Keep Home Assistant for the entry lookups."""
        super().__init__(DOMAIN)
        self.hass = hass

    def _library(
        self, identifier: str | None, *, resolving: bool = False
    ) -> tuple[PandoraConfigEntry, MediaLibrary, str]:
        """The entry, its kind's library and the rest of ``identifier``."""
        entry_id, rest = split_identifier(identifier or "")
        entry = media_entry(self.hass, entry_id, resolving=resolving)
        library = upstream_of(entry.data).media
        if library is None:
            raise media_error("media_not_browsable", {"title": entry.title}, resolving=resolving)
        return entry, library, rest

    def _entries(self) -> list[tuple[PandoraConfigEntry, MediaLibrary]]:
        """The loaded entries that have a media library, by title."""
        found = [
            (entry, library)
            for entry in self.hass.config_entries.async_loaded_entries(DOMAIN)
            if (library := upstream_of(entry.data).media) is not None
        ]
        return sorted(found, key=lambda pair: pair[0].title.casefold())

    @override
    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """The list of entries, or a node of one entry."""
        if not item.identifier:
            return self._root()
        entry, library, rest = self._library(item.identifier)
        return await library.async_browse(self.hass, entry, rest)

    def _root(self) -> BrowseMediaSource:
        """The source's root: one folder per entry with a media library."""
        children = []
        for entry, library in self._entries():
            children.append(
                BrowseMediaSource(
                    domain=DOMAIN,
                    identifier=entry.entry_id,
                    media_class=MediaClass.DIRECTORY,
                    media_content_type=kind_of(entry),
                    title=entry.title,
                    can_play=False,
                    can_expand=True,
                    can_search=library.searchable,
                )
            )
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=None,
            media_class=MediaClass.DIRECTORY,
            media_content_type="",
            title=self.name or DOMAIN,
            can_play=False,
            can_expand=True,
            children=children,
            children_media_class=MediaClass.DIRECTORY,
        )

    @override
    async def async_search_media(
        self, item: MediaSourceItem, query: SearchMediaQuery
    ) -> SearchMedia:
        """Search one entry's library (the source's root is not searched as a whole)."""
        if not item.identifier:
            raise NotImplementedError
        entry, library, rest = self._library(item.identifier)
        if not library.searchable:
            raise NotImplementedError
        return SearchMedia(result=await library.async_search(self.hass, entry, rest, query))

    @override
    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """A URL a media player can play, for a playable node."""
        entry, library, rest = self._library(item.identifier, resolving=True)
        if not rest:
            raise not_playable(entry.title)
        return await library.async_resolve(self.hass, entry, rest)
