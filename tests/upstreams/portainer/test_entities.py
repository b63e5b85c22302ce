"""Portainer entries: devices, entities, recreation, dynamic devices, actions, faults.

Everything runs our real client against the Portainer simulator on loopback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.pandora_box import async_remove_config_entry_device
from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.portainer.coordinator import PortainerCoordinator
from simulators.portainer import PortainerSimulator, ServiceSpec, SimEndpoint

from ...helpers import mock_entry, setup_integration, state_of

ENTRY_ID = "01JPORTAINERTESTENTRY00000"
FIXED_START = 1_764_000_000.0  # 2025-11-24T16:00:00Z


def portainer_entry(sim: PortainerSimulator, **overrides: Any) -> MockConfigEntry:
    """A Portainer entry with a fixed entry id (unique ids are built from it)."""
    return mock_entry(sim, entry_id=ENTRY_ID, **overrides)


def sim_anonymous_volume(sim: PortainerSimulator) -> str:
    """The name of the simulator's one anonymous volume."""
    return next(v.name for v in sim.volumes.values() if "com.docker.volume.anonymous" in v.labels)


def coordinator_of(entry: MockConfigEntry) -> PortainerCoordinator:
    """The entry's coordinator."""
    coordinator = entry.runtime_data.coordinator
    assert isinstance(coordinator, PortainerCoordinator)
    return coordinator


def device_of(device_registry: dr.DeviceRegistry, key: str) -> dr.DeviceEntry | None:
    """The device of a Portainer device key."""
    return device_registry.async_get_device_by_identifier((DOMAIN, f"{ENTRY_ID}_{key}"), ENTRY_ID)


def state(hass: HomeAssistant, entity_id: str) -> str:
    """The state of ``entity_id`` (which must exist)."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def tick(hass: HomeAssistant) -> None:
    """Let the coordinator's interval pass so it polls once."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture
async def sim() -> AsyncIterator[PortainerSimulator]:
    """A Portainer simulator whose containers started at a fixed time."""
    simulator = PortainerSimulator()
    for container in simulator.containers:
        container.started_at = FIXED_START
        container.created = int(FIXED_START) - 3600
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def entry(hass: HomeAssistant, sim: PortainerSimulator) -> MockConfigEntry:
    """A loaded Portainer entry."""
    config_entry = portainer_entry(sim)
    await setup_integration(hass, config_entry)
    # the first disk usage read (volumes, disk sensors) runs in the background
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(config_entry) is ConfigEntryState.LOADED
    return config_entry


# -- devices and entities ---------------------------------------------------------------


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.SENSOR,
        Platform.SWITCH,
        Platform.BUTTON,
        Platform.BINARY_SENSOR,
        Platform.EVENT,
        Platform.UPDATE,
    ],
)
async def test_entities(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of the default media stack, as a snapshot."""
    config_entry = portainer_entry(sim)
    await setup_integration(hass, config_entry)
    await hass.async_block_till_done(wait_background_tasks=True)
    # a second poll: CPU needs two samples, and the registry checks of the
    # fifth image (four per poll) are done
    await coordinator_of(config_entry).async_refresh()
    all_entries = er.async_entries_for_config_entry(entity_registry, ENTRY_ID)
    assert all(e.disabled_by is None for e in all_entries)
    # snapshot_platform checks one platform: keep only its entities in view.
    for other in all_entries:
        if other.domain != platform:
            entity_registry.async_remove(other.entity_id)
    await snapshot_platform(hass, entity_registry, snapshot, ENTRY_ID)


async def test_devices(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """One device per environment (under the service), container and stack (under it)."""
    service = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    endpoint = device_of(device_registry, "endpoint_1")
    assert service is not None
    assert endpoint is not None
    assert endpoint.via_device_id == service.id
    assert endpoint.name == "Environment local"
    # one slash between Portainer's root and the page (no "…:41681//#!/1/…")
    assert endpoint.configuration_url == f"{sim.url.rstrip('/')}/#!/1/docker/dashboard"
    containers = {
        "container_1_pandora/qbittorrent": "qbittorrent",
        "container_1_pandora/jackett": "jackett",
        "container_1_pandora/jellyfin": "jellyfin",
        "container_1_pandora/cloudcmd": "cloudcmd",
        "container_1_watchtower": "watchtower",
    }
    for key, name in containers.items():
        device = device_of(device_registry, key)
        assert device is not None, key
        assert device.name == f"Container {name}"
        assert device.configuration_url == f"{sim.url.rstrip('/')}/#!/1/docker/containers/{name}"
        assert device.via_device_id == endpoint.id
    stack = device_of(device_registry, "stack_1_pandora")
    assert stack is not None
    assert stack.via_device_id == endpoint.id
    assert stack.model == "Compose stack"
    assert stack.name == "Stack pandora"
    assert stack.configuration_url is not None
    assert "//#!" not in stack.configuration_url
    volumes = {
        "volume_1_portainer_data",
        "volume_1_pandora_jellyfin-cache",
        f"volume_1_{sim_anonymous_volume(sim)}",
    }
    for key in volumes:
        device = device_of(device_registry, key)
        assert device is not None, key
        assert device.via_device_id == endpoint.id
        assert device.model == "Volume"
    devices = dr.async_entries_for_config_entry(device_registry, ENTRY_ID)
    assert len(devices) == 1 + 1 + len(containers) + 1 + len(volumes)
    assert state(hass, "sensor.environment_local_running_containers") == "4"
    assert state(hass, "sensor.environment_local_containers") == "5"
    assert state(hass, "sensor.stack_pandora_running_containers") == "4"
    assert state(hass, "sensor.stack_pandora_containers") == "4"


async def test_stats_and_cpu_from_the_second_poll(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """Memory comes with the first poll; CPU needs two samples, so it follows on the next."""
    assert state(hass, "sensor.container_jellyfin_cpu_usage") == STATE_UNKNOWN
    assert float(state(hass, "sensor.container_jellyfin_memory_used")) > 0
    assert 0 < float(state(hass, "sensor.container_jellyfin_memory_usage_percentage")) < 100
    await tick(hass)
    assert float(state(hass, "sensor.container_jellyfin_cpu_usage")) > 0
    # A stopped container has no stats and no start time.
    assert state(hass, "sensor.container_watchtower_state") == "exited"
    assert state(hass, "sensor.container_watchtower_cpu_usage") == STATE_UNKNOWN
    assert state(hass, "sensor.container_watchtower_started") == STATE_UNKNOWN
    assert state(hass, "switch.container_watchtower_running") == STATE_OFF


# -- identity survives recreation --------------------------------------------------------


async def test_recreated_container_keeps_device_and_entities(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """``docker compose up`` with a new image: same device, entity ids, unique ids."""
    before_device = device_of(device_registry, "container_1_pandora/jellyfin")
    assert before_device is not None
    before = {
        e.entity_id: e.unique_id
        for e in er.async_entries_for_device(entity_registry, before_device.id)
    }
    count = len(er.async_entries_for_config_entry(entity_registry, ENTRY_ID))
    old_started = state(hass, "sensor.container_jellyfin_started")

    new_id = sim.recreate_container("jellyfin")
    await tick(hass)

    after_device = device_of(device_registry, "container_1_pandora/jellyfin")
    assert after_device is not None
    assert after_device.id == before_device.id
    after = {
        e.entity_id: e.unique_id
        for e in er.async_entries_for_device(entity_registry, after_device.id)
    }
    assert after == before
    assert len(er.async_entries_for_config_entry(entity_registry, ENTRY_ID)) == count
    assert state(hass, "sensor.container_jellyfin_state") == "running"
    assert state(hass, "sensor.container_jellyfin_started") != old_started
    # Commands go to the new container, found by name, not to the old id.
    sim.requests.clear()
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.container_jellyfin_restart"}, blocking=True
    )
    assert sim.count(f"/api/endpoints/1/docker/containers/{new_id}/restart", "POST") == 1


# -- dynamic devices ------------------------------------------------------------------------


async def test_new_container_and_stack_appear_without_reload(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A new standalone container and a new stack get devices and entities on the next poll."""
    sim.add_container(ServiceSpec(name="homebridge", image="homebridge/homebridge:2024"))
    sim.add_stack("monitoring", [ServiceSpec(name="grafana", image="grafana/grafana:11.4.0")])
    await tick(hass)
    assert device_of(device_registry, "container_1_homebridge") is not None
    assert device_of(device_registry, "container_1_monitoring/grafana") is not None
    assert device_of(device_registry, "stack_1_monitoring") is not None
    assert state(hass, "switch.container_homebridge_running") == STATE_ON
    assert state(hass, "switch.stack_monitoring_active") == STATE_ON
    assert state(hass, "sensor.stack_monitoring_containers") == "1"
    assert state(hass, "sensor.environment_local_containers") == "7"


async def test_removed_container_loses_its_device(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A standalone container that is gone takes its device and entities with it."""
    assert entity_registry.async_get("switch.container_watchtower_running") is not None
    sim.remove_container("watchtower")
    await tick(hass)
    assert device_of(device_registry, "container_1_watchtower") is None
    assert entity_registry.async_get("switch.container_watchtower_running") is None
    assert hass.states.get("switch.container_watchtower_running") is None
    # It comes back as the same entity when it is created again.
    sim.add_container(ServiceSpec(name="watchtower", image="containrrr/watchtower:1.7.1"))
    await tick(hass)
    assert state(hass, "switch.container_watchtower_running") == STATE_ON


async def test_service_dropped_from_active_stack_loses_its_device(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Only a stopped stack keeps its containers' devices; an active one does not."""
    sim.remove_container("cloudcmd")
    await tick(hass)
    assert device_of(device_registry, "container_1_pandora/cloudcmd") is None
    assert device_of(device_registry, "container_1_pandora/jellyfin") is not None


# -- stopped stacks -------------------------------------------------------------------------


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_stopped_stack_keeps_its_containers(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """``compose down`` removes the containers; their devices stay, state ``removed``."""
    device = device_of(device_registry, "container_1_pandora/jellyfin")
    assert device is not None
    entities = {e.entity_id for e in er.async_entries_for_device(entity_registry, device.id)}

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.stack_pandora_active"}, blocking=True
    )
    # The action refreshes at once: no further poll needed.
    assert not sim.has_container("jellyfin")
    assert state(hass, "switch.stack_pandora_active") == STATE_OFF
    assert state(hass, "sensor.container_jellyfin_state") == "removed"
    assert state(hass, "sensor.container_jellyfin_image") == "jellyfin/jellyfin:10.10.7"
    assert state(hass, "switch.container_jellyfin_running") == STATE_UNAVAILABLE
    assert state(hass, "button.container_jellyfin_restart") == STATE_UNAVAILABLE
    assert state(hass, "sensor.container_jellyfin_cpu_usage") == STATE_UNAVAILABLE
    assert state(hass, "sensor.stack_pandora_containers") == "0"
    await tick(hass)
    kept = device_of(device_registry, "container_1_pandora/jellyfin")
    assert kept is not None
    assert kept.id == device.id
    assert {e.entity_id for e in er.async_entries_for_device(entity_registry, kept.id)} == entities

    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.stack_pandora_active"}, blocking=True
    )
    assert sim.has_container("jellyfin")
    assert state(hass, "sensor.container_jellyfin_state") == "running"
    assert state(hass, "switch.container_jellyfin_running") == STATE_ON
    assert state(hass, "sensor.stack_pandora_running_containers") == "4"
    again = device_of(device_registry, "container_1_pandora/jellyfin")
    assert again is not None
    assert again.id == device.id


async def test_stopped_stack_survives_a_restart_of_home_assistant(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Kept containers are rebuilt from the device registry when the entry loads again."""
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.stack_pandora_active"}, blocking=True
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert device_of(device_registry, "container_1_pandora/jellyfin") is not None
    assert state(hass, "sensor.container_jellyfin_state") == "removed"
    assert state(hass, "switch.container_jellyfin_running") == STATE_UNAVAILABLE


async def test_deleted_stack_loses_kept_containers(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Once Portainer no longer lists the stack, its kept containers' devices go too."""
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.stack_pandora_active"}, blocking=True
    )
    del sim.stacks[1]
    await tick(hass)
    assert device_of(device_registry, "stack_1_pandora") is None
    assert device_of(device_registry, "container_1_pandora/jellyfin") is None
    assert device_of(device_registry, "container_1_watchtower") is not None


async def test_stack_stop_that_keeps_containers(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    """A stack stopped without removal shows its containers exited, not removed."""
    sim = PortainerSimulator(stop_removes_containers=False)
    await sim.start()
    try:
        config_entry = portainer_entry(sim)
        await setup_integration(hass, config_entry)
        await hass.services.async_call(
            "switch", "turn_off", {"entity_id": "switch.stack_pandora_active"}, blocking=True
        )
        assert state(hass, "sensor.container_jellyfin_state") == "exited"
        assert state(hass, "switch.container_jellyfin_running") == STATE_OFF
        assert state(hass, "sensor.stack_pandora_containers") == "4"
        assert state(hass, "sensor.stack_pandora_running_containers") == "0"
    finally:
        await sim.stop()


# -- container commands ---------------------------------------------------------------------


async def test_container_switch_and_restart(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """Stop, start and restart; entities follow at once (the action refreshes)."""
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.container_qbittorrent_running"}, blocking=True
    )
    assert sim.container("qbittorrent").state == "exited"
    assert state(hass, "switch.container_qbittorrent_running") == STATE_OFF
    assert state(hass, "sensor.container_qbittorrent_state") == "exited"
    assert state(hass, "sensor.environment_local_running_containers") == "3"

    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.container_qbittorrent_running"}, blocking=True
    )
    assert state(hass, "switch.container_qbittorrent_running") == STATE_ON
    started = dt_util.parse_datetime(state(hass, "sensor.container_qbittorrent_started"))
    assert started is not None
    assert started.timestamp() > FIXED_START

    sim.container("jackett").started_at = FIXED_START
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.container_jackett_restart"}, blocking=True
    )
    restarted = dt_util.parse_datetime(state(hass, "sensor.container_jackett_started"))
    assert restarted is not None
    assert restarted.timestamp() > FIXED_START


async def test_restart_by_someone_else_updates_started(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """A restart outside Home Assistant shows in ``Status``; the start time is read again."""
    client = entry.runtime_data.client
    await client.async_container_action(1, sim.container("jackett").id, "restart")
    await tick(hass)
    started = dt_util.parse_datetime(state(hass, "sensor.container_jackett_started"))
    assert started is not None
    assert started.timestamp() > FIXED_START
    # Unchanged containers are not inspected again.
    sim.requests.clear()
    await tick(hass)
    inspected = [r.path for r in sim.requests if r.path.endswith("/json")]
    assert inspected == ["/api/endpoints/1/docker/containers/json"]  # the list only


@pytest.mark.parametrize(
    ("status", "service", "entity_id", "message"),
    [
        (500, "turn_off", "switch.container_qbittorrent_running", "Could not stop qbittorrent"),
        (409, "turn_on", "switch.container_watchtower_running", "Could not start watchtower"),
        (500, "press", "button.container_jellyfin_restart", "Could not restart jellyfin"),
    ],
)
async def test_container_command_failures(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    status: int,
    service: str,
    entity_id: str,
    message: str,
) -> None:
    """Docker's refusals surface as translated errors naming the container and entry."""
    sim.set_fault("status", status=status, path="/api/endpoints/1/docker/containers/")
    domain = entity_id.split(".", maxsplit=1)[0]
    with pytest.raises(HomeAssistantError, match=f"{message} on portainer test") as err:
        await hass.services.async_call(domain, service, {"entity_id": entity_id}, blocking=True)
    assert err.value.translation_key is not None
    assert err.value.translation_key.startswith("container_")


async def test_stack_command_failure(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """A stack Portainer cannot stop is a translated error; the switch stays on."""
    sim.set_fault("status", status=500, path="/api/stacks/1/stop")
    with pytest.raises(HomeAssistantError, match="Could not stop the stack pandora"):
        await hass.services.async_call(
            "switch", "turn_off", {"entity_id": "switch.stack_pandora_active"}, blocking=True
        )
    sim.clear_fault()
    assert state(hass, "switch.stack_pandora_active") == STATE_ON


async def test_command_with_revoked_key_starts_reauth(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """A 401 on a command is an invalid-auth error and opens the reauth flow."""
    sim.rotate_credentials(api_key="ptr_revoked")
    with pytest.raises(HomeAssistantError, match="refused the stored credentials"):
        await hass.services.async_call(
            "switch", "turn_off", {"entity_id": "switch.container_jellyfin_running"}, blocking=True
        )
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


# -- outages, auth, stats concurrency ------------------------------------------------------


async def test_portainer_down_then_back(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """Portainer down: every entity unavailable; back: they recover by themselves."""
    await sim.stop()
    await tick(hass)
    for entity_id in (
        "switch.container_jellyfin_running",
        "sensor.environment_local_containers",
        "switch.stack_pandora_active",
    ):
        assert state(hass, entity_id) == STATE_UNAVAILABLE
    await sim.start()
    await tick(hass)
    assert state(hass, "switch.container_jellyfin_running") == STATE_ON
    assert state(hass, "sensor.environment_local_containers") == "5"


async def test_revoked_key_starts_reauth(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """A key revoked while running opens the reauth flow."""
    sim.rotate_credentials(api_key="ptr_revoked")
    await tick(hass)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    assert state(hass, "switch.container_jellyfin_running") == STATE_UNAVAILABLE


async def test_slow_stats_of_one_container_do_not_hold_the_others(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """One container's stats answer late: it goes without for a poll, the rest do not.

    The stats answer would arrive after 3 s, well inside the client's own
    timeout; the per-call bound (0.2 s here) cuts it off.  Had the bound not
    applied, jellyfin would have its numbers; had the calls not run
    concurrently and bounded, the others would not.
    """
    coordinator = coordinator_of(entry)
    coordinator.fetcher.stats_timeout = 0.2
    coordinator.fetcher.stats_concurrency = 2
    jellyfin = sim.container("jellyfin").id
    sim.set_fault("slow", delay=3.0, path=f"/api/endpoints/1/docker/containers/{jellyfin}/stats")
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    containers = coordinator.data.containers
    assert containers["container_1_pandora/jellyfin"].stats is None
    for name in ("qbittorrent", "jackett", "cloudcmd"):
        stats = containers[f"container_1_pandora/{name}"].stats
        assert stats is not None
        assert stats.memory_bytes
    assert state(hass, "sensor.container_jellyfin_memory_used") == STATE_UNKNOWN
    assert state(hass, "switch.container_jellyfin_running") == STATE_ON
    assert float(state(hass, "sensor.container_jackett_memory_used")) > 0

    sim.clear_fault()
    await coordinator.async_refresh()
    assert coordinator.data.containers["container_1_pandora/jellyfin"].stats is not None


async def test_unreachable_environment_keeps_its_containers(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    """A down environment: its containers unavailable (devices kept), the others fine."""
    sim = PortainerSimulator(endpoints=[SimEndpoint(1, "local"), SimEndpoint(2, "nas")])
    sim.add_container(ServiceSpec(name="samba", image="dperson/samba", endpoint_id=2))
    await sim.start()
    try:
        config_entry = portainer_entry(sim)
        await setup_integration(hass, config_entry)
        assert state(hass, "switch.container_samba_running") == STATE_ON
        sim.set_endpoint_up(2, up=False)
        await tick(hass)
        assert device_of(device_registry, "container_2_samba") is not None
        assert state(hass, "switch.container_samba_running") == STATE_UNAVAILABLE
        assert state(hass, "sensor.environment_nas_containers") == STATE_UNAVAILABLE
        assert state(hass, "switch.container_jellyfin_running") == STATE_ON
        # Still kept after a reload while it is down.
        assert await hass.config_entries.async_reload(config_entry.entry_id)
        await hass.async_block_till_done()
        assert device_of(device_registry, "container_2_samba") is not None
        sim.set_endpoint_up(2, up=True)
        await tick(hass)
        assert state(hass, "switch.container_samba_running") == STATE_ON
    finally:
        await sim.stop()


# -- device removal by the user ----------------------------------------------------------------


async def test_remove_config_entry_device(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Current devices and the service device stay; a leftover one may be deleted."""
    service = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    current = device_of(device_registry, "container_1_pandora/jellyfin")
    assert service is not None
    assert current is not None
    assert not await async_remove_config_entry_device(hass, entry, service)
    assert not await async_remove_config_entry_device(hass, entry, current)
    leftover = device_registry.async_get_or_create(
        config_entry_id=ENTRY_ID, identifiers={(DOMAIN, f"{ENTRY_ID}_container_1_gone")}
    )
    assert await async_remove_config_entry_device(hass, entry, leftover)


async def test_image_sensor_is_disabled_by_default(
    hass: HomeAssistant, sim: PortainerSimulator, entity_registry: er.EntityRegistry
) -> None:
    """The per-container image sensor exists but waits to be enabled."""
    await setup_integration(hass, portainer_entry(sim))
    entry = entity_registry.async_get("sensor.container_jellyfin_image")
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get("sensor.container_jellyfin_image") is None


# -- a user who is not an administrator ----------------------------------------------------


@pytest.mark.parametrize(
    ("service", "entity_id", "right"),
    [
        (
            "turn_off",
            "switch.stack_pandora_active",
            r"Portainer administrator rights \(stack management\)",
        ),
        ("turn_off", "switch.container_jellyfin_running", "access to this container in Portainer"),
        ("press", "button.container_jellyfin_restart", "access to this container in Portainer"),
    ],
)
async def test_command_without_the_right_names_it_and_keeps_the_entry(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    service: str,
    entity_id: str,
    right: str,
) -> None:
    """A non-admin token: Portainer's 403 is a translated error naming the right, no reauth."""
    sim.deny()
    domain = entity_id.split(".", maxsplit=1)[0]
    with pytest.raises(
        HomeAssistantError, match=f"portainer test does not allow that: it needs {right}"
    ) as err:
        await hass.services.async_call(domain, service, {"entity_id": entity_id}, blocking=True)
    assert err.value.translation_key == "permission_denied"
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert state_of(entry) is ConfigEntryState.LOADED
    assert state(hass, entity_id) != STATE_UNAVAILABLE
    sim.allow()
    await hass.services.async_call(domain, service, {"entity_id": entity_id}, blocking=True)


async def test_poll_refused_is_a_repair_not_a_reauth(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A poll refused with 403: entities unavailable, entry loaded, an issue; healed, gone."""
    issue_id = f"permission_denied_{entry.entry_id}"
    connectivity = entity_registry.async_get_entity_id(
        "binary_sensor", DOMAIN, f"{entry.entry_id}_connectivity"
    )
    assert connectivity is not None
    sim.deny(r"/api/stacks$")  # e.g. a token whose rights were cut back
    await tick(hass)
    assert state(hass, "switch.stack_pandora_active") == STATE_UNAVAILABLE
    assert state(hass, "switch.container_jellyfin_running") == STATE_UNAVAILABLE
    assert state_of(entry) is ConfigEntryState.LOADED
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert state(hass, connectivity) == STATE_ON  # it answers: a right is missing
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "permission_denied"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["right"] == "Portainer administrator rights"
    assert sim.api_key not in str(issue.translation_placeholders)
    sim.allow()
    await tick(hass)
    assert state(hass, "switch.stack_pandora_active") == STATE_ON
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_revoked_key_on_a_poll_starts_reauth_and_raises_no_permission_issue(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """401 is authentication: reauth, and no "missing right" issue."""
    sim.rotate_credentials(api_key="ptr_revoked")
    await tick(hass)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    assert issue_registry.async_get_issue(DOMAIN, f"permission_denied_{entry.entry_id}") is None
