"""Event entities of Pandora Box.

Each kind that has event entities defines its entity descriptions and a setup
function in its own section below and registers that function in
``SETUP_BY_KIND``; ``async_setup_entry`` picks the entry's kind.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import Kind
from .coordinator import PandoraConfigEntry

PARALLEL_UPDATES = 0  # read-only: the coordinator does the polling

type SetupFn = Callable[[PandoraConfigEntry, AddConfigEntryEntitiesCallback], None]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of the entry's kind."""
    SETUP_BY_KIND[entry.runtime_data.kind](entry, async_add_entities)


# -- qBittorrent (issue 5) --


SETUP_BY_KIND: dict[Kind, SetupFn] = {}
"""The setup function of each kind that has event entities here."""
