"""Numbers of a qBittorrent: the global and the alternative speed limits, in KiB/s.

As the WebUI's options show them: whole KiB/s, 0 meaning unlimited.  The
pair in force (global, or alternative while the switch is on) comes with
every poll; the other pair from the preferences (``coordinator.py``).
Setting one writes ``app/setPreferences`` and reads back what qBittorrent
kept (``actions.async_set_speed_limit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, override

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfDataRate

from ...api.qbittorrent import MAX_SPEED_LIMIT
from ...entity import PandoraEntity, setup_per_description
from .actions import async_set_speed_limit
from .coordinator import QBittorrentCoordinator


@dataclass(frozen=True, kw_only=True)
class PandoraQBittorrentNumberEntityDescription(NumberEntityDescription):
    """One of qBittorrent's four global speed limits."""

    limit: str
    """Its name in ``app/preferences`` (``SpeedLimits`` field)."""
    device_class: NumberDeviceClass | None = NumberDeviceClass.DATA_RATE
    entity_category: EntityCategory | None = EntityCategory.CONFIG
    mode: NumberMode = NumberMode.BOX
    native_min_value: float = 0
    native_max_value: float = MAX_SPEED_LIMIT // 1024
    native_step: float = 1
    native_unit_of_measurement: str | None = UnitOfDataRate.KIBIBYTES_PER_SECOND


QBITTORRENT_NUMBERS: Final = tuple(
    PandoraQBittorrentNumberEntityDescription(key=key, translation_key=key, limit=limit)
    for key, limit in (
        ("download_limit", "dl_limit"),
        ("upload_limit", "up_limit"),
        ("alt_download_limit", "alt_dl_limit"),
        ("alt_upload_limit", "alt_up_limit"),
    )
)


class PandoraQBittorrentSpeedLimit(PandoraEntity[QBittorrentCoordinator], NumberEntity):
    """A speed limit of a whole qBittorrent."""

    entity_description: PandoraQBittorrentNumberEntityDescription

    @property
    @override
    def native_value(self) -> int:
        """The limit in KiB/s (qBittorrent keeps whole KiB/s); 0 is unlimited."""
        limit: int = getattr(self.coordinator.data.limits, self.entity_description.limit)
        return limit // 1024

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Set the limit (KiB/s, 0: unlimited)."""
        await async_set_speed_limit(
            self.coordinator.config_entry, self.entity_description.limit, value
        )


async_setup_entities: Final = setup_per_description(
    QBittorrentCoordinator, PandoraQBittorrentSpeedLimit, QBITTORRENT_NUMBERS
)
"""Adds the four speed limits of a qBittorrent."""
