"""Entity plumbing of qBittorrent entries: per-torrent devices that come and go.

Per-torrent entities are an option (off by default): when on, each of the N
most recently active torrents (``QBittorrentData.recent``) gets a device of
its own, linked to the entry's device, with a few sensors.  A torrent that
leaves that set, or qBittorrent altogether, loses its device and with it its
entities; devices left over from an earlier run (or from before the option
was turned off) are removed at setup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ...api.qbittorrent import Torrent
from ...const import DOMAIN
from ...coordinator import PandoraConfigEntry
from ...entity import child_device_info
from ...naming import child_device_name
from .coordinator import QBittorrentCoordinator

STATE_KEYS: Final = {
    "error": "error",
    "missingFiles": "missing_files",
    "uploading": "uploading",
    "pausedUP": "paused_up",
    "queuedUP": "queued_up",
    "stalledUP": "stalled_up",
    "checkingUP": "checking_up",
    "forcedUP": "forced_up",
    "allocating": "allocating",
    "downloading": "downloading",
    "metaDL": "meta_dl",
    "forcedMetaDL": "forced_meta_dl",
    "pausedDL": "paused_dl",
    "queuedDL": "queued_dl",
    "stalledDL": "stalled_dl",
    "checkingDL": "checking_dl",
    "forcedDL": "forced_dl",
    "checkingResumeData": "checking_resume_data",
    "moving": "moving",
    "unknown": "unknown",
}
"""qBittorrent's (normalised) torrent states → translation keys of the state sensor."""

CONNECTION_STATES: Final = ("connected", "firewalled", "disconnected")


def state_key(torrent: Torrent) -> str:
    """The state sensor's value of a torrent (``unknown`` for a state we do not know)."""
    return STATE_KEYS.get(torrent.state, "unknown")


def torrent_identifier(entry_id: str, torrent_hash: str) -> tuple[str, str]:
    """The device identifier of a torrent of an entry."""
    return (DOMAIN, f"{entry_id}_{torrent_hash}")


def torrent_device_info(coordinator: QBittorrentCoordinator, torrent_hash: str) -> DeviceInfo:
    """A torrent's own device, linked to the entry's device."""
    entry_id = coordinator.config_entry.entry_id
    torrent = coordinator.data.torrents.get(torrent_hash)
    return child_device_info(
        coordinator.hass,
        entry_id,
        (DOMAIN, entry_id),
        DeviceInfo(
            identifiers={torrent_identifier(entry_id, torrent_hash)},
            name=child_device_name(
                "torrent", torrent.name if torrent is not None else torrent_hash
            ),
            manufacturer="qBittorrent project",
            model="Torrent",
            entry_type=dr.DeviceEntryType.SERVICE,
        ),
    )


@callback
def async_track_torrent_entities(
    entry: PandoraConfigEntry,
    coordinator: QBittorrentCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[str], Iterable[Entity]],
) -> None:
    """Keep one device with ``build(hash)``'s entities per torrent in ``data.recent``."""
    registry = dr.async_get(coordinator.hass)
    entry_id = entry.entry_id
    prefix = f"{entry_id}_"
    present: set[str] = set()

    def torrent_devices() -> dict[str, dr.DeviceEntry]:
        devices: dict[str, dr.DeviceEntry] = {}
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            for domain, value in device.identifiers:
                if domain == DOMAIN and value.startswith(prefix):
                    devices[value.removeprefix(prefix)] = device
        return devices

    @callback
    def follow() -> None:
        if not coordinator.last_update_success:
            return  # an outage is no reason to drop devices
        wanted = coordinator.data.recent
        new = [h for h in wanted if h not in present]
        if new:
            present.update(new)
            async_add_entities([entity for h in new for entity in build(h)])
        keep = set(wanted)
        for torrent_hash, device in torrent_devices().items():
            if torrent_hash not in keep:
                present.discard(torrent_hash)
                registry.async_remove_device(device.id)

    follow()
    entry.async_on_unload(coordinator.async_add_listener(follow))
