"""Sensors of a qBittorrent: speeds, counts, free space, connection; per-torrent sensors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfDataRate, UnitOfInformation
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ...api.qbittorrent import Torrent
from ...coordinator import PandoraConfigEntry
from ...entity import PandoraEntity, async_add_described
from .coordinator import QBittorrentCoordinator
from .entities import (
    CONNECTION_STATES,
    STATE_KEYS,
    async_track_torrent_entities,
    state_key,
    torrent_device_info,
)
from .tracker import QBittorrentData, matches, torrent_response

LISTED_DOWNLOADS: Final = 25
"""How many downloading torrents the ``torrents`` attribute lists (the newest)."""


@dataclass(frozen=True, kw_only=True)
class PandoraQBittorrentSensorEntityDescription(SensorEntityDescription):
    """A sensor of a whole qBittorrent (speeds, counts, disk, connection)."""

    value_fn: Callable[[QBittorrentData], StateType]
    attrs_fn: Callable[[QBittorrentData], dict[str, Any]] | None = None


def downloads_attributes(data: QBittorrentData) -> dict[str, Any]:
    """The downloading torrents, newest first, as ``get_torrents`` answers them (for cards)."""
    downloading = [t for t in data.torrents.values() if matches(t, "downloading")]
    downloading.sort(key=lambda t: (t.added_on or 0, t.hash), reverse=True)
    return {"torrents": [torrent_response(t) for t in downloading[:LISTED_DOWNLOADS]]}


@dataclass(frozen=True, kw_only=True)
class PandoraTorrentSensorEntityDescription(SensorEntityDescription):
    """A sensor of one torrent (optional per-torrent entities)."""

    value_fn: Callable[[Torrent], StateType]


def _count(
    name: str, attrs_fn: Callable[[QBittorrentData], dict[str, Any]] | None = None
) -> PandoraQBittorrentSensorEntityDescription:
    return PandoraQBittorrentSensorEntityDescription(
        key=f"{name}_torrents",
        translation_key=f"{name}_torrents",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: int(getattr(data.counts, name)),
        attrs_fn=attrs_fn,
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
    _count("downloading", downloads_attributes),
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
    # The list of downloads changes every poll; history needs only the count.
    _unrecorded_attributes = frozenset({"torrents"})

    @property
    @override
    def native_value(self) -> StateType:
        """The value from the last poll."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The downloads list of the downloading sensor; none on the others."""
        if (attrs_fn := self.entity_description.attrs_fn) is None:
            return None
        return attrs_fn(self.coordinator.data)


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


def async_setup_entities(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the sensors of a qBittorrent, and follow the per-torrent ones."""
    coordinator = async_add_described(
        entry,
        async_add_entities,
        QBittorrentCoordinator,
        PandoraQBittorrentSensor,
        QBITTORRENT_SENSORS,
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
