"""Sensors of Portainer devices.

Containers: state, health, CPU, memory (used, limit, %), start, restart
count, image, image version and creation (OCI labels).  Environments:
container counts, Docker's ``/info`` (versions, OS, architecture, CPUs,
memory, images) and disk usage.  Stacks: container counts.  Volumes:
driver and size.  Names, categories and which ones start disabled follow
Home Assistant core's ``portainer`` integration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfInformation
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from ...api.portainer import DiskUsage, DockerInfo
from .entities import (
    PortainerContainerEntity,
    PortainerEndpointEntity,
    PortainerEntity,
    PortainerStackEntity,
    PortainerVolumeEntity,
    setup_portainer_entities,
)
from .model import (
    CONTAINER_STATES,
    HEALTH_STATES,
    PortainerContainerData,
    PortainerEndpointData,
    PortainerStackData,
    PortainerVolumeData,
)

OCI_VERSION: Final = "org.opencontainers.image.version"
OCI_CREATED: Final = "org.opencontainers.image.created"


@dataclass(frozen=True, kw_only=True)
class PandoraPortainerSensorEntityDescription[DataT](SensorEntityDescription):
    """A sensor of a Portainer device whose item is a ``DataT``."""

    value_fn: Callable[[DataT], StateType | datetime]
    available_when_removed: bool = False
    """Whether a container's sensor still shows a value once a stopped stack removed it."""
    exists_fn: Callable[[DataT], bool] = lambda _data: True
    """Whether the device gets this sensor at all (decided when the device appears)."""


def _label(data: PortainerContainerData, name: str) -> str | None:
    """A label of the container (its image's OCI labels are on it too)."""
    return data.container.labels.get(name) if data.container is not None else None


def _label_time(data: PortainerContainerData, name: str) -> datetime | None:
    """A label holding an RFC 3339 time, as an aware datetime."""
    text = _label(data, name)
    parsed = dt_util.parse_datetime(text) if text else None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _info[T](data: PortainerEndpointData, read: Callable[[DockerInfo], T]) -> T | None:
    """A value of the environment's Docker ``/info``."""
    return read(data.info) if data.info is not None else None


def _disk[T](data: PortainerEndpointData, read: Callable[[DiskUsage], T]) -> T | None:
    """A value of the environment's disk usage."""
    return read(data.disk) if data.disk is not None else None


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
        key="health",
        translation_key="container_health",
        device_class=SensorDeviceClass.ENUM,
        options=list(HEALTH_STATES),
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.health,
        # only images with a HEALTHCHECK have one (as core decides)
        exists_fn=lambda data: data.health is not None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="memory_limit",
        translation_key="memory_limit",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEBIBYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.stats.memory_limit if data.stats else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="started_at",
        translation_key="started_at",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: data.started_at if data.running else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="restart_count",
        translation_key="restart_count",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.details.restart_count if data.details else None,
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
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="image_version",
        translation_key="image_version",
        value_fn=lambda data: _label(data, OCI_VERSION),
        exists_fn=lambda data: bool(_label(data, OCI_VERSION)),
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="image_created",
        translation_key="image_created",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: _label_time(data, OCI_CREATED),
        exists_fn=lambda data: bool(_label(data, OCI_CREATED)),
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


def _info_sensor(
    key: str, read: Callable[[DockerInfo], StateType], **kwargs: Any
) -> PandoraPortainerSensorEntityDescription[PortainerEndpointData]:
    """A diagnostic sensor of Docker's ``/info``, disabled by default (as core has them)."""
    return PandoraPortainerSensorEntityDescription[PortainerEndpointData](
        key=key,
        translation_key=key,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data: _info(data, read),
        **kwargs,
    )


def _count_sensor(
    key: str, read: Callable[[DockerInfo], StateType]
) -> PandoraPortainerSensorEntityDescription[PortainerEndpointData]:
    """A diagnostic count of Docker's ``/info``."""
    return PandoraPortainerSensorEntityDescription[PortainerEndpointData](
        key=key,
        translation_key=key,
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: _info(data, read),
    )


def _disk_sensor(
    key: str, read: Callable[[DiskUsage], int | None]
) -> PandoraPortainerSensorEntityDescription[PortainerEndpointData]:
    """A diagnostic disk usage sensor (``/system/df``)."""
    return PandoraPortainerSensorEntityDescription[PortainerEndpointData](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEBIBYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: _disk(data, read),
    )


PORTAINER_ENDPOINT_SENSORS: tuple[
    PandoraPortainerSensorEntityDescription[PortainerEndpointData], ...
] = (
    _info_sensor("docker_version", lambda i: i.docker_version),
    _info_sensor("api_version", lambda i: i.api_version),
    _info_sensor("kernel_version", lambda i: i.kernel_version),
    _info_sensor("operating_system", lambda i: i.operating_system),
    _info_sensor("operating_system_version", lambda i: i.os_version),
    _info_sensor("architecture", lambda i: i.architecture),
    _info_sensor("cpu_total", lambda i: i.cpus, state_class=SensorStateClass.MEASUREMENT),
    _info_sensor(
        "memory_total",
        lambda i: i.memory_total,
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEBIBYTES,
        state_class=SensorStateClass.MEASUREMENT,
    ),
    _count_sensor("containers_stopped", lambda i: i.containers_stopped),
    _count_sensor("containers_paused", lambda i: i.containers_paused),
    _count_sensor("images_count", lambda i: i.images),
    _disk_sensor("container_disk_usage_total_size", lambda d: d.containers_total),
    _disk_sensor("container_disk_usage_reclaimable", lambda d: d.containers_reclaimable),
    _disk_sensor("image_disk_usage_total_size", lambda d: d.images_total),
    _disk_sensor("image_disk_usage_reclaimable", lambda d: d.images_reclaimable),
    _disk_sensor("volume_disk_usage_total_size", lambda d: d.volumes_total),
    _disk_sensor("volume_disk_usage_reclaimable", lambda d: d.volumes_reclaimable),
)

PORTAINER_VOLUME_SENSORS: tuple[
    PandoraPortainerSensorEntityDescription[PortainerVolumeData], ...
] = (
    PandoraPortainerSensorEntityDescription[PortainerVolumeData](
        key="driver",
        translation_key="volume_driver",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.volume.driver,
    ),
    PandoraPortainerSensorEntityDescription[PortainerVolumeData](
        key="size",
        translation_key="volume_size",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEBIBYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.volume.size,
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
    """A sensor of an environment: container counts, Docker's facts, disk usage."""


class PortainerVolumeSensor(PortainerVolumeEntity, _PortainerSensor[PortainerVolumeData]):
    """A sensor of a volume."""


async_setup_entities: Final = setup_portainer_entities(
    endpoint=lambda coordinator, data: (
        [
            PortainerEndpointSensor(coordinator, description, data)
            for description in PORTAINER_COUNT_SENSORS
        ]
        + [
            PortainerEndpointSensor(coordinator, description, data)
            for description in PORTAINER_ENDPOINT_SENSORS
        ]
    ),
    container=lambda coordinator, data: [
        PortainerContainerSensor(coordinator, description, data)
        for description in PORTAINER_CONTAINER_SENSORS
        if description.exists_fn(data)
    ],
    volume=lambda coordinator, data: [
        PortainerVolumeSensor(coordinator, description, data)
        for description in PORTAINER_VOLUME_SENSORS
    ],
    stack=lambda coordinator, data: [
        PortainerStackSensor(coordinator, description, data)
        for description in PORTAINER_COUNT_SENSORS
    ],
)
"""Adds sensors for every environment, container, stack and volume, as they appear."""
