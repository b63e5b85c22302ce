"""Event entities of a qBittorrent: torrent added, completed, removed."""

from __future__ import annotations

from typing import Any, Final, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Event, callback

from ...const import DOMAIN
from ...entity import PandoraEntity, setup_per_description
from .coordinator import QBittorrentCoordinator
from .tracker import ATTR_ENTRY_ID, BUS_EVENTS, EVENT_TYPES

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
        """Show one torrent event, in the bus event's context.

        The shared context links the entity's logbook line to the bus event's
        description, so the line names the torrent and its size ("triggered
        by qBittorrent (host) added Dune (8.2 GB) in movies") where the
        frontend alone could only say "detected an event".
        """
        event_type = str(event.event_type).removeprefix(f"{DOMAIN}_")
        attributes = {k: v for k, v in event.data.items() if k != ATTR_ENTRY_ID}
        self._trigger_event(event_type, attributes)
        self.async_set_context(event.context)
        self.async_write_ha_state()


async_setup_entities: Final = setup_per_description(
    QBittorrentCoordinator, PandoraQBittorrentEventEntity, [QBITTORRENT_TORRENT_EVENTS]
)
"""Adds the torrent event entity of a qBittorrent."""
