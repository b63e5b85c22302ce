"""Health of each entry's upstream: connectivity, outage and version repair issues.

One ``HealthMonitor`` per loaded entry (started by the binary sensor
platform, kept in ``entry.runtime_data.health``) answers "does the upstream
answer us right now?" for every kind:

* **Kinds with a coordinator** (qBittorrent, Portainer, Jellyfin, TMDB, and
  any kind that gains one): the monitor listens to the coordinator and
  follows ``last_update_success`` after each poll.
* **Kinds without one** (Jackett, Watchmode, CloudCmd as of now), and
  coordinators that poll more rarely than ``CHECK_INTERVAL`` (TMDB's
  hourly lists): the monitor calls the client's ``async_get_info``
  (the same cheap credential check setup makes: Jackett's indexer list,
  TMDB's ``/authentication``, Watchmode's ``/status/``, CloudCmd's
  ``/api/v1`` and root listing) every ``CHECK_INTERVAL``.  The interval is
  slow on purpose: Watchmode keys have a small monthly quota and TMDB a rate
  limit, and an outage of a few minutes between two checks matters to
  nobody until an action is called, which reports its own error anyway.
  A 429 counts as reachable (the upstream answered), and so does a refusal
  that means "not allowed" (``PermissionDeniedError``: the coordinator's
  ``permission_denied`` issue says what is missing; for a kind without a
  coordinator the check raises that issue itself and deletes it when a check
  passes again); refused credentials
  count as not connected and start the reauth flow, as a poll would.
  Whichever observation is newest (poll or check) wins; a check that finds
  the upstream back asks a failed coordinator to poll again at once.

What follows from the state:

* the connectivity binary sensor (``binary_sensor.py``, every kind) shows it
  and stays available while the upstream is down;
* an upstream down for longer than ``UNREACHABLE_THRESHOLD`` raises the
  repair issue ``upstream_unreachable_<entry_id>``, deleted as soon as it
  answers again (or the entry unloads).  A timer fires at the threshold, so
  the issue does not depend on how often the kind is polled;
* an upstream older than we support (the registry's ``min_version``:
  qBittorrent 4.1, Jellyfin 10.9) raises ``unsupported_version_<entry_id>``,
  checked at start and after every recovery (a server may come back
  upgraded).

Issues are not persistent: after a restart they come back only if the
condition still holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
import re
from typing import Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.util import dt as dt_util

from .api.errors import (
    CannotConnectError,
    InvalidAuthError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseError,
)
from .const import DOMAIN, LOGGER
from .coordinator import (
    PandoraConfigEntry,
    async_set_warning_issue,
    async_update_permission_issue,
)
from .upstreams import UPSTREAMS

CHECK_INTERVAL: Final = timedelta(minutes=10)
"""How often an upstream without a coordinator is checked."""
CHECK_TIMEOUT: Final = 30.0
"""Seconds a check may take before the upstream counts as unreachable."""
UNREACHABLE_THRESHOLD: Final = timedelta(minutes=30)
"""How long an upstream must be down before a repair issue says so."""

ISSUE_UNREACHABLE: Final = "upstream_unreachable"
ISSUE_UNSUPPORTED_VERSION: Final = "unsupported_version"

_VERSION_RE = re.compile(r"v?(\d+(?:\.\d+)*)")


def unreachable_issue_id(entry_id: str) -> str:
    """The id of the "upstream unreachable" issue of one entry."""
    return f"{ISSUE_UNREACHABLE}_{entry_id}"


def version_issue_id(entry_id: str) -> str:
    """The id of the "unsupported version" issue of one entry."""
    return f"{ISSUE_UNSUPPORTED_VERSION}_{entry_id}"


def version_tuple(version: str) -> tuple[int, ...] | None:
    """The leading numeric part of ``version`` (``v4.5.2beta`` → ``(4, 5, 2)``), if any."""
    match = _VERSION_RE.match(version.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def version_below(version: str | None, minimum: str) -> bool:
    """Whether ``version`` is known and older than ``minimum``; unknown is not below."""
    if version is None or (have := version_tuple(version)) is None:
        return False
    need = version_tuple(minimum)
    assert need is not None
    return have < need


class HealthMonitor:
    """Whether one entry's upstream answers; raises and clears its repair issues."""

    def __init__(self, hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
        """Watch ``entry`` (loaded: its runtime data is set); call ``async_start`` next."""
        self.hass = hass
        self.entry = entry
        self.connected = True  # setup only gets here after a successful check
        self.down_since: datetime | None = None
        self.last_error: str | None = None
        self.last_check: datetime | None = None
        """When the monitor's own check last ran (kinds without a coordinator)."""
        self._listeners: list[CALLBACK_TYPE] = []
        self._threshold_timer: CALLBACK_TYPE | None = None

    @property
    def source(self) -> str:
        """What the state comes from: ``coordinator``, ``check`` or both."""
        coordinator = self.entry.runtime_data.coordinator
        if coordinator is None:
            return "check"
        return "coordinator+check" if _polls_slowly(coordinator.update_interval) else "coordinator"

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Start watching; the returned callback stops it and deletes the outage issue."""
        stops: list[CALLBACK_TYPE] = []
        coordinator = self.entry.runtime_data.coordinator
        if coordinator is not None:
            stops.append(coordinator.async_add_listener(self._async_coordinator_updated))
            self._set(coordinator.last_update_success, coordinator.last_exception)
        if coordinator is None or _polls_slowly(coordinator.update_interval):
            stops.append(
                async_track_time_interval(
                    self.hass,
                    self._async_check,
                    CHECK_INTERVAL,
                    name=f"{DOMAIN} health {self.entry.title}",
                    cancel_on_shutdown=True,
                )
            )
        self._check_version()

        @callback
        def _stop() -> None:
            for stop in stops:
                stop()
            self._cancel_threshold_timer()
            ir.async_delete_issue(self.hass, DOMAIN, unreachable_issue_id(self.entry.entry_id))
            self._update_permission_issue(None)

        return _stop

    @callback
    def async_add_listener(self, update_callback: CALLBACK_TYPE) -> Callable[[], None]:
        """Call ``update_callback`` whenever the connectivity changes."""
        self._listeners.append(update_callback)

        def _remove() -> None:
            self._listeners.remove(update_callback)

        return _remove

    # -- inputs --------------------------------------------------------------------

    @callback
    def _async_coordinator_updated(self) -> None:
        """Follow the coordinator's last refresh."""
        coordinator = self.entry.runtime_data.coordinator
        assert coordinator is not None
        error = coordinator.last_exception
        if error is not None and isinstance(error.__cause__, PermissionDeniedError):
            self._set(True, None)  # it answered: a right is missing, not the connection
            return
        self._set(coordinator.last_update_success, error)

    async def _async_check(self, _now: datetime | None = None) -> None:
        """Ask the upstream who it is (kinds without a coordinator)."""
        self.last_check = dt_util.utcnow()
        client = self.entry.runtime_data.client
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await client.async_get_info()
        except RateLimitedError:
            self._set(True, None)  # it answered, it is just busy
        except PermissionDeniedError as err:
            self._set(True, None)  # it answered: a right is missing, not the connection
            self._update_permission_issue(err)
        except InvalidAuthError as err:
            self.entry.async_start_reauth(self.hass)
            self._set(False, err)
        except (CannotConnectError, ResponseError) as err:
            self._set(False, err)
        except TimeoutError:
            self._set(False, f"no answer within {CHECK_TIMEOUT:.0f} s")
        else:
            self._set(True, None)
            self._update_permission_issue(None)
            coordinator = self.entry.runtime_data.coordinator
            if coordinator is not None and not coordinator.last_update_success:
                # back before the coordinator's next (slow) poll: bring the entities back now
                await coordinator.async_request_refresh()

    # -- state ---------------------------------------------------------------------

    @callback
    def _set(self, connected: bool, error: BaseException | str | None) -> None:
        """Record the outcome of a poll or check; act on a change."""
        self.last_error = None if connected or error is None else _describe(error)
        if connected == self.connected:
            return
        self.connected = connected
        if self.source == "check":
            # coordinators log outage and recovery themselves; nothing else would
            if connected:
                LOGGER.info("%s answers again", self.entry.title)
            else:
                LOGGER.warning("%s is unreachable: %s", self.entry.title, self.last_error)
        if connected:
            self.down_since = None
            self._cancel_threshold_timer()
            ir.async_delete_issue(self.hass, DOMAIN, unreachable_issue_id(self.entry.entry_id))
            self._check_version()
        else:
            self.down_since = dt_util.utcnow()
            self._threshold_timer = async_call_later(
                self.hass, UNREACHABLE_THRESHOLD, self._async_threshold_reached
            )
        for listener in list(self._listeners):
            listener()

    @callback
    def _async_threshold_reached(self, _now: datetime) -> None:
        """Still down after the threshold: raise the repair issue."""
        self._threshold_timer = None
        if self.connected or self.down_since is None:
            return  # pragma: no cover - recovery cancels the timer
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            unreachable_issue_id(self.entry.entry_id),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_UNREACHABLE,
            translation_placeholders={
                "title": self.entry.title,
                "since": self.down_since.isoformat(timespec="seconds"),
                "minutes": str(int(UNREACHABLE_THRESHOLD.total_seconds() // 60)),
                "error": self.last_error or "-",
            },
        )

    @callback
    def _update_permission_issue(self, denied: PermissionDeniedError | None) -> None:
        """Raise or clear the "a right is missing" issue (kinds without a coordinator only)."""
        if self.entry.runtime_data.coordinator is None:
            async_update_permission_issue(self.hass, self.entry, denied)

    @callback
    def _cancel_threshold_timer(self) -> None:
        if self._threshold_timer is not None:
            self._threshold_timer()
            self._threshold_timer = None

    @callback
    def _check_version(self) -> None:
        """Raise or clear the "unsupported version" issue for the version last seen."""
        runtime = self.entry.runtime_data
        issue_id = version_issue_id(self.entry.entry_id)
        minimum = UPSTREAMS[runtime.kind].min_version
        version = runtime.info.version
        below = minimum is not None and version_below(version, minimum)
        async_set_warning_issue(
            self.hass,
            issue_id,
            ISSUE_UNSUPPORTED_VERSION,
            {"title": self.entry.title, "version": str(version), "minimum": str(minimum)}
            if below
            else None,
        )

    def as_dict(self) -> dict[str, str | bool | None]:
        """What diagnostics show of the monitor."""
        return {
            "connected": self.connected,
            "source": self.source,
            "down_since": self.down_since.isoformat() if self.down_since else None,
            "last_error": self.last_error,
            "last_check": self.last_check.isoformat() if self.last_check else None,
        }


def _polls_slowly(interval: timedelta | None) -> bool:
    """Whether a coordinator polls too rarely to notice an outage in time on its own."""
    return interval is None or interval > CHECK_INTERVAL


def _describe(error: BaseException | str) -> str:
    """A short text for an error (client errors carry a message written for people)."""
    if isinstance(error, str):
        return error
    for candidate in (error, error.__cause__):
        message = getattr(candidate, "message", None)
        if isinstance(message, str):
            return message
    return str(error) or type(error).__name__
