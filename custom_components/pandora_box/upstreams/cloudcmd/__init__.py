"""CloudCmd, the file manager over the media disk: file actions confined to a root.

``actions.py`` holds the file actions (list, make folders, move, copy,
rename, delete) and their event; ``paths.py`` confines every path and name to
the entry's root, the only guard between a call and the disk; ``media.py``
shows the media files in Home Assistant's media browser and streams them
(with ranges) through a signed Home Assistant view.  CloudCmd has no
coordinator and no entities of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.cloudcmd import CloudCmdClient
from ...const import CONF_ROOT, Kind
from ..base import ClientHandle, Upstream
from .actions import (
    ATTR_ACTION,
    ATTR_DESTINATION,
    ATTR_ENTRY_ID,
    ATTR_NAMES,
    ATTR_NEW_PATH,
    ATTR_PATH,
    ATTR_SOURCE,
    EVENT_FILE_OPERATION,
    SERVICE_COPY_FILES,
    SERVICE_CREATE_DIRECTORY,
    SERVICE_DELETE_FILES,
    SERVICE_MOVE_FILES,
    SERVICE_RENAME_FILE,
    async_register_cloudcmd_actions,
    folder_entries,
)
from .media import MEDIA
from .paths import (
    PathRejectedError,
    check_name,
    child,
    confine,
    replace_prefix,
    same_folder,
    split,
)


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> ClientHandle:
    """A client on Home Assistant's shared session, confined to the entry's root."""
    client = CloudCmdClient(
        async_get_clientsession(hass),
        data[CONF_URL],
        username=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        root=data[CONF_ROOT],
        verify_ssl=data.get(CONF_VERIFY_SSL, True),
    )
    return ClientHandle(client)


UPSTREAM = Upstream(
    kind=Kind.CLOUDCMD,
    manufacturer="Cloud Commander",
    model="CloudCmd",
    fields=(CONF_URL, CONF_USERNAME, CONF_PASSWORD, CONF_ROOT, CONF_VERIFY_SSL),
    client=create_client,
    register_actions=async_register_cloudcmd_actions,
    media=MEDIA,
)

__all__ = [
    "ATTR_ACTION",
    "ATTR_DESTINATION",
    "ATTR_ENTRY_ID",
    "ATTR_NAMES",
    "ATTR_NEW_PATH",
    "ATTR_PATH",
    "ATTR_SOURCE",
    "EVENT_FILE_OPERATION",
    "SERVICE_COPY_FILES",
    "SERVICE_CREATE_DIRECTORY",
    "SERVICE_DELETE_FILES",
    "SERVICE_MOVE_FILES",
    "SERVICE_RENAME_FILE",
    "UPSTREAM",
    "PathRejectedError",
    "check_name",
    "child",
    "confine",
    "folder_entries",
    "replace_prefix",
    "same_folder",
    "split",
]
