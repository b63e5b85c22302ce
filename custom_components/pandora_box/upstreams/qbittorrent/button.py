"""Buttons of a qBittorrent: pause all and resume all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from ...entity import PandoraEntity, setup_per_description
from .actions import async_pause_resume
from .coordinator import QBittorrentCoordinator


@dataclass(frozen=True, kw_only=True)
class PandoraQBittorrentButtonEntityDescription(ButtonEntityDescription):
    """A button of a whole qBittorrent: pause or resume every torrent."""

    pause: bool


QBITTORRENT_BUTTONS: tuple[PandoraQBittorrentButtonEntityDescription, ...] = (
    PandoraQBittorrentButtonEntityDescription(
        key="pause_all", translation_key="pause_all", pause=True
    ),
    PandoraQBittorrentButtonEntityDescription(
        key="resume_all", translation_key="resume_all", pause=False
    ),
)


class PandoraQBittorrentButton(PandoraEntity[QBittorrentCoordinator], ButtonEntity):
    """Pause or resume every torrent of a qBittorrent."""

    entity_description: PandoraQBittorrentButtonEntityDescription

    @override
    async def async_press(self) -> None:
        """Pause (5.x: stop) or resume (start) all torrents, then refresh."""
        await async_pause_resume(
            self.coordinator.config_entry, None, pause=self.entity_description.pause
        )


async_setup_entities: Final = setup_per_description(
    QBittorrentCoordinator, PandoraQBittorrentButton, QBITTORRENT_BUTTONS
)
"""Adds the pause-all and resume-all buttons of a qBittorrent."""
