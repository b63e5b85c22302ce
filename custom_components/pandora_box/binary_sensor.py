"""Binary sensors of Pandora Box: the connectivity sensor of every entry, then its upstream's.

The connectivity sensor shows the entry's health monitor (``health.py``);
whatever else a kind has is in ``upstreams/<kind>/binary_sensor.py``.
"""

from __future__ import annotations

from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PandoraConfigEntry
from .entity import entry_device_info
from .handover import async_setup_platform
from .health import HealthMonitor

PARALLEL_UPDATES = 0  # read-only: the coordinator does the polling


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor every entry has, then those of the entry's upstream."""
    _setup_health(hass, entry, async_add_entities)
    async_setup_platform(Platform.BINARY_SENSOR, entry, async_add_entities)


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
