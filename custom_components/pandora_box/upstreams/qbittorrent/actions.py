"""The qBittorrent actions: validation first, one upstream call, one refresh right after.

``add_torrent``, ``pause_torrents``, ``resume_torrents``, ``remove_torrents``
and ``get_torrents`` (registered by :func:`async_register_qbittorrent_actions`);
the buttons, the switch and ``download_media`` call the same functions.  Bad
input (a malformed link, a hash that is not one of the entry's torrents, a
magnet of a torrent that is already there) is a translated
``ServiceValidationError`` before any request; upstream faults go through
``helpers.upstream_errors``.  After a change the coordinator refreshes at once
(a ``sync/maindata`` diff is cheap), so entities and events follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import math
import re
from typing import Any, Final
from urllib.parse import urlsplit

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import homeassistant.helpers.config_validation as cv
import probatio as vol

from ...api.magnet import info_hash_from_magnet, is_magnet
from ...api.qbittorrent import MAX_SPEED_LIMIT, NotAddedError
from ...const import DOMAIN, Kind
from ...coordinator import PandoraConfigEntry, coordinator_of
from ...helpers import EntryResolver, invalid, upstream_errors
from .coordinator import QBittorrentCoordinator
from .tracker import FILTERS, matches, torrent_response

_HASH_RE: Final = re.compile(r"[0-9a-f]{40}")


async def _async_refresh(entry: PandoraConfigEntry, *, changed: bool = True) -> None:
    """Refresh at once (after a change, keep polling fast a while); a failed poll is an error."""
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    if changed:
        coordinator.keep_fast_after_change()
    await coordinator.async_refresh()
    if not coordinator.last_update_success:
        error = coordinator.last_exception
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"title": entry.title, "error": str(error)},
        )


def validate_url(url: str) -> str | None:
    """Check an ``add_torrent`` link; return the info hash a magnet carries (else ``None``)."""
    url = url.strip()
    if is_magnet(url):
        torrent_hash = info_hash_from_magnet(url)
        if torrent_hash is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="invalid_magnet"
            )
        return torrent_hash
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_torrent_url",
            translation_placeholders={"url": url[:200]},
        )
    return None


async def async_add_torrent(
    entry: PandoraConfigEntry,
    url: str,
    *,
    category: str | None,
    save_path: str | None,
    tags: Sequence[str],
    paused: bool,
) -> dict[str, Any]:
    """Add a magnet link or torrent URL; return ``{"hash": …}`` (``None`` when unknown)."""
    url = url.strip()
    torrent_hash = validate_url(url)
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    if torrent_hash is not None and torrent_hash in coordinator.tracker.sync:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="torrent_already_present",
            translation_placeholders={
                "name": coordinator.tracker.sync.torrents()[torrent_hash].name,
                "title": entry.title,
            },
        )
    async with upstream_errors(coordinator.hass, entry):
        try:
            hashes = await coordinator.client.async_add(
                [url], category=category, save_path=save_path, tags=tags, paused=paused
            )
        except NotAddedError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="torrent_not_added",
                translation_placeholders={"title": entry.title},
            ) from err
    await _async_refresh(entry)
    return {"hash": hashes[0] if hashes else torrent_hash}


def resolve_hashes(entry: PandoraConfigEntry, hashes: Iterable[str]) -> list[str]:
    """Normalise hashes and check each is a torrent of the entry (else a validation error)."""
    wanted = list(dict.fromkeys(h.strip().lower() for h in hashes))
    bad = [h for h in wanted if not _HASH_RE.fullmatch(h)]
    if bad or not wanted:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_hashes",
            translation_placeholders={"hashes": ", ".join(bad) or "—"},
        )
    sync = coordinator_of(entry, QBittorrentCoordinator).tracker.sync
    unknown = [h for h in wanted if h not in sync]
    if unknown:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_hashes",
            translation_placeholders={"hashes": ", ".join(unknown), "title": entry.title},
        )
    return wanted


async def _async_known_hashes(entry: PandoraConfigEntry, hashes: Sequence[str]) -> list[str]:
    """:func:`resolve_hashes`, after one refresh when some hash is new to us."""
    sync = coordinator_of(entry, QBittorrentCoordinator).tracker.sync
    if any(h.strip().lower() not in sync for h in hashes):
        await _async_refresh(entry, changed=False)  # added a moment ago, elsewhere?
    return resolve_hashes(entry, hashes)


async def async_pause_resume(
    entry: PandoraConfigEntry, hashes: Sequence[str] | None, *, pause: bool
) -> None:
    """Pause (5.x: stop) or resume (start) some torrents, or all (``hashes`` ``None``)."""
    selected = "all" if hashes is None else await _async_known_hashes(entry, hashes)
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    async with upstream_errors(coordinator.hass, entry):
        if pause:
            await coordinator.client.async_pause(selected)
        else:
            await coordinator.client.async_resume(selected)
    await _async_refresh(entry)


async def async_set_alt_speed(entry: PandoraConfigEntry, on: bool) -> None:
    """Turn the alternative speed limits on or off (qBittorrent only toggles)."""
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    async with upstream_errors(coordinator.hass, entry):
        if await coordinator.client.async_get_alt_speed_mode() != on:
            await coordinator.client.async_toggle_alt_speed()
    await _async_refresh(entry)


async def async_set_speed_limit(entry: PandoraConfigEntry, key: str, kib_per_s: float) -> None:
    """Set one of the four speed limits (``SPEED_LIMIT_KEYS``) in KiB/s; 0 is unlimited.

    Home Assistant's number platform already refused values outside the
    entity's range; what is left is a value that is not a whole number (or
    not a number at all), which qBittorrent would silently round or read as 0.
    """
    if not math.isfinite(kib_per_s) or kib_per_s != int(kib_per_s) or kib_per_s < 0:
        raise invalid("invalid_speed_limit", value=str(kib_per_s))
    if int(kib_per_s) * 1024 > MAX_SPEED_LIMIT:
        raise invalid("invalid_speed_limit", value=str(kib_per_s))
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    async with upstream_errors(coordinator.hass, entry):
        await coordinator.client.async_set_speed_limits(**{key: int(kib_per_s) * 1024})
        await coordinator.async_read_limits()  # what qBittorrent kept, not what we sent
    await _async_refresh(entry)


async def async_remove_torrents(
    entry: PandoraConfigEntry, hashes: Sequence[str], *, delete_files: bool
) -> None:
    """Remove torrents, with their files when asked."""
    selected = await _async_known_hashes(entry, hashes)
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    async with upstream_errors(coordinator.hass, entry):
        await coordinator.client.async_delete(selected, delete_files=delete_files)
    await _async_refresh(entry)


async def async_get_torrents(
    entry: PandoraConfigEntry, *, wanted: str, category: str | None
) -> dict[str, Any]:
    """``{"torrents": [...]}``: fresh from one poll, newest first."""
    await _async_refresh(entry, changed=False)
    torrents = coordinator_of(entry, QBittorrentCoordinator).tracker.sync.torrents().values()
    rows = [
        t
        for t in torrents
        if matches(t, wanted) and (category is None or (t.category or "") == category)
    ]
    rows.sort(key=lambda t: (t.added_on or 0, t.name), reverse=True)
    return {"torrents": [torrent_response(t) for t in rows]}


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
ADD_TORRENT_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Required(ATTR_URL): cv.string,
    vol.Optional(ATTR_CATEGORY): cv.string,
    vol.Optional(ATTR_SAVE_PATH): cv.string,
    vol.Optional(ATTR_TAGS, default=[]): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_PAUSED, default=False): cv.boolean,
}
PAUSE_RESUME_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_HASHES): _HASH_LIST,
    vol.Optional(ATTR_ALL, default=False): cv.boolean,
}
REMOVE_TORRENTS_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Required(ATTR_HASHES): _HASH_LIST,
    vol.Optional(ATTR_DELETE_FILES, default=False): cv.boolean,
}
GET_TORRENTS_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_FILTER, default="all"): vol.In(FILTERS),
    vol.Optional(ATTR_CATEGORY): cv.string,
}


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
def async_register_qbittorrent_actions(
    hass: HomeAssistant, base_schema: vol.Schema, get_entry: EntryResolver
) -> None:
    """Register the qBittorrent actions (``services.py`` passes its schema and resolver)."""

    async def add_torrent(call: ServiceCall) -> ServiceResponse:
        """Add a magnet link or torrent URL; answer its hash when it is known."""
        entry = get_entry(hass, call, Kind.QBITTORRENT)
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
        entry = get_entry(hass, call, Kind.QBITTORRENT)
        await async_pause_resume(entry, _hashes_or_all(call), pause=True)

    async def resume_torrents(call: ServiceCall) -> None:
        """Resume the named torrents, or all."""
        entry = get_entry(hass, call, Kind.QBITTORRENT)
        await async_pause_resume(entry, _hashes_or_all(call), pause=False)

    async def remove_torrents(call: ServiceCall) -> None:
        """Remove the named torrents, with their files when asked."""
        entry = get_entry(hass, call, Kind.QBITTORRENT)
        await async_remove_torrents(
            entry, call.data[ATTR_HASHES], delete_files=call.data[ATTR_DELETE_FILES]
        )

    async def get_torrents(call: ServiceCall) -> ServiceResponse:
        """List torrents, filtered by state and category."""
        entry = get_entry(hass, call, Kind.QBITTORRENT)
        return await async_get_torrents(
            entry, wanted=call.data[ATTR_FILTER], category=call.data.get(ATTR_CATEGORY)
        )

    register = hass.services.async_register
    pause_resume = base_schema.extend(PAUSE_RESUME_FIELDS)
    register(
        DOMAIN,
        SERVICE_ADD_TORRENT,
        add_torrent,
        schema=base_schema.extend(ADD_TORRENT_FIELDS),
        supports_response=SupportsResponse.OPTIONAL,
    )
    register(DOMAIN, SERVICE_PAUSE_TORRENTS, pause_torrents, schema=pause_resume)
    register(DOMAIN, SERVICE_RESUME_TORRENTS, resume_torrents, schema=pause_resume)
    register(
        DOMAIN,
        SERVICE_REMOVE_TORRENTS,
        remove_torrents,
        schema=base_schema.extend(REMOVE_TORRENTS_FIELDS),
    )
    register(
        DOMAIN,
        SERVICE_GET_TORRENTS,
        get_torrents,
        schema=base_schema.extend(GET_TORRENTS_FIELDS),
        supports_response=SupportsResponse.ONLY,
    )
