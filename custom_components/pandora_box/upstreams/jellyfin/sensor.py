"""Sensors of a Jellyfin server: sessions, now playing, library counts, scan, latest items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, override

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription, SensorStateClass
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.helpers.typing import StateType

from ...entity import PandoraEntity, setup_per_description
from .coordinator import JellyfinCoordinator
from .model import (
    JellyfinData,
    active_users,
    latest_attributes,
    now_playing_attributes,
    scan_progress,
)


@dataclass(frozen=True, kw_only=True)
class PandoraJellyfinSensorEntityDescription(SensorEntityDescription):
    """A Jellyfin sensor: its state and, optionally, attributes from one poll."""

    value_fn: Callable[[JellyfinData], StateType]
    attrs_fn: Callable[[JellyfinData], dict[str, Any]] | None = None
    available_fn: Callable[[JellyfinData], bool] = lambda _data: True
    """Whether the poll could read what the entity shows (a right may be missing)."""


JELLYFIN_SENSORS: tuple[PandoraJellyfinSensorEntityDescription, ...] = (
    PandoraJellyfinSensorEntityDescription(
        key="active_sessions",
        translation_key="active_sessions",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: len(data.sessions),
        attrs_fn=lambda data: {"users": active_users(data)},
    ),
    PandoraJellyfinSensorEntityDescription(
        key="now_playing",
        translation_key="now_playing",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: len(data.playing),
        attrs_fn=now_playing_attributes,
    ),
    PandoraJellyfinSensorEntityDescription(
        key="movies",
        translation_key="movies",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.counts.movies,
    ),
    PandoraJellyfinSensorEntityDescription(
        key="series",
        translation_key="series",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.counts.series,
    ),
    PandoraJellyfinSensorEntityDescription(
        key="episodes",
        translation_key="episodes",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.counts.episodes,
    ),
    PandoraJellyfinSensorEntityDescription(
        key="albums",
        translation_key="albums",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.counts.albums,
    ),
    PandoraJellyfinSensorEntityDescription(
        key="songs",
        translation_key="songs",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.counts.songs,
    ),
    PandoraJellyfinSensorEntityDescription(
        key="library_scan_progress",
        translation_key="library_scan_progress",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=scan_progress,
        available_fn=lambda data: data.scan_known,
    ),
    PandoraJellyfinSensorEntityDescription(
        key="latest_items",
        translation_key="latest_items",
        value_fn=lambda data: len(data.latest),
        attrs_fn=latest_attributes,
    ),
    PandoraJellyfinSensorEntityDescription(
        key="server_version",
        translation_key="server_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.version,
    ),
)


class JellyfinSensor(PandoraEntity[JellyfinCoordinator], SensorEntity):
    """A sensor of a Jellyfin server."""

    entity_description: PandoraJellyfinSensorEntityDescription
    # The media-card list and the playing sessions change often and are large;
    # the state (a count) is what history needs.
    _unrecorded_attributes = frozenset({"data", "sessions"})

    @property
    @override
    def native_value(self) -> StateType:
        """The state from the latest poll."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    @override
    def available(self) -> bool:
        """Unavailable also when the poll could not read this entity's part."""
        return super().available and self.entity_description.available_fn(self.coordinator.data)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Attributes from the latest poll, for sensors that have any."""
        if (attrs_fn := self.entity_description.attrs_fn) is None:
            return None
        return attrs_fn(self.coordinator.data)


async_setup_entities: Final = setup_per_description(
    JellyfinCoordinator, JellyfinSensor, JELLYFIN_SENSORS
)
"""Adds a Jellyfin server's sensors."""
