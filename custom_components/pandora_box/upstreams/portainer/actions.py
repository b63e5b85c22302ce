"""Portainer actions: ``prune_images`` and ``recreate_container``, for administrators only.

Both change the Docker host, so they are registered with Home Assistant's
``async_register_admin_service`` (a call by a user who is not an
administrator is refused with ``Unauthorized``; calls without a user, from
automations and scripts an administrator wrote, are allowed), as our file
actions are.  The target is a device of the entry: an environment for
``prune_images``, a container for ``recreate_container`` (its device
survives recreation, so a script keeps working after it ran).  A device
that is not one of those is a translated ``ServiceValidationError`` and
nothing is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service
import probatio as vol

from ...const import DOMAIN, Kind
from ...coordinator import PandoraConfigEntry, coordinator_of
from ...helpers import EntryResolver, invalid
from .coordinator import PortainerCoordinator
from .entities import async_prune, async_recreate, device_identifier

SERVICE_PRUNE_IMAGES: Final = "prune_images"
SERVICE_RECREATE_CONTAINER: Final = "recreate_container"

ATTR_DANGLING: Final = "dangling"
ATTR_UNTIL: Final = "until"
ATTR_PULL_IMAGE: Final = "pull_image"


def _time_period(value: object) -> timedelta:
    """``cv.time_period``, refusing what it lets escape (``inf``, 10**400: ``OverflowError``)."""
    try:
        period: timedelta = cv.time_period(value)
    except OverflowError as err:
        raise vol.Invalid("not a duration") from err
    return period


_DURATION = vol.All(_time_period, vol.Range(min=timedelta(minutes=1), max=timedelta(days=3650)))


def _device_key(
    hass: HomeAssistant, entry: PandoraConfigEntry, device_id: str, keys: set[str]
) -> str | None:
    """Which of ``keys`` (device keys of the entry) the device ``device_id`` is."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    for key in keys:
        if device_identifier(entry.entry_id, key) in device.identifiers:
            return key
    return None


def _target[T](
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    call: ServiceCall,
    items: Mapping[str, T],
    error: str,
) -> T:
    """The item of ``items`` (devices of one kind) the call's device is; else ``error``."""
    key = _device_key(hass, entry, call.data[ATTR_DEVICE_ID], set(items))
    if key is None:
        raise invalid(error, title=entry.title, device_id=call.data[ATTR_DEVICE_ID])
    return items[key]


def async_register_portainer_actions(
    hass: HomeAssistant, base_schema: vol.Schema, get_entry: EntryResolver
) -> None:
    """Register ``prune_images`` and ``recreate_container`` (administrators only).

    ``base_schema`` and ``get_entry`` are ``services.py``'s entry schema and
    resolver, passed in so this module does not import it back.
    """

    async def prune_images(call: ServiceCall) -> None:
        entry = get_entry(hass, call, Kind.PORTAINER)
        coordinator = coordinator_of(entry, PortainerCoordinator)
        environment = _target(
            hass, entry, call, coordinator.data.endpoints, "portainer_not_an_environment"
        )
        await async_prune(
            coordinator,
            environment,
            "images",
            dangling=call.data[ATTR_DANGLING],
            until=call.data.get(ATTR_UNTIL),
        )

    async def recreate_container(call: ServiceCall) -> None:
        entry = get_entry(hass, call, Kind.PORTAINER)
        coordinator = coordinator_of(entry, PortainerCoordinator)
        data = _target(hass, entry, call, coordinator.data.containers, "portainer_not_a_container")
        if data.docker_id is None:
            raise invalid("container_removed", title=entry.title, name=data.name)
        await async_recreate(coordinator, data, data.docker_id, pull=call.data[ATTR_PULL_IMAGE])

    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_PRUNE_IMAGES,
        prune_images,
        base_schema.extend(
            {
                vol.Required(ATTR_DEVICE_ID): cv.string,
                vol.Optional(ATTR_DANGLING, default=False): cv.boolean,
                vol.Optional(ATTR_UNTIL): _DURATION,
            }
        ),
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_RECREATE_CONTAINER,
        recreate_container,
        base_schema.extend(
            {
                vol.Required(ATTR_DEVICE_ID): cv.string,
                vol.Optional(ATTR_PULL_IMAGE, default=False): cv.boolean,
            }
        ),
    )


__all__ = ["async_register_portainer_actions"]
