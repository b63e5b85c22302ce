"""Switches of a qBittorrent: the alternative speed limits."""

from __future__ import annotations

from typing import Any, Final, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from ...entity import PandoraEntity, setup_per_description
from .actions import async_set_alt_speed
from .coordinator import QBittorrentCoordinator

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


async_setup_entities: Final = setup_per_description(
    QBittorrentCoordinator, PandoraQBittorrentAltSpeedSwitch, [QBITTORRENT_ALT_SPEED]
)
"""Adds the alternative-speed switch of a qBittorrent."""
