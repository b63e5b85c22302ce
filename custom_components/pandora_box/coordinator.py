"""Runtime data of a Pandora Box config entry and the base of every coordinator.

Each entry is one upstream.  Its client and, for kinds that poll, its
coordinator live in ``entry.runtime_data``; nothing is kept in ``hass.data``.

``PandoraCoordinator`` is the one base every kind's coordinator
(``upstreams/<kind>/coordinator.py``) subclasses: it owns the mapping of
client errors to what Home Assistant expects of a coordinator
(``ConfigEntryAuthFailed`` starts reauth; ``UpdateFailed`` makes the entities
unavailable until a later poll succeeds, logged once by the base class).
Subclasses implement ``_async_fetch`` and return a typed dataclass.  The
polling interval is fixed per kind, never a user option.

Nothing here knows a kind: this module needs nothing from ``upstreams/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Protocol, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import PandoraClient
from .api.errors import CannotConnectError, InvalidAuthError, ResponseError
from .api.models import UpstreamInfo
from .const import DOMAIN, LOGGER, Kind


class EntryHealth(Protocol):
    """What runtime data needs of an entry's health monitor (``health.HealthMonitor``)."""

    def as_dict(self) -> dict[str, str | bool | None]:
        """What diagnostics show of the monitor."""


@dataclass(kw_only=True, slots=True)
class PandoraRuntimeData:
    """What a loaded entry holds: kind, client, what the upstream reported, coordinator."""

    kind: Kind
    client: PandoraClient
    info: UpstreamInfo
    coordinator: PandoraCoordinator[Any] | None = None
    health: EntryHealth | None = None
    """Connectivity and repair issues (``health.py``), started by the binary sensor platform."""
    cache: object | None = None
    """The answer cache of a TMDB or Watchmode entry (``upstreams/cache.py``), made on first use."""
    journal: object | None = None
    """The post-processing journal of a qBittorrent entry (``media/journal.py``)."""


type PandoraConfigEntry = ConfigEntry[PandoraRuntimeData]


class PandoraCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """Base coordinator: one upstream, a fixed interval, one error mapping."""

    config_entry: PandoraConfigEntry
    interval: ClassVar[timedelta]
    """How often the kind polls (a subclass may adapt ``update_interval`` later)."""

    def __init__(self, hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
        """Poll ``entry``'s upstream every ``interval``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=self.interval,
        )

    @override
    async def _async_update_data(self) -> DataT:
        """Fetch through ``_async_fetch``, mapping client errors for Home Assistant."""
        try:
            return await self._async_fetch()
        except InvalidAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
                translation_placeholders={"title": self.config_entry.title, "error": err.message},
            ) from err
        except (CannotConnectError, ResponseError) as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"title": self.config_entry.title, "error": err.message},
            ) from err

    async def _async_fetch(self) -> DataT:
        """Read the upstream and return the new data (subclasses implement this)."""
        raise NotImplementedError


def coordinator_of[CoordinatorT: PandoraCoordinator[Any]](
    entry: PandoraConfigEntry, cls: type[CoordinatorT]
) -> CoordinatorT:
    """The coordinator of a loaded entry, as the type its kind has (callers know the kind)."""
    coordinator = entry.runtime_data.coordinator
    if not isinstance(coordinator, cls):  # pragma: no cover - callers know the kind
        raise TypeError(f"{entry.title} has no {cls.__name__}")
    return coordinator


def entry_client[ClientT](entry: PandoraConfigEntry, cls: type[ClientT]) -> ClientT:
    """The client of a loaded entry, as the type its kind has (callers resolve the kind)."""
    client = entry.runtime_data.client
    if not isinstance(client, cls):  # pragma: no cover - callers resolve the kind
        raise TypeError(f"{entry.title} has no {cls.__name__}")
    return client
