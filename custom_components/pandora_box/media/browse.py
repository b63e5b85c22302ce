"""What the media browser of every kind shares: ids, entry lookup, error mapping.

A media-source id of Pandora Box is ``media-source://pandora_box/<entry_id>``
for an entry's root and ``media-source://pandora_box/<entry_id>/<rest>`` below
it; ``<rest>`` is the kind's own (a Jellyfin item id, a CloudCmd path
relative to the entry's root).  ``media_source.py`` reads the entry id and
hands ``<rest>`` to the entry's kind (``Upstream.media``); the Jellyfin media
players reuse the same ids, so an item picked in any browser plays anywhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from homeassistant.components.http import HomeAssistantView
from homeassistant.components.media_player import BrowseError, SearchMediaQuery
from homeassistant.components.media_source import (
    BrowseMediaSource,
    PlayMedia,
    Unresolvable,
    generate_media_source_id,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from ..const import CONF_KIND, DOMAIN
from ..coordinator import PandoraConfigEntry
from ..helpers import upstream_errors

MEDIA_SOURCE_PREFIX = f"media-source://{DOMAIN}/"


class MediaLibrary(Protocol):
    """What a kind offers the media browser (``Upstream.media``)."""

    searchable: bool
    """Whether ``async_search`` finds anything (else the browser offers no search)."""

    views: tuple[HomeAssistantView, ...]
    """The Home Assistant views its nodes link to (thumbnails, streams), registered once."""

    async def async_browse(
        self, hass: HomeAssistant, entry: PandoraConfigEntry, rest: str
    ) -> BrowseMediaSource:
        """The node ``rest`` of ``entry`` (``""``: its root) with its children."""

    async def async_search(
        self, hass: HomeAssistant, entry: PandoraConfigEntry, rest: str, query: SearchMediaQuery
    ) -> list[BrowseMediaSource]:
        """What matches ``query`` below the node ``rest``."""

    async def async_resolve(
        self, hass: HomeAssistant, entry: PandoraConfigEntry, rest: str
    ) -> PlayMedia:
        """A URL any media player can play for the node ``rest``."""


def media_id(entry_id: str, rest: str = "") -> str:
    """The media-source id of ``rest`` in the entry ``entry_id``."""
    return generate_media_source_id(DOMAIN, f"{entry_id}/{rest}" if rest else entry_id)


def identifier(entry_id: str, rest: str = "") -> str:
    """The identifier part of that id (what ``BrowseMediaSource`` takes)."""
    return f"{entry_id}/{rest}" if rest else entry_id


def split_identifier(value: str) -> tuple[str, str]:
    """``(entry_id, rest)`` of an identifier (``rest`` is ``""`` for the entry's root)."""
    entry_id, _, rest = value.partition("/")
    return entry_id, rest


def parse_media_id(media_content_id: str) -> tuple[str, str] | None:
    """``(entry_id, rest)`` of a Pandora Box media-source id, else ``None``."""
    if not media_content_id.startswith(MEDIA_SOURCE_PREFIX):
        return None
    entry_id, rest = split_identifier(media_content_id.removeprefix(MEDIA_SOURCE_PREFIX))
    return (entry_id, rest) if entry_id else None


def media_error(
    key: str, placeholders: dict[str, str], *, resolving: bool = False
) -> HomeAssistantError:
    """A translated media-browser error: ``Unresolvable`` when resolving, else ``BrowseError``.

    Home Assistant reports exactly these two from a media source (its
    websocket commands catch nothing else).
    """
    if resolving:
        return Unresolvable(
            translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
        )
    return BrowseError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def media_entry(
    hass: HomeAssistant, entry_id: str, *, resolving: bool = False
) -> PandoraConfigEntry:
    """The loaded Pandora Box entry ``entry_id``; a translated error when there is none."""
    entry: PandoraConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise media_error("entry_not_found", {"entry_id": entry_id}, resolving=resolving)
    if entry.state is not ConfigEntryState.LOADED:
        raise media_error("entry_not_loaded", {"title": entry.title}, resolving=resolving)
    return entry


def kind_of(entry: PandoraConfigEntry) -> str:
    """The kind of a Pandora Box entry, as stored in its data."""
    return str(entry.data[CONF_KIND])


@asynccontextmanager
async def media_errors(
    hass: HomeAssistant, entry: PandoraConfigEntry, *, resolving: bool = False
) -> AsyncIterator[None]:
    """``upstream_errors`` (same messages, reauth on refused credentials) as ``media_error``."""
    try:
        async with upstream_errors(hass, entry):
            yield
    except BrowseError, Unresolvable:
        raise
    except HomeAssistantError as err:
        placeholders = dict(err.translation_placeholders or {})
        raise media_error(str(err.translation_key), placeholders, resolving=resolving) from err


def not_playable(item: str) -> HomeAssistantError:
    """The translated error for a node that is not a playable file or item."""
    return media_error("media_not_playable", {"item": item}, resolving=True)
