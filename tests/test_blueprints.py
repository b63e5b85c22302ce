"""Our blueprints (blueprints/automation/pandora_box), run in Home Assistant against simulators.

Each blueprint is copied into the test's own config folder, loaded by Home
Assistant's blueprint component, instantiated as an automation and run: its
trigger fires for real (a torrent completes in the qBittorrent simulator, or a
sentence goes through the conversation agent), our actions reach the
simulators, and the tests check the effect there and the spoken answer.  Only
the Companion app's notify action is mocked (it is an app on a phone).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any

from homeassistant.components import conversation
from homeassistant.components.automation.const import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.blueprint import models
from homeassistant.components.blueprint.const import BLUEPRINT_FOLDER
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import homeassistant.util.dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.qbittorrent.coordinator import QBittorrentCoordinator
from simulators import JackettSimulator, JellyfinSimulator, QBittorrentSimulator, TMDBSimulator

from .helpers import mock_entry, setup_integration

SOURCE = Path(__file__).parent.parent / "blueprints" / "automation" / DOMAIN
BLUEPRINTS = sorted(path.name for path in SOURCE.glob("*.yaml"))
PAUSED = {"pausedDL", "pausedUP", "stoppedDL", "stoppedUP"}


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A config folder of the test's own, holding our blueprints where users put them."""
    target = tmp_path / BLUEPRINT_FOLDER / AUTOMATION_DOMAIN / DOMAIN
    shutil.copytree(SOURCE, target)
    return tmp_path


@pytest.fixture
async def bp_hass(hass: HomeAssistant, config_dir: Path) -> HomeAssistant:
    """Home Assistant reading blueprints from ``config_dir``, with voice ready."""
    hass.config.config_dir = str(config_dir)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    return hass


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """Set up one automation made from our blueprint ``name``."""
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: [
                {
                    "id": name,
                    "alias": name.removesuffix(".yaml"),
                    "use_blueprint": {"path": f"{DOMAIN}/{name}", "input": inputs},
                }
            ]
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get(f"{AUTOMATION_DOMAIN}.{name.removesuffix('.yaml')}")
    assert state is not None, f"{name} did not give an automation"
    assert state.state == "on"


async def say(hass: HomeAssistant, sentence: str) -> str:
    """Speak ``sentence`` to the default agent; return its spoken answer."""
    result = await conversation.async_converse(hass, sentence, None, Context(), "en")
    await hass.async_block_till_done()
    speech: str = result.response.speech["plain"]["speech"]
    return speech


async def qbittorrent(hass: HomeAssistant, sim: QBittorrentSimulator) -> MockConfigEntry:
    """A loaded qBittorrent entry on ``sim``."""
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    return entry


def by_name(sim: QBittorrentSimulator, start: str) -> str:
    """The hash of the simulator's torrent whose name starts with ``start``."""
    return next(h for h, f in sim.torrents.items() if str(f["name"]).startswith(start))


# -- every blueprint ---------------------------------------------------------------------


def test_there_are_blueprints() -> None:
    assert BLUEPRINTS == [
        "download_completed_notification.yaml",
        "download_media.yaml",
        "pause_resume_downloads.yaml",
        "what_is_downloading.yaml",
    ]


@pytest.mark.parametrize("name", BLUEPRINTS)
async def test_blueprint_loads(bp_hass: HomeAssistant, name: str) -> None:
    """Home Assistant's blueprint component loads and validates each blueprint."""
    assert await async_setup_component(bp_hass, AUTOMATION_DOMAIN, {})
    domain_blueprints = bp_hass.data["blueprint"][AUTOMATION_DOMAIN]
    assert isinstance(domain_blueprints, models.DomainBlueprints)
    blueprint = await domain_blueprints.async_get_blueprint(f"{DOMAIN}/{name}")
    assert blueprint.domain == AUTOMATION_DOMAIN
    assert blueprint.name.startswith("Pandora Box")
    # Every input is described; every optional one has a default.
    for key, spec in blueprint.inputs.items():
        assert spec is not None, key
        assert spec.get("name"), key
        assert "selector" in spec, key


# -- download completed: actionable notification -----------------------------------------


@pytest.fixture
def phone(bp_hass: HomeAssistant) -> str:
    """A Companion app phone in the device registry; returns its device id."""
    app = MockConfigEntry(domain="mobile_app", data={"device_name": "Test Phone"})
    app.add_to_hass(bp_hass)
    device = dr.async_get(bp_hass).async_get_or_create(
        config_entry_id=app.entry_id, identifiers={("mobile_app", "phone-1")}, name="Test Phone"
    )
    return device.id


async def complete_downloads(hass: HomeAssistant, sim: QBittorrentSimulator) -> None:
    """Let the simulator finish its downloads and the coordinator see it (events fire)."""
    sim.advance(4000)
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        coordinator = entry.runtime_data.coordinator
        if isinstance(coordinator, QBittorrentCoordinator):
            await coordinator.async_refresh()


async def until(check: Callable[[], bool]) -> None:
    """Let the loop run until ``check()`` holds (the test's timeout bounds it).

    The notification runs wait for an answer, so ``async_block_till_done``
    would wait for them too.
    """
    while not check():  # noqa: ASYNC110 - the condition is outside our control
        await asyncio.sleep(0.001)


def answer(hass: HomeAssistant, notification: ServiceCall, button: int) -> None:
    """Press a button of a notification, as the Companion app reports it."""
    action = notification.data["data"]["actions"][button]["action"]
    hass.bus.async_fire("mobile_app_notification_action", {"action": action})


async def test_completed_notification_refreshes_jellyfin(
    bp_hass: HomeAssistant,
    phone: str,
    qbittorrent_sim: QBittorrentSimulator,
    jellyfin_sim: JellyfinSimulator,
) -> None:
    """A completed torrent sends an actionable notification; *Refresh* scans Jellyfin."""
    hass = bp_hass
    notified = async_mock_service(hass, "notify", "mobile_app_test_phone")
    qbt = await qbittorrent(hass, qbittorrent_sim)
    jellyfin = mock_entry(jellyfin_sim)
    await setup_integration(hass, jellyfin)
    await use_blueprint(
        hass,
        "download_completed_notification.yaml",
        {
            "notify_device": phone,
            "qbittorrent_entry": qbt.entry_id,
            "jellyfin_entry": jellyfin.entry_id,
        },
    )
    await complete_downloads(hass, qbittorrent_sim)
    await until(lambda: len(notified) == 2)

    assert sorted(call.data["message"] for call in notified) == [
        "Breaking.Bad.S01.1080p.BluRay.x265-GalaxyTV has finished downloading (6.1 GB).",
        "Dune.Part.Two.2024.1080p.WEB-DL.DDP5.1.H.264-FLUX has finished downloading (8.2 GB).",
    ]
    first = notified[0].data
    assert first["title"] == "Download complete"
    assert first["data"]["tag"].startswith("pandora_box_")
    buttons = first["data"]["actions"]
    assert [b["title"] for b in buttons] == ["Refresh Jellyfin library", "Pause all downloads"]
    # Each run's buttons are its own: two notifications, four distinct actions.
    assert len({b["action"] for call in notified for b in call.data["data"]["actions"]}) == 4

    assert jellyfin_sim.count("/Library/Refresh", method="POST") == 0
    answer(hass, notified[0], 0)
    await until(lambda: jellyfin_sim.count("/Library/Refresh", method="POST") == 1)
    answer(hass, notified[1], 0)
    await hass.async_block_till_done()  # both runs are done now
    assert jellyfin_sim.count("/Library/Refresh", method="POST") == 2
    assert jellyfin_sim.scanning
    # The refresh answer paused nothing: only Inception was paused, and still is.
    inception = by_name(qbittorrent_sim, "Inception")
    assert {h for h, f in qbittorrent_sim.torrents.items() if f["state"] in PAUSED} == {inception}


async def test_completed_notification_pauses_all(
    bp_hass: HomeAssistant,
    phone: str,
    qbittorrent_sim: QBittorrentSimulator,
    jellyfin_sim: JellyfinSimulator,
) -> None:
    """*Pause all downloads* pauses every torrent; entries are found without being named."""
    hass = bp_hass
    notified = async_mock_service(hass, "notify", "mobile_app_test_phone")
    await qbittorrent(hass, qbittorrent_sim)
    await setup_integration(hass, mock_entry(jellyfin_sim))
    await use_blueprint(hass, "download_completed_notification.yaml", {"notify_device": phone})
    await complete_downloads(hass, qbittorrent_sim)
    await until(lambda: len(notified) == 2)
    arrival = qbittorrent_sim.insert_torrent({"name": "Arrival.2016.1080p", "progress": 0.1})
    await complete_downloads(hass, qbittorrent_sim)  # Arrival is added and completes
    await until(lambda: len(notified) == 3)
    assert qbittorrent_sim.torrents[arrival]["state"] not in PAUSED

    answer(hass, notified[0], 1)
    await until(lambda: qbittorrent_sim.torrents[arrival]["state"] in PAUSED)
    answer(hass, notified[1], 1)
    answer(hass, notified[2], 1)
    await hass.async_block_till_done()
    assert {f["state"] for f in qbittorrent_sim.torrents.values()} <= PAUSED
    assert jellyfin_sim.count("/Library/Refresh") == 0


async def test_completed_notification_unanswered(
    bp_hass: HomeAssistant,
    phone: str,
    qbittorrent_sim: QBittorrentSimulator,
    jellyfin_sim: JellyfinSimulator,
) -> None:
    """Unanswered within the wait, the buttons do nothing any more."""
    hass = bp_hass
    notified = async_mock_service(hass, "notify", "mobile_app_test_phone")
    await qbittorrent(hass, qbittorrent_sim)
    await setup_integration(hass, mock_entry(jellyfin_sim))
    await use_blueprint(
        hass, "download_completed_notification.yaml", {"notify_device": phone, "answer_timeout": 5}
    )
    await complete_downloads(hass, qbittorrent_sim)
    await until(lambda: len(notified) == 2)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))
    await hass.async_block_till_done()  # the runs gave up waiting
    answer(hass, notified[0], 0)
    answer(hass, notified[1], 1)
    await hass.async_block_till_done()
    assert jellyfin_sim.count("/Library/Refresh") == 0
    assert not any(
        f["state"] in PAUSED
        for f in qbittorrent_sim.torrents.values()
        if not str(f["name"]).startswith("Inception")
    )


async def test_completed_notification_other_entry_ignored(
    bp_hass: HomeAssistant, phone: str, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """With a qBittorrent entry chosen, completions of another entry send nothing."""
    hass = bp_hass
    notified = async_mock_service(hass, "notify", "mobile_app_test_phone")
    await qbittorrent(hass, qbittorrent_sim)
    await use_blueprint(
        hass,
        "download_completed_notification.yaml",
        {"notify_device": phone, "qbittorrent_entry": "some-other-entry"},
    )
    await complete_downloads(hass, qbittorrent_sim)
    assert notified == []


# -- voice: what is downloading -----------------------------------------------------------


async def test_what_is_downloading(
    bp_hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """The answer lists the downloading torrents, newest first, with their progress."""
    hass = bp_hass
    await qbittorrent(hass, qbittorrent_sim)
    await use_blueprint(hass, "what_is_downloading.yaml", {})
    assert await say(hass, "what is downloading") == (
        "2 downloads: Dune Part Two at 5 percent, Breaking Bad S01 at 42 percent."
    )
    qbittorrent_sim.advance(120)
    assert await say(hass, "how are my downloads going") == (
        "2 downloads: Dune Part Two at 16 percent, Breaking Bad S01 at 48 percent."
    )
    for torrent_hash in list(qbittorrent_sim.torrents):
        qbittorrent_sim.remove_torrent(torrent_hash)
    assert await say(hass, "What is downloading?") == "Nothing is downloading right now."


async def test_what_is_downloading_counts_the_rest(
    bp_hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """Beyond ``most`` torrents the answer only counts the rest."""
    hass = bp_hass
    entry = await qbittorrent(hass, qbittorrent_sim)
    for number in range(3):
        qbittorrent_sim.insert_torrent(
            {"name": f"Show.S01E0{number + 1}.720p", "added_on": 1_900_000_000 + number}
        )
    await use_blueprint(
        hass, "what_is_downloading.yaml", {"most": 2, "qbittorrent_entry": entry.entry_id}
    )
    assert await say(hass, "what's downloading") == (
        "5 downloads: Show S01E03 at 0 percent, Show S01E02 at 0 percent, and 3 more."
    )


# -- voice: pause / resume all downloads --------------------------------------------------


async def test_pause_and_resume_all(
    bp_hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """Both sentences act on every torrent and say how many are paused / downloading."""
    hass = bp_hass
    await qbittorrent(hass, qbittorrent_sim)
    await use_blueprint(hass, "pause_resume_downloads.yaml", {})

    assert await say(hass, "pause all downloads") == (
        "Paused all downloads. 5 torrents are paused now."
    )
    assert {f["state"] for f in qbittorrent_sim.torrents.values()} <= PAUSED

    assert await say(hass, "resume my downloads") == (
        "Resumed all downloads. 3 torrents are downloading now."
    )
    assert not {f["state"] for f in qbittorrent_sim.torrents.values()} & PAUSED


# -- voice: download {title} --------------------------------------------------------------


async def test_download_title_speaks_the_answer(
    bp_hass: HomeAssistant,
    qbittorrent_sim: QBittorrentSimulator,
    tmdb_sim: TMDBSimulator,
    jackett_sim: JackettSimulator,
) -> None:
    """The title slot goes to download_media as ``query``; its answer is spoken."""
    hass = bp_hass
    for sim in (qbittorrent_sim, tmdb_sim, jackett_sim):
        await setup_integration(hass, mock_entry(sim))
    before = set(qbittorrent_sim.torrents)
    await use_blueprint(hass, "download_media.yaml", {"quality": "1080p"})

    speech = await say(hass, "download Interstellar")
    added = set(qbittorrent_sim.torrents) - before
    assert len(added) == 1
    release = qbittorrent_sim.torrents[added.pop()]
    assert "1080p" in str(release["name"])
    assert str(release["name"]).startswith("Interstellar")
    assert speech.startswith("Downloading Interstellar (2014): ")

    # Said again, the pipeline's own answer (already there) is what is spoken.
    speech = await say(hass, "grab me Interstellar")
    assert speech.startswith("qbittorrent test already has Interstellar (2014)")
    assert len(qbittorrent_sim.torrents) == len(before) + 1


async def test_download_title_nothing_found_is_spoken(
    bp_hass: HomeAssistant,
    qbittorrent_sim: QBittorrentSimulator,
    tmdb_sim: TMDBSimulator,
    jackett_sim: JackettSimulator,
) -> None:
    """A title TMDB does not know: the pipeline's reason is spoken, nothing is added."""
    hass = bp_hass
    for sim in (qbittorrent_sim, tmdb_sim, jackett_sim):
        await setup_integration(hass, mock_entry(sim))
    before = set(qbittorrent_sim.torrents)
    await use_blueprint(hass, "download_media.yaml", {})
    assert await say(hass, "download Zzyzx Qwerty") == "I could not find Zzyzx Qwerty on TMDB."
    assert set(qbittorrent_sim.torrents) == before


async def test_download_title_failure_is_spoken(bp_hass: HomeAssistant) -> None:
    """When download_media fails (here: no entries at all), the answer says so."""
    hass = bp_hass
    assert await async_setup_component(hass, DOMAIN, {})
    await use_blueprint(hass, "download_media.yaml", {})
    assert await say(hass, "grab me The Matrix") == "Sorry, I could not download The Matrix."
