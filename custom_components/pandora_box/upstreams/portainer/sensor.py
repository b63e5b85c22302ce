"""Sensors of Portainer devices: container state, CPU, memory, start, image; counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfInformation
from homeassistant.helpers.typing import StateType

from .entities import (
    PortainerContainerEntity,
    PortainerEndpointEntity,
    PortainerEntity,
    PortainerStackEntity,
    setup_portainer_entities,
)
from .model import (
    CONTAINER_STATES,
    PortainerContainerData,
    PortainerEndpointData,
    PortainerStackData,
)


@dataclass(frozen=True, kw_only=True)
class PandoraPortainerSensorEntityDescription[DataT](SensorEntityDescription):
    """A sensor of a Portainer device whose item is a ``DataT``."""

    value_fn: Callable[[DataT], StateType | datetime]
    available_when_removed: bool = False
    """Whether a container's sensor still shows a value once a stopped stack removed it."""


PORTAINER_CONTAINER_SENSORS: tuple[
    PandoraPortainerSensorEntityDescription[PortainerContainerData], ...
] = (
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="state",
        translation_key="container_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(CONTAINER_STATES),
        value_fn=lambda data: data.state,
        available_when_removed=True,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="cpu_usage",
        translation_key="cpu_usage",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.stats.cpu_percent if data.stats else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="memory_usage",
        translation_key="memory_usage",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEBIBYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.stats.memory_bytes if data.stats else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="memory_percent",
        translation_key="memory_percent",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.stats.memory_percent if data.stats else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="started_at",
        translation_key="started_at",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: data.started_at if data.running else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="image",
        translation_key="image",
        entity_category=EntityCategory.DIAGNOSTIC,
        # one per container and rarely looked at: there for whoever enables it
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.image,
        available_when_removed=True,
    ),
)

PORTAINER_COUNT_SENSORS: tuple[
    PandoraPortainerSensorEntityDescription[PortainerStackData | PortainerEndpointData], ...
] = (
    PandoraPortainerSensorEntityDescription[PortainerStackData | PortainerEndpointData](
        key="containers_running",
        translation_key="containers_running",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.running,
    ),
    PandoraPortainerSensorEntityDescription[PortainerStackData | PortainerEndpointData](
        key="containers_total",
        translation_key="containers_total",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.total,
    ),
)


class _PortainerSensor[DataT](PortainerEntity[DataT], SensorEntity):
    """A sensor of a Portainer device: its description's value of the device's item."""

    entity_description: PandoraPortainerSensorEntityDescription[DataT]

    @property
    @override
    def native_value(self) -> StateType | datetime:
        """The value from the latest poll."""
        data = self.device_data
        return self.entity_description.value_fn(data) if data is not None else None


class PortainerContainerSensor(PortainerContainerEntity, _PortainerSensor[PortainerContainerData]):
    """A sensor of a container."""


class PortainerStackSensor(PortainerStackEntity, _PortainerSensor[PortainerStackData]):
    """A container count of a stack."""


class PortainerEndpointSensor(PortainerEndpointEntity, _PortainerSensor[PortainerEndpointData]):
    """A container count of an environment."""


async_setup_entities: Final = setup_portainer_entities(
    endpoint=lambda coordinator, data: [
        PortainerEndpointSensor(coordinator, description, data)
        for description in PORTAINER_COUNT_SENSORS
    ],
    container=lambda coordinator, data: [
        PortainerContainerSensor(coordinator, description, data)
        for description in PORTAINER_CONTAINER_SENSORS
    ],
    stack=lambda coordinator, data: [
        PortainerStackSensor(coordinator, description, data)
        for description in PORTAINER_COUNT_SENSORS
    ],
)
"""Adds sensors for every environment, container and stack, now and as they appear."""
