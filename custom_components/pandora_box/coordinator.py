"""Runtime data of a Pandora Box config entry and the coordinators that poll upstreams.

Each entry is one upstream.  Its client and, for kinds that poll, its
coordinator live in ``entry.runtime_data``; nothing is kept in ``hass.data``.

``PandoraCoordinator`` is the one base every kind's coordinator subclasses: it
owns the mapping of client errors to what Home Assistant expects of a
coordinator (``ConfigEntryAuthFailed`` starts reauth; ``UpdateFailed`` makes
the entities unavailable until a later poll succeeds, logged once by the
base class).  Subclasses implement ``_async_fetch`` and return a typed
dataclass.  The polling interval is fixed per kind, never a user option.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api.errors import CannotConnectError, InvalidAuthError, ResponseError
from .api.models import UpstreamInfo
from .clients import PandoraClient
from .const import DOMAIN, LOGGER, Kind


@dataclass(kw_only=True, slots=True)
class PandoraRuntimeData:
    """What a loaded entry holds: kind, client, what the upstream reported, coordinator."""

    kind: Kind
    client: PandoraClient
    info: UpstreamInfo
    coordinator: PandoraCoordinator[Any] | None = None


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


# -- per-kind coordinators ----------------------------------------------------------
# Each kind that polls adds its coordinator class below, constructed as
# ``Cls(hass, entry)``, and registers it in COORDINATORS at the end of the file.

# -- qBittorrent (issue 5) --

# -- Portainer (issue 7) --

# -- Jellyfin (issue 7) --


COORDINATORS: dict[Kind, type[PandoraCoordinator[Any]]] = {}
"""The coordinator class of each kind that polls; kinds absent here do not poll."""
