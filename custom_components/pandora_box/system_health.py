"""System health (Settings → System → Repairs → System information) for Pandora Box.

Home Assistant's ``system_health`` integration finds this platform itself
(``integration_platform.async_process_integration_platforms``) once this
integration is loaded; ``async_register`` hands it our info callback.

Per loaded entry the info shows three lines, keyed by the entry's title:
whether its upstream is reachable now, the version it reports, and how long
one cheap call took.  The call is the client's ``async_get_info`` (the same
credential check setup makes); it runs when someone opens the page, once per
entry, all entries at once.  The values are awaitables, so the page shows
each as soon as it arrives, and each call is bounded by ``CHECK_TIMEOUT`` so
one hanging upstream cannot hide the others (Home Assistant gives the whole
callback only a few seconds for what is not awaitable).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
import time
from typing import Any, Final

from homeassistant.components import system_health
from homeassistant.core import HomeAssistant, callback

from .api.errors import CannotConnectError, InvalidAuthError, RateLimitedError, ResponseError
from .const import DOMAIN
from .coordinator import PandoraConfigEntry

CHECK_TIMEOUT: Final = 10.0
"""Seconds one entry's check may take before it reads as a timeout."""


@callback
def async_register(hass: HomeAssistant, register: system_health.SystemHealthRegistration) -> None:
    """Register the info callback."""
    register.async_register_info(system_health_info)


@dataclass(frozen=True, slots=True)
class Probe:
    """The outcome of one check of an upstream."""

    error: str | None
    """``None`` when it answered; else ``unreachable``, ``invalid_auth``, ``timeout`` …"""
    version: str | None
    milliseconds: float | None


async def async_probe(entry: PandoraConfigEntry) -> Probe:
    """Ask ``entry``'s upstream who it is, timing the answer."""
    client = entry.runtime_data.client
    start = time.monotonic()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            info = await client.async_get_info()
    except TimeoutError:
        return Probe("timeout", None, None)
    except RateLimitedError:
        return Probe(None, entry.runtime_data.info.version, _ms_since(start))
    except InvalidAuthError:
        return Probe("invalid_auth", None, _ms_since(start))
    except CannotConnectError:
        return Probe("unreachable", None, None)
    except ResponseError:
        return Probe("bad_answer", None, _ms_since(start))
    return Probe(None, info.version, _ms_since(start))


def _ms_since(start: float) -> float:
    return (time.monotonic() - start) * 1000


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """Info of every loaded entry: reachable, version, response time."""
    entries: list[PandoraConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    info: dict[str, Any] = {"loaded_entries": len(entries)}
    for entry in sorted(entries, key=lambda e: e.title):
        probe = hass.async_create_task(async_probe(entry), f"{DOMAIN} probe {entry.title}")
        info[f"{entry.title}: reachable"] = _reachable(probe)
        info[f"{entry.title}: version"] = _version(probe)
        info[f"{entry.title}: response time"] = _response_time(probe)
    return info


async def _reachable(probe: Awaitable[Probe]) -> str | dict[str, str]:
    """``ok``, or the failure in the form the System information page shows as one."""
    result = await probe
    if result.error is None:
        return "ok"
    return {"type": "failed", "error": result.error}


async def _version(probe: Awaitable[Probe]) -> str:
    result = await probe
    if result.error is not None:
        return "-"
    return result.version or "not reported"


async def _response_time(probe: Awaitable[Probe]) -> str:
    result = await probe
    if result.milliseconds is None:
        return "-"
    return f"{result.milliseconds:.0f} ms"
