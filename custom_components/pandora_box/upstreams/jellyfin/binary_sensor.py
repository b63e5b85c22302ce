"""Binary sensors of a Jellyfin server: whether a library scan runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, override

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)

from ...entity import PandoraEntity, setup_per_description
from .coordinator import JellyfinCoordinator
from .model import JellyfinData, scan_attributes


@dataclass(frozen=True, kw_only=True)
class PandoraJellyfinBinarySensorEntityDescription(BinarySensorEntityDescription):
    """A Jellyfin binary sensor: on/off and attributes from one poll."""

    is_on_fn: Callable[[JellyfinData], bool]
    attrs_fn: Callable[[JellyfinData], dict[str, Any]] | None = None
    available_fn: Callable[[JellyfinData], bool] = lambda _data: True
    """Whether the poll could read what the entity shows (a right may be missing)."""


JELLYFIN_BINARY_SENSORS: tuple[PandoraJellyfinBinarySensorEntityDescription, ...] = (
    PandoraJellyfinBinarySensorEntityDescription(
        key="library_scan",
        translation_key="library_scan",
        device_class=BinarySensorDeviceClass.RUNNING,
        is_on_fn=lambda data: data.scanning,
        attrs_fn=scan_attributes,
        available_fn=lambda data: data.scan_known,
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
    def available(self) -> bool:
        """Unavailable also when the poll could not read this entity's part."""
        return super().available and self.entity_description.available_fn(self.coordinator.data)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Attributes from the latest poll, for binary sensors that have any."""
        if (attrs_fn := self.entity_description.attrs_fn) is None:
            return None
        return attrs_fn(self.coordinator.data)


async_setup_entities: Final = setup_per_description(
    JellyfinCoordinator, JellyfinBinarySensor, JELLYFIN_BINARY_SENSORS
)
"""Adds a Jellyfin server's binary sensors."""
