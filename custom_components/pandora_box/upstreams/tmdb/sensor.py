"""Sensors of a TMDB entry: trending films and shows, upcoming films, for dashboards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, override

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.helpers.typing import StateType

from ...entity import PandoraEntity, setup_per_description
from .actions import card_attributes
from .coordinator import TMDBCoordinator, TMDBData


@dataclass(frozen=True, kw_only=True)
class PandoraTMDBSensorEntityDescription(SensorEntityDescription):
    """A TMDB dashboard sensor: one list; state its length, ``data`` its card items."""

    items_fn: Callable[[TMDBData], tuple[Any, ...]]


TMDB_SENSORS: tuple[PandoraTMDBSensorEntityDescription, ...] = (
    PandoraTMDBSensorEntityDescription(
        key="trending_movies",
        translation_key="trending_movies",
        items_fn=lambda data: data.trending_movies,
    ),
    PandoraTMDBSensorEntityDescription(
        key="trending_shows",
        translation_key="trending_shows",
        items_fn=lambda data: data.trending_shows,
    ),
    PandoraTMDBSensorEntityDescription(
        key="upcoming_movies",
        translation_key="upcoming_movies",
        items_fn=lambda data: data.upcoming_movies,
    ),
)


class TMDBSensor(PandoraEntity[TMDBCoordinator], SensorEntity):
    """A TMDB list for dashboards (upcoming-media-card reads ``data``)."""

    entity_description: PandoraTMDBSensorEntityDescription
    # The card list is large and changes hourly; history needs only the count.
    _unrecorded_attributes = frozenset({"data"})

    @property
    @override
    def native_value(self) -> StateType:
        """How many titles the list has (TMDB's first page)."""
        return len(self.entity_description.items_fn(self.coordinator.data))

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """The titles, shaped for upcoming-media-card."""
        return card_attributes(self.entity_description.items_fn(self.coordinator.data))


async_setup_entities: Final = setup_per_description(TMDBCoordinator, TMDBSensor, TMDB_SENSORS)
"""Adds a TMDB entry's dashboard sensors."""
