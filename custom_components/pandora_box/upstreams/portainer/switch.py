"""Switches of Portainer devices: a container running, a stack active."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, override

from homeassistant.components.switch import (
    SwitchDeviceClass,
    SwitchEntity,
    SwitchEntityDescription,
)

from .entities import (
    PortainerContainerEntity,
    PortainerEntity,
    PortainerStackEntity,
    setup_portainer_entities,
)
from .model import PortainerContainerData, PortainerStackData


@dataclass(frozen=True, kw_only=True)
class PandoraPortainerSwitchEntityDescription[DataT](SwitchEntityDescription):
    """A switch of a Portainer device whose item is a ``DataT``: on while it runs."""

    is_on_fn: Callable[[DataT], bool]


PORTAINER_CONTAINER_SWITCH = PandoraPortainerSwitchEntityDescription[PortainerContainerData](
    key="running",
    translation_key="container_running",
    device_class=SwitchDeviceClass.SWITCH,
    is_on_fn=lambda data: data.running,
)
PORTAINER_STACK_SWITCH = PandoraPortainerSwitchEntityDescription[PortainerStackData](
    key="active",
    translation_key="stack_active",
    device_class=SwitchDeviceClass.SWITCH,
    is_on_fn=lambda data: data.stack.active,
)


class _PortainerSwitch[DataT](PortainerEntity[DataT], SwitchEntity):
    """Starts and stops a container or a stack (compose up / down)."""

    entity_description: PandoraPortainerSwitchEntityDescription[DataT]

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether it runs (per the latest poll)."""
        data = self.device_data
        return self.entity_description.is_on_fn(data) if data is not None else None

    async def async_command(self, action: Literal["start", "stop"]) -> None:
        """Send the command (the container or stack entity base does)."""
        raise NotImplementedError

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start it."""
        await self.async_command("start")

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop it (a stopped stack's containers are removed by Portainer)."""
        await self.async_command("stop")


class PortainerContainerSwitch(PortainerContainerEntity, _PortainerSwitch[PortainerContainerData]):
    """Starts and stops a container; on while it runs."""


class PortainerStackSwitch(PortainerStackEntity, _PortainerSwitch[PortainerStackData]):
    """Starts (compose up) and stops (compose down) a stack; on while it is active."""


async_setup_entities: Final = setup_portainer_entities(
    container=lambda coordinator, data: [
        PortainerContainerSwitch(coordinator, PORTAINER_CONTAINER_SWITCH, data)
    ],
    stack=lambda coordinator, data: [
        PortainerStackSwitch(coordinator, PORTAINER_STACK_SWITCH, data)
    ],
)
"""Adds a running switch per container and an active switch per stack, as they appear."""
