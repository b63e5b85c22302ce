"""Buttons of Portainer devices: restart a container."""

from __future__ import annotations

from typing import Final, override

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)

from .entities import PortainerContainerEntity, setup_portainer_entities

PORTAINER_RESTART_BUTTON = ButtonEntityDescription(
    key="restart",
    device_class=ButtonDeviceClass.RESTART,
)


class PortainerRestartButton(PortainerContainerEntity, ButtonEntity):
    """Restarts a container."""

    @override
    async def async_press(self) -> None:
        """Restart the container."""
        await self.async_command("restart")


async_setup_entities: Final = setup_portainer_entities(
    container=lambda coordinator, data: [
        PortainerRestartButton(coordinator, PORTAINER_RESTART_BUTTON, data)
    ],
)
"""Adds a restart button per container, as containers appear."""
