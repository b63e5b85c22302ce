"""Buttons of a Jellyfin server: scan the libraries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant

from ...coordinator import PandoraConfigEntry
from ...entity import PandoraEntity, setup_per_description
from .actions import async_refresh_library
from .coordinator import JellyfinCoordinator


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


async_setup_entities: Final = setup_per_description(
    JellyfinCoordinator, JellyfinButton, JELLYFIN_BUTTONS
)
"""Adds a Jellyfin server's buttons."""
