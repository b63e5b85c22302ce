"""The registry of kinds: every upstream of Pandora Box, and what it is.

Each package below declares its ``Upstream`` (``base.py``) once: client,
coordinator or none, entities per platform, actions, options flow, its form
in the config flow, its device.  ``UPSTREAMS`` lists them, one line per
upstream, in the order of the config flow's menu.  Setup (``__init__.py``),
the platform files (through ``handover.py``), ``services.py``, diagnostics,
health and the config flow read it; nothing outside a package knows more
about its kind.

Adding an upstream: its package (``upstreams/<kind>/``), its line here, its
``Kind``, its strings and its tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant

from ..const import CONF_KIND, CONF_ROOT, DEFAULT_CLOUDCMD_ROOT, Kind
from ..naming import host_of, service_device_name
from . import cloudcmd, jackett, jellyfin, portainer, qbittorrent, tmdb, watchmode
from .base import ClientHandle, Upstream

UPSTREAMS: Final[dict[Kind, Upstream]] = {
    upstream.kind: upstream
    for upstream in (
        qbittorrent.UPSTREAM,
        jackett.UPSTREAM,
        tmdb.UPSTREAM,
        watchmode.UPSTREAM,
        cloudcmd.UPSTREAM,
        portainer.UPSTREAM,
        jellyfin.UPSTREAM,
    )
}
"""Every upstream by kind."""


def upstream_of(data: Mapping[str, Any]) -> Upstream:
    """The upstream of a config entry's data (its ``kind``)."""
    return UPSTREAMS[Kind(data[CONF_KIND])]


def entry_title(data: Mapping[str, Any]) -> str:
    """The title of a config entry with ``data`` (kind included): ``naming.py``'s scheme.

    The product and the host for what a user runs, the product alone for a
    public API; a CloudCmd root other than ``/`` tells two entries of one
    server apart.
    """
    upstream = upstream_of(data)
    host = host_of(data[CONF_URL]) if upstream.self_hosted else None
    root = data.get(CONF_ROOT)
    detail = root if upstream.kind is Kind.CLOUDCMD and root != DEFAULT_CLOUDCMD_ROOT else None
    return service_device_name(upstream.kind, host, detail)


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> ClientHandle:
    """A client for ``data`` (a config entry's data, kind included).

    The config flow (to validate) and ``async_setup_entry`` (to run) both
    come here; the kind's package says which session it gets and how it is
    released again.
    """
    return upstream_of(data).client(hass, data)


__all__ = [
    "UPSTREAMS",
    "ClientHandle",
    "Upstream",
    "create_client",
    "entry_title",
    "upstream_of",
]
