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
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import Kind
from .coordinator import JellyfinCoordinator, PandoraConfigEntry, coordinator_of
from .entity import PandoraEntity, SetupFn, entry_device_info
from .health import HealthMonitor
from .jellyfin import JellyfinData, scan_attributes

PARALLEL_UPDATES = 0  # read-only: the coordinator does the polling


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor every entry has, then those of the entry's kind."""
    _setup_health(hass, entry, async_add_entities)
    if (setup := SETUP_BY_KIND.get(entry.runtime_data.kind)) is not None:
        setup(entry, async_add_entities)


# -- all kinds: connectivity (issue 9) --

CONNECTIVITY = BinarySensorEntityDescription(
    key="connectivity",
    translation_key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


class PandoraConnectivityBinarySensor(BinarySensorEntity):
    """Whether the entry's upstream answers; available while it does not (health.py)."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: PandoraConfigEntry, monitor: HealthMonitor) -> None:
        """Show ``monitor``'s state on the entry's service device."""
        self.entity_description = CONNECTIVITY
        self._monitor = monitor
        self._attr_unique_id = f"{entry.entry_id}_{CONNECTIVITY.key}"
        self._attr_device_info = entry_device_info(entry)

    @property
    @override
    def is_on(self) -> bool:
        """Whether the upstream answered the latest poll or check."""
        return self._monitor.connected

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the monitor."""
        await super().async_added_to_hass()
        self.async_on_remove(self._monitor.async_add_listener(self.async_write_ha_state))


def _setup_health(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Start the entry's health monitor (until unload) and add its connectivity sensor."""
    monitor = HealthMonitor(hass, entry)
    entry.runtime_data.health = monitor
    entry.async_on_unload(monitor.async_start())
    async_add_entities([PandoraConnectivityBinarySensor(entry, monitor)])


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
    coordinator = coordinator_of(entry, JellyfinCoordinator)
    async_add_entities(
        JellyfinBinarySensor(coordinator, description) for description in JELLYFIN_BINARY_SENSORS
    )


SETUP_BY_KIND: dict[Kind, SetupFn] = {
    Kind.JELLYFIN: _setup_jellyfin,
}
"""The setup function of each kind that has binary sensors here."""
