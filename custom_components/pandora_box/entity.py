"""The one base entity of Pandora Box, and how an upstream adds its entities.

Every entity belongs to a coordinator of one config entry.  By default it
sits on the entry's service device; entities of child devices (a container,
a stack, a torrent) pass their own ``device_info``, linked to the device
above them by ``via_device_id`` (:func:`child_device_info`).  Unique ids are
built from the entry id, which never changes (the entry's unique id can, on
reconfigure), and a stable key.

Each upstream adds the entities of a platform with one ``SetupFn``
(``upstreams/<kind>/<platform>.py``); most of them are one entity per
description on the entry's coordinator: ``setup_per_description`` builds
that ``SetupFn``, ``async_add_described`` does it inside a larger one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import PandoraConfigEntry, PandoraCoordinator, coordinator_of

type SetupFn = Callable[[PandoraConfigEntry, AddConfigEntryEntitiesCallback], None]
"""How an upstream adds its entities of one platform (the registry's ``platforms``)."""


def entry_device_info(entry: ConfigEntry) -> DeviceInfo:
    """Device info that points at the entry's service device (made at setup)."""
    return DeviceInfo(identifiers={(DOMAIN, entry.entry_id)})


def registered_device_id(
    hass: HomeAssistant, entry_id: str, identifier: tuple[str, str]
) -> str | None:
    """The id of the entry's device with ``identifier``, if it is registered."""
    device = dr.async_get(hass).async_get_device_by_identifier(identifier, entry_id)
    return None if device is None else device.id


def child_device_info(
    hass: HomeAssistant, entry_id: str, parent: tuple[str, str], info: DeviceInfo
) -> DeviceInfo:
    """``info`` linked to the entry's device ``parent`` (registered before its children)."""
    if (parent_id := registered_device_id(hass, entry_id, parent)) is not None:
        info["via_device_id"] = parent_id
    return info


class PandoraEntity[CoordinatorT: PandoraCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """Base entity: translated name from the description, stable unique id, device."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: CoordinatorT,
        description: EntityDescription,
        *,
        key: str | None = None,
        device_info: DeviceInfo | None = None,
    ) -> None:
        """Describe the entity; ``key`` (default: the description's) must be stable."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.config_entry.entry_id}_{key or description.key}"
        self._attr_device_info = device_info or entry_device_info(coordinator.config_entry)


def async_add_described[CoordinatorT: PandoraCoordinator[Any], DescriptionT: EntityDescription](
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    coordinator_cls: type[CoordinatorT],
    entity_cls: Callable[[CoordinatorT, DescriptionT], Entity],
    descriptions: Iterable[DescriptionT],
) -> CoordinatorT:
    """Add an ``entity_cls`` per description on the entry's coordinator; return the coordinator."""
    coordinator = coordinator_of(entry, coordinator_cls)
    async_add_entities(entity_cls(coordinator, description) for description in descriptions)
    return coordinator


def setup_per_description[CoordinatorT: PandoraCoordinator[Any], DescriptionT: EntityDescription](
    coordinator_cls: type[CoordinatorT],
    entity_cls: Callable[[CoordinatorT, DescriptionT], Entity],
    descriptions: Iterable[DescriptionT],
) -> SetupFn:
    """A platform setup that adds an ``entity_cls`` per description (``async_add_described``)."""

    def setup(
        entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        async_add_described(entry, async_add_entities, coordinator_cls, entity_cls, descriptions)

    return setup
