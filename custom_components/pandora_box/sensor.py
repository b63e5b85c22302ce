"""Sensors of Pandora Box.

Each kind that has sensors defines its entity descriptions and a setup
function in its own section below and registers that function in
``SETUP_BY_KIND``; ``async_setup_entry`` picks the entry's kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfDataRate, UnitOfInformation
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .api.qbittorrent import Torrent
from .const import Kind
from .coordinator import (
    JellyfinCoordinator,
    PandoraConfigEntry,
    QBittorrentCoordinator,
    TMDBCoordinator,
    coordinator_of,
)
from .entity import PandoraEntity, SetupFn
from .jellyfin import (
    JellyfinData,
    active_users,
    latest_attributes,
    now_playing_attributes,
    scan_progress,
)
from .media_cache import TMDBData
from .portainer import (
    PortainerContainerEntity,
    PortainerEndpointEntity,
    PortainerEntity,
    PortainerStackEntity,
    async_add_portainer_entities,
)
from .portainer_model import (
    CONTAINER_STATES,
    PortainerContainerData,
    PortainerEndpointData,
    PortainerStackData,
)
from .qbittorrent import QBittorrentData
from .qbittorrent_entities import (
    CONNECTION_STATES,
    STATE_KEYS,
    async_track_torrent_entities,
    state_key,
    torrent_device_info,
)
from .tmdb import card_attributes

PARALLEL_UPDATES = 0  # read-only: the coordinator does the polling


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of the entry's kind."""
    SETUP_BY_KIND[entry.runtime_data.kind](entry, async_add_entities)


# -- qBittorrent (issue 5) --


@dataclass(frozen=True, kw_only=True)
class PandoraQBittorrentSensorEntityDescription(SensorEntityDescription):
    """A sensor of a whole qBittorrent (speeds, counts, disk, connection)."""

    value_fn: Callable[[QBittorrentData], StateType]


@dataclass(frozen=True, kw_only=True)
class PandoraTorrentSensorEntityDescription(SensorEntityDescription):
    """A sensor of one torrent (optional per-torrent entities)."""

    value_fn: Callable[[Torrent], StateType]


def _count(name: str) -> PandoraQBittorrentSensorEntityDescription:
    return PandoraQBittorrentSensorEntityDescription(
        key=f"{name}_torrents",
        translation_key=f"{name}_torrents",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: int(getattr(data.counts, name)),
    )


QBITTORRENT_SENSORS: tuple[PandoraQBittorrentSensorEntityDescription, ...] = (
    PandoraQBittorrentSensorEntityDescription(
        key="download_speed",
        translation_key="download_speed",
        device_class=SensorDeviceClass.DATA_RATE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfDataRate.BYTES_PER_SECOND,
        suggested_unit_of_measurement=UnitOfDataRate.MEBIBYTES_PER_SECOND,
        suggested_display_precision=2,
        value_fn=lambda data: data.server.dl_info_speed,
    ),
    PandoraQBittorrentSensorEntityDescription(
        key="upload_speed",
        translation_key="upload_speed",
        device_class=SensorDeviceClass.DATA_RATE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfDataRate.BYTES_PER_SECOND,
        suggested_unit_of_measurement=UnitOfDataRate.MEBIBYTES_PER_SECOND,
        suggested_display_precision=2,
        value_fn=lambda data: data.server.up_info_speed,
    ),
    _count("downloading"),
    _count("seeding"),
    _count("paused"),
    _count("errored"),
    _count("active"),
    _count("total"),
    PandoraQBittorrentSensorEntityDescription(
        key="free_space",
        translation_key="free_space",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIBIBYTES,
        suggested_display_precision=1,
        value_fn=lambda data: data.server.free_space_on_disk,
    ),
    PandoraQBittorrentSensorEntityDescription(
        key="connection_status",
        translation_key="connection_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(CONNECTION_STATES),
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: (
            data.server.connection_status
            if data.server.connection_status in CONNECTION_STATES
            else None
        ),
    ),
)

TORRENT_SENSORS: tuple[PandoraTorrentSensorEntityDescription, ...] = (
    PandoraTorrentSensorEntityDescription(
        key="progress",
        translation_key="torrent_progress",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda torrent: round(torrent.progress * 100, 1),
    ),
    PandoraTorrentSensorEntityDescription(
        key="state",
        translation_key="torrent_state",
        device_class=SensorDeviceClass.ENUM,
        options=sorted(set(STATE_KEYS.values())),
        value_fn=state_key,
    ),
    PandoraTorrentSensorEntityDescription(
        key="download_speed",
        translation_key="torrent_download_speed",
        device_class=SensorDeviceClass.DATA_RATE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfDataRate.BYTES_PER_SECOND,
        suggested_unit_of_measurement=UnitOfDataRate.MEBIBYTES_PER_SECOND,
        suggested_display_precision=2,
        value_fn=lambda torrent: torrent.dlspeed,
    ),
    PandoraTorrentSensorEntityDescription(
        key="upload_speed",
        translation_key="torrent_upload_speed",
        device_class=SensorDeviceClass.DATA_RATE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfDataRate.BYTES_PER_SECOND,
        suggested_unit_of_measurement=UnitOfDataRate.MEBIBYTES_PER_SECOND,
        suggested_display_precision=2,
        value_fn=lambda torrent: torrent.upspeed,
    ),
)


class PandoraQBittorrentSensor(PandoraEntity[QBittorrentCoordinator], SensorEntity):
    """A sensor of a whole qBittorrent."""

    entity_description: PandoraQBittorrentSensorEntityDescription

    @property
    @override
    def native_value(self) -> StateType:
        """The value from the last poll."""
        return self.entity_description.value_fn(self.coordinator.data)


class PandoraTorrentSensor(PandoraEntity[QBittorrentCoordinator], SensorEntity):
    """A sensor of one torrent, on the torrent's own device."""

    entity_description: PandoraTorrentSensorEntityDescription

    def __init__(
        self,
        coordinator: QBittorrentCoordinator,
        description: PandoraTorrentSensorEntityDescription,
        torrent_hash: str,
    ) -> None:
        """Describe the sensor of ``torrent_hash``."""
        super().__init__(
            coordinator,
            description,
            key=f"{torrent_hash}_{description.key}",
            device_info=torrent_device_info(coordinator, torrent_hash),
        )
        self.torrent_hash = torrent_hash

    @property
    @override
    def available(self) -> bool:
        """Available while the torrent exists."""
        return super().available and self.torrent_hash in self.coordinator.data.torrents

    @property
    @override
    def native_value(self) -> StateType:
        """The torrent's value from the last poll."""
        torrent = self.coordinator.data.torrents.get(self.torrent_hash)
        return None if torrent is None else self.entity_description.value_fn(torrent)


def _setup_qbittorrent(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the sensors of a qBittorrent, and follow the per-torrent ones."""
    coordinator = coordinator_of(entry, QBittorrentCoordinator)
    async_add_entities(
        PandoraQBittorrentSensor(coordinator, description) for description in QBITTORRENT_SENSORS
    )
    async_track_torrent_entities(
        entry,
        coordinator,
        async_add_entities,
        lambda torrent_hash: [
            PandoraTorrentSensor(coordinator, description, torrent_hash)
            for description in TORRENT_SENSORS
        ],
    )


# -- Portainer (issue 7) --


@dataclass(frozen=True, kw_only=True)
class PandoraPortainerSensorEntityDescription[DataT](SensorEntityDescription):
    """A sensor of a Portainer device whose item is a ``DataT``."""

    value_fn: Callable[[DataT], StateType | datetime]
    available_when_removed: bool = False
    """Whether a container's sensor still shows a value once a stopped stack removed it."""


PORTAINER_CONTAINER_SENSORS: tuple[
    PandoraPortainerSensorEntityDescription[PortainerContainerData], ...
] = (
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="state",
        translation_key="container_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(CONTAINER_STATES),
        value_fn=lambda data: data.state,
        available_when_removed=True,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="cpu_usage",
        translation_key="cpu_usage",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.stats.cpu_percent if data.stats else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="memory_usage",
        translation_key="memory_usage",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEBIBYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.stats.memory_bytes if data.stats else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="memory_percent",
        translation_key="memory_percent",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.stats.memory_percent if data.stats else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="started_at",
        translation_key="started_at",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: data.started_at if data.running else None,
    ),
    PandoraPortainerSensorEntityDescription[PortainerContainerData](
        key="image",
        translation_key="image",
        entity_category=EntityCategory.DIAGNOSTIC,
        # one per container and rarely looked at: there for whoever enables it
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.image,
        available_when_removed=True,
    ),
)

PORTAINER_COUNT_SENSORS: tuple[
    PandoraPortainerSensorEntityDescription[PortainerStackData | PortainerEndpointData], ...
] = (
    PandoraPortainerSensorEntityDescription[PortainerStackData | PortainerEndpointData](
        key="containers_running",
        translation_key="containers_running",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.running,
    ),
    PandoraPortainerSensorEntityDescription[PortainerStackData | PortainerEndpointData](
        key="containers_total",
        translation_key="containers_total",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.total,
    ),
)


class _PortainerSensor[DataT](PortainerEntity[DataT], SensorEntity):
    """A sensor of a Portainer device: its description's value of the device's item."""

    entity_description: PandoraPortainerSensorEntityDescription[DataT]

    @property
    @override
    def native_value(self) -> StateType | datetime:
        """The value from the latest poll."""
        data = self.device_data
        return self.entity_description.value_fn(data) if data is not None else None


class PortainerContainerSensor(PortainerContainerEntity, _PortainerSensor[PortainerContainerData]):
    """A sensor of a container."""


class PortainerStackSensor(PortainerStackEntity, _PortainerSensor[PortainerStackData]):
    """A container count of a stack."""


class PortainerEndpointSensor(PortainerEndpointEntity, _PortainerSensor[PortainerEndpointData]):
    """A container count of an environment."""


def _setup_portainer(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add sensors for every environment, container and stack, now and as they appear."""
    async_add_portainer_entities(
        entry,
        async_add_entities,
        endpoint=lambda coordinator, data: [
            PortainerEndpointSensor(coordinator, description, data)
            for description in PORTAINER_COUNT_SENSORS
        ],
        container=lambda coordinator, data: [
            PortainerContainerSensor(coordinator, description, data)
            for description in PORTAINER_CONTAINER_SENSORS
        ],
        stack=lambda coordinator, data: [
            PortainerStackSensor(coordinator, description, data)
            for description in PORTAINER_COUNT_SENSORS
        ],
    )


# -- Jellyfin (issue 7) --


@dataclass(frozen=True, kw_only=True)
class PandoraJellyfinSensorEntityDescription(SensorEntityDescription):
    """A Jellyfin sensor: its state and, optionally, attributes from one poll."""

    value_fn: Callable[[JellyfinData], StateType]
    attrs_fn: Callable[[JellyfinData], dict[str, Any]] | None = None


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
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Attributes from the latest poll, for sensors that have any."""
        if (attrs_fn := self.entity_description.attrs_fn) is None:
            return None
        return attrs_fn(self.coordinator.data)


def _setup_jellyfin(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a Jellyfin server's sensors."""
    coordinator = coordinator_of(entry, JellyfinCoordinator)
    async_add_entities(JellyfinSensor(coordinator, description) for description in JELLYFIN_SENSORS)


# -- TMDB (issue 8) --


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


def _setup_tmdb(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a TMDB entry's dashboard sensors."""
    coordinator = coordinator_of(entry, TMDBCoordinator)
    async_add_entities(TMDBSensor(coordinator, description) for description in TMDB_SENSORS)


SETUP_BY_KIND: dict[Kind, SetupFn] = {
    Kind.QBITTORRENT: _setup_qbittorrent,
    Kind.PORTAINER: _setup_portainer,
    Kind.JELLYFIN: _setup_jellyfin,
    Kind.TMDB: _setup_tmdb,
}
"""The setup function of each kind that has sensors here."""
