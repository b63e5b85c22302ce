"""Actions (services) of Pandora Box.

Every action takes ``config_entry_id``; it may be left out when exactly one
loaded entry of the action's upstream kind exists.  ``async_get_entry`` is
the one resolver: unknown, unloaded and wrong-kind entries are translated
``ServiceValidationError``s.  Upstream failures go through
``helpers.upstream_errors``.  Readers return ``SupportsResponse.ONLY`` data
under a named key; actions are registered once, in ``async_setup``.
"""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
import homeassistant.helpers.config_validation as cv
import probatio as vol

from .api.jellyfin import JellyfinClient
from .clients import entry_client
from .cloudcmd import async_register_cloudcmd_actions
from .const import CONF_KIND, DOMAIN, Kind
from .coordinator import PandoraConfigEntry
from .helpers import loaded_entries, upstream_errors
from .jackett import async_register_jackett_actions
from .pipeline import async_register_download_media
from .postprocess import async_setup_postprocess
from .qbittorrent import FILTERS as QBITTORRENT_FILTERS
from .qbittorrent_actions import (
    async_add_torrent,
    async_get_torrents,
    async_pause_resume,
    async_remove_torrents,
)
from .tmdb import async_register_tmdb_actions
from .watchmode import async_register_watchmode_actions

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"

ENTRY_SCHEMA: Final = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})
"""Base schema of every action; extend it with ``ENTRY_SCHEMA.extend({...})``."""


def async_get_entry(hass: HomeAssistant, call: ServiceCall, kind: Kind) -> PandoraConfigEntry:
    """Return the loaded entry of ``kind`` the call names (or the only one there is)."""
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    kind_name = kind.value
    if entry_id is None:
        loaded = loaded_entries(hass, kind)
        if len(loaded) == 1:
            only: PandoraConfigEntry = loaded[0]
            return only
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_entry_of_kind" if not loaded else "several_entries_of_kind",
            translation_placeholders={"kind": kind_name, "action": call.service},
        )
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.data.get(CONF_KIND) != kind_name:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_wrong_kind",
            translation_placeholders={
                "title": entry.title,
                "kind": kind_name,
                "action": call.service,
            },
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    found: PandoraConfigEntry = entry
    return found


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration (once, from ``async_setup``)."""
    # One call per kind: qBittorrent and Jellyfin below, the others in their modules.
    _async_setup_qbittorrent_services(hass)
    _async_setup_jellyfin_services(hass)
    async_register_cloudcmd_actions(hass, ENTRY_SCHEMA, async_get_entry)
    async_register_jackett_actions(hass, ENTRY_SCHEMA, async_get_entry)
    async_register_tmdb_actions(hass, ENTRY_SCHEMA, async_get_entry)
    async_register_watchmode_actions(hass, ENTRY_SCHEMA, async_get_entry)
    _async_setup_download_media(hass)


# -- qBittorrent actions (issue 5) --

SERVICE_ADD_TORRENT: Final = "add_torrent"
SERVICE_PAUSE_TORRENTS: Final = "pause_torrents"
SERVICE_RESUME_TORRENTS: Final = "resume_torrents"
SERVICE_REMOVE_TORRENTS: Final = "remove_torrents"
SERVICE_GET_TORRENTS: Final = "get_torrents"
ATTR_URL: Final = "url"
ATTR_CATEGORY: Final = "category"
ATTR_SAVE_PATH: Final = "save_path"
ATTR_TAGS: Final = "tags"
ATTR_PAUSED: Final = "paused"
ATTR_HASHES: Final = "hashes"
ATTR_ALL: Final = "all"
ATTR_DELETE_FILES: Final = "delete_files"
ATTR_FILTER: Final = "filter"

_HASH_LIST = vol.All(cv.ensure_list, [cv.string])
ADD_TORRENT_SCHEMA: Final = ENTRY_SCHEMA.extend(
    {
        vol.Required(ATTR_URL): cv.string,
        vol.Optional(ATTR_CATEGORY): cv.string,
        vol.Optional(ATTR_SAVE_PATH): cv.string,
        vol.Optional(ATTR_TAGS, default=[]): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_PAUSED, default=False): cv.boolean,
    }
)
PAUSE_RESUME_SCHEMA: Final = ENTRY_SCHEMA.extend(
    {vol.Optional(ATTR_HASHES): _HASH_LIST, vol.Optional(ATTR_ALL, default=False): cv.boolean}
)
REMOVE_TORRENTS_SCHEMA: Final = ENTRY_SCHEMA.extend(
    {
        vol.Required(ATTR_HASHES): _HASH_LIST,
        vol.Optional(ATTR_DELETE_FILES, default=False): cv.boolean,
    }
)
GET_TORRENTS_SCHEMA: Final = ENTRY_SCHEMA.extend(
    {
        vol.Optional(ATTR_FILTER, default="all"): vol.In(QBITTORRENT_FILTERS),
        vol.Optional(ATTR_CATEGORY): cv.string,
    }
)


def _hashes_or_all(call: ServiceCall) -> list[str] | None:
    """The hashes a pause/resume names, ``None`` for all; exactly one of the two."""
    hashes: list[str] = call.data.get(ATTR_HASHES, [])
    if bool(hashes) == bool(call.data[ATTR_ALL]):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="hashes_or_all",
            translation_placeholders={"action": call.service},
        )
    return None if call.data[ATTR_ALL] else hashes


@callback
def _async_setup_qbittorrent_services(hass: HomeAssistant) -> None:
    """Register the qBittorrent actions (the work is in ``qbittorrent_actions.py``)."""

    async def add_torrent(call: ServiceCall) -> ServiceResponse:
        """Add a magnet link or torrent URL; answer its hash when it is known."""
        entry = async_get_entry(hass, call, Kind.QBITTORRENT)
        response = await async_add_torrent(
            entry,
            call.data[ATTR_URL],
            category=call.data.get(ATTR_CATEGORY),
            save_path=call.data.get(ATTR_SAVE_PATH),
            tags=call.data[ATTR_TAGS],
            paused=call.data[ATTR_PAUSED],
        )
        return response if call.return_response else None

    async def pause_torrents(call: ServiceCall) -> None:
        """Pause the named torrents, or all."""
        entry = async_get_entry(hass, call, Kind.QBITTORRENT)
        await async_pause_resume(entry, _hashes_or_all(call), pause=True)

    async def resume_torrents(call: ServiceCall) -> None:
        """Resume the named torrents, or all."""
        entry = async_get_entry(hass, call, Kind.QBITTORRENT)
        await async_pause_resume(entry, _hashes_or_all(call), pause=False)

    async def remove_torrents(call: ServiceCall) -> None:
        """Remove the named torrents, with their files when asked."""
        entry = async_get_entry(hass, call, Kind.QBITTORRENT)
        await async_remove_torrents(
            entry, call.data[ATTR_HASHES], delete_files=call.data[ATTR_DELETE_FILES]
        )

    async def get_torrents(call: ServiceCall) -> ServiceResponse:
        """List torrents, filtered by state and category."""
        entry = async_get_entry(hass, call, Kind.QBITTORRENT)
        return await async_get_torrents(
            entry, wanted=call.data[ATTR_FILTER], category=call.data.get(ATTR_CATEGORY)
        )

    register = hass.services.async_register
    register(
        DOMAIN,
        SERVICE_ADD_TORRENT,
        add_torrent,
        schema=ADD_TORRENT_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    register(DOMAIN, SERVICE_PAUSE_TORRENTS, pause_torrents, schema=PAUSE_RESUME_SCHEMA)
    register(DOMAIN, SERVICE_RESUME_TORRENTS, resume_torrents, schema=PAUSE_RESUME_SCHEMA)
    register(DOMAIN, SERVICE_REMOVE_TORRENTS, remove_torrents, schema=REMOVE_TORRENTS_SCHEMA)
    register(
        DOMAIN,
        SERVICE_GET_TORRENTS,
        get_torrents,
        schema=GET_TORRENTS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )


# -- Jellyfin actions (issue 7) --

SERVICE_REFRESH_LIBRARY: Final = "refresh_library"


async def async_refresh_library(hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
    """Start a library scan on the entry's Jellyfin server and show it at once.

    The coordinator refreshes right after (not debounced), so the scan
    binary sensor turns on and polling speeds up while the scan runs.
    """
    client = entry_client(entry, JellyfinClient)
    async with upstream_errors(hass, entry):
        await client.async_refresh_library()
    if entry.runtime_data.coordinator is not None:
        await entry.runtime_data.coordinator.async_refresh()


@callback
def _async_setup_jellyfin_services(hass: HomeAssistant) -> None:
    """Register the Jellyfin actions."""

    async def refresh_library(call: ServiceCall) -> None:
        """Scan the libraries of the Jellyfin entry the call names (or the only one)."""
        await async_refresh_library(hass, async_get_entry(hass, call, Kind.JELLYFIN))

    hass.services.async_register(
        DOMAIN, SERVICE_REFRESH_LIBRARY, refresh_library, schema=ENTRY_SCHEMA
    )


# -- download_media and post-processing (issue 8) --


@callback
def _async_setup_download_media(hass: HomeAssistant) -> None:
    """Register ``download_media`` (``pipeline.py``) and the completion listener.

    Post-processing (``postprocess.py``) listens for completed torrents from
    ``async_setup`` on, for every qBittorrent entry that maps categories to
    library folders.
    """
    async_register_download_media(hass)
    async_setup_postprocess(hass)
