"""Portainer updates: digests against the registry, installs that lose nothing, bounded checks.

Everything runs our real client against the Portainer simulator on loopback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, EVENT_STATE_CHANGED, STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from pyportainer import Portainer
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from simulators.portainer import PortainerSimulator, ServiceSpec

from ...helpers import mock_entry, setup_integration
from .test_entities import ENTRY_ID, coordinator_of, device_of, state

JELLYFIN = "jellyfin/jellyfin:10.10.7"
JACKETT = "lscr.io/linuxserver/jackett:0.22.1512"
DISTRIBUTION = "/api/endpoints/1/docker/distribution/"


@pytest.fixture
async def sim() -> AsyncIterator[PortainerSimulator]:
    """The default Portainer simulator."""
    simulator = PortainerSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


async def _setup(hass: HomeAssistant, sim: PortainerSimulator) -> MockConfigEntry:
    config_entry = mock_entry(sim, entry_id=ENTRY_ID)
    await setup_integration(hass, config_entry)
    await hass.async_block_till_done(wait_background_tasks=True)
    return config_entry


@pytest.fixture
async def entry(hass: HomeAssistant, sim: PortainerSimulator) -> MockConfigEntry:
    """A loaded entry after two polls (every image of the media stack checked once)."""
    config_entry = await _setup(hass, sim)
    await coordinator_of(config_entry).async_refresh()
    return config_entry


async def later(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Let ``delta`` pass, then poll once."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def attrs(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    """The attributes of ``entity_id``."""
    current = hass.states.get(entity_id)
    assert current is not None
    return dict(current.attributes)


async def install(hass: HomeAssistant, entity_id: str) -> None:
    """Install the update of ``entity_id``."""
    await hass.services.async_call("update", "install", {ATTR_ENTITY_ID: entity_id}, blocking=True)


# -- what counts as an update ---------------------------------------------------------------


async def test_new_image_in_the_registry_is_an_update_after_the_check_interval(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The registry answer is cached for 6 h; then the new digest shows, on both entities."""
    assert state(hass, "update.container_jellyfin_image") == STATE_OFF
    installed = attrs(hass, "update.container_jellyfin_image")["installed_version"]
    assert installed.startswith("sha256:")
    assert len(installed) == len("sha256:") + 12
    new = sim.publish_image(JELLYFIN)
    await later(hass, freezer, timedelta(hours=1))
    assert state(hass, "update.container_jellyfin_image") == STATE_OFF  # cached: not asked again
    await later(hass, freezer, timedelta(hours=5, minutes=1))
    assert state(hass, "update.container_jellyfin_image") == STATE_ON
    attributes = attrs(hass, "update.container_jellyfin_image")
    assert attributes["installed_version"] == installed
    assert attributes["latest_version"] == new[: len("sha256:") + 12]
    assert attributes["title"] == JELLYFIN
    assert state(hass, "update.stack_pandora_stack_images") == STATE_ON
    assert attrs(hass, "update.stack_pandora_stack_images")["release_summary"] == "jellyfin"
    assert state(hass, "update.container_jackett_image") == STATE_OFF


async def test_any_matching_repo_digest_is_up_to_date(
    hass: HomeAssistant, sim: PortainerSimulator
) -> None:
    """An image known under several digests is current when any equals the registry's.

    pyportainer 1.0.50's ``container_image_status`` (what core reads) compares
    the first entry only and reports an update here (core#182911).
    """
    image = next(i for i in sim.images.values() if JELLYFIN in i.repo_tags)
    registry = sim.registry[JELLYFIN]
    image.repo_digests.insert(0, f"registry.example.org/mirror/jellyfin@sha256:{'0' * 64}")
    assert image.repo_digests[1].endswith(registry)
    config_entry = await _setup(hass, sim)
    await coordinator_of(config_entry).async_refresh()
    assert state(hass, "update.container_jellyfin_image") == STATE_OFF
    assert attrs(hass, "update.container_jellyfin_image")["installed_version"] == registry[:19]
    assert state(hass, "update.stack_pandora_stack_images") == STATE_OFF
    session = async_get_clientsession(hass)
    core = Portainer(api_url=sim.url, api_key=sim.api_key, session=session, max_retries=0)
    status = await core.container_image_status(1, JELLYFIN, local_image=image.id)
    assert status.update_available  # the false positive we do not have


async def test_container_on_an_old_image_of_a_moved_tag_is_outdated(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """Pulled outside Home Assistant but not recreated: the container still runs the old one."""
    sim.publish_image(JACKETT)
    sim._pulled(JACKETT)
    coordinator = coordinator_of(entry)
    coordinator.fetcher.updates.invalidate(1, JACKETT)
    await coordinator.async_refresh()
    assert state(hass, "update.container_jackett_image") == STATE_ON


async def test_registry_that_refuses_claims_nothing(
    hass: HomeAssistant, sim: PortainerSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """A private or local-only image: no latest version, no error, asked again in 30 min."""
    sim.add_container(ServiceSpec(name="homemade", image="homemade/app:dev"))
    del sim.registry["homemade/app:dev"]
    config_entry = await _setup(hass, sim)
    await coordinator_of(config_entry).async_refresh()
    assert coordinator_of(config_entry).last_update_success
    assert attrs(hass, "update.container_homemade_image")["latest_version"] is None
    assert state(hass, "update.container_homemade_image") not in (STATE_ON, STATE_OFF)
    sim.requests.clear()
    await later(hass, freezer, timedelta(minutes=10))
    assert sim.count(f"{DISTRIBUTION}homemade/app:dev/json") == 0
    await later(hass, freezer, timedelta(minutes=21))
    assert sim.count(f"{DISTRIBUTION}homemade/app:dev/json") == 1


# -- installing -----------------------------------------------------------------------------


async def _outdated(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry, *references: str
) -> None:
    """Publish new images of ``references`` and let the entry see them."""
    coordinator = coordinator_of(entry)
    for reference in references:
        sim.publish_image(reference)
        coordinator.fetcher.updates.invalidate(1, reference)
    await coordinator.async_refresh()


async def test_install_pulls_with_progress_and_recreates_keeping_everything(
    hass: HomeAssistant,
    sim: PortainerSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """in_progress and update_percentage while pulling; same settings, same device after."""
    await _outdated(hass, sim, entry, JELLYFIN)
    assert state(hass, "update.container_jellyfin_image") == STATE_ON
    old = sim.container("jellyfin")
    old.extra_networks = ("proxy",)  # connected after creation: recreate reconnects it
    client = entry.runtime_data.client
    before = await client.async_container_details(1, old.id)
    device = device_of(device_registry, "container_1_pandora/jellyfin")
    progress: list[tuple[bool, int | None]] = []

    @callback
    def listener(event: Event[Any]) -> None:
        new = event.data.get("new_state")
        if new is not None and new.entity_id == "update.container_jellyfin_image":
            progress.append(
                (new.attributes.get("in_progress"), new.attributes.get("update_percentage"))
            )

    hass.bus.async_listen(EVENT_STATE_CHANGED, listener)
    await install(hass, "update.container_jellyfin_image")
    await hass.async_block_till_done()

    percentages = [p for busy, p in progress if busy and p is not None]
    assert progress[0] == (True, 0)
    assert percentages == sorted(percentages)
    assert len({p for p in percentages if 0 < p < 90}) > 0
    assert percentages[-1] == 90
    assert progress[-1][0] is False
    new = sim.container("jellyfin")
    assert new.id != old.id
    assert new.spec == old.spec  # env, mounts, ports, labels, restart policy
    assert new.extra_networks == ("proxy",)
    assert new.image_id != old.image_id
    after = await client.async_container_details(1, new.id)
    assert after.image_reference == before.image_reference
    assert after.image_id != before.image_id
    assert state(hass, "update.container_jellyfin_image") == STATE_OFF
    assert state(hass, "sensor.container_jellyfin_state") == "running"
    again = device_of(device_registry, "container_1_pandora/jellyfin")
    assert device is not None
    assert again is not None
    assert again.id == device.id
    # Portainer was told not to pull again: we did, with progress.
    (recreate,) = [r for r in sim.requests if r.path.endswith("/recreate")]
    assert recreate.method == "POST"


async def test_failed_recreate_leaves_the_old_container_running(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """Portainer fails after stopping it, puts it back: a translated error, nothing lost."""
    await _outdated(hass, sim, entry, JELLYFIN)
    old_id = sim.container("jellyfin").id
    sim.fail_recreate = "create container error: Conflict. The container name is in use"
    with pytest.raises(HomeAssistantError, match="Could not update jellyfin on portainer test"):
        await install(hass, "update.container_jellyfin_image")
    assert sim.container("jellyfin").id == old_id
    assert sim.container("jellyfin").state == "running"
    assert attrs(hass, "update.container_jellyfin_image")["in_progress"] is False
    assert state(hass, "update.container_jellyfin_image") == STATE_ON


async def test_failed_pull_touches_nothing(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """Docker reports a pull error mid-stream; Portainer's own pull fails too: untouched."""
    await _outdated(hass, sim, entry, JELLYFIN)
    old = sim.container("jellyfin")
    sim.fail_pull = "write /var/lib/docker/tmp/GetImageBlob: no space left on device"
    sim.requests.clear()
    with pytest.raises(HomeAssistantError, match="the old container keeps running"):
        await install(hass, "update.container_jellyfin_image")
    assert sim.container("jellyfin") is old
    assert old.state == "running"
    assert sim.count("/api/endpoints/1/docker/images/create", "POST") == 1
    assert attrs(hass, "update.container_jellyfin_image")["update_percentage"] is None


async def test_stack_update_entity_redeploys_the_whole_stack(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """One entity for the stack: outdated when any service is; install updates them all."""
    await _outdated(hass, sim, entry, JELLYFIN, JACKETT)
    assert state(hass, "update.stack_pandora_stack_images") == STATE_ON
    assert (
        attrs(hass, "update.stack_pandora_stack_images")["release_summary"] == "jackett, jellyfin"
    )
    ids = {name: sim.container(name).id for name in ("jackett", "jellyfin", "cloudcmd")}
    sim.requests.clear()
    await install(hass, "update.stack_pandora_stack_images")
    assert [r.path for r in sim.requests if r.method == "PUT"] == ["/api/stacks/1"]
    assert sim.container("jackett").id != ids["jackett"]
    assert sim.container("jellyfin").id != ids["jellyfin"]
    assert sim.container("cloudcmd").id == ids["cloudcmd"]  # unchanged image: kept
    assert state(hass, "update.stack_pandora_stack_images") == STATE_OFF
    assert state(hass, "update.container_jellyfin_image") == STATE_OFF


async def test_stack_with_a_private_image_still_reports_the_others(
    hass: HomeAssistant, sim: PortainerSimulator
) -> None:
    """A service whose registry refuses claims nothing; the stack still shows the rest."""
    sim.add_container(ServiceSpec(name="own", image="registry.lan/own:1", stack="pandora"))
    del sim.registry["registry.lan/own:1"]
    sim.publish_image(JACKETT)
    config_entry = await _setup(hass, sim)
    await coordinator_of(config_entry).async_refresh()
    assert attrs(hass, "update.container_own_image")["latest_version"] is None
    assert state(hass, "update.stack_pandora_stack_images") == STATE_ON
    assert attrs(hass, "update.stack_pandora_stack_images")["release_summary"] == "jackett"


async def test_stack_update_refused_names_the_right(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """A token without stack management: the translated missing right, no reauth."""
    await _outdated(hass, sim, entry, JELLYFIN)
    sim.deny()
    with pytest.raises(HomeAssistantError, match=r"stack management"):
        await install(hass, "update.stack_pandora_stack_images")
    assert hass.config_entries.flow.async_progress() == []


# -- registry checks are bounded ------------------------------------------------------------


async def test_registry_checks_are_bounded_and_shared(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """20 images: at most 4 checks a poll, one per image, none again within 6 h."""
    specs = [ServiceSpec(name=f"app{i:02d}", image=f"example/app{i:02d}:1.0") for i in range(20)]
    specs += [ServiceSpec(name=f"same{i}", image="busybox:1.37") for i in range(10)]
    sim = PortainerSimulator(containers=specs)
    await sim.start()
    try:
        config_entry = await _setup(hass, sim)
        per_poll = [sim.count(DISTRIBUTION)]
        for _ in range(7):
            sim.requests.clear()
            await later(hass, freezer, timedelta(seconds=31))
            per_poll.append(sim.count(DISTRIBUTION))
        assert per_poll == [4, 4, 4, 4, 4, 1, 0, 0]  # 21 images, the ten busyboxes share one
        sim.requests.clear()
        await later(hass, freezer, timedelta(hours=6))
        assert sim.count(DISTRIBUTION) == 4
        assert coordinator_of(config_entry).fetcher.updates.checks_done == 25
    finally:
        await sim.stop()


async def test_pull_that_cannot_reach_docker_touches_nothing(
    hass: HomeAssistant, sim: PortainerSimulator, entry: MockConfigEntry
) -> None:
    """The pull's connection fails: a translated error, no recreate was asked for."""
    await _outdated(hass, sim, entry, JELLYFIN)
    old = sim.container("jellyfin")
    sim.set_fault("status", status=502, path="/api/endpoints/1/docker/images/create")
    sim.requests.clear()
    with pytest.raises(HomeAssistantError, match="Could not update jellyfin"):
        await install(hass, "update.container_jellyfin_image")
    assert sim.count("/api/docker/1/containers/") == 0
    assert sim.container("jellyfin") is old
    assert attrs(hass, "update.container_jellyfin_image")["in_progress"] is False
