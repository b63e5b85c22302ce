"""The Pandora Box integration: a home media box run from Home Assistant.

Each config entry is one upstream (qBittorrent, Jackett, TMDB, Watchmode,
CloudCmd, Portainer or Jellyfin).  Setting an entry up checks its credentials
against the upstream, registers one service device for it, runs the first
refresh of its coordinator (kinds that poll), keeps client and coordinator in
``runtime_data`` and forwards the platforms of its kind.  Actions are
registered once, in ``async_setup``.
"""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .api.errors import CannotConnectError, InvalidAuthError, ResponseError
from .clients import create_client
from .const import CONF_KIND, DOMAIN, Kind
from .coordinator import COORDINATORS, PandoraConfigEntry, PandoraRuntimeData
from .portainer import async_remove_device as async_remove_portainer_device
from .qbittorrent import async_remove_store as async_remove_qbittorrent_store
from .services import async_setup_services

PLATFORMS_BY_KIND: dict[Kind, list[Platform]] = {
    Kind.QBITTORRENT: [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.EVENT,
        Platform.SENSOR,
        Platform.SWITCH,
    ],
    Kind.JACKETT: [Platform.BINARY_SENSOR],
    Kind.TMDB: [Platform.BINARY_SENSOR, Platform.SENSOR],
    Kind.WATCHMODE: [Platform.BINARY_SENSOR],
    Kind.CLOUDCMD: [Platform.BINARY_SENSOR],
    Kind.PORTAINER: [Platform.BINARY_SENSOR, Platform.BUTTON, Platform.SENSOR, Platform.SWITCH],
    Kind.JELLYFIN: [Platform.BINARY_SENSOR, Platform.BUTTON, Platform.SENSOR],
}
"""The platforms each kind's entities live on."""

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

MANUFACTURERS: dict[Kind, str] = {
    Kind.QBITTORRENT: "qBittorrent project",
    Kind.JACKETT: "Jackett",
    Kind.TMDB: "The Movie Database",
    Kind.WATCHMODE: "Watchmode",
    Kind.CLOUDCMD: "Cloud Commander",
    Kind.PORTAINER: "Portainer.io",
    Kind.JELLYFIN: "Jellyfin",
}
MODELS: dict[Kind, str] = {
    Kind.QBITTORRENT: "qBittorrent",
    Kind.JACKETT: "Jackett",
    Kind.TMDB: "TMDB API v3",
    Kind.WATCHMODE: "Watchmode API v1",
    Kind.CLOUDCMD: "CloudCmd",
    Kind.PORTAINER: "Portainer",
    Kind.JELLYFIN: "Jellyfin Server",
}
# The public APIs are not a place a user can browse to; the self-hosted ones are.
PUBLIC_APIS = frozenset({Kind.TMDB, Kind.WATCHMODE})


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions; they resolve their entry per call."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: PandoraConfigEntry) -> bool:
    """Check the upstream, keep its client in runtime data and register its device."""
    kind = Kind(entry.data[CONF_KIND])
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
    except (CannotConnectError, ResponseError) as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={**placeholders, "error": err.message},
        ) from err

    entry.runtime_data = PandoraRuntimeData(kind=kind, client=handle.client, info=info)
    if (coordinator_class := COORDINATORS.get(kind)) is not None:
        coordinator = coordinator_class(hass, entry)
        await coordinator.async_config_entry_first_refresh()
        entry.runtime_data.coordinator = coordinator
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        entry_type=dr.DeviceEntryType.SERVICE,
        manufacturer=MANUFACTURERS[kind],
        model=MODELS[kind],
        name=entry.title,
        sw_version=info.version,
        configuration_url=None if kind in PUBLIC_APIS else entry.data["url"],
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS_BY_KIND[kind])
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PandoraConfigEntry) -> bool:
    """Unload platforms; the entry's unload callbacks release the client's session."""
    kind = Kind(entry.data[CONF_KIND])
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS_BY_KIND[kind])


async def async_remove_entry(hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
    """Delete what an entry stored beyond its data (qBittorrent's known torrents)."""
    if Kind(entry.data[CONF_KIND]) is Kind.QBITTORRENT:
        await async_remove_qbittorrent_store(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PandoraConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let a user delete a device the upstream no longer has; never the service device.

    Portainer: a container, stack or environment that is not in the latest
    poll (containers kept for a stopped stack are, so they stay).  Kinds
    without child devices only have the service device.
    """
    if Kind(entry.data[CONF_KIND]) is Kind.PORTAINER:
        return async_remove_portainer_device(entry, device)
    return False
