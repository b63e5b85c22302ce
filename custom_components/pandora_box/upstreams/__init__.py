"""Build the API client for a config entry's data.

The one place that knows which client serves which kind, which session it
gets, and how to release it again: the config flow (to validate) and
``async_setup_entry`` (to run) both come here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import CookieJar
from homeassistant.const import (
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession, async_get_clientsession

from .api.cloudcmd import CloudCmdClient
from .api.jackett import JackettClient
from .api.jellyfin import JellyfinClient
from .api.portainer import PortainerClient
from .api.qbittorrent import QBittorrentClient
from .api.tmdb import TMDBClient
from .api.watchmode import WatchmodeClient
from .const import CONF_KIND, CONF_LANGUAGE, CONF_REGION, CONF_ROOT, Kind

if TYPE_CHECKING:
    from .coordinator import PandoraConfigEntry

type PandoraClient = (
    QBittorrentClient
    | JackettClient
    | TMDBClient
    | WatchmodeClient
    | CloudCmdClient
    | PortainerClient
    | JellyfinClient
)


def entry_client[ClientT](entry: PandoraConfigEntry, cls: type[ClientT]) -> ClientT:
    """The client of a loaded entry, as the type its kind has (callers resolve the kind)."""
    client = entry.runtime_data.client
    if not isinstance(client, cls):  # pragma: no cover - callers resolve the kind
        raise TypeError(f"{entry.title} has no {cls.__name__}")
    return client


@dataclass(frozen=True, slots=True)
class ClientHandle:
    """A client and what must run to release it (``None``: nothing to release)."""

    client: PandoraClient
    close: Callable[[], None] | None = None


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> ClientHandle:
    """Return a client for ``data`` (a config entry's data, kind included).

    Every client shares Home Assistant's session except qBittorrent's: its SID
    cookie must survive on IP hosts, which the shared jar refuses, so it gets
    a session of its own with an unsafe jar.  Home Assistant forbids closing
    its sessions (the connector is shared): the handle *detaches* it, which is
    how Home Assistant itself releases one; ``auto_cleanup`` is off so a
    session made for a config-flow check does not linger until shutdown.  TLS
    verification is the entry's ``verify_ssl``; Portainer's library takes it
    from the session, ours per request.
    """
    kind = Kind(data[CONF_KIND])
    url: str = data[CONF_URL]
    verify_ssl: bool = data.get(CONF_VERIFY_SSL, True)
    match kind:
        case Kind.QBITTORRENT:
            session = async_create_clientsession(
                hass, verify_ssl=verify_ssl, auto_cleanup=False, cookie_jar=CookieJar(unsafe=True)
            )
            qbittorrent = QBittorrentClient(
                session,
                url,
                username=data[CONF_USERNAME],
                password=data[CONF_PASSWORD],
                verify_ssl=verify_ssl,
            )
            return ClientHandle(qbittorrent, session.detach)
        case Kind.PORTAINER:
            return ClientHandle(
                PortainerClient(
                    async_get_clientsession(hass, verify_ssl=verify_ssl),
                    url,
                    api_key=data[CONF_API_KEY],
                )
            )
        case _:
            return ClientHandle(_shared_session_client(hass, kind, url, verify_ssl, data))


def _shared_session_client(
    hass: HomeAssistant, kind: Kind, url: str, verify_ssl: bool, data: Mapping[str, Any]
) -> PandoraClient:
    """Build one of the clients that run on Home Assistant's shared session."""
    session = async_get_clientsession(hass)
    match kind:
        case Kind.JACKETT:
            return JackettClient(session, url, api_key=data[CONF_API_KEY], verify_ssl=verify_ssl)
        case Kind.TMDB:
            return TMDBClient(
                session,
                url,
                api_key=data[CONF_API_KEY],
                language=data[CONF_LANGUAGE],
                region=data[CONF_REGION],
            )
        case Kind.WATCHMODE:
            return WatchmodeClient(
                session, url, api_key=data[CONF_API_KEY], region=data[CONF_REGION]
            )
        case Kind.CLOUDCMD:
            return CloudCmdClient(
                session,
                url,
                username=data[CONF_USERNAME],
                password=data[CONF_PASSWORD],
                root=data[CONF_ROOT],
                verify_ssl=verify_ssl,
            )
        case Kind.JELLYFIN:
            return JellyfinClient(session, url, api_key=data[CONF_API_KEY], verify_ssl=verify_ssl)
    raise ValueError(f"no shared-session client for {kind}")  # pragma: no cover
