"""Event entities of Pandora Box.

Each kind that has event entities defines its entity descriptions and a setup
function in its own section below and registers that function in
``SETUP_BY_KIND``; ``async_setup_entry`` picks the entry's kind.
"""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN, Kind
from .coordinator import PandoraConfigEntry, QBittorrentCoordinator, coordinator_of
from .entity import PandoraEntity, SetupFn
from .qbittorrent import ATTR_ENTRY_ID, BUS_EVENTS, EVENT_TYPES

PARALLEL_UPDATES = 0  # read-only: the coordinator does the polling


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of the entry's kind."""
    SETUP_BY_KIND[entry.runtime_data.kind](entry, async_add_entities)


# -- qBittorrent (issue 5) --

QBITTORRENT_TORRENT_EVENTS = EventEntityDescription(
    key="torrents", translation_key="torrents", event_types=list(EVENT_TYPES)
)


class PandoraQBittorrentEventEntity(PandoraEntity[QBittorrentCoordinator], EventEntity):
    """The torrent events of one qBittorrent: added, completed, removed.

    It mirrors the bus events the coordinator fires for its entry (so the
    two can never disagree); the event's data become its attributes.
    """

    @override
    async def async_added_to_hass(self) -> None:
        """Follow this entry's torrent events on the bus."""
        await super().async_added_to_hass()
        entry_id = self.coordinator.config_entry.entry_id

        @callback
        def mine(data: dict[str, Any]) -> bool:
            return bool(data.get(ATTR_ENTRY_ID) == entry_id)

        for event_type in BUS_EVENTS:
            self.async_on_remove(
                self.hass.bus.async_listen(event_type, self._async_handle, event_filter=mine)
            )

    @callback
    def _async_handle(self, event: Event[dict[str, Any]]) -> None:
        """Show one torrent event."""
        event_type = str(event.event_type).removeprefix(f"{DOMAIN}_")
        attributes = {k: v for k, v in event.data.items() if k != ATTR_ENTRY_ID}
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()


def _setup_qbittorrent(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the torrent event entity of a qBittorrent."""
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    async_add_entities([PandoraQBittorrentEventEntity(coordinator, QBITTORRENT_TORRENT_EVENTS)])


SETUP_BY_KIND: dict[Kind, SetupFn] = {
    Kind.QBITTORRENT: _setup_qbittorrent,
}
"""The setup function of each kind that has event entities here."""
