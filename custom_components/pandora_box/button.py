"""Buttons of Pandora Box.

Each kind that has buttons defines its entity descriptions and a setup
function in its own section below and registers that function in
``SETUP_BY_KIND``; ``async_setup_entry`` picks the entry's kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import Kind
from .coordinator import (
    JellyfinCoordinator,
    PandoraConfigEntry,
    QBittorrentCoordinator,
    coordinator_of,
)
from .entity import PandoraEntity, SetupFn
from .portainer import PortainerContainerEntity, async_add_portainer_entities
from .qbittorrent_actions import async_pause_resume
from .services import async_refresh_library

PARALLEL_UPDATES = 1  # entities act on the upstream: one command at a time


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of the entry's kind."""
    SETUP_BY_KIND[entry.runtime_data.kind](entry, async_add_entities)


# -- qBittorrent (issue 5) --


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


def _setup_qbittorrent(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the pause-all and resume-all buttons of a qBittorrent."""
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    async_add_entities(
        PandoraQBittorrentButton(coordinator, description) for description in QBITTORRENT_BUTTONS
    )


# -- Portainer (issue 7) --

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


def _setup_portainer(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a restart button per container, as containers appear."""
    async_add_portainer_entities(
        entry,
        async_add_entities,
        container=lambda coordinator, data: [
            PortainerRestartButton(coordinator, PORTAINER_RESTART_BUTTON, data)
        ],
    )


# -- Jellyfin (issue 7) --


@dataclass(frozen=True, kw_only=True)
class PandoraJellyfinButtonEntityDescription(ButtonEntityDescription):
    """A Jellyfin button: what pressing it does to the entry's server."""

    press_fn: Callable[[HomeAssistant, PandoraConfigEntry], Awaitable[None]]


JELLYFIN_BUTTONS: tuple[PandoraJellyfinButtonEntityDescription, ...] = (
    PandoraJellyfinButtonEntityDescription(
        key="refresh_library",
        translation_key="refresh_library",
        press_fn=async_refresh_library,
    ),
)


class JellyfinButton(PandoraEntity[JellyfinCoordinator], ButtonEntity):
    """A button of a Jellyfin server."""

    entity_description: PandoraJellyfinButtonEntityDescription

    @override
    async def async_press(self) -> None:
        """Act on the server (errors are translated by the press function)."""
        await self.entity_description.press_fn(self.hass, self.coordinator.config_entry)


def _setup_jellyfin(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a Jellyfin server's buttons."""
    coordinator = coordinator_of(entry, JellyfinCoordinator)
    async_add_entities(JellyfinButton(coordinator, description) for description in JELLYFIN_BUTTONS)


SETUP_BY_KIND: dict[Kind, SetupFn] = {
    Kind.QBITTORRENT: _setup_qbittorrent,
    Kind.PORTAINER: _setup_portainer,
    Kind.JELLYFIN: _setup_jellyfin,
}
"""The setup function of each kind that has buttons here."""
