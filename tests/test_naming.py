"""The naming scheme (``naming.py``) and the migration that keeps old entity ids.

The migration test seeds the registries as the release before it created
them: entries of version 1.1 with the titles that release gave
(``qBittorrent 4.5.2``, ``Portainer 2.27.6``) and child devices named after
the container alone, set up through our real code with the old names, so
every entity id is the one the old release made.  The new release then loads
the same registries: titles and device names follow the new scheme, every
entity id stays.
"""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.pandora_box.const import DOMAIN, Kind
from custom_components.pandora_box.naming import (
    child_device_name,
    host_of,
    service_device_name,
)
from custom_components.pandora_box.upstreams import entry_title
from simulators import CloudCmdSimulator, PortainerSimulator, QBittorrentSimulator
from simulators.portainer import ServiceSpec

from .helpers import entry_data, mock_entry, settle, setup_integration, state_of


def test_names_read_unambiguously() -> None:
    """Service: product and host, no version, no port; child: its kind first."""
    assert service_device_name(Kind.QBITTORRENT, "192.168.1.5") == "qBittorrent (192.168.1.5)"
    assert service_device_name("cloudcmd", "nas", "/Movies") == "CloudCmd (nas, /Movies)"
    assert service_device_name(Kind.TMDB) == "TMDB"
    assert child_device_name("container", "qbittorrent") == "Container qbittorrent"
    assert child_device_name("stack", "pandora") == "Stack pandora"
    assert host_of("http://nas.local:8080/qbt/") == "nas.local"
    assert host_of("http://[::1]:8080") == "[::1]"
    with pytest.raises(KeyError):
        child_device_name("spaceship", "x")  # a new kind of child adds its line first


def test_entry_titles_follow_the_scheme(
    qbittorrent_sim: QBittorrentSimulator, cloudcmd_sim: CloudCmdSimulator
) -> None:
    """Titles come from the data: a CloudCmd root tells two entries apart; public APIs alone."""
    assert entry_title(entry_data(qbittorrent_sim)) == "qBittorrent (127.0.0.1)"
    assert entry_title(entry_data(cloudcmd_sim)) == "CloudCmd (127.0.0.1)"
    assert entry_title(entry_data(cloudcmd_sim, root="/Movies")) == "CloudCmd (127.0.0.1, /Movies)"
    assert entry_title({"kind": "watchmode", "url": "https://api.watchmode.com/v1"}) == "Watchmode"


def _entity_ids(entity_registry: er.EntityRegistry, entry: MockConfigEntry) -> dict[str, str]:
    """Unique id → entity id of every registered entity of ``entry``."""
    return {
        e.unique_id: e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    }


def _old_child_name(kind_of_child: str, name: str) -> str:
    """How the release before named a child device: its own name alone."""
    return name


async def test_migration_keeps_entity_ids(
    hass: HomeAssistant,
    qbittorrent_sim: QBittorrentSimulator,
    portainer_sim: PortainerSimulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """1.1 → 1.2: new titles and device names; every entity id the old release made stays."""
    qbittorrent = mock_entry(qbittorrent_sim, title="qBittorrent 4.5.2", minor_version=2)
    portainer = mock_entry(portainer_sim, title="Portainer 2.27.6", minor_version=2)
    renamed = mock_entry(
        qbittorrent_sim, title="Downloads upstairs", unique_id="qbittorrent:other", minor_version=2
    )
    entries = (qbittorrent, portainer, renamed)
    with (
        patch(
            "custom_components.pandora_box.upstreams.portainer.entities.child_device_name",
            _old_child_name,
        ),
        patch(
            "custom_components.pandora_box.upstreams.qbittorrent.entities.child_device_name",
            _old_child_name,
        ),
    ):
        for entry in entries:
            await setup_integration(hass, entry)
    before = {entry.entry_id: _entity_ids(entity_registry, entry) for entry in entries}
    # the seed is the old release's: ids from the versioned title and the bare container name
    assert "sensor.qbittorrent_4_5_2_download_speed" in before[qbittorrent.entry_id].values()
    assert "switch.qbittorrent_running" in before[portainer.entry_id].values()
    assert "sensor.local_containers" in before[portainer.entry_id].values()

    for entry in entries:
        assert await hass.config_entries.async_unload(entry.entry_id)
        hass.config_entries.async_update_entry(entry, minor_version=1)
    for entry in entries:
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    for entry in entries:
        assert state_of(entry) is ConfigEntryState.LOADED
        assert (entry.version, entry.minor_version) == (1, 2)
        assert _entity_ids(entity_registry, entry) == before[entry.entry_id]
    assert qbittorrent.title == "qBittorrent (127.0.0.1)"
    assert portainer.title == "Portainer (127.0.0.1)"
    assert renamed.title == "Downloads upstairs"  # the user's own title stays
    service = device_registry.async_get_device_by_identifier(
        (DOMAIN, qbittorrent.entry_id), qbittorrent.entry_id
    )
    assert service is not None
    assert service.name == "qBittorrent (127.0.0.1)"
    container = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{portainer.entry_id}_container_1_pandora/qbittorrent"), portainer.entry_id
    )
    assert container is not None
    assert container.name == "Container qbittorrent"
    assert hass.states.get("switch.qbittorrent_running") is not None

    # a container that appears after the upgrade is named and keyed the new way
    portainer_sim.add_container(ServiceSpec(name="homebridge", image="homebridge/homebridge:2024"))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await settle(hass)
    assert hass.states.get("switch.container_homebridge_running") is not None


async def test_entry_of_a_newer_release_is_refused(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """An entry of version 2 (a later release) is not set up, and nothing is changed."""
    entry = mock_entry(qbittorrent_sim, title="qBittorrent 5.0.0", version=2)
    await setup_integration(hass, entry)
    assert state_of(entry) is ConfigEntryState.MIGRATION_ERROR
    assert entry.title == "qBittorrent 5.0.0"
