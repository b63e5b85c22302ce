"""Runtime data of a Pandora Box config entry and the base of every coordinator.

Each entry is one upstream.  Its client and, for kinds that poll, its
coordinator live in ``entry.runtime_data``; nothing is kept in ``hass.data``.

``PandoraCoordinator`` is the one base every kind's coordinator
(``upstreams/<kind>/coordinator.py``) subclasses: it owns the mapping of
client errors to what Home Assistant expects of a coordinator
(``ConfigEntryAuthFailed`` starts reauth; ``UpdateFailed`` makes the entities
unavailable until a later poll succeeds, logged once by the base class).
A refusal that means "not allowed" (``PermissionDeniedError``: a right, role
or plan is missing) never starts reauth: the entry stays loaded, the repair
issue ``permission_denied_<entry_id>`` names what is missing, and it is
deleted by the first poll that is refused nothing (or when the entry unloads:
not when a refused first poll fails the setup, so the retrying entry keeps
saying why).  A subclass whose poll
can leave out the refused part (Jellyfin's scan without administrator rights)
reports it with ``note_denied`` and returns the rest; a poll refused as a
whole makes the entities unavailable.  Subclasses implement
``_async_fetch`` and return a typed dataclass.  The polling interval is fixed
per kind, never a user option.

Nothing here knows a kind: this module needs nothing from ``upstreams/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Final, Protocol, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import PandoraClient
from .api.errors import (
    AddressRefusedError,
    CannotConnectError,
    InvalidAuthError,
    PermissionDeniedError,
    ResponseError,
)
from .api.models import UpstreamInfo
from .const import DOMAIN, LOGGER, Kind

ISSUE_PERMISSION_DENIED: Final = "permission_denied"


def permission_issue_id(entry_id: str) -> str:
    """The id of the "a right is missing" issue of one entry."""
    return f"{ISSUE_PERMISSION_DENIED}_{entry_id}"


@callback
def async_set_warning_issue(
    hass: HomeAssistant, issue_id: str, translation_key: str, placeholders: dict[str, str] | None
) -> None:
    """Raise a non-fixable, non-persistent warning issue, or delete it (``placeholders=None``)."""
    if placeholders is None:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=translation_key,
        translation_placeholders=placeholders,
    )


@callback
def async_update_permission_issue(
    hass: HomeAssistant, entry: ConfigEntry[Any], denied: PermissionDeniedError | None
) -> None:
    """Raise the "a right is missing" repair issue of ``entry``, or delete it (``None``)."""
    async_set_warning_issue(
        hass,
        permission_issue_id(entry.entry_id),
        ISSUE_PERMISSION_DENIED,
        None
        if denied is None
        else {"title": entry.title, "right": denied.right, "error": denied.message},
    )


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
        self._denied: PermissionDeniedError | None = None
        """What the running poll was refused (``note_denied``)."""

    def note_denied(self, denied: PermissionDeniedError | None) -> None:
        """Report that the running poll was refused a part (``None``: nothing refused)."""
        if denied is not None:
            self._denied = denied

    @override
    async def _async_update_data(self) -> DataT:
        """Fetch through ``_async_fetch``, mapping client errors for Home Assistant."""
        self._denied = None
        try:
            data = await self._async_fetch()
        except PermissionDeniedError as err:
            async_update_permission_issue(self.hass, self.config_entry, err)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="permission_denied",
                translation_placeholders={
                    "title": self.config_entry.title,
                    "right": err.right,
                    "error": err.message,
                },
            ) from err
        except InvalidAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="address_refused"
                if isinstance(err, AddressRefusedError)
                else "invalid_auth",  # Host/CSRF check
                translation_placeholders={"title": self.config_entry.title, "error": err.message},
            ) from err
        except (CannotConnectError, ResponseError) as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"title": self.config_entry.title, "error": err.message},
            ) from err
        async_update_permission_issue(self.hass, self.config_entry, self._denied)
        return data

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
