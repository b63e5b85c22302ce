"""Jellyfin, the media server: sensors, the scan, latest items, its clients as players.

``coordinator.py`` polls (faster while a library scan runs); ``library.py``
shows the library in the media browser and to the media players; ``model.py``
reads one poll and shapes it for entities and media cards; ``actions.py``
holds ``refresh_library``, which the button presses too; ``players.py``
makes a device per controllable client.  One file per platform:
``sensor.py``, ``binary_sensor.py``, ``button.py``, ``media_player.py``,
``remote.py``.
"""

from __future__ import annotations

from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL, Platform

from ...api.jellyfin import JellyfinClient
from ...const import Kind
from ..base import Upstream, api_key_client
from . import binary_sensor, button, media_player, remote, sensor
from .actions import async_register_jellyfin_actions
from .coordinator import JellyfinCoordinator
from .library import LIBRARY
from .players import async_remove_client_device

UPSTREAM = Upstream(
    kind=Kind.JELLYFIN,
    manufacturer="Jellyfin",
    model="Jellyfin Server",
    fields=(CONF_URL, CONF_API_KEY, CONF_VERIFY_SSL),
    client=api_key_client(JellyfinClient),
    stable_id=True,
    coordinator=JellyfinCoordinator,
    platforms={
        Platform.BINARY_SENSOR: binary_sensor.async_setup_entities,
        Platform.BUTTON: button.async_setup_entities,
        Platform.MEDIA_PLAYER: media_player.async_setup_entities,
        Platform.REMOTE: remote.async_setup_entities,
        Platform.SENSOR: sensor.async_setup_entities,
    },
    register_actions=async_register_jellyfin_actions,
    min_version="10.9",
    redact=frozenset({"X-Emby-Token", "X-MediaBrowser-Token"}),
    media=LIBRARY,
    remove_device=async_remove_client_device,
)

__all__ = ["UPSTREAM"]
