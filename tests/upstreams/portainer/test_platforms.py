"""Portainer's newer entities: events, binary sensors, buttons, Docker facts, disk, actions.

Everything runs our real client against the Portainer simulator on loopback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_STATE_CHANGED,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
)
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
)
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)

from custom_components.pandora_box.const import DOMAIN
from simulators.portainer import PortainerSimulator, ServiceSpec

from ...helpers import mock_entry, setup_integration
from .test_entities import ENTRY_ID, FIXED_START, coordinator_of, device_of, state

DOCKER = "/api/endpoints/1/docker"


@pytest.fixture
async def sim() -> AsyncIterator[PortainerSimulator]:
    """A Portainer simulator whose containers started at a fixed time."""
    simulator = PortainerSimulator()
    for container in simulator.containers:
        container.started_at = FIXED_START
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def entry(hass: HomeAssistant, sim: PortainerSimulator) -> MockConfigEntry:
    """A loaded Portainer entry whose first disk read is done."""
    config_entry = mock_entry(sim, entry_id=ENTRY_ID)
    await setup_integration(hass, config_entry)
    await hass.async_block_till_done(wait_background_tasks=True)
    return config_entry


@pytest.fixture
def fired(hass: HomeAssistant) -> list[tuple[str, str]]:
    """Every (entity id, event type) an event entity fires from now on."""
    seen: list[tuple[str, str]] = []

    @callback
    def listener(event: Event[Any]) -> None:
        new = event.data.get("new_state")
        if new is not None and new.domain == "event" and (kind := new.attributes.get("event_type")):
            seen.append((new.entity_id, kind))

    hass.bus.async_listen(EVENT_STATE_CHANGED, listener)
    return seen


async def press(hass: HomeAssistant, entity_id: str) -> None:
    """Press a button."""
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: entity_id}, blocking=True)


async def poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """One poll of the entry's coordinator (background work included)."""
    await coordinator_of(entry).async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)


# -- events from poll differences ------------------------------------------------------------


async def test_events_follow_what_docker_did(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    fired: list[tuple[str, str]],
) -> None:
    """Stop, start, pause, resume, kill, OOM, a crash restart and health: Docker's names."""
    event = "event.container_jellyfin_docker_event"
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: "switch.container_jellyfin_running"}, blocking=True
    )
    await hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: "switch.container_jellyfin_running"}, blocking=True
    )
    await press(hass, "button.container_jellyfin_pause")
    assert (
        state(hass, "button.container_jellyfin_pause") == STATE_UNAVAILABLE
    )  # paused: resume only
    assert state(hass, "button.container_jellyfin_restart") == STATE_UNAVAILABLE
    await press(hass, "button.container_jellyfin_resume")
    await press(hass, "button.container_jellyfin_kill")
    assert state(hass, "button.container_jellyfin_kill") == STATE_UNAVAILABLE  # not running
    assert [kind for entity_id, kind in fired if entity_id == event] == [
        "die",
        "start",
        "health_status_starting",
        "pause",
        "unpause",
        "kill",
        "die",
    ]
    assert state(hass, "sensor.container_jellyfin_state") == "exited"

    fired.clear()
    sim.container("jellyfin").state = "running"
    sim.container("jellyfin").health = "healthy"
    await poll(hass, entry)
    sim.kill_by_oom("jellyfin")
    await poll(hass, entry)
    assert state(hass, "binary_sensor.container_jellyfin_out_of_memory") == STATE_ON
    assert state(hass, "binary_sensor.container_jellyfin_status") == STATE_OFF
    sim.crash_and_restart("jellyfin")
    await poll(hass, entry)
    sim.container("jellyfin").health = "unhealthy"
    await poll(hass, entry)
    assert [kind for entity_id, kind in fired if entity_id == event] == [
        "start",
        "health_status_healthy",
        "oom",
        "die",
        "start",
        "health_status_starting",
        "health_status_unhealthy",
    ]
    assert state(hass, "binary_sensor.container_jellyfin_out_of_memory") == STATE_OFF
    assert state(hass, "sensor.container_jellyfin_restart_count") == "1"
    assert state(hass, "sensor.container_jellyfin_health") == "unhealthy"
    # Nothing changed: nothing fires again.
    fired.clear()
    await poll(hass, entry)
    assert fired == []


async def test_restart_while_running_is_a_restart_event(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    fired: list[tuple[str, str]],
) -> None:
    """Our restart button: the start time moved while it ran."""
    await press(hass, "button.container_jackett_restart")
    assert fired == [("event.container_jackett_docker_event", "restart")]


# -- buttons --------------------------------------------------------------------------------


async def test_recreate_button_keeps_the_device(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Portainer's recreate (with a pull): a new container, the same device and entities."""
    device = device_of(device_registry, "container_1_pandora/jackett")
    assert device is not None
    old_id = sim.container("jackett").id
    sim.requests.clear()
    await press(hass, "button.container_jackett_recreate")
    assert sim.count(f"/api/docker/1/containers/{old_id}/recreate", "POST") == 1
    assert sim.container("jackett").id != old_id
    again = device_of(device_registry, "container_1_pandora/jackett")
    assert again is not None
    assert again.id == device.id
    assert state(hass, "sensor.container_jackett_state") == "running"


async def test_prune_buttons(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Pruning removes unused images and anonymous volumes; disk and volumes follow."""
    anonymous = next(
        n for (_e, n), v in sim.volumes.items() if "com.docker.volume.anonymous" in v.labels
    )
    assert device_of(device_registry, f"volume_1_{anonymous}") is not None
    sim.publish_image("jellyfin/jellyfin:10.10.7")
    sim._pulled("jellyfin/jellyfin:10.10.7")
    images = len(sim.images)
    await press(hass, "button.environment_local_prune_unused_images")
    assert len(sim.images) == images - 1  # the new, unused image
    await press(hass, "button.environment_local_prune_unused_volumes")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (1, anonymous) not in sim.volumes
    await poll(hass, entry)
    assert device_of(device_registry, f"volume_1_{anonymous}") is None
    assert device_of(device_registry, "volume_1_portainer_data") is not None
    assert (
        state(hass, "sensor.environment_local_volume_disk_usage_reclaimable") == "3.0"
    )  # portainer_data


async def test_button_failure_is_translated(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """Docker refusing a kill is a translated error naming the container."""
    sim.set_fault("status", status=500, path=f"{DOCKER}/containers/")
    with pytest.raises(HomeAssistantError, match="Could not kill qbittorrent on portainer test"):
        await press(hass, "button.container_qbittorrent_kill")
    sim.set_fault("status", status=500, path=f"{DOCKER}/images/prune")
    with pytest.raises(HomeAssistantError, match="Could not prune the images of local"):
        await press(hass, "button.environment_local_prune_unused_images")


# -- Docker facts and disk usage --------------------------------------------------------------


async def test_info_every_poll_version_once_and_disk_every_half_hour(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """``/info`` costs one request a poll; ``/version`` only on a new Docker; df twice an hour."""
    sim.requests.clear()
    for _ in range(3):
        freezer.tick(timedelta(seconds=31))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert sim.count(f"{DOCKER}/info") == 3
    assert sim.count(f"{DOCKER}/version") == 0
    assert sim.count(f"{DOCKER}/system/df") == 0
    freezer.tick(timedelta(minutes=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert sim.count(f"{DOCKER}/system/df") == 1


async def test_slow_disk_usage_does_not_hold_the_poll(
    hass: HomeAssistant, sim: PortainerSimulator
) -> None:
    """``/system/df`` answers late: the entry loads and polls; disk sensors wait for it."""
    sim.set_fault("hang", path=f"{DOCKER}/system/df")
    config_entry = mock_entry(sim, entry_id=ENTRY_ID)
    await setup_integration(hass, config_entry)
    assert state(hass, "switch.container_jellyfin_running") == STATE_ON
    await coordinator_of(config_entry).async_refresh()
    assert coordinator_of(config_entry).last_update_success
    assert coordinator_of(config_entry).data.endpoints["endpoint_1"].disk is None
    sim.clear_fault()
    await hass.config_entries.async_unload(config_entry.entry_id)


# -- actions --------------------------------------------------------------------------------


async def test_prune_images_action(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_admin_user: MockUser,
) -> None:
    """An administrator prunes an environment's unused images; dangling/until are sent."""
    environment = device_of(device_registry, "endpoint_1")
    assert environment is not None
    sim.requests.clear()
    await hass.services.async_call(
        DOMAIN,
        "prune_images",
        {"device_id": environment.id, "dangling": True, "until": {"hours": 2}},
        blocking=True,
        context=_context(hass_admin_user),
    )
    (request,) = [r for r in sim.requests if r.path == f"{DOCKER}/images/prune"]
    assert '"dangling": ["true"]' in request.query["filters"]
    assert '"until"' in request.query["filters"]


async def test_recreate_container_action(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Recreating by the container's device; the device stays, a script keeps working."""
    device = device_of(device_registry, "container_1_watchtower")
    assert device is not None
    for _ in range(2):
        old_id = sim.container("watchtower").id
        await hass.services.async_call(
            DOMAIN, "recreate_container", {"device_id": device.id}, blocking=True
        )
        assert sim.container("watchtower").id != old_id
    assert state(hass, "sensor.container_watchtower_state") == "running"


async def test_actions_are_admin_only(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_read_only_user: MockUser,
) -> None:
    """A user who is not an administrator is refused and nothing is sent."""
    container = device_of(device_registry, "container_1_watchtower")
    environment = device_of(device_registry, "endpoint_1")
    assert container is not None
    assert environment is not None
    sim.requests.clear()
    for service, device in (("recreate_container", container), ("prune_images", environment)):
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                DOMAIN,
                service,
                {"device_id": device.id},
                blocking=True,
                context=_context(hass_read_only_user),
            )
    assert sim.count("/api/docker/") == 0
    assert sim.count(f"{DOCKER}/images/prune") == 0


async def test_actions_refuse_a_device_of_the_wrong_kind(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A stack device for recreate, a container device for prune: translated, nothing sent."""
    stack = device_of(device_registry, "stack_1_pandora")
    container = device_of(device_registry, "container_1_watchtower")
    assert stack is not None
    assert container is not None
    sim.requests.clear()
    with pytest.raises(ServiceValidationError, match="is not a container of portainer test"):
        await hass.services.async_call(
            DOMAIN, "recreate_container", {"device_id": stack.id}, blocking=True
        )
    with pytest.raises(ServiceValidationError, match="is not a Docker environment of portainer"):
        await hass.services.async_call(
            DOMAIN, "prune_images", {"device_id": container.id}, blocking=True
        )
    with pytest.raises(ServiceValidationError, match="is not a container"):
        await hass.services.async_call(
            DOMAIN, "recreate_container", {"device_id": "no-such-device"}, blocking=True
        )
    assert sim.count("/api/docker/") == 0


async def test_recreate_action_failure_keeps_the_old_container(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Portainer's recreate fails after stopping it: it restores it; we say so, translated."""
    device = device_of(device_registry, "container_1_pandora/jackett")
    assert device is not None
    old_id = sim.container("jackett").id
    sim.fail_recreate = "create container error: port is already allocated"
    with pytest.raises(HomeAssistantError, match="the old container keeps running"):
        await hass.services.async_call(
            DOMAIN, "recreate_container", {"device_id": device.id}, blocking=True
        )
    assert sim.container("jackett").id == old_id
    assert sim.container("jackett").state == "running"


def _context(user: MockUser) -> Context:
    """A service call context of ``user``."""
    return Context(user_id=user.id)


async def test_container_without_oci_labels_or_health_has_no_such_sensors(
    hass: HomeAssistant, entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Health and image version/created exist only where the image provides them (as core)."""
    assert entity_registry.async_get("sensor.container_jellyfin_health") is not None
    assert entity_registry.async_get("sensor.container_jackett_health") is None
    assert entity_registry.async_get("sensor.container_jackett_image_version") is None
    assert entity_registry.async_get("sensor.container_qbittorrent_image_created") is not None


async def test_new_volume_and_new_service_after_a_disk_read(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Volumes come from the disk read: a new one gets its device once that ran again."""
    sim.add_container(
        ServiceSpec(name="redis", image="redis:7.4", volumes=(("redis-data", "/data"),))
    )
    coordinator_of(entry).request_disk_read()
    await poll(hass, entry)
    assert device_of(device_registry, "volume_1_redis-data") is not None
    assert device_of(device_registry, "container_1_redis") is not None


async def test_stats_and_inspects_per_poll_are_bounded(hass: HomeAssistant) -> None:
    """A fleet of 120 containers: at most 40 stats and 20 inspects a poll, all in turn."""
    sim = PortainerSimulator(extra_containers=115)
    await sim.start()
    try:
        config_entry = mock_entry(sim, entry_id=ENTRY_ID)
        await setup_integration(hass, config_entry)
        coordinator = coordinator_of(config_entry)
        running = sum(c.state == "running" for c in sim.containers)
        sampled: set[str] = set()
        for _ in range(4):
            sim.requests.clear()
            await coordinator.async_refresh()
            stats = [r.path for r in sim.requests if r.path.endswith("/stats")]
            inspects = [
                r.path
                for r in sim.requests
                if r.path.endswith("/json")
                and "/containers/" in r.path
                and not r.path.endswith("/containers/json")
            ]
            assert len(stats) <= 40
            assert len(inspects) <= 20
            sampled.update(stats)
        assert len(sampled) == running  # everyone had a turn
        with_stats = [c for c in coordinator.data.containers.values() if c.stats is not None]
        assert len(with_stats) == running  # the others kept their numbers
    finally:
        await sim.stop()
