"""qBittorrent speed-limit numbers against the simulator: values, setting, bounds, bad values."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import ATTR_VALUE, DOMAIN as NUMBER_DOMAIN, SERVICE_SET_VALUE
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.pandora_box.upstreams.qbittorrent.coordinator import LIMITS_MAX_AGE_S
from simulators.qbittorrent import QBittorrentSimulator

KEYS = {
    "download_limit": "dl_limit",
    "upload_limit": "up_limit",
    "alt_download_limit": "alt_dl_limit",
    "alt_upload_limit": "alt_up_limit",
}


@pytest.fixture(autouse=True)
def _limits(sim: QBittorrentSimulator) -> None:
    """Global limits of 5000 and 700 KiB/s, set before the entry is."""
    sim.limits_kib.update(dl_limit=5000, up_limit=700)


def entity_id(
    hass: HomeAssistant, entry: MockConfigEntry, key: str, domain: str = NUMBER_DOMAIN
) -> str:
    found = er.async_get(hass).async_get_entity_id(domain, "pandora_box", f"{entry.entry_id}_{key}")
    assert found is not None, key
    return found


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the next poll run (every 60 s at most, over real sockets)."""
    freezer.tick(61)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def value(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    state = hass.states.get(entity_id(hass, entry, key))
    assert state is not None
    return state.state


async def set_value(hass: HomeAssistant, entry: MockConfigEntry, key: str, number: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id(hass, entry, key), ATTR_VALUE: number},
        blocking=True,
    )


async def test_four_limits_in_kib_per_second(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Each limit shows what qBittorrent keeps, in KiB/s, as a config entity with a name."""
    assert {key: value(hass, entry, key) for key in KEYS} == {
        "download_limit": "5000",
        "upload_limit": "700",
        "alt_download_limit": "1024",
        "alt_upload_limit": "256",
    }
    registry = er.async_get(hass)
    for key in KEYS:
        state = hass.states.get(entity_id(hass, entry, key))
        assert state is not None
        assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == "KiB/s"
        assert state.attributes["min"] == 0
        assert state.attributes["max"] == 2_097_151
        assert state.attributes["mode"] == "box"
        registered = registry.async_get(entity_id(hass, entry, key))
        assert registered is not None
        assert registered.translation_key == key
        assert registered.entity_category is EntityCategory.CONFIG
        assert registered.has_entity_name


@pytest.mark.parametrize("key", list(KEYS))
async def test_set_reaches_qbittorrent(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator, key: str
) -> None:
    """A new limit is written in bytes/s to app/setPreferences and read back; 0 lifts it."""
    others = {k: v for k, v in sim.limits_kib.items() if k != KEYS[key]}
    await set_value(hass, entry, key, 300)
    assert sim.limits_kib[KEYS[key]] == 300
    assert {k: v for k, v in sim.limits_kib.items() if k != KEYS[key]} == others
    assert value(hass, entry, key) == "300"
    assert sim.count("/api/v2/app/setPreferences", method="POST") == 1
    await set_value(hass, entry, key, 0)
    assert sim.limits_kib[KEYS[key]] == 0
    assert value(hass, entry, key) == "0"


async def test_limits_in_force_follow_the_alternative_mode(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    """The pair in force limits the torrents; its value comes with every poll."""
    await set_value(hass, entry, "alt_download_limit", 10)
    await hass.services.async_call(
        "switch",
        "turn_on",
        {ATTR_ENTITY_ID: entity_id(hass, entry, "alternative_speed_limits", "switch")},
        blocking=True,
    )
    assert sim.alt_speed
    assert sim.limit("dl") == 10 * 1024
    assert all(f["dlspeed"] <= 10 * 1024 for f in sim.torrents.values())
    assert value(hass, entry, "alt_download_limit") == "10"
    assert value(hass, entry, "download_limit") == "5000"


async def test_changes_made_elsewhere_show(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    sim: QBittorrentSimulator,
) -> None:
    """The pair in force shows at the next poll; the other pair once the preferences age."""
    reads = sim.count("/api/v2/app/preferences")
    sim.limits_kib.update(dl_limit=42, alt_up_limit=9)  # someone used the WebUI
    await tick(hass, freezer)
    assert value(hass, entry, "download_limit") == "42"
    assert value(hass, entry, "alt_upload_limit") == "256"  # not in force: not yet read
    assert sim.count("/api/v2/app/preferences") == reads  # polls do not read preferences
    for _ in range(int(LIMITS_MAX_AGE_S // 60) + 1):
        await tick(hass, freezer)
    assert value(hass, entry, "alt_upload_limit") == "9"
    assert sim.count("/api/v2/app/preferences") == reads + 1


@pytest.mark.parametrize("bad", [2_097_152, -1])
async def test_out_of_range_is_refused_before_any_request(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator, bad: float
) -> None:
    """Home Assistant's own range check refuses it, translated; nothing reaches qBittorrent."""
    with pytest.raises(ServiceValidationError) as err:
        await set_value(hass, entry, "download_limit", bad)
    assert err.value.translation_key == "out_of_range"
    assert sim.count("/api/v2/app/setPreferences") == 0


@pytest.mark.parametrize("bad", [1.5, float("nan")])
async def test_not_a_whole_number_is_refused_before_any_request(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator, bad: float
) -> None:
    """A fraction (qBittorrent would round it) or NaN: our translated error, nothing sent."""
    with pytest.raises(ServiceValidationError, match="whole number of KiB/s") as err:
        await set_value(hass, entry, "upload_limit", bad)
    assert err.value.translation_key == "invalid_speed_limit"
    assert sim.count("/api/v2/app/setPreferences") == 0
    assert sim.limits_kib["up_limit"] == 700


async def test_upstream_fault_is_an_error_then_unavailable_then_back(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim: QBittorrentSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A refused write is a translated error; down, the numbers are unavailable, then back."""
    sim.set_fault("status", status=500, path="/api/v2/app/setPreferences")
    with pytest.raises(HomeAssistantError, match="qbittorrent test") as err:
        await set_value(hass, entry, "download_limit", 10)
    assert err.value.translation_key == "cannot_connect"
    assert sim.limits_kib["dl_limit"] == 5000
    sim.clear_fault()
    await sim.stop()
    await tick(hass, freezer)
    assert value(hass, entry, "download_limit") == STATE_UNAVAILABLE
    await sim.start()
    await tick(hass, freezer)
    assert value(hass, entry, "download_limit") == "5000"
