"""Watchmode, where a title streams: the ``get_streaming_sources`` action and options.

No coordinator and no entities: a free key has about a thousand calls a
month, and a poll would spend them.  ``actions.py`` holds the action and the
options flow (cache lifetime, the services the user subscribes to); answers
go through the entry's cache (``../cache.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_API_KEY, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.watchmode import WatchmodeClient
from ...const import CONF_REGION, WATCHMODE_DEFAULT_URL, Kind
from ..base import ClientHandle, Upstream
from ..cache import async_cached_sources
from .actions import CONF_MY_SERVICES, WatchmodeOptionsFlow, async_register_watchmode_actions


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> ClientHandle:
    """A client on Home Assistant's shared session, for the entry's region."""
    client = WatchmodeClient(
        async_get_clientsession(hass),
        data[CONF_URL],
        api_key=data[CONF_API_KEY],
        region=data[CONF_REGION],
    )
    return ClientHandle(client)


UPSTREAM = Upstream(
    kind=Kind.WATCHMODE,
    manufacturer="Watchmode",
    model="Watchmode API v1",
    fields=(CONF_URL, CONF_API_KEY, CONF_REGION),
    defaults={CONF_URL: WATCHMODE_DEFAULT_URL},
    client=create_client,
    self_hosted=False,
    register_actions=async_register_watchmode_actions,
    options_flow=WatchmodeOptionsFlow,
)

__all__ = ["CONF_MY_SERVICES", "UPSTREAM", "async_cached_sources"]
