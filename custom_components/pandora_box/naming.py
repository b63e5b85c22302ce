"""The one naming scheme of Pandora Box: entry titles, service devices, child devices.

A device list and the entity ids made from it must read unambiguously, and
a name must stay true after the next upgrade of the upstream:

* An entry's title, and the name of its service device, is the product and
  where it runs: ``qBittorrent (192.168.1.5)``, ``Portainer (nas.local)``,
  ``CloudCmd (nas.local, /Movies)`` for a CloudCmd entry with a root folder.
  No version (the device's ``sw_version`` has it) and no port (the demo's
  and the tests' upstreams listen on random ports; entity ids made from the
  name must not change with them).  Public APIs (TMDB, Watchmode) have no
  host a user runs: their name is the product alone.
* A child device (a Portainer container, stack, environment or volume, a
  torrent) is its kind and its own name: ``Container qbittorrent``,
  ``Stack pandora``, ``Environment local``, so the container named
  ``qbittorrent`` never reads like the qBittorrent service beside it, and its
  entity ids (``switch.container_qbittorrent_running``) never collide in
  spirit with the service's (``sensor.qbittorrent_…``).

Device names are English on purpose: Home Assistant makes entity ids from
them at creation, and every word here (a product, Container, Stack, Torrent,
Volume) reads the same to a German user.

Use: ``service_device_name(kind, host)`` (``host_of(url)`` gives the host),
``child_device_name("container", name)``.  A new kind of child device adds
one line to ``CHILD_KINDS``.
"""

from __future__ import annotations

from typing import Final

from yarl import URL

from .const import Kind

PRODUCTS: Final[dict[Kind, str]] = {
    Kind.QBITTORRENT: "qBittorrent",
    Kind.JACKETT: "Jackett",
    Kind.TMDB: "TMDB",
    Kind.WATCHMODE: "Watchmode",
    Kind.CLOUDCMD: "CloudCmd",
    Kind.PORTAINER: "Portainer",
    Kind.JELLYFIN: "Jellyfin",
}
"""Each upstream's product name, spelled as its makers spell it."""

CHILD_KINDS: Final[dict[str, str]] = {
    "container": "Container",
    "stack": "Stack",
    "environment": "Environment",
    "volume": "Volume",
    "torrent": "Torrent",
    "client": "Jellyfin",
}
"""The word that starts the name of each kind of child device."""


def host_of(url: str | URL) -> str:
    """The host of ``url`` as a user reads it (no scheme, no port, no path)."""
    parsed = url if isinstance(url, URL) else URL(str(url).strip())
    host = parsed.host or ""
    return f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets


def service_device_name(
    kind: Kind | str, host: str | None = None, detail: str | None = None
) -> str:
    """The name of an entry's service device, and the entry's title.

    ``host`` is ``None`` for a public API (the product alone); ``detail``
    tells two entries on one host apart where the kind has such a thing
    (a CloudCmd root folder other than ``/``).
    """
    product = PRODUCTS[Kind(kind)]
    where = ", ".join(part for part in (host, detail) if part)
    return f"{product} ({where})" if where else product


def child_device_name(kind_of_child: str, name: str) -> str:
    """The name of a child device: its kind, then its own name (``Container jellyfin``)."""
    return f"{CHILD_KINDS[kind_of_child]} {name}"
