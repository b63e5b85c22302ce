"""Binary sensors of Portainer devices: a container running or killed for memory; a stack active.

As in Home Assistant core's ``portainer`` integration they are diagnostic
(the switches are the controls); "out of memory" is Docker's ``OOMKilled``
of the container's last exit, from the inspect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, override

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory

from .entities import (
    PortainerContainerEntity,
    PortainerEntity,
    PortainerStackEntity,
    setup_portainer_entities,
)
from .model import PortainerContainerData, PortainerStackData


@dataclass(frozen=True, kw_only=True)
class PandoraPortainerBinarySensorEntityDescription[DataT](BinarySensorEntityDescription):
    """A binary sensor of a Portainer device whose item is a ``DataT``."""

    is_on_fn: Callable[[DataT], bool | None]


PORTAINER_CONTAINER_BINARY_SENSORS: Final = (
    PandoraPortainerBinarySensorEntityDescription[PortainerContainerData](
        key="status",
        translation_key="container_status",
        device_class=BinarySensorDeviceClass.RUNNING,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda data: data.state == "running",
    ),
    PandoraPortainerBinarySensorEntityDescription[PortainerContainerData](
        key="out_of_memory",
        translation_key="container_out_of_memory",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda data: data.details.oom_killed if data.details else None,
    ),
)
PORTAINER_STACK_BINARY_SENSOR: Final = PandoraPortainerBinarySensorEntityDescription[
    PortainerStackData
](
    key="status",
    translation_key="stack_status",
    device_class=BinarySensorDeviceClass.RUNNING,
    entity_category=EntityCategory.DIAGNOSTIC,
    is_on_fn=lambda data: data.stack.active,
)


class _PortainerBinarySensor[DataT](PortainerEntity[DataT], BinarySensorEntity):
    """A binary sensor of a Portainer device: its description's test of the device's item."""

    entity_description: PandoraPortainerBinarySensorEntityDescription[DataT]

    @property
    @override
    def is_on(self) -> bool | None:
        """The value from the latest poll."""
        data = self.device_data
        return self.entity_description.is_on_fn(data) if data is not None else None


class PortainerContainerBinarySensor(
    PortainerContainerEntity, _PortainerBinarySensor[PortainerContainerData]
):
    """A binary sensor of a container."""


class PortainerStackBinarySensor(PortainerStackEntity, _PortainerBinarySensor[PortainerStackData]):
    """Whether a stack is active."""


async_setup_entities: Final = setup_portainer_entities(
    container=lambda coordinator, data: [
        PortainerContainerBinarySensor(coordinator, description, data)
        for description in PORTAINER_CONTAINER_BINARY_SENSORS
    ],
    stack=lambda coordinator, data: [
        PortainerStackBinarySensor(coordinator, PORTAINER_STACK_BINARY_SENSOR, data)
    ],
)
"""Adds the binary sensors of every container and stack, as they appear."""
