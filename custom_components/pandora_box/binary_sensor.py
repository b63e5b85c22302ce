"""Binary sensors of Pandora Box.

Each kind that has binary sensors defines its entity descriptions and a setup
function in its own section below and registers that function in
``SETUP_BY_KIND``; ``async_setup_entry`` picks the entry's kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import Kind
from .coordinator import JellyfinCoordinator, PandoraConfigEntry
from .entity import PandoraEntity
from .jellyfin import JellyfinData, scan_attributes

PARALLEL_UPDATES = 0  # read-only: the coordinator does the polling

type SetupFn = Callable[[PandoraConfigEntry, AddConfigEntryEntitiesCallback], None]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of the entry's kind."""
    SETUP_BY_KIND[entry.runtime_data.kind](entry, async_add_entities)


# -- Jellyfin (issue 7) --


@dataclass(frozen=True, kw_only=True)
class PandoraJellyfinBinarySensorEntityDescription(BinarySensorEntityDescription):
    """A Jellyfin binary sensor: on/off and attributes from one poll."""

    is_on_fn: Callable[[JellyfinData], bool]
    attrs_fn: Callable[[JellyfinData], dict[str, Any]] | None = None


JELLYFIN_BINARY_SENSORS: tuple[PandoraJellyfinBinarySensorEntityDescription, ...] = (
    PandoraJellyfinBinarySensorEntityDescription(
        key="library_scan",
        translation_key="library_scan",
        device_class=BinarySensorDeviceClass.RUNNING,
        is_on_fn=lambda data: data.scanning,
        attrs_fn=scan_attributes,
    ),
)


class JellyfinBinarySensor(PandoraEntity[JellyfinCoordinator], BinarySensorEntity):
    """A binary sensor of a Jellyfin server."""

    entity_description: PandoraJellyfinBinarySensorEntityDescription

    @property
    @override
    def is_on(self) -> bool:
        """Whether it is on, as of the latest poll."""
        return self.entity_description.is_on_fn(self.coordinator.data)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Attributes from the latest poll, for binary sensors that have any."""
        if (attrs_fn := self.entity_description.attrs_fn) is None:
            return None
        return attrs_fn(self.coordinator.data)


def _setup_jellyfin(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a Jellyfin server's binary sensors."""
    coordinator = entry.runtime_data.coordinator
    assert isinstance(coordinator, JellyfinCoordinator)
    async_add_entities(
        JellyfinBinarySensor(coordinator, description) for description in JELLYFIN_BINARY_SENSORS
    )


SETUP_BY_KIND: dict[Kind, SetupFn] = {
    Kind.JELLYFIN: _setup_jellyfin,
}
"""The setup function of each kind that has binary sensors here."""
