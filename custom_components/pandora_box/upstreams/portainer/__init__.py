"""Portainer, the Docker manager: a device per environment, container, stack and volume.

``coordinator.py`` polls; ``model.py`` reads one poll (identity by name,
containers kept for stopped stacks, bounded concurrent stats, events from
the difference of two polls); ``updates.py`` checks images against their
registries, bounded and cached; ``entities.py`` holds the devices and the
entity bases that follow the data without a reload.  One file per
platform: ``sensor.py``, ``binary_sensor.py``, ``switch.py``, ``button.py``,
``event.py``, ``update.py``; ``actions.py`` has the admin-only actions
``prune_images`` and ``recreate_container``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.portainer import PortainerClient
from ...const import Kind
from ..base import ClientHandle, Upstream
from . import binary_sensor, button, event, sensor, switch, update
from .actions import async_register_portainer_actions
from .coordinator import PortainerCoordinator
from .entities import async_remove_device


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> ClientHandle:
    """A client on Home Assistant's session; TLS verification is the session's.

    Portainer's library takes ``verify_ssl`` from its session, so the entry
    gets the shared session of that setting.
    """
    session = async_get_clientsession(hass, verify_ssl=data.get(CONF_VERIFY_SSL, True))
    return ClientHandle(PortainerClient(session, data[CONF_URL], api_key=data[CONF_API_KEY]))


UPSTREAM = Upstream(
    kind=Kind.PORTAINER,
    manufacturer="Portainer.io",
    model="Portainer",
    fields=(CONF_URL, CONF_API_KEY, CONF_VERIFY_SSL),
    client=create_client,
    stable_id=True,
    coordinator=PortainerCoordinator,
    platforms={
        Platform.BINARY_SENSOR: binary_sensor.async_setup_entities,
        Platform.BUTTON: button.async_setup_entities,
        Platform.EVENT: event.async_setup_entities,
        Platform.SENSOR: sensor.async_setup_entities,
        Platform.SWITCH: switch.async_setup_entities,
        Platform.UPDATE: update.async_setup_entities,
    },
    register_actions=async_register_portainer_actions,
    redact=frozenset({"X-Api-Key"}),
    remove_device=async_remove_device,
)

__all__ = ["UPSTREAM"]
