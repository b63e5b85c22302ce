"""Switches of Pandora Box.

Each kind that has switches defines its entity descriptions and a setup
function in its own section below and registers that function in
``SETUP_BY_KIND``; ``async_setup_entry`` picks the entry's kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, override

from homeassistant.components.switch import (
    SwitchDeviceClass,
    SwitchEntity,
    SwitchEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import Kind
from .coordinator import PandoraConfigEntry, QBittorrentCoordinator, coordinator_of
from .entity import PandoraEntity, SetupFn
from .portainer import (
    PortainerContainerEntity,
    PortainerEntity,
    PortainerStackEntity,
    async_add_portainer_entities,
)
from .portainer_model import PortainerContainerData, PortainerStackData
from .qbittorrent_actions import async_set_alt_speed

PARALLEL_UPDATES = 1  # entities act on the upstream: one command at a time


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of the entry's kind."""
    SETUP_BY_KIND[entry.runtime_data.kind](entry, async_add_entities)


# -- qBittorrent (issue 5) --

QBITTORRENT_ALT_SPEED = SwitchEntityDescription(
    key="alternative_speed_limits", translation_key="alternative_speed_limits"
)


class PandoraQBittorrentAltSpeedSwitch(PandoraEntity[QBittorrentCoordinator], SwitchEntity):
    """qBittorrent's alternative speed limits (the "turtle")."""

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the alternative limits are on."""
        return self.coordinator.data.server.use_alt_speed_limits

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the alternative limits on."""
        await async_set_alt_speed(self.coordinator.config_entry, True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the alternative limits off."""
        await async_set_alt_speed(self.coordinator.config_entry, False)


def _setup_qbittorrent(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the alternative-speed switch of a qBittorrent."""
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    async_add_entities([PandoraQBittorrentAltSpeedSwitch(coordinator, QBITTORRENT_ALT_SPEED)])


# -- Portainer (issue 7) --


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


def _setup_portainer(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a running switch per container and an active switch per stack, as they appear."""
    async_add_portainer_entities(
        entry,
        async_add_entities,
        container=lambda coordinator, data: [
            PortainerContainerSwitch(coordinator, PORTAINER_CONTAINER_SWITCH, data)
        ],
        stack=lambda coordinator, data: [
            PortainerStackSwitch(coordinator, PORTAINER_STACK_SWITCH, data)
        ],
    )


SETUP_BY_KIND: dict[Kind, SetupFn] = {
    Kind.QBITTORRENT: _setup_qbittorrent,
    Kind.PORTAINER: _setup_portainer,
}
"""The setup function of each kind that has switches here."""
