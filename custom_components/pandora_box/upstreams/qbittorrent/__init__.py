"""qBittorrent, the download client: coordinator, torrent events, entities, actions, options.

``coordinator.py`` polls ``sync/maindata`` diffs and ``tracker.py`` keeps what
they add up to (and the Store of known torrents that makes the torrent events
survive a restart); ``entities.py`` holds the per-torrent devices the sensors
use; ``actions.py`` the actions the buttons, the switch and ``download_media``
call too; ``options.py`` the options flow, downloads and the library included.
One file per platform: ``sensor.py``, ``switch.py``, ``button.py``, ``event.py``,
``number.py``.

What other rooms use of it is exported below; nothing else is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import CookieJar
from homeassistant.const import (
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession

from ...api.qbittorrent import QBittorrentClient
from ...const import Kind
from ..base import ClientHandle, Upstream
from . import button, event, number, sensor, switch
from .actions import async_add_torrent, async_register_qbittorrent_actions
from .coordinator import QBittorrentCoordinator
from .options import (
    CONF_MOVIE_CATEGORY,
    CONF_TV_CATEGORY,
    DEFAULT_MOVIE_CATEGORY,
    DEFAULT_TV_CATEGORY,
    LibraryOptions,
    QBittorrentOptionsFlow,
)
from .tracker import (
    ATTR_ENTRY_ID,
    ATTR_HASH,
    EVENT_TORRENT_ADDED,
    EVENT_TORRENT_COMPLETED,
    EVENT_TORRENT_REMOVED,
    async_remove_store,
)


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> ClientHandle:
    """A client on a session of its own, detached again when the entry unloads.

    Every other client shares Home Assistant's session.  qBittorrent's SID
    cookie must survive on IP hosts, which the shared jar refuses, so it gets
    a session with an unsafe jar.  Home Assistant forbids closing its sessions
    (the connector is shared): the handle *detaches* it, which is how Home
    Assistant itself releases one; ``auto_cleanup`` is off so a session made
    for a config-flow check does not linger until shutdown.
    """
    verify_ssl: bool = data.get(CONF_VERIFY_SSL, True)
    session = async_create_clientsession(
        hass, verify_ssl=verify_ssl, auto_cleanup=False, cookie_jar=CookieJar(unsafe=True)
    )
    client = QBittorrentClient(
        session,
        data[CONF_URL],
        username=data.get(CONF_USERNAME),
        password=data.get(CONF_PASSWORD),
        api_key=data.get(CONF_API_KEY),
        verify_ssl=verify_ssl,
    )
    return ClientHandle(client, session.detach)


UPSTREAM = Upstream(
    kind=Kind.QBITTORRENT,
    manufacturer="qBittorrent project",
    model="qBittorrent",
    fields=(CONF_URL, CONF_USERNAME, CONF_PASSWORD, CONF_API_KEY, CONF_VERIFY_SSL),
    # an API key (Authorization: Bearer) needs qBittorrent 5.2 (Web API 2.14.1)
    credential_choices=((CONF_USERNAME, CONF_PASSWORD), (CONF_API_KEY,)),
    client=create_client,
    coordinator=QBittorrentCoordinator,
    platforms={
        Platform.BUTTON: button.async_setup_entities,
        Platform.EVENT: event.async_setup_entities,
        Platform.NUMBER: number.async_setup_entities,
        Platform.SENSOR: sensor.async_setup_entities,
        Platform.SWITCH: switch.async_setup_entities,
    },
    register_actions=async_register_qbittorrent_actions,
    options_flow=QBittorrentOptionsFlow,
    min_version="4.1",
    # trackers of private sites carry a passkey, in the query or the path
    redact=frozenset({"magnet_uri", "sid", "SID", "tracker", "trackers"}),
    remove_entry=async_remove_store,
)

__all__ = [
    "ATTR_ENTRY_ID",
    "ATTR_HASH",
    "CONF_MOVIE_CATEGORY",
    "CONF_TV_CATEGORY",
    "DEFAULT_MOVIE_CATEGORY",
    "DEFAULT_TV_CATEGORY",
    "EVENT_TORRENT_ADDED",
    "EVENT_TORRENT_COMPLETED",
    "EVENT_TORRENT_REMOVED",
    "UPSTREAM",
    "LibraryOptions",
    "QBittorrentCoordinator",
    "async_add_torrent",
]
