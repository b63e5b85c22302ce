"""Event entities of Portainer containers: what Docker did to each, seen by polling.

Home Assistant core listens to Docker's ``/events`` stream per environment.
We derive the events from the difference between two polls instead
(``model.container_events``): a stream through pyportainer would bypass the
client's size cap and hold one connection per environment open for ever,
and the poll already reads every container's state, health and (on change)
its inspect.  The price: an event fires at the next poll (30 s, or at once
after our own commands, which refresh), and changes that cancel out between
two polls are not seen.  Event types are Docker's names (``start``,
``die``, ``kill``, ``oom``, ``pause``, ``unpause``, ``restart``,
``health_status_healthy`` …), so automations read as for core's entities.
"""

from __future__ import annotations

from typing import Final, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import callback

from .entities import PortainerContainerEntity, setup_portainer_entities
from .model import CONTAINER_EVENTS

PORTAINER_CONTAINER_EVENT: Final = EventEntityDescription(
    key="docker_event",
    translation_key="docker_event",
    entity_category=EntityCategory.DIAGNOSTIC,
    event_types=list(CONTAINER_EVENTS),
)


class PortainerContainerEventEntity(PortainerContainerEntity, EventEntity):
    """Fires each poll's Docker events of one container, once."""

    _seen_poll: int | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Start from the current poll: what happened before is not news."""
        await super().async_added_to_hass()
        self._seen_poll = self.coordinator.data.poll

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Fire the events of a poll not seen yet."""
        data = self.device_data
        poll = self.coordinator.data.poll
        if data is not None and poll != self._seen_poll:
            self._seen_poll = poll
            for event_type in data.events:
                self._trigger_event(event_type, {"container": data.name})
                self.async_write_ha_state()  # each one, not only the last
        super()._handle_coordinator_update()


async_setup_entities: Final = setup_portainer_entities(
    container=lambda coordinator, data: [
        PortainerContainerEventEntity(coordinator, PORTAINER_CONTAINER_EVENT, data)
    ],
)
"""Adds an event entity per container, as containers appear."""
