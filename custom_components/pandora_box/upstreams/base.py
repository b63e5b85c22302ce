"""What an upstream is to the integration: the ``Upstream`` each package declares.

Every package under ``upstreams/`` declares one ``Upstream`` (its
``UPSTREAM``, in the package's ``__init__``): which client it builds, whether
and how it polls, its entities per platform, its actions, its options flow,
its config-flow form and what its device says.  ``upstreams/__init__.py``
lists them; setup, the platform files, ``services.py``, diagnostics, health
and the config flow read that list and nothing else about a kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from homeassistant.config_entries import OptionsFlow
from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import probatio as vol

from ..api import PandoraClient
from ..const import Kind
from ..coordinator import PandoraConfigEntry, PandoraCoordinator
from ..entity import SetupFn
from ..helpers import EntryResolver
from ..media.browse import MediaLibrary


@dataclass(frozen=True, slots=True)
class ClientHandle:
    """A client and what must run to release it (``None``: nothing to release)."""

    client: PandoraClient
    close: Callable[[], None] | None = None


type ClientFactory = Callable[[HomeAssistant, Mapping[str, Any]], ClientHandle]
"""Builds the client for a config entry's data (kind included)."""


class ApiKeyClient(Protocol):
    """A client built from a session, a URL, an API key and ``verify_ssl`` (Jackett, Jellyfin)."""

    def __call__(
        self, session: aiohttp.ClientSession, url: str, *, api_key: str, verify_ssl: bool
    ) -> PandoraClient:
        """Build the client; nothing is sent yet."""


def api_key_client(cls: ApiKeyClient) -> ClientFactory:
    """The factory of such a client, on Home Assistant's shared session.

    TLS verification is the entry's ``verify_ssl``, applied per request.
    """

    def create(hass: HomeAssistant, data: Mapping[str, Any]) -> ClientHandle:
        client = cls(
            async_get_clientsession(hass),
            data[CONF_URL],
            api_key=data[CONF_API_KEY],
            verify_ssl=data.get(CONF_VERIFY_SSL, True),
        )
        return ClientHandle(client)

    return create


type ActionRegistrar = Callable[[HomeAssistant, vol.Schema, EntryResolver], None]
"""Registers a kind's actions, given ``services.py``'s entry schema and resolver."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Upstream:
    """One kind of upstream, as the integration knows it."""

    kind: Kind
    manufacturer: str
    """Manufacturer of the entry's service device."""
    model: str
    """Model of the entry's service device."""
    fields: tuple[str, ...]
    """The config-entry data the config flow asks for, in the order of the form."""
    client: ClientFactory
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Form defaults of this kind, beyond those every kind shares (``config_flow.py``)."""
    credential_choices: tuple[tuple[str, ...], ...] = ()
    """Alternative sets of credential fields, exactly one of which an entry stores.

    Empty: every credential field is required.  qBittorrent: a user name and
    password, or an API key (5.2+).  A set is chosen by the secret typed in it.
    """
    stable_id: bool = False
    """Reports a server id, so a reauth or reconfigure must reach the same server."""
    self_hosted: bool = True
    """A server the user runs (its URL is the device's configuration URL), not a public API."""
    coordinator: type[PandoraCoordinator[Any]] | None = None
    """What polls it, built as ``coordinator(hass, entry)``; ``None``: it is not polled."""
    platforms: Mapping[Platform, SetupFn] = field(default_factory=dict)
    """Its entities per platform (every kind also has the connectivity binary sensor)."""
    register_actions: ActionRegistrar | None = None
    options_flow: type[OptionsFlow] | None = None
    min_version: str | None = None
    """The oldest version supported, for upstreams whose API changed over versions."""
    redact: frozenset[str] = frozenset()
    """Keys of its data whose values diagnostics redact, beyond the secrets every kind has."""
    remove_entry: Callable[[HomeAssistant, str], Awaitable[None]] | None = None
    """Deletes what an entry stored beyond its data, given the removed entry's id."""
    remove_device: Callable[[PandoraConfigEntry, dr.DeviceEntry], bool] | None = None
    """Whether a user may delete a child device (kinds without them only have the service one)."""
    media: MediaLibrary | None = None
    """What it shows in the media browser (``media_source.py``), if anything."""

    @property
    def forwarded_platforms(self) -> list[Platform]:
        """The platforms an entry of this kind sets up, the connectivity sensor's included."""
        return sorted({Platform.BINARY_SENSOR, *self.platforms})
