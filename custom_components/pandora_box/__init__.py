"""The Pandora Box integration: a home media box run from Home Assistant.

Each config entry is one upstream (qBittorrent, Jackett, TMDB, Watchmode,
CloudCmd, Portainer or Jellyfin).  Setting an entry up checks its credentials
against the upstream, registers one service device for it, runs the first
refresh of its coordinator (kinds that poll), keeps client and coordinator in
``runtime_data`` and forwards the platforms of its kind.  What a kind is
(client, coordinator, device, platforms …) comes from the registry,
``upstreams/__init__.py``.  Actions, the dashboard card and its poster view
(``frontend/``) are registered once, in ``async_setup``.
"""

from __future__ import annotations

import re
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .api.errors import (
    CannotConnectError,
    InvalidAuthError,
    PermissionDeniedError,
    ResponseError,
)
from .const import CONF_KIND, DOMAIN, LOGGER, Kind
from .coordinator import (
    PandoraConfigEntry,
    PandoraRuntimeData,
    async_update_permission_issue,
)
from .frontend import async_setup_frontend
from .media.journal import async_remove_journal
from .services import async_setup_services
from .upstreams import UPSTREAMS, create_client, entry_title, upstream_of

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

_OLD_TITLES: Final[dict[Kind, re.Pattern[str]]] = {
    Kind.QBITTORRENT: re.compile(r"qBittorrent \S+"),
    Kind.PORTAINER: re.compile(r"Portainer \S+"),
    Kind.JACKETT: re.compile(r"Jackett \(\S+\)"),
    Kind.CLOUDCMD: re.compile(r"CloudCmd (?:.+ )?at \S+"),
}
"""The titles entries of version 1.1 were given, where they differ from ``naming.py``'s.

Jellyfin's was the server's own name, TMDB's and Watchmode's the product:
those stay.  A title the user chose matches none of these and stays too.
"""


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, the media browser's views, the card and its posters.

    Actions and views resolve their entry per call.
    """
    async_setup_services(hass)
    for upstream in UPSTREAMS.values():
        for view in upstream.media.views if upstream.media is not None else ():
            hass.http.register_view(view)
    await async_setup_frontend(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: PandoraConfigEntry) -> bool:
    """Bring an entry of an older release up to date; entity ids never change.

    1.1 → 1.2: a title with a version or in an old pattern (``qBittorrent
    4.5.2``, ``CloudCmd at host:port``) becomes ``naming.py``'s (``qBittorrent
    (host)``); the service device takes it at setup.  Entity ids stay as the
    registry holds them, so automations and dashboards keep working.
    """
    if entry.version > 1:
        return False  # a newer release's entry: refuse rather than guess
    if entry.minor_version < 2:
        pattern = _OLD_TITLES.get(Kind(entry.data[CONF_KIND]))
        title = entry.title
        if pattern is not None and pattern.fullmatch(title):
            title = entry_title(entry.data)
        hass.config_entries.async_update_entry(entry, title=title, minor_version=2)
        LOGGER.debug("Migrated entry %s to 1.2 (title %r)", entry.entry_id, title)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: PandoraConfigEntry) -> bool:
    """Check the upstream, keep its client in runtime data and register its device."""
    upstream = upstream_of(entry.data)
    handle = create_client(hass, entry.data)
    if handle.close is not None:
        entry.async_on_unload(handle.close)
    placeholders = {"title": entry.title}
    try:
        info = await handle.client.async_get_info()
    except InvalidAuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="invalid_auth",
            translation_placeholders={**placeholders, "error": err.message},
        ) from err
    except PermissionDeniedError as err:
        # good credentials without a right: say which (an issue), retry, never reauth
        async_update_permission_issue(hass, entry, err)
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="permission_denied",
            translation_placeholders={**placeholders, "right": err.right, "error": err.message},
        ) from err
    except (CannotConnectError, ResponseError) as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={**placeholders, "error": err.message},
        ) from err
    async_update_permission_issue(hass, entry, None)

    entry.runtime_data = PandoraRuntimeData(kind=upstream.kind, client=handle.client, info=info)
    if (coordinator_class := upstream.coordinator) is not None:
        coordinator = coordinator_class(hass, entry)
        await coordinator.async_config_entry_first_refresh()
        entry.runtime_data.coordinator = coordinator
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        entry_type=dr.DeviceEntryType.SERVICE,
        manufacturer=upstream.manufacturer,
        model=upstream.model,
        name=entry.title,
        sw_version=info.version,
        # the public APIs are not a place a user can browse to; the self-hosted ones are
        configuration_url=entry.data["url"] if upstream.self_hosted else None,
    )
    await hass.config_entries.async_forward_entry_setups(entry, upstream.forwarded_platforms)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PandoraConfigEntry) -> bool:
    """Unload platforms; the entry's unload callbacks release the client's session."""
    platforms = upstream_of(entry.data).forwarded_platforms
    async_update_permission_issue(hass, entry, None)
    return await hass.config_entries.async_unload_platforms(entry, platforms)


async def async_remove_entry(hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
    """Delete what an entry stored beyond its data (known torrents, journal, an issue)."""
    async_update_permission_issue(hass, entry, None)  # one raised by a failed setup
    if (remove := upstream_of(entry.data).remove_entry) is not None:
        await remove(hass, entry.entry_id)
    # only qBittorrent entries have a post-processing journal; removing none is a no-op
    await async_remove_journal(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PandoraConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let a user delete a device the upstream no longer has; never the service device.

    Portainer: a container, stack or environment that is not in the latest
    poll (containers kept for a stopped stack are, so they stay).  Kinds
    without child devices only have the service device.
    """
    if (remove := upstream_of(entry.data).remove_device) is not None:
        return remove(entry, device)
    return False
