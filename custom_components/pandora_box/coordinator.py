"""Runtime data of a Pandora Box config entry.

Each entry is one upstream.  Its client (and, as platforms arrive, its
coordinator) lives in ``entry.runtime_data``; nothing is kept in ``hass.data``.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .api.models import UpstreamInfo
from .clients import PandoraClient
from .const import Kind


@dataclass(kw_only=True, slots=True)
class PandoraRuntimeData:
    """What a loaded entry holds: its kind, its client and what the upstream reported."""

    kind: Kind
    client: PandoraClient
    info: UpstreamInfo


type PandoraConfigEntry = ConfigEntry[PandoraRuntimeData]
